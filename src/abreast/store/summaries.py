"""Cited summaries stored on their story (stories.summary_json, migration 0003)."""

from __future__ import annotations

import sqlite3
from typing import Any

from .compact import SUMMARY_V1, encode_json
from .db import now, transaction


def save_summaries(conn: sqlite3.Connection, summaries: dict[str, dict[str, Any]]) -> int:
    """story id -> summary dict (explain.summary.Summary.to_dict()); returns how many stories were
    updated."""
    updated = 0
    with transaction(conn):
        for story_id, summary in summaries.items():
            cur = conn.execute(
                "UPDATE stories SET summary_json = ?, updated_at = ? WHERE id = ?",
                (encode_json(summary, SUMMARY_V1), now(), story_id),
            )
            updated += cur.rowcount
    return updated
