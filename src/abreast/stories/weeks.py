"""The week a command or page shows when none is named: one rule for the CLI, the web app, the
draft, the models commands and the MCP server, so they never disagree about "this week"."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime


def iso_week(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def default_week(conn: sqlite3.Connection, today: date | None = None) -> str | None:
    """The newest finished week with enough stories (stories.model.default_week: today's week is
    still being written, and a stray item dated in a later week must not hide the last real one);
    else the newest week with items; else None."""
    from ..store.stories import week_story_counts
    from .model import default_week as pick

    current = iso_week(today or datetime.now(UTC).date())
    chosen = pick(week_story_counts(conn), current=current)
    if chosen:
        return chosen
    row = conn.execute("SELECT max(week) FROM items WHERE week IS NOT NULL").fetchone()
    return row[0] if row and row[0] else None
