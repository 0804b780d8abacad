"""SQL for incremental processing (migrations 0012, 0017): fingerprints of what each stage last
built a week from, the inputs those fingerprints are taken over, and the understand queue."""

from __future__ import annotations

import hashlib
import sqlite3

from .db import now, transaction


def week_inputs(conn: sqlite3.Connection) -> dict[str, str]:
    """week -> the version of what its stories are built from, for weeks with AI items. The
    version is bumped by triggers (migration 0017) on every change to the week's items (content,
    signals: points move the ranking) or annotations, so reading it costs one row per week."""
    return {
        w: str(v)
        for w, v in conn.execute(
            "SELECT week, version FROM week_stats WHERE ai_items > 0 ORDER BY week"
        )
    }


def weeks_with_ai_items(conn: sqlite3.Connection) -> list[str]:
    """ISO weeks with at least one AI item, oldest first (from the maintained week counts)."""
    return [
        r[0] for r in conn.execute("SELECT week FROM week_stats WHERE ai_items > 0 ORDER BY week")
    ]


def count_ai(conn: sqlite3.Connection) -> int:
    """How many stored items are about AI (from the maintained week counts)."""
    return int(conn.execute("SELECT coalesce(sum(ai_items), 0) FROM week_stats").fetchone()[0])


def count_items(conn: sqlite3.Connection) -> int:
    """How many items the store holds (from the maintained week counts)."""
    return int(conn.execute("SELECT coalesce(sum(items), 0) FROM week_stats").fetchone()[0])


def store_inputs(conn: sqlite3.Connection) -> str:
    """A digest of the whole store's items and annotations (the model registry reads them all):
    any new, changed or re-annotated item bumps its week's version, and so changes this."""
    h = hashlib.sha1()
    for week, version, items in conn.execute(
        # A row with neither items nor a change (a week with stories only) is no input.
        "SELECT week, version, items FROM week_stats WHERE items > 0 OR version > 0 ORDER BY week"
    ):
        h.update(f"{week}|{version}|{items}\n".encode())
    return h.hexdigest()


def understand_queue(conn: sqlite3.Connection) -> list[int]:
    """Ids of the items whose current content has no annotation (new or changed), oldest first."""
    return [r[0] for r in conn.execute("SELECT item_id FROM understand_queue ORDER BY item_id")]


def built_from(conn: sqlite3.Connection, stage: str) -> dict[str, str]:
    return {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT week, fingerprint FROM stage_inputs WHERE stage = ?", (stage,)
        )
    }


def mark_built(conn: sqlite3.Connection, stage: str, fingerprints: dict[str, str]) -> None:
    with transaction(conn):
        conn.executemany(
            "INSERT INTO stage_inputs(stage, week, fingerprint, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(stage, week) DO UPDATE SET fingerprint = excluded.fingerprint, "
            "at = excluded.at",
            [(stage, w, fp, now()) for w, fp in fingerprints.items()],
        )


def forget(conn: sqlite3.Connection) -> None:
    """Make the next run rebuild every week (`abreast process --full`). The dedupe index is data
    kept up to date on every run, not something built from a week: its row stays."""
    with transaction(conn):
        conn.execute("DELETE FROM stage_inputs WHERE stage != 'dedupe_index'")
