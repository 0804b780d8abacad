"""The SQLite open ritual (after lemon24/reader's setup_db) and migrations.

- application_id marks the file as ours; any other non-empty database is refused.
- user_version is the number of migrations applied; a bigger number means a newer abreast wrote it.
- WAL so the web app can read while a fetch writes; foreign keys on; a minimum SQLite version for
FTS5.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .compact import register as register_sql_functions
from .migrations import MIGRATIONS

APPLICATION_ID = 0x61627273  # "abrs"
# Pages of 16 KiB, not SQLite's 4 KiB: an item row is ~600 bytes and a story ~450, and a page keeps
# on average about half a row unused; with four times the rows per page, 83 bytes per item less
# at 1M items (2,016 -> 1,933 after VACUUM, bench/scale.py's store), and searches read the same.
# A new store gets them; `abreast db vacuum` moves an existing one to them.
PAGE_SIZE = 16384
MIN_SQLITE = (3, 35, 0)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _connect(path: Path | str) -> sqlite3.Connection:
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise StoreError(
            f"SQLite {sqlite3.sqlite_version} is too old; abreast needs "
            f"{'.'.join(map(str, MIN_SQLITE))}+."
        )
    # isolation_level=None: we open transactions ourselves (BEGIN IMMEDIATE) so a unit of work is
    # explicit.
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def marker(db: Path) -> Path:
    """The file whose presence says the database is damaged (see store/repair.py)."""
    return Path(f"{db}.damaged")


def is_damaged(db: Path) -> bool:
    return marker(db).exists()


def open_db(
    path: Path | str, migrations: list[tuple[str, str]] | None = None
) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``."""
    migrations = MIGRATIONS if migrations is None else migrations
    if is_damaged(Path(path)):
        # Marked damaged after a "malformed" error (store/repair.py): read what can be read, write
        # nothing until `abreast db check` finds it healthy again.
        conn = _connect(path)
        conn.execute("PRAGMA query_only=ON")
        return conn
    try:
        conn = _connect(path)
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise StoreError(
            f"{path} is not a readable SQLite database ({e}). Salvage what can be read with "
            "`abreast db recover NEW.db`, restore a backup (`abreast db backup` makes them) or "
            "move the file away to start fresh."
        ) from e
    if has_tables and app_id != APPLICATION_ID:
        conn.close()
        raise StoreError(
            f"{path} is a SQLite database, but not an abreast one (application_id={app_id})."
        )
    if version > len(migrations):
        conn.close()
        raise StoreError(
            f"{path} was written by a newer abreast (schema {version}, this one knows "
            f"{len(migrations)}). "
            "Upgrade abreast: pip install -U abreast"
        )
    if not has_tables:
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before anything is written
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    if not has_tables:
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    migrate(conn, migrations)
    return conn


def migrate(conn: sqlite3.Connection, migrations: list[tuple[str, str]]) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {r[0] for r in conn.execute("SELECT name FROM migrations")}
    register_sql_functions(conn)  # the conversions 0015_compact_storage calls
    applied = []
    for i, (name, sql) in enumerate(migrations, start=1):
        if name in done:
            continue
        # executescript() would COMMIT first; run statements one by one inside our own transaction
        # instead.
        try:
            conn.execute("BEGIN IMMEDIATE")
            for stmt in _statements(sql):
                conn.execute(stmt)
            conn.execute("INSERT INTO migrations(name, applied_at) VALUES (?, ?)", (name, now()))
            conn.execute(f"PRAGMA user_version={i}")
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                conn.execute("ROLLBACK")
            raise StoreError(f"migration {name} failed and was rolled back: {e}") from e
        applied.append(name)
    return applied


def _statements(script: str) -> Iterator[str]:
    buf = ""
    for line in script.splitlines(keepends=True):
        if (
            "--" in line and "'" not in line
        ):  # strip comments; no quoted "--" appears in our migrations
            line = line.split("--", 1)[0] + "\n"
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf.strip()
            buf = ""
    if buf.strip():
        raise StoreError(f"incomplete SQL statement in migration: {buf.strip()[:80]}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        # SQLite has already rolled back after SQLITE_FULL, IOERR, BUSY or NOMEM; a second ROLLBACK
        # would replace the real cause ("database or disk is full") with "no transaction is active".
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def table_counts(conn: sqlite3.Connection) -> list[tuple[str, int | str]]:
    """(table, rows) for every table but SQLite's own and the full-text index's shadow tables; a
    table SQLite cannot read gives "unreadable (why)" instead of its count."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'item_fts%' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    out: list[tuple[str, int | str]] = []
    for name in names:
        try:
            out.append((name, conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]))
        except sqlite3.DatabaseError as e:
            out.append((name, f"unreadable ({e})"))
    return out


def schema_version(conn: sqlite3.Connection) -> int:
    """How many migrations the database has had (PRAGMA user_version)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def database_file(conn: sqlite3.Connection) -> str | None:
    """The file behind the connection; None for an in-memory database."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(Path(row[2])) if row and row[2] else None


def backup(conn: sqlite3.Connection, dest: Path) -> None:
    if dest.exists():
        raise StoreError(f"{dest} already exists; choose a new path for the backup.")
    conn.execute("VACUUM INTO ?", (str(dest),))


def vacuum(conn: sqlite3.Connection) -> tuple[int, int]:
    """Rewrite the database without its free pages (SQLite VACUUM), in pages of PAGE_SIZE; (bytes
    before, bytes after). Deleting rows or a migration that rewrote a table leaves free pages that
    SQLite reuses but never gives back to the disk on its own. A page size changes only outside
    WAL mode, which needs the store to itself: with another connection open the pages keep their
    size (page_size() says which it is)."""
    size = _file_size(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    resize = page_size(conn) != PAGE_SIZE
    if resize:
        try:
            conn.execute("PRAGMA journal_mode=DELETE").fetchall()
        except sqlite3.OperationalError:  # "database is locked": another process has it open
            resize = False
    try:
        if resize:
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
        conn.execute("VACUUM")
    finally:
        if resize:
            conn.execute("PRAGMA journal_mode=WAL").fetchall()
    if not resize:  # (a log just started holds nothing; checkpointing it fails "locked")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return size, _file_size(conn)


def page_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA page_size").fetchone()[0])


def _file_size(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return int(pages) * page_size(conn)


def rows_in(
    conn: sqlite3.Connection, sql: str, values: Sequence[Any], *before: Any, chunk: int = 900
) -> Iterator[sqlite3.Row]:
    """Rows of ``sql`` whose ``{marks}`` placeholder becomes ``?, ?, ...`` for ``values``, run in
    chunks below SQLite's limit on bound parameters; ``before`` binds any ``?`` that come first."""
    vals = list(values)
    for start in range(0, len(vals), chunk):
        part = vals[start : start + chunk]
        yield from conn.execute(sql.format(marks=",".join("?" * len(part))), [*before, *part])


# An item's text as stages read it (types.with_page in SQL): the source's own words, then the
# article page read for it when the source gave only a teaser.
READ_TEXT = (
    "CASE WHEN items.page_text = '' THEN items.text WHEN items.text = '' THEN items.page_text "
    "ELSE items.text || char(10) || char(10) || items.page_text END"
)
