"""Read-only SQL the web app needs beyond what items/stories/annotations already offer."""

from __future__ import annotations

import sqlite3

from ..types import AnnotatedItem, Fetch
from .annotations import ANNOTATED_COLS, ANNOTATED_JOINS, annotated_item


def _filters(week: str | None, source: str | None, ai_only: bool) -> tuple[list[str], list]:
    where, args = [], []
    if week:
        where.append("items.week = ?")
        args.append(week)
    if source:
        # a source's name, or a kind ("arxiv", "hf"): the week page's folds link to a kind
        where.append("(coalesce(sources.name, items.kind) = ? OR items.kind = ?)")
        args += [source, source]
    if ai_only:
        where.append("a.is_ai = 1")
    return where, args


def item_stream(
    conn: sqlite3.Connection,
    week: str | None = None,
    source: str | None = None,
    ai_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[AnnotatedItem]:
    """Items newest first with their annotation (relevance None when not yet understood)."""
    where, args = _filters(week, source, ai_only)
    sql = ANNOTATED_COLS + "FROM items " + ANNOTATED_JOINS
    sql += (" WHERE " + " AND ".join(where)) if where else ""
    sql += " ORDER BY coalesce(items.published_at, '') DESC, items.id DESC LIMIT ? OFFSET ?"
    return [annotated_item(r) for r in conn.execute(sql, (*args, limit, offset))]


def item_count(
    conn: sqlite3.Connection,
    week: str | None = None,
    source: str | None = None,
    ai_only: bool = False,
) -> int:
    where, args = _filters(week, source, ai_only)
    sql = (
        "SELECT count(*) FROM items LEFT JOIN sources ON sources.id = items.source_id "
        "LEFT JOIN annotations a ON a.item_id = items.id"
    )
    return conn.execute(sql + (" WHERE " + " AND ".join(where) if where else ""), args).fetchone()[
        0
    ]


def item_search(
    conn: sqlite3.Connection,
    fts: str,
    week: str | None = None,
    source: str | None = None,
    ai_only: bool = False,
    limit: int = 50,
) -> list[AnnotatedItem]:
    """FTS5 match (``fts`` must come from store.items.fts_query), best bm25 first."""
    where, args = _filters(week, source, ai_only)
    sql = (
        ANNOTATED_COLS
        + "FROM item_fts JOIN items ON items.id = item_fts.rowid "
        + ANNOTATED_JOINS
        + " WHERE item_fts MATCH ?"
        + "".join(f" AND {w}" for w in where)
        + " ORDER BY bm25(item_fts, 3.0, 1.0) LIMIT ?"
    )
    return [annotated_item(r) for r in conn.execute(sql, (fts, *args, limit))]


def item_by_key(conn: sqlite3.Connection, key: str) -> AnnotatedItem | None:
    """One item with its annotation, as the item stream lists it; None when there is none."""
    r = conn.execute(
        ANNOTATED_COLS + "FROM items " + ANNOTATED_JOINS + " WHERE items.key = ?", (key,)
    ).fetchone()
    return annotated_item(r) if r else None


def last_fetches(conn: sqlite3.Connection) -> dict[int, Fetch]:
    """source id -> its most recent fetch attempt."""
    rows = conn.execute(
        "SELECT id, source_id, started_at, finished_at, status, http_status, bytes, items_new, "
        "items_updated, items_unchanged, error FROM fetches "
        "WHERE id IN (SELECT max(id) FROM fetches GROUP BY source_id)"
    )
    return {r["source_id"]: Fetch(*r) for r in rows}
