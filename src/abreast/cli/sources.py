"""`abreast sources`: what abreast collects from."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..errors import AbreastError
from . import context as ctx

app = typer.Typer(
    help="Add, list, remove, pause and resume the places abreast collects from.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    kind: str = typer.Argument(..., help="Connector: hn, arxiv, feed, reddit or hf."),
    target: str = typer.Argument(..., help="Feed URL, API base URL, subreddit, or search query."),
    name: str = typer.Option(
        None, "--name", "-n", help="Short name for the source (default: derived)."
    ),
    page_text: bool = typer.Option(
        True,
        "--page-text/--no-page-text",
        help="Fetch the linked article of this source's items that reach a top story "
        "(robots.txt honoured); --no-page-text never does.",
    ),
) -> None:
    """Add a source, e.g. `abreast sources add feed https://simonwillison.net/atom/everything/`."""
    from ..collect.sourcelist import add_source

    added = add_source(ctx.store(), kind, target, name, page_text=page_text)
    src = ctx.store().source(added)
    ctx.console.print(f"Added {src.kind} source {src.name!r} -> {src.url}")


@app.command("add-defaults")
def add_defaults() -> None:
    """Add defaults: HN, arXiv cs.CL/LG/AI, labs' blogs, Hugging Face, Reddit, Simon Willison."""
    from ..collect.defaults import DEFAULT_SOURCES

    st = ctx.store()
    existing = {s.name for s in st.sources()}
    added = 0
    for s in DEFAULT_SOURCES:
        if s["name"] not in existing:
            st.add_source(s["name"], s["kind"], s["url"], s.get("config"))
            added += 1
    ctx.console.print(
        f"Added {added} default sources ({len(DEFAULT_SOURCES) - added} were already there)."
    )


@app.command("list")
def list_() -> None:
    """List sources with last fetch, item count and status (active, paused with reason, gone)."""
    st = ctx.store()
    counts = st.source_item_counts()
    table = Table("name", "kind", "url", "items", "last fetch", "status")
    for s in st.sources():
        if s.gone:
            status = "[red]gone (410): polling stopped[/]"
        elif s.paused:
            status = f"[yellow]paused: {s.paused_reason or s.last_error}[/]"
        elif s.error_count:
            status = f"[yellow]{s.error_count} error(s): {s.last_error}[/]"
        else:
            status = "[green]ok[/]"
        table.add_row(
            s.name, s.kind, s.url, str(counts.get(s.id, 0)), s.last_fetch_at or "never", status
        )
    ctx.console.print(table)


@app.command()
def remove(
    name: str = typer.Argument(..., help="Source name (see `abreast sources list`)."),
) -> None:
    """Remove a source. Its items stay in the database."""
    ctx.store().remove_source(name)
    ctx.console.print(f"Removed {name}")


@app.command()
def retry(
    name: str = typer.Argument(..., help="Source name (see `abreast sources list`)."),
) -> None:
    """Resume a paused or gone source: clear its error count so the next fetch tries it again."""
    from ..collect.sourcelist import retry_source

    retry_source(ctx.store(), name)
    ctx.console.print(f"{name} will be fetched again.")


@app.command("import")
def import_(
    path: Path = typer.Argument(
        ..., help="An OPML file, as exported by Miniflux, FreshRSS, Feedly..."
    ),
) -> None:
    """Import feeds from an OPML file (feeds already there, by URL, are skipped)."""
    from ..collect.sourcelist import import_opml

    try:
        data = path.read_bytes()
    except OSError as e:
        raise AbreastError(f"cannot read {path}: {e.strerror}") from e
    ctx.console.print(f"Imported {import_opml(ctx.store(), data)} feeds from {path}")


@app.command("export")
def export(
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Export feed sources as OPML for any feed reader."""
    from ..collect.sourcelist import export_opml
    from ..write.files import write_atomic

    body = export_opml(ctx.store())
    if out:
        write_atomic(out, body)
        ctx.console.print(f"Wrote {out}")
    else:
        typer.echo(body.decode("utf-8"))
