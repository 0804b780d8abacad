"""SQL for incremental processing (migration 0011): fingerprints of what each stage last built a
week from, and the inputs those fingerprints are taken over."""

from __future__ import annotations

import hashlib
import sqlite3

from .db import now, transaction


def week_inputs(conn: sqlite3.Connection) -> dict[str, str]:
    """week -> a digest of everything its stories are built from: each AI item's id, content,
    annotation and signals (points move the ranking). One pass over the annotated items."""
    digests: dict[str, hashlib._Hash] = {}
    for week, item_id, content_hash, annotated_at, score_json in conn.execute(
        "SELECT i.week, i.id, i.content_hash, a.annotated_at, i.score_json FROM items i "
        "JOIN annotations a ON a.item_id = i.id WHERE a.is_ai = 1 AND i.week IS NOT NULL "
        "ORDER BY i.week, i.id"
    ):
        h = digests.setdefault(week, hashlib.sha1())
        h.update(f"{item_id}|{content_hash}|{annotated_at}|{score_json}\n".encode())
    return {w: h.hexdigest() for w, h in digests.items()}


def store_inputs(conn: sqlite3.Connection) -> str:
    """A digest of the whole store's items and annotations (the model registry reads them all):
    any new, changed or re-annotated item changes it."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM items), (SELECT max(id) FROM items), "
        "(SELECT max(coalesce(updated_at, fetched_at)) FROM items), "
        "(SELECT count(*) FROM annotations), (SELECT max(annotated_at) FROM annotations)"
    ).fetchone()
    return hashlib.sha1(repr(tuple(row)).encode()).hexdigest()


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
    """Make the next run rebuild everything (`abreast process --full`)."""
    with transaction(conn):
        conn.execute("DELETE FROM stage_inputs")
