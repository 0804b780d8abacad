"""Derived files kept beside a store (``cache/`` next to its database): query vectors and
word-sense verdicts. Each can be deleted at any time and is rebuilt on demand.

Each file is read through one connection per thread, kept: the web app serves requests from a
thread pool, and opening a file (with its pragmas) per batch cost ~0.4 ms each time.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


def cache_file(database: str | None, name: str) -> Path | None:
    """Where a store keeps the derived file ``name``: beside its database file (none for a store in
    memory)."""
    return Path(database).parent / "cache" / name if database else None


def thread_connection(
    local: threading.local, path: Path | None
) -> tuple[sqlite3.Connection | None, bool]:
    """This thread's connection to ``path`` (None without a path) and whether it was just opened
    (then the caller sets up its tables). A cache writes once per batch: with a write-ahead log
    and NORMAL sync a commit is not flushed on its own (a power cut can only lose the newest rows,
    which are recomputed), where the default flushed every one (~20 ms each on a busy disk)."""
    if path is None:
        return None, False
    conn: sqlite3.Connection | None = getattr(local, "conn", None)
    if conn is not None:
        return conn, False
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    local.conn = conn
    return conn, True
