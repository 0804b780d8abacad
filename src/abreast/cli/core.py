"""Top-level everyday commands: init, fetch, status."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from .. import config
from . import context as ctx


def init(
    force: bool = typer.Option(False, "--force", help="Overwrite an existing abreast.toml."),
) -> None:
    """Create the abreast home with a commented default abreast.toml and an empty database."""
    paths = config.Paths(config.home()).ensure()
    wrote = config.write_default(paths, force=force)
    ctx.store()
    if wrote:
        ctx.console.print(f"Wrote {paths.config}")
    else:
        ctx.console.print(f"{paths.config} already exists (use --force to overwrite).")
    ctx.console.print(
        f"Database: {paths.db}\nNext: `abreast sources add-defaults` then `abreast fetch`."
    )


def fetch(
    source: list[str] = typer.Option(
        None, "--source", "-s", help="Only fetch this source (repeatable)."
    ),
    since: str = typer.Option(
        None, "--since", help="Collect items published on or after this date (YYYY-MM-DD)."
    ),
    due_only: bool = typer.Option(
        False,
        "--due",
        help="Only fetch sources whose next fetch time has come "
        "(for scheduled runs); by default every active source is fetched.",
    ),
) -> None:
    """Fetch new items from your sources, with a progress bar and a per-source result table."""
    from ..collect.run import fetch_sources

    since_d = _parse_date(since, "--since")
    st, settings = ctx.store(), ctx.settings()
    with ctx.progress() as p:
        task = p.add_task("fetching", total=None)

        def on_source(name: str, done: int, total: int) -> None:
            p.update(task, description=f"fetching {name}", completed=done, total=total)

        reports = fetch_sources(
            st,
            settings,
            names=source or None,
            since=since_d,
            due_only=due_only,
            on_progress=on_source,
        )
    table = Table("source", "status", "new", "updated", "unchanged", "note", title="fetch results")
    for r in reports:
        table.add_row(
            r.name,
            r.status,
            str(r.counts.new),
            str(r.counts.updated),
            str(r.counts.unchanged),
            r.note,
        )
    ctx.console.print(table)
    if reports and all(r.status == "error" for r in reports):
        raise typer.Exit(1)


def _parse_date(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date like 2024-12-18", param_hint=flag
        ) from None


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(fetch)
