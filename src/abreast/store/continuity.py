"""SQL for story continuity (stories/novelty.py): the model entities of earlier weeks' stories."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class StoryEntities:
    id: str
    week: str
    title: str
    score: float
    rank: int | None
    entities: tuple[str, ...]


def stories_naming(
    conn: sqlite3.Connection, entities: list[str], before_week: str, since_week: str = ""
) -> list[StoryEntities]:
    """Stories of weeks in [since_week, before_week) whose entities include any of ``entities``."""
    if not entities:
        return []
    like = " OR ".join("entities_json LIKE ?" for _ in entities)
    rows = conn.execute(
        "SELECT id, week, title, score, rank, entities_json FROM stories "
        f"WHERE week < ? AND week >= ? AND ({like})",
        (before_week, since_week, *[f'%"{e}"%' for e in entities]),
    ).fetchall()
    return [
        StoryEntities(r[0], r[1], r[2], r[3] or 0.0, r[4], tuple(json.loads(r[5] or "[]")))
        for r in rows
    ]


def model_entities_before(
    conn: sqlite3.Connection, before_week: str, since_week: str = ""
) -> set[str]:
    """Every model entity named by a story of the weeks in [since_week, before_week). The same for
    every story of a week being built: read once per (weeks, state of the connection), not once
    per story (issue 20: a fifth of a new week's build at 100k items)."""
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    key = (id(conn), path, conn.total_changes, before_week, since_week)
    if key in _KNOWN:
        return set(_KNOWN[key])
    out: set[str] = set()
    for (raw,) in conn.execute(
        "SELECT entities_json FROM stories WHERE week < ? AND week >= ? "
        "AND entities_json LIKE '%model:%'",
        (before_week, since_week),
    ):
        out.update(e for e in json.loads(raw or "[]") if e.startswith("model:"))
    _KNOWN.clear()
    _KNOWN[key] = frozenset(out)
    return out


_KNOWN: dict[tuple[int, str, int, str, str], frozenset[str]] = {}


def lead_url(conn: sqlite3.Connection, story_id: str) -> str | None:
    """The URL of a story's lead item (what a "continues ..." note links to)."""
    r = conn.execute(
        "SELECT items.url FROM story_items si JOIN items ON items.id = si.item_id "
        "WHERE si.story_id = ? ORDER BY si.role = 'lead' DESC, items.id LIMIT 1",
        (story_id,),
    ).fetchone()
    return r[0] if r else None
