"""SQL for the known_terms table (migration 0011): glossary terms the user marked as known."""

from __future__ import annotations

import sqlite3

from .db import now, transaction


def mark(conn: sqlite3.Connection, term_id: str, known: bool = True) -> None:
    """Mark ``term_id`` as known (or forget that it was)."""
    with transaction(conn):
        if known:
            conn.execute(
                "INSERT OR REPLACE INTO known_terms(term_id, marked_at) VALUES (?, ?)",
                (term_id, now()),
            )
        else:
            conn.execute("DELETE FROM known_terms WHERE term_id = ?", (term_id,))


def known(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT term_id FROM known_terms")}
