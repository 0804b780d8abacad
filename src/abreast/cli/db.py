"""`abreast db`: the SQLite database anyone can open with sqlite3, sqlite-utils or Datasette."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import typer
from rich.table import Table

from ..errors import AbreastError
from ..store import backup as store_backup
from ..store import repair
from ..store.db import PAGE_SIZE, page_size, schema_version, table_counts
from ..store.db import vacuum as store_vacuum
from . import context as ctx

app = typer.Typer(
    help="Look after the database: where it is, what is in it, backups, checks, recovery.",
    no_args_is_help=True,
)


@app.command()
def backup(
    path: Path = typer.Argument(..., help="Where to write the backup (must not exist yet)."),
) -> None:
    """Write a consistent copy of the database (VACUUM INTO), safe while abreast runs. From a
    damaged database, the copy holds what can still be read (as `db recover`)."""
    db = ctx.settings().paths.db
    if path.exists():
        raise AbreastError(f"{path} already exists; choose a new path for the backup.")
    try:
        if repair.is_damaged(db):
            raise sqlite3.DatabaseError("database disk image is malformed")
        store_backup(ctx.store().conn, path)
    except sqlite3.DatabaseError as e:
        if not repair.is_corruption(e):
            raise
        Path(path).unlink(missing_ok=True)
        ctx.reset()
        result = repair.recover(db, path)
        ctx.console.print(
            f"{db} is damaged, so {path} holds what could be read "
            f"({_rows(result)}, by {result['method']})."
        )
        return
    ctx.console.print(f"Backed up to {path}")


@app.command()
def info() -> None:
    """Show where the database is, its schema version and how many rows each table holds (a
    damaged table is shown as unreadable; nothing is written)."""
    db = ctx.settings().paths.db
    conn = ctx.store().conn  # creates a missing database; a damaged one opens query_only
    table = Table("table", "rows", title=str(db))
    unreadable = 0
    for name, n in table_counts(conn):
        if isinstance(n, str):
            unreadable += 1
        table.add_row(name, str(n))
    ctx.console.print(table)
    ver = schema_version(conn)
    ctx.console.print(f"schema version {ver}")
    if unreadable or repair.is_damaged(db):
        repair.mark_damaged(db)
        ctx.console.print(f"{db} is damaged. {repair.recover_hint(db)}")


@app.command()
def check() -> None:
    """Check the database file for damage (SQLite's quick_check). A damaged database is marked so
    that abreast stops writing to it; a healthy one is unmarked."""
    db = ctx.settings().paths.db
    problems = repair.check(db)
    if problems == ["ok"]:
        ctx.console.print(f"{db}: ok (quick_check found no damage)")
        return
    for p in problems:
        ctx.console.print(f"- {p}", markup=False, soft_wrap=True)
    raise AbreastError(
        f"{db} is damaged ({len(problems)} problems above). {repair.recover_hint(db)}"
    )


@app.command()
def recover(
    out: Path = typer.Argument(..., help="Where to write the recovered database (must not exist)."),
) -> None:
    """Salvage what can be read from a damaged database into a new one (with the sqlite3 shell's
    .recover when it is installed, else table by table)."""
    db = ctx.settings().paths.db
    ctx.reset()  # no open connection of ours on the damaged file while we read it
    with ctx.progress() as p:
        p.add_task(f"recovering {db}", total=None)
        result = repair.recover(db, out)
    ctx.console.print(f"Recovered {_rows(result)} into {out} (by {result['method']}).")
    ctx.console.print(
        f"Check it, then put it in place: mv {out} {db} && rm -f {db}-wal {db}-shm "
        f"{repair.marker(db)}"
    )


def _rows(result: dict) -> str:
    tables = result["tables"]
    return f"{sum(tables.values()):,} rows of {len(tables)} tables"


@app.command()
def vacuum() -> None:
    """Give the space of deleted rows back to the disk (SQLite VACUUM), e.g. after removing a
    source or after an upgrade that stored things more compactly; a store made before pages of 16
    KiB moves to them (run it with no other abreast process open). Needs free disk about the size
    of the database; other abreast commands wait until it is done."""
    if repair.is_damaged(ctx.settings().paths.db):
        raise AbreastError("the database is marked damaged; run `abreast db check` first.")
    conn = ctx.store().conn
    before, after = store_vacuum(conn)
    ctx.console.print(f"{before / 1e6:,.1f} MB -> {after / 1e6:,.1f} MB")
    if page_size(conn) != PAGE_SIZE:
        ctx.console.print(
            f"Pages stay {page_size(conn) // 1024} KiB (another abreast process has the store "
            f"open); stop it and run `abreast db vacuum` again for pages of {PAGE_SIZE // 1024} "
            "KiB, a few percent smaller."
        )


@app.command()
def path() -> None:
    """Print the database path (handy for `sqlite3 $(abreast db path)`)."""
    ctx.console.print(str(ctx.settings().paths.db), soft_wrap=True)
