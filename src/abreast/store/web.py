"""Read-only SQL the web app needs beyond what items/stories/annotations already offer."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..types import AnnotatedItem, Fetch
from .annotations import ANNOTATED_COLS, ANNOTATED_JOINS, annotated_item
from .items import recent_floor, top_matches


def _filters(week: str | None, source: str | None, ai_only: bool) -> tuple[list[str], list[Any]]:
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
    # Plain published_at DESC (NULLs sort last, as coalesce(.., '') did) walks index
    # items_published backwards and stops after the page; the coalesce sorted every item per
    # request (issue 20: /items took 0.5 s at 100k items).
    sql += " ORDER BY items.published_at DESC, items.id DESC LIMIT ? OFFSET ?"
    return [annotated_item(r) for r in conn.execute(sql, (*args, limit, offset))]


def item_count(
    conn: sqlite3.Connection,
    week: str | None = None,
    source: str | None = None,
    ai_only: bool = False,
) -> int:
    if not source:
        # The week counts triggers keep (migration 0017): a count over every item joined with its
        # annotation took most of /items' time at 1M items.
        col = "ai_items" if ai_only else "items"
        if week:
            row = conn.execute(f"SELECT {col} FROM week_stats WHERE week = ?", (week,)).fetchone()
        else:
            row = conn.execute(f"SELECT coalesce(sum({col}), 0) FROM week_stats").fetchone()
        return int(row[0]) if row else 0
    where, args = _filters(week, source, ai_only)
    sql = (
        "SELECT count(*) FROM items LEFT JOIN sources ON sources.id = items.source_id "
        "LEFT JOIN annotations a ON a.item_id = items.id"
    )
    return int(
        conn.execute(sql + (" WHERE " + " AND ".join(where) if where else ""), args).fetchone()[0]
    )


def item_search(
    conn: sqlite3.Connection,
    fts: str,
    week: str | None = None,
    source: str | None = None,
    ai_only: bool = False,
    limit: int = 50,
    all_time: bool = False,
) -> list[AnnotatedItem]:
    """FTS5 match (``fts`` must come from store.items.fts_query), best bm25 first: among the
    RECENT_ITEMS most recently collected items unless ``all_time`` or a ``week`` is asked for."""

    where, args = _filters(week, source, ai_only)
    rows = top_matches(
        conn,
        ANNOTATED_COLS + "FROM {matches} m JOIN items ON items.id = m.id " + ANNOTATED_JOINS,
        fts,
        where,
        args,
        limit,
        filtered=bool(where),
        floor=None if (all_time or week) else recent_floor(conn),
    )
    return [annotated_item(r) for r in rows]


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


def trend_counts(conn: sqlite3.Connection, weeks: list[str]) -> dict[str, dict[str, int]]:
    """{term: {week: count}} from the trends table (written by `process`) for these weeks only:
    the trends page reads what the pipeline counted instead of re-extracting every AI title."""
    out: dict[str, dict[str, int]] = {}
    marks = ",".join("?" * len(weeks))
    for term, week, n in conn.execute(
        f"SELECT term, week, count FROM trends WHERE week IN ({marks})", weeks
    ):
        out.setdefault(term, {})[week] = n
    return out


def term_series(conn: sqlite3.Connection, term: str) -> dict[str, int]:
    """{week: count} of one term over every week (index trends_term)."""
    return dict(conn.execute("SELECT week, count FROM trends WHERE term = ?", (term,)).fetchall())


def recent_item_urls(conn: sqlite3.Connection, source_id: int, n: int = 20) -> list[str]:
    """The links of a source's newest items (name a feed by who publishes what it links to)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT url FROM items WHERE source_id = ? AND url IS NOT NULL ORDER BY id DESC "
            "LIMIT ?",
            (source_id, n),
        )
    ]
