"""RSS 0.9x/1.0/2.0, Atom (feedparser) and JSON Feed, turned into Items with a stable identity.

Pure parsing (`parse_feed`) is separate from I/O (`Feed.collect`) so golden fixtures and the fuzz
test need no network. Rules from reliability.md: valid UTF-8 wins over a wrong declared charset
(#12); bad entries are skipped, the fetch fails only when nothing parses (#13); identity is GUID,
then GUID+link on collision, then link, then a content hash (#16); HTML is sanitized at ingest
(#21).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import feedparser

from ...types import Item
from ..base import CollectResult, Connector, SourceSpec
from ..sanitize import clip, html_to_text, one_line, tidy_text
from ._util import ParseError, iso_from_struct, iso_from_text, keep_since, load_json, web_url

if TYPE_CHECKING:
    from ..fetcher import Fetcher

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
TEXT_LIMIT = 20_000  # characters of plain text kept per entry; whole newsletters exceed 100 KB
TITLE_FROM_TEXT = 120  # untitled entries (micro-posts) get the start of their text as a title
# feedparser "bozo" exceptions that say the document was read anyway, just not strictly.
SURVIVABLE = ("CharacterEncodingOverride", "NonXMLContentType", "CharacterEncodingUnknown")
# expat's words for "the bytes stopped before the document did" (a cut transfer).
TRUNCATION_MESSAGES = ("no element found", "unclosed token", "unclosed CDATA")


@dataclass
class Entry:
    """One feed entry after format differences are gone, before identity is decided."""

    guid: str | None
    link: str | None
    title: str
    text: str
    author: str | None
    published_at: str | None
    categories: list[str] = field(default_factory=list)
    html: str = field(default="", repr=False)  # the entry's content as sent, for digest sections


@dataclass
class ParsedFeed:
    title: str
    items: list[Item]
    warnings: list[str]


def parse_feed(
    body: bytes, *, source_name: str, content_type: str | None = None, base_url: str | None = None
) -> ParsedFeed:
    """Any supported feed format -> Items. Raises ParseError when the body is not a feed or no entry
    in it can be read; problems with single entries end up in `warnings`."""
    if looks_like_json_feed(body, content_type):
        title, entries, warnings = parse_json_feed(body, base_url=base_url)
    else:
        title, entries, warnings = parse_xml_feed(
            body, content_type=content_type, base_url=base_url
        )
    items, dup_warnings = assign_keys(entries, source_name=source_name, feed_title=title)
    return ParsedFeed(title=title, items=items, warnings=warnings + dup_warnings)


def looks_like_json_feed(body: bytes, content_type: str | None) -> bool:
    """The first byte decides when it can ('{' or '<'): servers mislabel feeds in both
    directions."""
    first = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first in (b"{", b"<"):
        return first == b"{"
    return (content_type or "").split(";")[0].strip().lower().endswith("json")


# --- XML feeds
# -------------------------------------------------------------------------------------

_XML_DECL_ENCODING = re.compile(
    rb"""\A(\xef\xbb\xbf)?(\s*<\?xml[^>]{0,200}?encoding\s*=\s*)["'][^"']{0,40}["']"""
)


def prefer_utf8(body: bytes, content_type: str | None) -> tuple[bytes, str]:
    """reliability.md #12: bytes that decode as UTF-8 are UTF-8, whatever the header or prolog
    claims (a feed saying ISO-8859-1 while sending UTF-8 is common and would otherwise come out as
    mojibake). Other bytes keep their declared charset, which feedparser applies (HTTP header, then
    prolog, BOM)."""
    media = (content_type or "application/xml").split(";")[0].strip() or "application/xml"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body, content_type or media
    body = _XML_DECL_ENCODING.sub(
        lambda m: (m.group(1) or b"") + m.group(2) + b'"utf-8"', body, count=1
    )
    return body, f"{media}; charset=utf-8"


def parse_xml_feed(
    body: bytes, *, content_type: str | None = None, base_url: str | None = None
) -> tuple[str, list[Entry], list[str]]:
    body, content_type = prefer_utf8(body, content_type)
    headers = {"content-type": content_type}
    if base_url:
        headers["content-location"] = base_url  # feedparser resolves relative links against it
    try:
        # BytesIO, never raw bytes: feedparser treats a bytes value that names a file as a path to
        # open (a feed body of b"/etc/passwd" would read that file). Its own sanitizer is off
        # because
        # nh3 does the job (and drops script/iframe content instead of unwrapping it).
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False)
    except (
        Exception
    ) as exc:  # feedparser is third-party code fed hostile bytes; never let it kill a run
        raise ParseError(
            f"the feed could not be parsed at all ({type(exc).__name__}: {exc})."
        ) from exc
    problem = _bozo_problem(parsed)
    raw_entries = parsed.get("entries") or []
    if not raw_entries:
        if not parsed.get("version"):
            raise ParseError(
                "the response is not an RSS, Atom or JSON feed"
                + (f" ({problem})." if problem else ".")
            )
        if problem:
            raise ParseError(f"the feed is malformed and no entry could be read ({problem}).")
    warnings = [f"feed is not well-formed, read what could be read ({problem})"] if problem else []
    if (
        problem
        and raw_entries
        and any(m in problem for m in TRUNCATION_MESSAGES)
        and not _ends_after_entry(body)
    ):
        # The document ends inside its last entry: that entry is a fragment (often without its
        # link),
        # and storing it would leave a ghost once the full entry arrives under its real key.
        raw_entries = raw_entries[:-1]
        warnings.append("the document ends inside an entry; that entry was left for the next fetch")
        if not raw_entries:
            raise ParseError(f"the feed is cut off before its first complete entry ({problem}).")
    entries = []
    for n, raw in enumerate(raw_entries, 1):
        try:
            entries.append(_xml_entry(raw))
        except ValueError as exc:
            warnings.append(f"entry {n} skipped: {exc}")
    if raw_entries and not entries:
        raise ParseError(
            f"every entry of the feed was unreadable ({len(raw_entries)} entries; {warnings[-1]})."
        )
    title = one_line((parsed.get("feed") or {}).get("title"))
    return title, entries, warnings


_ENTRY_END = re.compile(rb"</(?:[\w-]+:)?(?:item|entry)>\s*(?:</(?:[\w-]+:)?channel>\s*)?\Z")


def _ends_after_entry(body: bytes) -> bool:
    """A document missing only its closing root tags still has a complete last entry."""
    return bool(_ENTRY_END.search(body[-300:].rstrip()))


def _bozo_problem(parsed: dict[str, Any]) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if exc is None or type(exc).__name__ in SURVIVABLE:
        return None
    return f"{type(exc).__name__}: {exc}"[:300]


def _xml_entry(raw: dict[str, Any]) -> Entry:
    contents: list[str] = [
        c["value"]
        for c in (raw.get("content") or [])
        if isinstance(c, dict) and isinstance(c.get("value"), str) and c["value"]
    ]
    html = max(contents, key=len) if contents else raw.get("summary")
    text = clip(html_to_text(html if isinstance(html, str) else None), TEXT_LIMIT)
    guid = raw.get("id")
    return _complete(
        Entry(
            guid=guid.strip() if isinstance(guid, str) and guid.strip() else None,
            link=web_url(raw.get("link")),
            title=one_line(raw.get("title") if isinstance(raw.get("title"), str) else None),
            text=text,
            author=one_line(raw.get("author") if isinstance(raw.get("author"), str) else None)
            or None,
            published_at=_entry_date(raw),
            categories=_terms(raw.get("tags")),
            html=html if isinstance(html, str) else "",
        )
    )


def _entry_date(raw: dict[str, Any]) -> str | None:
    # dict.get: feedparser's own .get("updated_parsed") silently maps to published with a warning.
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        found = iso_from_struct(dict.get(raw, name))
        if found:
            return found
    return None


def _terms(tags: object) -> list[str]:
    out = []
    for tag in tags if isinstance(tags, list) else []:
        term = tag.get("term") if isinstance(tag, dict) else None
        if isinstance(term, str) and one_line(term) and one_line(term) not in out:
            out.append(one_line(term))
    return out


# "Organization: Anthropic | Source: Anthropic (research)": labelled fields an aggregator writes
# where the entry's summary belongs: two or more "Label: value" parts joined by " | ", no sentence.
_FIELD = r"[\w .()-]{1,40}:\s*[^|]{0,80}"
_FIELDS = re.compile(rf"^(?!.*[.!?]\s)\s*{_FIELD}(?:\|\s*{_FIELD})+$")
# "DeepSeek news: DeepSeek-V2.5-1210 发布 2024/12/10": a label in front of the entry's own title.
_LABEL = re.compile(r"^[\w .()-]{1,40}:\s*")


def not_words(text: str, title: str) -> bool:
    """True when an entry's "summary" is the feed's metadata, not words of the article: labelled
    fields ("Organization: X | Source: Y") or the title again behind a label ("X news: <title>").
    Such a summary is dropped so the item counts as having no text and its article is read instead
    (issue 12: the Anthropic and DeepSeek feeds of the demo send nothing else)."""
    flat = " ".join(text.split())
    if not flat:
        return False
    if _FIELDS.match(flat):
        return True
    bare = " ".join(title.split())
    return bool(bare) and (flat == bare or _LABEL.sub("", flat, count=1) == bare)


def _complete(entry: Entry) -> Entry:
    """Untitled entries borrow their title from the text; an entry with nothing to show is an
    error. A summary that is only the feed's metadata is not kept as text (``not_words``)."""
    if not_words(entry.text, entry.title):
        entry.text = ""
    if not entry.title:
        entry.title = clip(" ".join(entry.text.split()), TITLE_FROM_TEXT) or (entry.link or "")
    if not entry.title:
        raise ValueError("it has no title, no link and no text")
    return entry


# --- JSON Feed (https://jsonfeed.org/version/1.1)
# --------------------------------------------------


def parse_json_feed(
    body: bytes, *, base_url: str | None = None
) -> tuple[str, list[Entry], list[str]]:
    data = load_json(body, "JSON Feed")
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError("the response is JSON but not a JSON Feed (no 'items' list).")
    warnings = []
    if not str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
        warnings.append("JSON Feed without a jsonfeed.org version; read it anyway")
    base = data.get("home_page_url") if isinstance(data.get("home_page_url"), str) else base_url
    entries = []
    for n, raw in enumerate(data["items"], 1):
        try:
            entries.append(_json_entry(raw, base))
        except ValueError as exc:
            warnings.append(f"entry {n} skipped: {exc}")
    if data["items"] and not entries:
        raise ParseError(
            f"every entry of the JSON Feed was unreadable ({len(data['items'])} entries)."
        )
    title = one_line(data.get("title") if isinstance(data.get("title"), str) else None)
    return title, entries, warnings


def _json_entry(raw: object, base: str | None) -> Entry:
    if not isinstance(raw, dict):
        raise ValueError("it is not a JSON object")
    if isinstance(raw.get("content_html"), str) and raw["content_html"].strip():
        text = html_to_text(raw["content_html"])
    elif isinstance(raw.get("content_text"), str):
        text = tidy_text(raw["content_text"])
    else:
        text = html_to_text(raw.get("summary") if isinstance(raw.get("summary"), str) else None)
    link = raw.get("url") if isinstance(raw.get("url"), str) else None
    return _complete(
        Entry(
            guid=_json_id(raw.get("id")),
            link=web_url(urljoin(base or "", link)) if link else None,
            title=one_line(raw.get("title") if isinstance(raw.get("title"), str) else None),
            text=clip(text, TEXT_LIMIT),
            author=_json_author(raw),
            published_at=iso_from_text(raw.get("date_published"))
            or iso_from_text(raw.get("date_modified")),
            categories=[
                one_line(t) for t in raw.get("tags") or [] if isinstance(t, str) and one_line(t)
            ]
            if isinstance(raw.get("tags"), list)
            else [],
        )
    )


def _json_id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _json_author(raw: dict[str, Any]) -> str | None:
    authors: list[object] = (
        raw["authors"] if isinstance(raw.get("authors"), list) else [raw.get("author")]
    )
    names = [
        one_line(a["name"])
        for a in authors
        if isinstance(a, dict) and isinstance(a.get("name"), str)
    ]
    names = [n for n in names if n]
    return ", ".join(names) or None


# --- identity
# --------------------------------------------------------------------------------------


def content_digest(entry: Entry) -> str:
    return hashlib.sha256(f"{entry.title}\n{entry.text}".encode()).hexdigest()[:16]


def entry_identity(entry: Entry, guid_count: int) -> str:
    """reliability.md #16: GUID; GUID+link when two entries of the feed share a GUID; link; content
    hash."""
    if entry.guid and guid_count == 1:
        return entry.guid
    if entry.guid and entry.link:
        return f"{entry.guid} {entry.link}"
    if entry.link:
        return entry.link
    if entry.guid:
        return f"{entry.guid} sha256:{content_digest(entry)}"
    return f"sha256:{content_digest(entry)}"


def entry_key(entry: Entry, identity: str, link_count: int, source_name: str) -> str:
    """`feed:<entry link>`; entries sharing one link (changelog-style feeds) keep apart by GUID or
    hash; entries without a link are keyed within their source."""
    if entry.link and link_count == 1:
        return f"feed:{entry.link}"
    if entry.link:
        return f"feed:{entry.link}#{entry.guid or 'sha256:' + content_digest(entry)}"
    return f"feed:{source_name}#{identity}"


def assign_keys(
    entries: list[Entry], *, source_name: str, feed_title: str = ""
) -> tuple[list[Item], list[str]]:
    guids = Counter(e.guid for e in entries if e.guid)
    # Distinct entries per link: an entry repeated verbatim does not make its link "shared".
    links = Counter(
        link for link, _ in {(e.link, e.guid or content_digest(e)) for e in entries if e.link}
    )
    items: list[Item] = []
    seen: set[str] = set()
    warnings = []
    for entry in entries:
        identity = entry_identity(entry, guids[entry.guid] if entry.guid else 0)
        key = entry_key(entry, identity, links[entry.link] if entry.link else 0, source_name)
        if key in seen:
            warnings.append(f"duplicate entry {key} in the same feed; kept the first")
            continue
        seen.add(key)
        extra = {
            "identity": identity,
            "guid": entry.guid,
            "feed": feed_title or None,
            "categories": entry.categories,
        }
        items.append(
            Item(
                key=key,
                kind="feed",
                title=entry.title,
                url=entry.link,
                text=entry.text,
                author=entry.author,
                published_at=entry.published_at,
                extra={k: v for k, v in extra.items() if v},
            )
        )
        items += section_items(items[-1], entry.html, feed_title)
    return items, warnings


def section_items(parent: Item, html: str, feed_title: str = "") -> list[Item]:
    """A digest entry (a newsletter bundling many posts and links) also yields one item per
    section: its own title, link and words, by the entry's author, dated by the day the section
    states (else the entry's date). Keyed `<entry key>#s<n>`; extra.section_of names the entry."""
    from ..newsletter import split_sections

    out = []
    for n, sec in enumerate(split_sections(html, parent.url), start=1):
        extra = {
            "section_of": parent.key,
            "newsletter": feed_title or None,
            "newsletter_title": parent.title,
            "newsletter_url": parent.url,
            "links": sec.links[:20],
        }
        out.append(
            Item(
                key=f"{parent.key}#s{n}",
                kind="feed",
                title=sec.title,
                url=sec.url,
                text=sec.text,
                author=parent.author,
                published_at=f"{sec.day}T00:00:00+00:00" if sec.day else parent.published_at,
                extra={k: v for k, v in extra.items() if v},
            )
        )
    return out


# --- the connector
# ---------------------------------------------------------------------------------


class Feed(Connector):
    kind = "feed"
    description = "Any RSS, Atom or JSON Feed URL (blogs, newsletters, lab news pages)."
    target_help = "feed URL, e.g. https://simonwillison.net/atom/everything/"

    def collect(
        self, source: SourceSpec, fetcher: Fetcher, since: datetime | None = None
    ) -> CollectResult:
        resp = fetcher.get(
            source.url, etag=source.etag, last_modified=source.last_modified, accept=ACCEPT
        )
        if resp.not_modified:  # reliability.md #6: nothing is re-parsed on 304
            return CollectResult(
                not_modified=True,
                http_status=resp.status,
                etag=resp.etag or source.etag,
                last_modified=resp.last_modified or source.last_modified,
            )
        parsed = parse_feed(
            resp.body,
            source_name=source.name,
            content_type=resp.headers.get("content-type"),
            base_url=resp.final_url or source.url,
        )
        return CollectResult(
            items=keep_since(parsed.items, since),
            http_status=resp.status,
            nbytes=len(resp.body),
            etag=resp.etag,
            last_modified=resp.last_modified,
            warnings=parsed.warnings,
        )

    def source_from_target(self, target: str) -> dict[str, Any]:
        if not web_url(target):
            raise ParseError(f"{target!r} is not an http(s) feed URL.")
        return {"url": target.strip(), "config": {}}

    def default_name(self, target: str) -> str:
        return target.split("//", 1)[-1].rstrip("/")[:80]
