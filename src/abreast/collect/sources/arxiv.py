"""arXiv papers by category and/or query through the arXiv API (Atom), newest submissions first.

API: https://info.arxiv.org/help/api/user-manual.html. Politeness (one request per 3 s, one
connection) is the fetcher's job; this module only decides what to ask for and how to read it.
Identity: `arxiv:<id without version>`; the version goes to extra, so v2 of a paper updates v1's
item.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import feedparser

from ...item import Item
from ..base import CollectResult, Connector, SourceSpec
from ..sanitize import tidy_text
from ._util import ParseError, is_before, iso_from_struct, iso_from_text, web_url

if TYPE_CHECKING:
    from ..fetcher import Fetcher

EXPORT_API = "https://export.arxiv.org"
DEFAULT_CATEGORIES = ("cs.CL", "cs.LG", "cs.AI")
# A week of cs.CL+cs.LG+cs.AI is ~4,000 papers; at arXiv's one request per 3 s, 25 pages take ~75 s.
PAGE_SIZE = 200
MAX_PAGES = 25
DEFAULT_DAYS = 3
AUTHORS_SHOWN = 3
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
# New-style ids (2412.13175) and old-style ones (hep-th/9901001, math.GT/0309136), with optional
# version.
ARXIV_ID = re.compile(
    r"arxiv\.org/abs/(?P<id>[a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})(?P<version>v\d+)?\s*$",
    re.IGNORECASE,
)


@dataclass
class ArxivPage:
    items: list[Item]
    total: int | None
    warnings: list[str] = field(default_factory=list)


def search_query(categories: Iterable[str] = DEFAULT_CATEGORIES, query: str | None = None) -> str:
    """`cat:cs.CL OR cat:cs.LG`, AND-ed with a free query such as `abs:"language model"`."""
    cats = " OR ".join(f"cat:{c}" for c in categories)
    if cats and query:
        return f"({cats}) AND ({query})"
    if not (cats or query):
        raise ValueError("an arXiv source needs categories or a query")
    return cats or str(query)


def query_url(base: str, search: str, *, start: int, max_results: int = PAGE_SIZE) -> str:
    params = {
        "search_query": search,
        "sortBy": "submittedDate",
        "sortOrder": "descending",
        "start": start,
        "max_results": max_results,
    }
    return f"{base.rstrip('/')}/api/query?{urlencode(params)}"


def parse_arxiv(body: bytes) -> ArxivPage:
    """One arXiv API response -> items, the total the query matches, and skipped-entry warnings.

    The API's Atom is machine-written and regular, so it is read with ElementTree: ~20x faster than
    feedparser here (bench/parse_connectors.py), which matters at thousands of papers a week. A
    response that is not well-formed (a cut transfer) goes through feedparser's tolerant parser."""
    try:
        root = ET.fromstring(body)
    except (
        ET.ParseError,
        LookupError,
        ValueError,
    ):  # LookupError: a garbled encoding= in the prolog
        return _parse_tolerant(body)
    if root.tag != f"{ATOM}feed":
        raise ParseError("arXiv: the response is not an Atom feed.")
    papers = [_paper_from_element(el) for el in root.iter(f"{ATOM}entry")]
    total = _int_or_none(root.findtext(f"{OPENSEARCH}totalResults"))
    return _page(papers, total, [])


def _paper_from_element(el: ET.Element) -> dict[str, Any]:
    def text(tag: str) -> str:
        return el.findtext(tag) or ""

    pdf = next(
        (
            link.get("href")
            for link in el.iter(f"{ATOM}link")
            if link.get("title") == "pdf" or link.get("type") == "application/pdf"
        ),
        None,
    )
    primary = el.find(f"{ARXIV_NS}primary_category")
    return {
        "id": text(f"{ATOM}id"),
        "title": text(f"{ATOM}title"),
        "summary": text(f"{ATOM}summary"),
        "authors": [a.findtext(f"{ATOM}name") or "" for a in el.iter(f"{ATOM}author")],
        "categories": [c.get("term") for c in el.iter(f"{ATOM}category") if c.get("term")],
        "primary_category": primary.get("term") if primary is not None else None,
        "published_at": iso_from_text(text(f"{ATOM}published")),
        "updated_at": iso_from_text(text(f"{ATOM}updated")),
        "pdf_url": pdf,
        "comment": text(f"{ARXIV_NS}comment"),
        "journal_ref": text(f"{ARXIV_NS}journal_ref"),
        "doi": text(f"{ARXIV_NS}doi"),
    }


def _parse_tolerant(body: bytes) -> ArxivPage:
    try:
        # BytesIO: feedparser would treat bytes naming a file as a path to open.
        parsed = feedparser.parse(
            io.BytesIO(body), response_headers={"content-type": "application/atom+xml"}
        )
    except Exception as exc:  # third-party parser on remote bytes: report, never crash the run
        raise ParseError(
            f"arXiv: the response could not be parsed ({type(exc).__name__})."
        ) from exc
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        raise ParseError("arXiv: the response is not an Atom feed.")
    papers = [_paper_from_feedparser(raw) for raw in entries]
    total = _int_or_none((parsed.get("feed") or {}).get("opensearch_totalresults"))
    return _page(papers, total, ["the arXiv response was not well-formed; read what could be read"])


def _paper_from_feedparser(raw: dict[str, Any]) -> dict[str, Any]:
    def text(name: str) -> str:
        value = raw.get(name)
        return value if isinstance(value, str) else ""

    primary = raw.get("arxiv_primary_category")
    pdf = next(
        (
            link.get("href")
            for link in raw.get("links") or []
            if isinstance(link, dict)
            and (link.get("title") == "pdf" or link.get("type") == "application/pdf")
        ),
        None,
    )
    return {
        "id": text("id"),
        "title": text("title"),
        "summary": text("summary"),
        "authors": [a.get("name") or "" for a in raw.get("authors") or [] if isinstance(a, dict)],
        "categories": [
            t.get("term") for t in raw.get("tags") or [] if isinstance(t, dict) and t.get("term")
        ],
        "primary_category": primary.get("term") if isinstance(primary, dict) else None,
        # dict.get: feedparser's own .get("updated_parsed") silently falls back to published.
        "published_at": iso_from_struct(raw.get("published_parsed")),
        "updated_at": iso_from_struct(dict.get(raw, "updated_parsed")),
        "pdf_url": pdf,
        "comment": text("arxiv_comment"),
        "journal_ref": text("arxiv_journal_ref"),
        "doi": text("arxiv_doi"),
    }


def _page(papers: list[dict[str, Any]], total: int | None, warnings: list[str]) -> ArxivPage:
    for paper in papers:
        if "/api/errors" in paper["id"]:  # the API reports a bad query as a one-entry feed
            raise ParseError(
                f"arXiv refused the query: {_plain(paper['summary']) or 'no reason given'}."
            )
    items = []
    for n, paper in enumerate(papers, 1):
        try:
            items.append(paper_to_item(paper))
        except ValueError as exc:
            warnings.append(f"entry {n} skipped: {exc}")
    if papers and not items:
        raise ParseError(
            f"arXiv: none of the {len(papers)} entries could be read ({warnings[-1]})."
        )
    return ArxivPage(items=items, total=total, warnings=warnings)


def _plain(value: str | None) -> str:
    """arXiv text is plain (not HTML); titles and abstracts arrive hard-wrapped at ~80 columns.
    LaTeX stays as the authors wrote it."""
    return " ".join(tidy_text(value or "").split())


def paper_to_item(paper: dict[str, Any]) -> Item:
    m = ARXIV_ID.search(paper["id"])
    if not m:
        raise ValueError(f"no arXiv id in {paper['id'][:80]!r}")
    arxiv_id, title = m.group("id"), _plain(paper["title"])
    if not title:
        raise ValueError(f"{arxiv_id} has no title")
    authors = [name for name in (_plain(a) for a in paper["authors"]) if name]
    extra = {
        "arxiv_id": arxiv_id,
        "version": m.group("version"),
        "authors": authors,
        "categories": paper["categories"],
        "primary_category": paper["primary_category"],
        "updated_at": paper["updated_at"],
        "pdf_url": web_url(paper["pdf_url"]),
        "comment": _plain(paper["comment"]),
        "journal_ref": _plain(paper["journal_ref"]),
        "doi": _plain(paper["doi"]),
    }
    return Item(
        key=f"arxiv:{arxiv_id}",
        kind="arxiv",
        title=title,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        text=_plain(paper["summary"]),
        author=_byline(authors),
        # published = first submission; a new version changes updated_at, not the paper's date.
        published_at=paper["published_at"] or paper["updated_at"],
        extra={k: v for k, v in extra.items() if v},
    )


def _byline(authors: list[str]) -> str | None:
    if not authors:
        return None
    shown = ", ".join(authors[:AUTHORS_SHOWN])
    return shown + (" et al." if len(authors) > AUTHORS_SHOWN else "")


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class Arxiv(Connector):
    kind = "arxiv"
    description = (
        "arXiv papers in categories (cs.CL, cs.LG, ...) and/or matching a query, newest first."
    )
    target_help = (
        'categories separated by commas (cs.CL,cs.LG) or an arXiv query (abs:"language model")'
    )

    def collect(
        self, source: SourceSpec, fetcher: Fetcher, since: datetime | None = None
    ) -> CollectResult:
        cfg = source.config or {}
        since = since or datetime.now(UTC) - timedelta(days=int(cfg.get("days", DEFAULT_DAYS)))
        search = search_query(cfg.get("categories", DEFAULT_CATEGORIES), cfg.get("query"))
        size, max_pages = int(cfg.get("page_size", PAGE_SIZE)), int(cfg.get("max_pages", MAX_PAGES))
        result = CollectResult()
        for page in range(max_pages):
            resp = fetcher.get(
                query_url(source.url or EXPORT_API, search, start=page * size, max_results=size),
                accept="application/atom+xml",
            )
            parsed = parse_arxiv(resp.body)
            result.http_status, result.nbytes = resp.status, result.nbytes + len(resp.body)
            result.warnings += parsed.warnings
            fresh = [it for it in parsed.items if not is_before(it.published_at, since)]
            result.items += fresh
            if decide_stop(
                len(parsed.items), len(fresh), start=page * size, size=size, total=parsed.total
            ):
                break
        else:
            result.warnings.append(
                f"stopped after {max_pages} pages of {size}; older papers were not read"
            )
        return result

    def source_from_target(self, target: str) -> dict[str, Any]:
        return source_from_target(target)

    def default_name(self, target: str) -> str:
        return f"arxiv:{target.strip()}"[:80]


CATEGORY_LIST = re.compile(r"^\s*[a-z\-]+(\.[A-Za-z\-]+)?(\s*,\s*[a-z\-]+(\.[A-Za-z\-]+)?)*\s*$")


def source_from_target(target: str) -> dict[str, Any]:
    """`cs.CL,cs.LG` -> categories; anything else is an arXiv query (`abs:"language model"`)."""
    if CATEGORY_LIST.match(target) and "." in target:
        return {"url": EXPORT_API, "config": {"categories": [c.strip() for c in target.split(",")]}}
    return {"url": EXPORT_API, "config": {"categories": [], "query": target.strip()}}


def decide_stop(n_items: int, n_fresh: int, *, start: int, size: int, total: int | None) -> bool:
    """Stop paging when results run out or the page reached papers older than `since`
    (results are sorted newest first, so later pages are older still)."""
    if n_items < size or n_fresh < n_items:
        return True
    return total is not None and start + size >= total
