"""What people say: the Hacker News thread (Algolia items API) and the Reddit comment tree of the
items of the week's top stories, kept as comments with author, score and permalink.

Parsing is pure (bytes -> list[Comment]) so recorded threads test it without a network; fetching
goes through the one fetcher, at the API base URL of the item's own source (the demo's replay
server, or the real hosts). A thread is fetched again only when its comment count has grown.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..types import Comment
from .sanitize import clip, html_to_text, tidy_text

if TYPE_CHECKING:
    from ..types import TopItem
    from .fetcher import Fetcher

HN_ITEM = "https://news.ycombinator.com/item?id={}"
REDDIT_WEB = "https://www.reddit.com"
MAX_CHARS = 2000  # a comment longer than this is cut; a card quotes a few sentences at most
GONE = {"[deleted]", "[removed]", ""}
REFETCH_GROWTH = 1.25  # refetch a thread once it has 25% more comments than when it was read


class ThreadError(ValueError):
    pass


def _iso(epoch: object) -> str | None:
    if not isinstance(epoch, int | float) or isinstance(epoch, bool):
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _json(body: bytes) -> Any:  # parsed JSON: the caller checks its shape
    import json

    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise ThreadError(f"not JSON: {e}") from e


def parse_hn_thread(body: bytes, item_key: str, limit: int = 200) -> list[Comment]:
    """An Algolia `/api/v1/items/<id>` answer -> its comments in thread order (depth first)."""
    root = _json(body)
    if not isinstance(root, dict) or "children" not in root:
        raise ThreadError("not an Algolia item (no children)")
    out: list[Comment] = []

    def walk(node: dict[str, Any], parent: str | None, depth: int) -> None:
        for child in node.get("children") or []:
            if len(out) >= limit or not isinstance(child, dict):
                return
            cid = child.get("id")
            if not isinstance(cid, int):
                continue
            text = clip(html_to_text(child.get("text") or ""), MAX_CHARS)
            author = child.get("author") if isinstance(child.get("author"), str) else None
            if text.strip() and author:  # deleted comments have neither
                out.append(
                    Comment(
                        id=f"hn:{cid}",
                        item_key=item_key,
                        author=author,
                        score=None,
                        text=text,
                        url=HN_ITEM.format(cid),
                        posted_at=_iso(child.get("created_at_i")),
                        parent_id=parent,
                        depth=depth,
                    )
                )
            walk(child, f"hn:{cid}", depth + 1)

    walk(root, None, 0)
    return out


def parse_reddit_thread(body: bytes, item_key: str, limit: int = 200) -> list[Comment]:
    """A Reddit `/comments/<id>.json` answer ([post listing, comment listing]) -> its comments."""
    payload = _json(body)
    if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], dict)):
        raise ThreadError("not a Reddit comments answer ([post, comments])")
    out: list[Comment] = []

    def walk(listing: object, depth: int) -> None:
        if not isinstance(listing, dict):
            return  # Reddit sends "" for a comment without replies
        for child in (listing.get("data") or {}).get("children") or []:
            if len(out) >= limit:
                return
            if not isinstance(child, dict) or child.get("kind") != "t1":
                continue  # "more" stubs would need one more request each
            d = child.get("data") or {}
            cid, body_text = d.get("id"), d.get("body")
            if not isinstance(cid, str):
                continue
            author = d.get("author") if isinstance(d.get("author"), str) else None
            text = clip(tidy_text(body_text), MAX_CHARS) if isinstance(body_text, str) else ""
            if text.strip() not in GONE and author not in GONE | {None}:
                parent: str = d["parent_id"] if isinstance(d.get("parent_id"), str) else ""
                permalink: str = d["permalink"] if isinstance(d.get("permalink"), str) else ""
                score = d.get("score")
                out.append(
                    Comment(
                        id=f"reddit:{cid}",
                        item_key=item_key,
                        author=author,
                        score=score if isinstance(score, int) else None,
                        text=text,
                        url=REDDIT_WEB + permalink if permalink.startswith("/") else permalink,
                        posted_at=_iso(d.get("created_utc")),
                        parent_id=f"reddit:{parent[3:]}" if parent.startswith("t1_") else None,
                        depth=d["depth"] if isinstance(d.get("depth"), int) else depth,
                    )
                )
            walk(d.get("replies"), depth + 1)

    walk(payload[1], 0)
    return out


def thread_url(kind: str, item_key: str, source_url: str, limit: int = 200) -> str | None:
    """The API URL of an item's discussion, at its source's base URL."""
    base = source_url.rstrip("/")
    ident = item_key.split(":", 1)[1]
    if kind == "hn" and ident.isdigit():
        return f"{base}/api/v1/items/{ident}"
    if kind == "reddit" and ident.isalnum():
        return f"{base}/comments/{ident}.json?raw_json=1&sort=top&limit={limit}"
    return None


NOTE_THREAD_NOT_RECORDED = "no recorded copy of its discussion in the replay (the demo snapshot)"


def needs_fetch(seen: dict[str, Any] | None, comments_now: int | None) -> bool:
    """Fetch a thread never read, one whose last read failed for a passing reason, or one that has
    grown since. A thread the site said does not exist (404/410) is not asked for again."""
    if seen is None or seen["status"] == "error":
        return True
    if seen["status"] == "gone":
        return False
    if comments_now is None or seen["seen_count"] is None:
        return False
    seen_count: int = seen["seen_count"]
    return comments_now >= max(seen_count * REFETCH_GROWTH, seen_count + 5)


@dataclass
class DiscussionReport:
    threads: int = 0
    comments: int = 0
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        out = f"{self.threads} discussions read ({self.comments} comments)"
        if self.failed:
            out += f", {len(self.failed)} unavailable"
        return out


def read_discussions(
    conn: sqlite3.Connection, fetcher: Fetcher, items: list[TopItem], max_comments: int = 200
) -> DiscussionReport:
    """Fetch and store the threads of these TopItems (hn/reddit ones that need it)."""
    from ..store.discussions import discussion_fetches, record_discussion_error, replace_comments
    from .fetcher import FetchError, HTTPStatusError

    report = DiscussionReport()
    wanted = {it.key: it for it in items if it.kind in ("hn", "reddit") and it.source_url}
    seen = discussion_fetches(conn, wanted)
    for key, it in wanted.items():
        count = it.signals.get("comments")
        if count == 0 or not needs_fetch(seen.get(key), count):
            continue
        url = thread_url(it.kind, key, it.source_url or "", max_comments)  # never "": see wanted
        if url is None:
            continue
        parse = parse_hn_thread if it.kind == "hn" else parse_reddit_thread
        try:
            resp = fetcher.get(url, accept="application/json")
            comments = parse(resp.body, key, max_comments)
        except (FetchError, ThreadError) as e:
            gone = isinstance(e, HTTPStatusError) and e.status in (404, 410)
            why = str(e)
            if gone and fetcher.replay:
                # Through a replay (the demo) a 404 says the snapshot holds no copy of the thread,
                # not that the thread does not exist.
                why = NOTE_THREAD_NOT_RECORDED
            record_discussion_error(conn, key, why, "gone" if gone else "error")
            report.failed.append(f"{key}: {e}")
            continue
        replace_comments(conn, key, comments, count)
        report.threads += 1
        report.comments += len(comments)
    return report
