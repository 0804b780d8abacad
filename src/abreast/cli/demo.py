"""`abreast demo`: the bundled real snapshot, served locally so the real connectors can fetch it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from ..store import Store
from . import context as ctx

if TYPE_CHECKING:  # the collectors load at `demo run`, not at every CLI start
    from ..collect.run import FetchReport

app = typer.Typer(
    help="Run abreast offline on the bundled recorded snapshot of real sources.",
    no_args_is_help=True,
)


@app.command()
def serve(
    port: int = typer.Option(
        8400, "--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 to serve the snapshot on."
    ),
) -> None:
    """Serve the recorded snapshot on 127.0.0.1 (HN, arXiv, feeds, Reddit, Hugging Face APIs)."""
    from ..demo.replay import ReplayServer

    with ReplayServer(port=port) as server:
        ctx.console.print(f"Replaying the demo snapshot at {server.url} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@app.command()
def run(
    drafts: bool = typer.Option(
        True, "--drafts/--no-drafts", help="Write the weekly drafts at the end."
    ),
) -> None:
    """Collect the snapshot through the real connectors, run the pipeline, write the drafts."""
    from ..demo.build import DRAFT_WEEKS, build_demo
    from ..demo.sources import DEMO_FETCH

    ctx.override({"fetch": DEMO_FETCH})
    settings, st = ctx.settings(), ctx.store()
    with ctx.progress() as p:
        fetching = p.add_task("fetching", total=None)
        processing = []

        def on_fetch(name: str, done: int, total: int) -> None:
            p.update(fetching, description=f"fetching {name}", completed=done, total=total)

        def fetched(reports: list[FetchReport]) -> None:
            # Fetch failures and the counts show before the (longer) processing starts.
            p.remove_task(fetching)
            for r in reports:
                if r.status == "error":
                    ctx.err_console.print(f"[red]{r.name}: {r.note}[/]")
            _print_counts(st)
            processing.append(p.add_task("processing", total=None))

        def on_step(what: str, done: int, total: int) -> None:
            p.update(processing[0], description=what, completed=done, total=total or None)

        built = build_demo(
            st,
            settings,
            drafts=drafts,
            on_fetch=on_fetch,
            on_step=on_step,
            before_pipeline=fetched,
        )
    ctx.console.print(built.result.summary())
    from .stories import week as show_week

    show_week(DRAFT_WEEKS[0], limit=15, summaries=False, as_json=False, minutes=None)
    if built.failed:
        raise typer.Exit(1)


def _print_counts(st: Store) -> None:
    """Two small tables: items per source, and items per ISO week by kind of source."""
    per_source: dict[str, int] = {}
    for source, _week, n in st.counts_by_source_week():
        per_source[source] = per_source.get(source, 0) + n
    t1 = Table("source", "items", title="items per source")
    for name, n in sorted(per_source.items()):
        t1.add_row(name, str(n))
    ctx.console.print(t1)
    per_week = st.counts_by_week_kind()
    kinds = sorted({kind for _week, kind, _n in per_week})
    weeks: dict[str, dict[str, int]] = {}
    for week, kind, n in per_week:
        weeks.setdefault(week or "undated", {})[kind] = n
    t2 = Table("week", *kinds, "total", title="items per ISO week")
    for week, counts in sorted(weeks.items()):
        t2.add_row(week, *[str(counts.get(k, "")) for k in kinds], str(sum(counts.values())))
    ctx.console.print(t2)
