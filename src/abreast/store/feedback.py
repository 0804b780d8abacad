"""SQL for the feedback table (migration 0005): what the user said about items and stories.

Signals are appended, never overwritten: the history is what later learning reads. The current state
of an item or story is its latest signal; pressing the same button twice takes it back ("undo").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..errors import NotFound, StoreError
from ..types import Feedback
from .db import now, transaction

# known: "I have seen this / I know this", which makes a later story about it a continuation.
SIGNALS = ("more", "less", "save", "hide", "known")


def add(
    conn: sqlite3.Connection, signal: str, item_key: str | None = None, story_id: str | None = None
) -> int:
    """Record one signal; returns its id. Exactly one of item_key / story_id names the target."""
    if signal not in SIGNALS and signal != "undo":
        raise StoreError(
            f"unknown feedback signal {signal!r}; expected one of {', '.join(SIGNALS)}."
        )
    if (item_key is None) == (story_id is None):
        raise StoreError("feedback needs exactly one target: an item key or a story id.")
    with transaction(conn):
        if (
            item_key is not None
            and conn.execute("SELECT 1 FROM items WHERE key = ?", (item_key,)).fetchone() is None
        ):
            raise NotFound(f"no item with key {item_key!r}.")
        if (
            story_id is not None
            and conn.execute("SELECT 1 FROM stories WHERE id = ?", (story_id,)).fetchone() is None
        ):
            raise NotFound(f"no story with id {story_id!r}.")
        cur = conn.execute(
            "INSERT INTO feedback(item_key, story_id, signal, at) VALUES (?,?,?,?)",
            (item_key, story_id, signal, now()),
        )
    return int(cur.lastrowid or 0)


def history(conn: sqlite3.Connection) -> list[Feedback]:
    """The whole history, oldest first: the export."""
    rows = conn.execute("SELECT id, item_key, story_id, signal, at FROM feedback ORDER BY id")
    return [Feedback(*r) for r in rows]


def current(
    conn: sqlite3.Connection, item_keys: Iterable[str] = (), story_ids: Iterable[str] = ()
) -> dict[str, str]:
    """target -> its latest signal ("undo" removes it), for the given item keys and story ids."""
    out: dict[str, str] = {}
    for col, values in (("item_key", list(item_keys)), ("story_id", list(story_ids))):
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            rows = conn.execute(
                f"SELECT {col} AS target, signal FROM feedback WHERE id IN (SELECT max(id) FROM "
                "feedback "
                f"WHERE {col} IN ({','.join('?' * len(chunk))}) GROUP BY {col})",
                chunk,
            ).fetchall()
            out.update({r["target"]: r["signal"] for r in rows if r["signal"] != "undo"})
    return out
