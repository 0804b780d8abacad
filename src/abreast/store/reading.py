"""What the reading stage needs: the items of each week's top stories, with their sources'
settings."""

from __future__ import annotations

import json
import sqlite3

from ..types import TopItem
from .compact import decode_extra


def recent_story_weeks(conn: sqlite3.Connection, n: int) -> list[str]:
    """The n most recent weeks with a full list of stories, and every week after them (the week
    under way, stragglers), oldest first. A week of three stories does not push a real one out."""
    from ..stories.model import MIN_STORIES_FOR_DEFAULT
    from .stories import week_story_counts

    counts = week_story_counts(conn)
    full = [w for w, c in counts if c >= MIN_STORIES_FOR_DEFAULT][-max(1, n) :]
    if not full:
        return [w for w, _ in counts][-max(1, n) :]
    return [w for w, _ in counts if w >= full[0]]


def top_story_items(conn: sqlite3.Connection, weeks: list[str], top: int) -> list[TopItem]:
    """Members of the stories ranked 1..top in these weeks, best rank first, newest week first.
    Items without a configured source (imported by hand, tests) are left out: nobody chose to read
    anything on their behalf."""
    if not weeks:
        return []
    rows = conn.execute(
        "SELECT i.key, i.kind, i.url, i.title, i.text, i.page_text, i.text_source, i.text_note, "
        "i.score_json, "
        "i.extra_json, src.url AS source_url, src.config_json, s.id AS story_id, s.week, s.rank "
        "FROM stories s JOIN story_items si ON si.story_id = s.id "
        "JOIN items i ON i.id = si.item_id JOIN sources src ON src.id = i.source_id "
        f"WHERE s.week IN ({','.join('?' * len(weeks))}) AND s.rank IS NOT NULL AND s.rank <= ? "
        "ORDER BY s.week DESC, s.rank, si.role = 'lead' DESC, i.id",
        (*weeks, top),
    ).fetchall()
    from ..explain.extractive import says_little

    return [
        TopItem(
            key=r["key"],
            kind=r["kind"],
            url=r["url"],
            has_text=bool(r["text"]),
            text_source=r["text_source"],
            teaser=bool(r["text"])
            and not r["page_text"]
            and says_little(r["title"], r["text"], r["kind"]),
            text_note=r["text_note"],
            signals=json.loads(r["score_json"]),
            extra=decode_extra(r["extra_json"]),
            source_url=r["source_url"],
            source_config=json.loads(r["config_json"]),
            story_id=r["story_id"],
            week=r["week"],
            rank=r["rank"],
        )
        for r in rows
    ]


def undated_count(conn: sqlite3.Connection, week: str) -> int:
    """Items placed in this week by when they were first observed (their source gives no date)."""
    return int(
        conn.execute(
            "SELECT count(*) FROM items WHERE week = ? AND published_at IS NULL", (week,)
        ).fetchone()[0]
    )
