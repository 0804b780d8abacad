"""Read-only SQL the web app needs beyond what items/stories/annotations already offer."""

from __future__ import annotations

import sqlite3

_COLS = (
    "SELECT items.id, items.key, items.kind, items.url, items.title, items.text, items.author, "
    "items.published_at, items.week, items.score_json, coalesce(sources.name, items.kind) AS "
    "source, "
    "a.relevance, a.is_ai, a.themes_json, a.jargon_json, d.key AS duplicate_of, "
    "(SELECT story_id FROM story_items WHERE story_items.item_id = items.id LIMIT 1) AS story_id "
)
_JOINS = (
    "LEFT JOIN sources ON sources.id = items.source_id "
    "LEFT JOIN annotations a ON a.item_id = items.id LEFT JOIN items d ON d.id = a.duplicate_of "
)
_ITEM = _COLS + "FROM items " + _JOINS


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
) -> list[sqlite3.Row]:
    """Items newest first with their annotation (relevance NULL when not yet understood)."""
    where, args = _filters(week, source, ai_only)
    sql = _ITEM + (" WHERE " + " AND ".join(where) if where else "")
    # Plain published_at DESC (NULLs sort last, as coalesce(.., '') did) walks index
    # items_published backwards and stops after the page; the coalesce sorted every item per
    # request (issue 20: /items took 0.5 s at 100k items).
    sql += " ORDER BY items.published_at DESC, items.id DESC LIMIT ? OFFSET ?"
    return conn.execute(sql, (*args, limit, offset)).fetchall()


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
) -> list[sqlite3.Row]:
    """FTS5 match (``fts`` must come from store.items.fts_query), best bm25 first."""
    from .items import top_matches

    where, args = _filters(week, source, ai_only)
    return top_matches(
        conn,
        _COLS + "FROM {matches} m JOIN items ON items.id = m.id " + _JOINS,
        fts,
        where,
        args,
        limit,
        filtered=bool(where),
    )


def item_by_key(conn: sqlite3.Connection, key: str) -> sqlite3.Row | None:
    return conn.execute(_ITEM + " WHERE items.key = ?", (key,)).fetchone()


def item_weeks(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT week, count(*) FROM items WHERE week IS NOT NULL GROUP BY week ORDER BY week"
        )
    ]


def story_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT week, count(*) FROM stories GROUP BY week").fetchall())


def story_headers(conn: sqlite3.Connection, story_ids: list[str]) -> dict[str, sqlite3.Row]:
    """id -> (id, week, title, rank) for linking to related stories without loading their
    members."""
    if not story_ids:
        return {}
    rows = conn.execute(
        f"SELECT id, week, title, rank FROM stories WHERE id IN ({','.join('?' * len(story_ids))})",
        story_ids,
    ).fetchall()
    return {r["id"]: r for r in rows}


def last_fetches(conn: sqlite3.Connection) -> dict[int, sqlite3.Row]:
    """source id -> its most recent fetch attempt."""
    rows = conn.execute(
        "SELECT * FROM fetches WHERE id IN (SELECT max(id) FROM fetches GROUP BY source_id)"
    )
    return {r["source_id"]: r for r in rows}


def latest_draft(conn: sqlite3.Connection, week: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM drafts WHERE week = ? ORDER BY id DESC LIMIT 1", (week,)
    ).fetchone()


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


def latest_item_url(conn: sqlite3.Connection, source_id: int) -> str | None:
    """The link of a source's newest item (names a feed by who publishes what it links to)."""
    row = conn.execute(
        "SELECT url FROM items WHERE source_id = ? AND url IS NOT NULL ORDER BY id DESC LIMIT 1",
        (source_id,),
    ).fetchone()
    return row[0] if row else None
