"""Which week to show by default. (Member and Story live in abreast.types.)"""

from __future__ import annotations

from ..types import Member, Story  # noqa: F401 - re-exported for tests/explain/conftest.py

# A week needs this many stories to be the one shown by default: a stray item dated in a later week
# (a
# Reddit post of 2025-01-02 in a December recording) must not hide the last real week.
MIN_STORIES_FOR_DEFAULT = 10


def default_week(story_counts: list[tuple[str, int]], current: str | None = None) -> str | None:
    """The newest week, before ``current`` (today's unfinished week), with enough stories; else the
    newest week with any. ``story_counts`` is [(week, number of stories)]."""
    done = sorted((w, n) for w, n in story_counts if n and (current is None or w < current))
    full = [w for w, n in done if n >= MIN_STORIES_FOR_DEFAULT]
    if full:
        return full[-1]
    if done:
        return done[-1][0]
    any_week = sorted(w for w, n in story_counts if n)
    return any_week[-1] if any_week else None
