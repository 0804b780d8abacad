"""`abreast db`: the SQLite database anyone can open with sqlite3, sqlite-utils or Datasette."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..store import backup as store_backup
from ..store.db import schema_version, table_counts
from . import context as ctx

app = typer.Typer(
    help="Look after the database: where it is, what is in it, backups.", no_args_is_help=True
)


@app.command()
def backup(
    path: Path = typer.Argument(..., help="Where to write the backup (must not exist yet)."),
) -> None:
    """Write a consistent copy of the database (VACUUM INTO), safe while abreast runs."""
    store_backup(ctx.store().conn, path)
    ctx.console.print(f"Backed up to {path}")


@app.command()
def info() -> None:
    """Show where the database is, its schema version and how many rows each table holds."""
    st = ctx.store()
    conn = st.conn
    table = Table("table", "rows", title=str(ctx.settings().paths.db))
    for name, rows in table_counts(conn):
        table.add_row(name, str(rows))
    ctx.console.print(table)
    ver = schema_version(conn)
    ctx.console.print(f"schema version {ver}")


@app.command()
def path() -> None:
    """Print the database path (handy for `sqlite3 $(abreast db path)`)."""
    ctx.console.print(str(ctx.settings().paths.db), soft_wrap=True)
