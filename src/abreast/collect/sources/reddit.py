"""A subreddit's newest posts through Reddit's public JSON listing (`/r/<sub>/new.json`).

Score and comment count are signals; a post's identity is its base-36 id (`reddit:<id>`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin, urlsplit

from ...item import Item
from ..base import CollectResult, Connector, SourceSpec
from ..sanitize import clip, one_line, tidy_text
from ._util import ParseError, as_int, is_before, iso_from_unix, load_json, web_url

if TYPE_CHECKING:
    from ..fetcher import Fetcher

REDDIT = "https://www.reddit.com"
PAGE_SIZE = 100
MAX_PAGES = 5
DEFAULT_DAYS = 3
TEXT_LIMIT = 5_000
SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
GONE_TEXT = ("[removed]", "[deleted]")


def subreddit_of(source: SourceSpec) -> str:
    """The subreddit from config["subreddit"], or from a URL such as https://www.reddit.com/r/LocalLLaMA/."""
    name = (source.config or {}).get("subreddit")
    if not name:
        match = re.search(r"/r/([^/?#]+)", urlsplit(source.url or "").path)
        name = match.group(1) if match else ""
    name = str(name).removeprefix("r/")
    if not SUBREDDIT.match(name):
        raise ParseError(f"{name!r} is not a subreddit name (letters, digits, underscore).")
    return name


def listing_url(
    base: str, subreddit: str, *, after: str | None = None, limit: int = PAGE_SIZE
) -> str:
    params: dict[str, str | int] = {
        "limit": limit,
        "raw_json": 1,
    }  # raw_json: text without &amp;-escaping
    if after:
        params["after"] = after
    return f"{base.rstrip('/')}/r/{subreddit}/new.json?{urlencode(params)}"


def parse_listing(body: bytes) -> tuple[list[Item], str | None, list[str]]:
    """One listing page -> (post items, the `after` cursor for the next page, warnings)."""
    payload = load_json(body, "Reddit listing")
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        raise ParseError("Reddit: the response is not a listing (no data.children).")
    items, warnings = [], []
    for n, child in enumerate(data["children"], 1):
        post = child.get("data") if isinstance(child, dict) and child.get("kind") == "t3" else None
        item = post_to_item(post) if isinstance(post, dict) else None
        if item is None:
            warnings.append(f"post {n} skipped: not a post with an id and a title")
        else:
            items.append(item)
    after = data.get("after") if isinstance(data.get("after"), str) else None
    return items, after, warnings


def post_to_item(post: dict[str, Any]) -> Item | None:
    post_id = post.get("id") if isinstance(post.get("id"), str) else None
    title = one_line(post.get("title") if isinstance(post.get("title"), str) else None)
    if not post_id or not title:
        return None
    permalink = (
        web_url(urljoin(REDDIT, post["permalink"]))
        if isinstance(post.get("permalink"), str)
        else None
    )
    link = None if post.get("is_self") else post.get("url_overridden_by_dest") or post.get("url")
    link = web_url(urljoin(REDDIT, link)) if isinstance(link, str) else None
    selftext = post.get("selftext")
    text = selftext if isinstance(selftext, str) else ""
    signals = {
        k: v
        for k, v in (
            ("score", as_int(post.get("score"))),
            ("comments", as_int(post.get("num_comments"))),
        )
        if v is not None
    }
    extra = {
        "permalink": permalink,
        "subreddit": post.get("subreddit"),
        "flair": post.get("link_flair_text"),
        "domain": post.get("domain"),
        "over_18": bool(post.get("over_18")) or None,
        # When the post was first seen, for a post whose creation time is unknown (the demo's
        # recording states when a newsletter listed it); it dates only the item's week.
        "first_seen": None
        if post.get("created_utc") is not None
        else iso_from_unix(post.get("first_seen_utc")),
    }
    return Item(
        key=f"reddit:{post_id}",
        kind="reddit",
        title=title,
        url=link or permalink,
        text="" if text.strip() in GONE_TEXT else clip(tidy_text(text), TEXT_LIMIT),
        author=post.get("author") if isinstance(post.get("author"), str) else None,
        published_at=iso_from_unix(post.get("created_utc")),
        signals=signals,
        extra={k: v for k, v in extra.items() if v},
    )


class Reddit(Connector):
    kind = "reddit"
    description = "A subreddit's newest posts with score and comment count."
    target_help = "subreddit name, e.g. LocalLLaMA"

    def collect(
        self, source: SourceSpec, fetcher: Fetcher, since: datetime | None = None
    ) -> CollectResult:
        cfg = source.config or {}
        since = since or datetime.now(UTC) - timedelta(days=int(cfg.get("days", DEFAULT_DAYS)))
        subreddit, base = subreddit_of(source), _host(source.url)
        result, after = CollectResult(), None
        max_pages = int(cfg.get("max_pages", MAX_PAGES))
        for _ in range(max_pages):
            resp = fetcher.get(listing_url(base, subreddit, after=after), accept="application/json")
            items, after, warnings = parse_listing(resp.body)
            result.http_status, result.nbytes = resp.status, result.nbytes + len(resp.body)
            result.warnings += warnings
            fresh = [it for it in items if not is_before(it.published_at, since)]
            result.items += fresh
            if not after or len(fresh) < len(items):  # /new is newest first: older ones follow
                break
        else:
            result.warnings.append(f"stopped after {max_pages} pages; older posts were not read")
        return result

    def source_from_target(self, target: str) -> dict[str, Any]:
        name = subreddit_of(
            SourceSpec(
                name="",
                kind="reddit",
                url=target if "/r/" in target else REDDIT,
                config={} if "/r/" in target else {"subreddit": target.strip()},
            )
        )
        return {"url": REDDIT, "config": {"subreddit": name}}

    def default_name(self, target: str) -> str:
        return f"r/{self.source_from_target(target)['config']['subreddit']}"


def _host(url: str | None) -> str:
    """The listing lives at <host>/r/<sub>/new.json whether the source URL is the bare host (or the
    replay prefix) or a subreddit page."""
    url = (url or REDDIT).rstrip("/")
    return url.split("/r/", 1)[0]
