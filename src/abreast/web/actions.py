"""The state changes the web app offers (all reached by POST behind CSRF): feedback and sources.

Each mirrors the CLI command of the same name so the browser and the terminal behave alike;
errors a user can fix are AbreastError with a message the page shows as is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import AbreastError
from ..store import Store
from ..store import feedback as fb


def record_feedback(store: Store, signal: str, item_key: str | None = None, story_id: str | None = None) -> str | None:
    """Store a signal; pressing the active one again takes it back. Returns the new current state."""
    from .queries import feedback_state

    item_key, story_id = item_key or None, story_id or None
    previous = feedback_state(store, item_key, story_id)
    fb.add(store.conn, "undo" if previous == signal else signal, item_key=item_key, story_id=story_id)
    return feedback_state(store, item_key, story_id)


def add_source(store: Store, kind: str, target: str, name: str | None = None) -> str:
    from ..collect.base import get_connector

    target = target.strip()
    if not target:
        raise AbreastError("say what to follow: a feed URL, a subreddit or a search query.")
    conn = get_connector(kind.strip())
    spec = conn.source_from_target(target) if hasattr(conn, "source_from_target") else {"url": target, "config": {}}
    if urlsplit(spec["url"]).scheme not in ("http", "https"):
        raise AbreastError(f"{spec['url']!r} is not an http(s) URL.")
    src = store.add_source((name or "").strip() or conn.default_name(target), kind, spec["url"], spec.get("config"))
    return src.name


def remove_source(store: Store, name: str) -> None:
    store.remove_source(name)


def retry_source(store: Store, name: str) -> None:
    src = store.source(name)
    store.update_source(src.id, paused=0, paused_reason=None, gone=0, error_count=0, next_fetch_at=None)


def import_opml(store: Store, data: bytes) -> int:
    """Add the OPML's feeds that are not there yet (by URL); returns how many were added."""
    from ..collect.sources.opml import parse_opml

    existing = {s.url for s in store.sources()}
    names = {s.name for s in store.sources()}
    added = 0
    for f in parse_opml(data):
        if f["url"] in existing:
            continue
        name = f.get("name") or f["url"]
        while name in names:
            name += "'"
        store.add_source(name, f.get("kind", "feed"), f["url"],
                         {"category": f["category"]} if f.get("category") else {})
        names.add(name)
        existing.add(f["url"])
        added += 1
    return added


def export_opml(store: Store) -> bytes:
    from ..collect.sources.opml import export_opml as to_opml

    return to_opml([{"name": s.name, "url": s.url, "kind": s.kind, "category": s.config.get("category")}
                    for s in store.sources()])
