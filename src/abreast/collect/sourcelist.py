"""Managing the source list: the one implementation behind `abreast sources ...` and the web app."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..errors import AbreastError
from ..store import Store


def add_source(
    store: Store, kind: str, target: str, name: str | None = None, page_text: bool = True
) -> str:
    """Add a source; ``page_text=False`` means its items never get their linked pages fetched."""
    from ..collect.base import get_connector

    target = target.strip()
    if not target:
        raise AbreastError("say what to follow: a feed URL, a subreddit or a search query.")
    conn = get_connector(kind.strip())
    spec = conn.source_from_target(target)
    if urlsplit(spec["url"]).scheme not in ("http", "https"):
        raise AbreastError(f"{spec['url']!r} is not an http(s) URL.")
    config = dict(spec.get("config") or {})
    if not page_text:
        config["page_text"] = False
    src = store.add_source(
        (name or "").strip() or conn.default_name(target), kind, spec["url"], config
    )
    return src.name


def remove_source(store: Store, name: str) -> None:
    store.remove_source(name)


def retry_source(store: Store, name: str) -> None:
    src = store.source(name)
    store.update_source(
        src.id, paused=0, paused_reason=None, gone=0, error_count=0, next_fetch_at=None
    )


def import_opml(store: Store, data: bytes) -> int:
    """Add the OPML's feeds that are not there yet (by URL), all in one transaction; returns how
    many were added. Entries whose URL is not http(s) are left out."""
    from ..collect.sources.opml import parse_opml
    from ..links import normalize_url

    existing = {s.url for s in store.sources()}
    names = {s.name for s in store.sources()}
    rows = []
    for f in parse_opml(data):
        url = normalize_url(f["url"])
        if url is None or url in existing:
            continue
        name = f.get("name") or url
        while name in names:
            name += "'"
        config = {"category": f["category"]} if f.get("category") else {}
        rows.append((name, f.get("kind", "feed"), url, config))
        names.add(name)
        existing.add(url)
    return store.add_sources(rows)


def export_opml(store: Store) -> bytes:
    from ..collect.sources.opml import export_opml as to_opml

    return to_opml(
        [
            {"name": s.name, "url": s.url, "kind": s.kind, "category": s.config.get("category")}
            for s in store.sources()
        ]
    )
