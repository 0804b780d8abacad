"""Hacker News: stories in a time window from the Algolia search API, single items from Firebase.

Algolia: https://hn.algolia.com/api (search_by_date, tags=story, numericFilters on created_at_i and
points). Firebase: https://github.com/HackerNews/API (/v0/item/<id>.json).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ...item import Item
from ..base import CollectResult, Connector, SourceSpec
from ..sanitize import clip, html_to_text, one_line
from ._util import ParseError, as_int, iso_from_text, iso_from_unix, load_json, web_url

if TYPE_CHECKING:
    from ..fetcher import Fetcher

ALGOLIA = "https://hn.algolia.com"
FIREBASE = "https://hacker-news.firebaseio.com"
HITS_PER_PAGE = 100
MAX_PAGES = 200  # requests per collect, across split windows
ALGOLIA_CAP = 1000  # Algolia never pages past this many hits of one query
DEFAULT_DAYS = 3
TEXT_LIMIT = 20_000  # window when the caller gives no `since`
# Algolia _tags worth keeping; the rest are author_/story_ ids that repeat other fields.
KIND_TAGS = ("ask_hn", "show_hn", "launch_hn", "poll", "job", "front_page")


def discussion_url(item_id: int | str) -> str:
    return f"https://news.ycombinator.com/item?id={item_id}"


def algolia_url(
    base: str,
    *,
    since: datetime,
    until: datetime,
    page: int,
    query: str = "",
    points: int | None = None,
    hits_per_page: int = HITS_PER_PAGE,
) -> str:
    filters = [f"created_at_i>={int(since.timestamp())}", f"created_at_i<={int(until.timestamp())}"]
    if points:
        filters.append(f"points>={int(points)}")
    params = {
        "tags": "story",
        "numericFilters": ",".join(filters),
        "hitsPerPage": hits_per_page,
        "page": page,
    }
    if query:
        params["query"] = query
    return f"{base.rstrip('/')}/api/v1/search_by_date?{urlencode(params)}"


def parse_algolia(body: bytes) -> tuple[list[Item], int, list[str]]:
    """One Algolia response -> (story items, nbPages, warnings). Hits without a title or id are
    skipped."""
    payload = load_json(body, "Hacker News search")
    if not isinstance(payload, dict) or not isinstance(payload.get("hits"), list):
        raise ParseError("Hacker News search: the response has no 'hits' list.")
    items, warnings = [], []
    for n, hit in enumerate(payload["hits"], 1):
        item = hit_to_item(hit) if isinstance(hit, dict) else None
        if item is None:
            warnings.append(f"hit {n} skipped: no story id or title")
        else:
            items.append(item)
    return items, as_int(payload.get("nbPages")) or 0, warnings


def hit_to_item(hit: dict[str, Any]) -> Item | None:
    item_id = as_int(hit.get("story_id")) or _digits(hit.get("objectID"))
    title = one_line(hit.get("title") if isinstance(hit.get("title"), str) else None)
    if not item_id or not title:
        return None
    tags = [t for t in hit.get("_tags") or [] if t in KIND_TAGS]
    return _story(
        item_id,
        title=title,
        url=hit.get("url"),
        text=hit.get("story_text"),
        author=hit.get("author"),
        published_at=iso_from_unix(hit.get("created_at_i")) or iso_from_text(hit.get("created_at")),
        points=hit.get("points"),
        comments=hit.get("num_comments"),
        tags=tags,
    )


def parse_firebase_item(body: bytes) -> Item | None:
    """One Firebase item -> Item; None for missing, deleted or dead items and for comments."""
    payload = load_json(body, "Hacker News item")
    if not isinstance(payload, dict) or payload.get("deleted") or payload.get("dead"):
        return None
    item_id = as_int(payload.get("id"))
    title = one_line(payload.get("title") if isinstance(payload.get("title"), str) else None)
    if not item_id or not title or payload.get("type") not in ("story", "job", "poll"):
        return None
    return _story(
        item_id,
        title=title,
        url=payload.get("url"),
        text=payload.get("text"),
        author=payload.get("by"),
        published_at=iso_from_unix(payload.get("time")),
        points=payload.get("score"),
        comments=payload.get("descendants"),
        tags=[payload["type"]] if payload["type"] != "story" else [],
    )


def _story(
    item_id: int,
    *,
    title: str,
    url: object,  # the rest straight from the API's JSON: checked here
    text: object,
    author: object,
    published_at: str | None,
    points: object,
    comments: object,
    tags: list[str],
) -> Item:
    discussion = discussion_url(item_id)
    signals = {
        k: v
        for k, v in (("points", as_int(points)), ("comments", as_int(comments)))
        if v is not None
    }
    extra: dict[str, object] = {"discussion_url": discussion}
    if tags:
        extra["hn_tags"] = tags
    return Item(
        key=f"hn:{item_id}",
        kind="hn",
        title=title,
        url=web_url(url)
        or discussion,  # Ask HN and friends have no article: the thread is the story
        text=clip(html_to_text(text if isinstance(text, str) else None), TEXT_LIMIT),
        author=author if isinstance(author, str) and author else None,
        published_at=published_at,
        signals=signals,
        extra=extra,
    )


def _digits(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else as_int(value)


def fetch_hn_item(fetcher: Fetcher, item_id: int, base_url: str = FIREBASE) -> Item | None:
    """A single story by id through the official Firebase API (e.g. to refresh points of a known
    item)."""
    resp = fetcher.get(
        f"{base_url.rstrip('/')}/v0/item/{int(item_id)}.json", accept="application/json"
    )
    return parse_firebase_item(resp.body)


class HackerNews(Connector):
    kind = "hn"
    description = (
        "Hacker News stories in a time window (Algolia search), with points and comment counts."
    )
    target_help = "search words (e.g. 'LLM'), or '' for all stories above a points threshold"

    def collect(
        self, source: SourceSpec, fetcher: Fetcher, since: datetime | None = None
    ) -> CollectResult:
        cfg = source.config or {}
        until = datetime.now(UTC)
        since = since or until - timedelta(days=int(cfg.get("days", DEFAULT_DAYS)))
        max_pages = int(cfg.get("max_pages", MAX_PAGES))
        hpp = int(cfg.get("hits_per_page", HITS_PER_PAGE))
        result = CollectResult()
        seen: set[str] = set()
        # Algolia serves at most 1,000 hits per query (ALGOLIA_CAP). A window holding more is split
        # in
        # halves until each half fits, so a long backfill does not silently lose its oldest stories.
        windows = [(since, until)]
        requests = 0
        while windows and requests < max_pages:
            lo, hi = windows.pop()
            for page in range(max_pages):
                url = algolia_url(
                    source.url or ALGOLIA,
                    since=lo,
                    until=hi,
                    page=page,
                    query=str(cfg.get("query") or ""),
                    points=cfg.get("points"),
                    hits_per_page=hpp,
                )
                resp = fetcher.get(url, accept="application/json")
                requests += 1
                items, nb_pages, warnings = parse_algolia(resp.body)
                result.http_status, result.nbytes = resp.status, result.nbytes + len(resp.body)
                if page == 0 and nb_pages * hpp >= ALGOLIA_CAP and hi - lo > timedelta(hours=1):
                    mid = lo + (hi - lo) / 2
                    windows += [(lo, mid), (mid, hi)]
                    break
                result.warnings += warnings
                # Paging by date while stories arrive can repeat a hit on the next page; keep the
                # first.
                for it in items:
                    if it.key not in seen:
                        seen.add(it.key)
                        result.items.append(it)
                if page + 1 >= nb_pages or requests >= max_pages:
                    break
        if windows:
            result.warnings.append(
                f"stopped after {requests} requests; narrow the query or raise points"
            )
        return result

    def source_from_target(self, target: str) -> dict[str, Any]:
        """`abreast sources add hn "LLM"`: search words; an empty target means every story (use a
        points threshold in the config to keep it to the front page)."""
        return {
            "url": ALGOLIA,
            "config": {"query": target.strip()} if target.strip() else {"points": 100},
        }

    def default_name(self, target: str) -> str:
        return f"hn:{target.strip() or 'front'}"[:80]
