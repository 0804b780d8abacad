"""A damaged or unwritable database: say so in one line, stop writing, salvage what can be read.

- Any SQLite error that reaches a command becomes one line (``explain``): damaged, read-only, disk
  full, cannot open, busy. Anything else is a bug and keeps its traceback.
- After a "malformed" (SQLITE_CORRUPT / NOTADB) error, ``quick_check`` runs at once and a marker
  file ``<db>.damaged`` records its findings. While the marker is there every connection is opened
  ``query_only``: reading what still can be read works (``db info``, ``db backup``, ``db recover``,
  the web pages), writing is refused with the same line saying how to recover, so `fetch` or
  `sources add` cannot bury the damage under new rows. ``abreast db check`` removes the marker when
  the file checks clean again (say, after the user restored a backup over it).
- ``recover`` salvages into a new file: with the ``sqlite3`` command-line shell when it is installed
  (its ``.recover`` reads around damaged pages, even rows of damaged tables), else table by table
  in Python, each table read in rowid order, skipping past the rowid ranges SQLite cannot read.
  Either way the result is opened, migrated and checked like any abreast database.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .db import is_damaged, marker, open_db  # noqa: F401 - the marker lives in db.py (open checks it)

# SQLite's primary result codes (https://sqlite.org/rescode.html), as Python 3.11+ reports them.
CORRUPT, NOTADB, READONLY, FULL, CANTOPEN, IOERR, BUSY, LOCKED = 11, 26, 8, 13, 14, 10, 5, 6
SKIP_TABLES = ("migrations", "sqlite_sequence")  # the new file has its own


def recover_hint(db: Path) -> str:
    return (
        f"abreast will not write to it. Salvage what can be read with `abreast db recover NEW.db`, "
        f"then move NEW.db to {db} (or restore a backup there); `abreast db check` confirms."
    )


def _code(e: sqlite3.Error) -> int | None:
    code = getattr(e, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_corruption(e: BaseException) -> bool:
    if not isinstance(e, sqlite3.DatabaseError):
        return False
    text = str(e).lower()
    return _code(e) in (CORRUPT, NOTADB) or "malformed" in text or "not a database" in text


def explain(e: sqlite3.Error, db: Path) -> StoreError | None:
    """One line for a SQLite error a user can act on, or None for a bug (keep its traceback).
    A corruption error also runs quick_check and marks the file damaged."""
    code, text = _code(e), str(e).lower()
    if is_corruption(e):
        problems = mark_damaged(db)
        first = f" ({problems[0]})" if problems not in ([], ["ok"], [str(e)]) else ""
        return StoreError(f"{db} is damaged: {e}{first}. {recover_hint(db)}")
    if code == READONLY or "readonly" in text or "read-only" in text:
        if is_damaged(db):
            return StoreError(f"{db} is damaged. {recover_hint(db)}")
        return StoreError(
            f"{db} is read-only: abreast needs to write to it and to its folder "
            "(check their permissions, or point ABREAST_HOME at a writable folder)."
        )
    if code == FULL or "disk is full" in text:
        return StoreError(
            f"the disk holding {db} is full: free some space and run the command again "
            "(the interrupted write was rolled back; nothing is half-written)."
        )
    if code == CANTOPEN or "unable to open" in text:
        return StoreError(f"cannot open {db}: {e}. Check that its folder exists and is writable.")
    if code in (BUSY, LOCKED) or "locked" in text:
        return StoreError(
            f"{db} stayed locked by another abreast process for 30 s; run the command again "
            "when that one is done."
        )
    if code == IOERR or "disk i/o error" in text:
        return StoreError(f"reading or writing {db} failed ({e}); check the disk it is on.")
    return None


# --- check ---------------------------------------------------------------------------------------


def read_only(db: Path) -> sqlite3.Connection:
    """A connection that can only read: no migration, no WAL switch, nothing written."""
    if not db.exists():
        raise StoreError(f"there is no database at {db} yet.")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def quick_check(db: Path) -> list[str]:
    """SQLite's quick_check of the file: ["ok"] or the problems it found (at most 20)."""
    try:
        conn = read_only(db)
        try:
            return [r[0] for r in conn.execute("PRAGMA quick_check(20)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:  # the header itself is unreadable
        return [str(e)]


def mark_damaged(db: Path) -> list[str]:
    problems = quick_check(db)
    if problems != ["ok"]:
        marker(db).write_text("\n".join(problems) + "\n", encoding="utf-8")
    return problems


def check(db: Path) -> list[str]:
    """quick_check; marks the file damaged, or clears the mark when it checks clean."""
    problems = mark_damaged(db)
    if problems == ["ok"]:
        marker(db).unlink(missing_ok=True)
    return problems


# --- recover -------------------------------------------------------------------------------------


@cache
def sqlite_shell() -> str | None:
    """The sqlite3 command-line shell if it is installed and its .recover works. Some builds lack
    the sqlite_dbpage table .recover reads pages through (Debian 12's 3.40.1: "no such table:
    sqlite_dbpage"), so .recover is tried once on a small database before it is trusted."""
    exe = shutil.which("sqlite3")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.db"
        try:
            sqlite3.connect(probe).executescript("CREATE TABLE t(x); INSERT INTO t VALUES (42);")
            out = subprocess.run(
                [exe, str(probe), ".recover"], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError, sqlite3.Error):
            return None
    works = out.returncode == 0 and "42" in out.stdout and "COMMIT" in out.stdout
    return exe if works else None


def recover(
    db: Path,
    out: Path,
    migrations: list[tuple[str, str]] | None = None,
    use_shell: bool | None = None,
) -> dict[str, Any]:
    """Salvage ``db`` into the new database ``out``. Returns {"method", "tables": {name: rows}}."""
    if out.exists():
        raise StoreError(f"{out} already exists; choose a new path for the recovered database.")
    if not db.exists():
        raise StoreError(f"there is no database at {db}.")
    shell = sqlite_shell() if use_shell is not False else None
    if use_shell and shell is None:
        raise StoreError("the sqlite3 shell (3.29+) is not installed; it is needed for .recover.")
    salvage = out.with_name(out.name + ".salvage")
    salvage.unlink(missing_ok=True)
    try:
        if shell:
            _shell_recover(shell, db, salvage)
            method = "sqlite3 .recover"
        else:
            _python_copy(db, salvage)
            method = "table-by-table copy"
        # The salvage has the old tables; a fresh abreast database gets its rows, so the result has
        # exactly this abreast's schema, indexes, FTS index and application_id.
        conn = open_db(out, migrations)
        try:
            tables = _copy_rows(salvage, conn)
            conn.execute("INSERT INTO item_fts(item_fts) VALUES ('rebuild')")
        finally:
            conn.close()
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    finally:
        salvage.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{salvage}{suffix}").unlink(missing_ok=True)
    return {"method": method, "tables": tables}


def _shell_recover(shell: str, db: Path, salvage: Path) -> None:
    sql = subprocess.run(
        [shell, str(db), ".recover --ignore-freelist"],
        capture_output=True,
        timeout=3600,
    )
    if sql.returncode != 0 and not sql.stdout:
        raise StoreError(f"sqlite3 .recover failed: {sql.stderr.decode(errors='replace')[:200]}")
    load = subprocess.run(
        [shell, str(salvage)], input=sql.stdout, capture_output=True, timeout=3600
    )
    if load.returncode != 0 and not salvage.exists():
        raise StoreError(
            f"loading the salvage failed: {load.stderr.decode(errors='replace')[:200]}"
        )


def _python_copy(db: Path, salvage: Path) -> None:
    """Every readable row of every table into ``salvage`` (same columns, no constraints)."""
    src = read_only(db)
    dst = sqlite3.connect(salvage)
    try:
        for name in _tables(src):
            cols = _columns(src, name)
            if not cols:
                continue
            dst.execute(f'CREATE TABLE "{name}" ({", ".join(_q(c) for c in cols)})')
            marks = ",".join("?" * len(cols))
            for rows in _readable_rows(src, name, cols):
                dst.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
        dst.commit()
    finally:
        src.close()
        dst.close()


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'item_fts%'"
        )
    ]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({_q(table)})")]
    except sqlite3.DatabaseError:
        return []


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _readable_rows(
    conn: sqlite3.Connection, table: str, cols: list[str], batch: int = 500
) -> Iterator[list[Any]]:
    """Batches of rows in rowid order. A batch that hits a damaged page is retried one row at a
    time; past a rowid that cannot be read, reading jumps ahead by gaps that double until it works
    again (our tables number their rows 1, 2, 3...). A table WITHOUT ROWID (embeddings,
    story_items) has no rowid to skip by: its rows in key order, up to the first that fails."""
    if _without_rowid(conn, table):
        try:
            keyed = conn.execute(f"SELECT {', '.join(_q(c) for c in cols)} FROM {_q(table)}")
            while batch_rows := keyed.fetchmany(batch):
                yield [tuple(r) for r in batch_rows]
        except sqlite3.DatabaseError:
            return
        return
    sel = f"SELECT rowid, {', '.join(_q(c) for c in cols)} FROM {_q(table)} WHERE rowid > ? "
    cur, step = -1, 1
    while cur < 2**62:
        rows = _try(conn, sel + "ORDER BY rowid LIMIT ?", (cur, batch))
        if rows is None:
            rows = _try(conn, sel + "ORDER BY rowid LIMIT 1", (cur,))
        if rows is None:
            cur, step = cur + step, step * 2
            continue
        if not rows:
            return
        yield [tuple(r)[1:] for r in rows]
        cur, step = rows[-1][0], 1


def _without_rowid(conn: sqlite3.Connection, table: str) -> bool:
    r = _try(conn, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    return bool(r and r[0][0] and "WITHOUT ROWID" in r[0][0].upper())


def _try(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[Any] | None:
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.DatabaseError:
        return None


def _copy_rows(salvage: Path, conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of the salvage's tables into the fresh database, column by matching name. A row the
    new schema refuses (a foreign key to a lost row, a NULL in a damaged field) is left out."""
    src = sqlite3.connect(salvage)
    counts: dict[str, int] = {}
    try:
        wanted = set(_tables(conn)) - set(SKIP_TABLES)
        conn.execute("PRAGMA foreign_keys=OFF")  # parents and children arrive in any order
        conn.execute("BEGIN IMMEDIATE")
        for name in _tables(src):
            if name not in wanted:
                continue
            cols = [c for c in _columns(src, name) if c in set(_columns(conn, name))]
            if not cols:
                continue
            names = ", ".join(_q(c) for c in cols)
            insert = (
                f"INSERT OR IGNORE INTO {_q(name)} ({names}) VALUES ({','.join('?' * len(cols))})"
            )
            n = 0
            for row in src.execute(f"SELECT {names} FROM {_q(name)}"):
                try:
                    n += conn.execute(insert, tuple(row)).rowcount
                except sqlite3.IntegrityError:
                    continue
            counts[name] = n
        conn.execute("COMMIT")
        # Rows whose parent was lost would break later deletes and joins: drop them now.
        for table, _rowid, _parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall():
            conn.execute(f"DELETE FROM {_q(table)} WHERE rowid = ?", (_rowid,))
        conn.execute("PRAGMA foreign_keys=ON")
    finally:
        src.close()
    return counts
