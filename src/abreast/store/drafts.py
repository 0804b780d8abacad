"""Queries behind the weekly draft: reading volume, trend series, model links, the drafts log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..types import Draft, Member
from .db import now, transaction
from .stories import item_weeks, week_volumes


def week_reading(conn: sqlite3.Connection, week: str) -> tuple[int, int]:
    """(items, words) abreast read for a week: every item of the week, titles and texts."""
    n, chars_words = 0, 0
    for title, text in conn.execute("SELECT title, text FROM items WHERE week = ?", (week,)):
        n += 1
        chars_words += len(title.split()) + len((text or "").split())
    return n, chars_words


def trend_series(conn: sqlite3.Connection, term: str, upto: str) -> list[int]:
    """Weekly counts of ``term`` over every week in the store up to ``upto`` (zeros included)."""
    counts = dict(
        conn.execute("SELECT week, count FROM trends WHERE term = ? AND week <= ?", (term, upto))
    )
    return [counts.get(w, 0) for w in item_weeks(conn) if w <= upto]


def week_volume(conn: sqlite3.Connection, upto: str) -> list[int]:
    """AI items per week, counted exactly as trend counts are (stories.ai_titles), aligned with
    trend_series: the week counts the store keeps (migration 0017), not a pass over the items."""
    counts = week_volumes(conn)
    return [counts.get(w, 0) for w in item_weeks(conn) if w <= upto]


def trend_terms(conn: sqlite3.Connection, week: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT term FROM trends WHERE week = ? ORDER BY burst DESC, term", (week,)
        )
    ]


def model_first_item(conn: sqlite3.Connection, model_id: str) -> Member | None:
    """The first stored item that named the model, to link to (its source shown as its kind)."""
    r = conn.execute(
        "SELECT items.key, items.kind, items.title, items.url FROM models JOIN items "
        "ON items.key = models.first_item_key WHERE models.id = ?",
        (model_id,),
    ).fetchone()
    if r is None:
        return None
    return Member(key=r["key"], kind=r["kind"], source=r["kind"], title=r["title"], url=r["url"])


def _draft(r: sqlite3.Row) -> Draft:
    return Draft(
        id=r[0],
        week=r[1],
        path=r[2],
        content_hash=r[3],
        created_at=r[4],
        files=json.loads(r[5] or "[]"),
    )


def last_draft(conn: sqlite3.Connection, path: str) -> Draft | None:
    """The last draft written to ``path``."""
    r = conn.execute(
        "SELECT id, week, path, content_hash, created_at, files_json FROM drafts WHERE path = ? "
        "ORDER BY id DESC LIMIT 1",
        (path,),
    ).fetchone()
    return _draft(r) if r else None


def latest_draft(conn: sqlite3.Connection, week: str) -> Draft | None:
    """The last draft written for ``week``."""
    r = conn.execute(
        "SELECT id, week, path, content_hash, created_at, files_json FROM drafts WHERE week = ? "
        "ORDER BY id DESC LIMIT 1",
        (week,),
    ).fetchone()
    return _draft(r) if r else None


def record_draft(
    conn: sqlite3.Connection,
    week: str,
    path: str,
    content_hash: str,
    files: list[str] | None = None,
) -> None:
    """Log a draft abreast wrote: its Markdown file and the manifest of every file it wrote beside
    it (names relative to the Markdown file's folder). The web app serves only those files."""
    names = [Path(path).name, *(f for f in files or [] if f != Path(path).name)]
    with transaction(conn):
        conn.execute(
            "INSERT INTO drafts(week, path, content_hash, created_at, files_json) "
            "VALUES (?,?,?,?,?)",
            (week, path, content_hash, now(), json.dumps(names)),
        )
