"""`abreast demo`: the bundled real snapshot, served locally so the real connectors can fetch it."""

from __future__ import annotations

import time

import typer
from rich.table import Table

from . import context as ctx

# The last full week of the 2024 window, and the week of the user's own post (../shared/seed).
DRAFT_WEEKS = ["2024-W51", "2023-W49"]

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
    from ..demo.replay import ReplayServer
    from ..demo.sources import DEMO_FETCH, DEMO_WINDOWS, demo_sources
    from ..pipeline import run_pipeline

    ctx.override({"fetch": DEMO_FETCH})
    st, settings = ctx.store(), ctx.settings()
    from datetime import date

    from ..collect.run import fetch_sources

    # The server stays up through the pipeline: its reading stage fetches the top stories'
    # discussions from the replay, like the real APIs.
    with ReplayServer() as server:
        existing = {s.name: s for s in st.sources()}
        for s in demo_sources(server.url):
            if s["name"] in existing:
                st.update_source(
                    existing[s["name"]].id, url=s["url"], paused=0, error_count=0, gone=0
                )
            else:
                st.add_source(s["name"], s["kind"], s["url"], s.get("config"))
        start = date.fromisoformat(DEMO_WINDOWS[0][0])
        with ctx.progress() as p:
            task = p.add_task("fetching", total=None)
            reports = fetch_sources(
                st,
                settings,
                since=start,
                on_progress=lambda name, done, total: p.update(
                    task, description=f"fetching {name}", completed=done, total=total
                ),
            )
        failed = [r for r in reports if r.status == "error"]
        for r in failed:
            ctx.err_console.print(f"[red]{r.name}: {r.note}[/]")
        _print_counts(st)
        with ctx.progress() as p:
            task = p.add_task("processing", total=None)
            result = run_pipeline(
                st,
                settings,
                draft_weeks=DRAFT_WEEKS if drafts else [],
                on_step=lambda what, done, total: p.update(
                    task, description=what, completed=done, total=total or None
                ),
            )
    ctx.console.print(result.summary())
    from .stories import week as show_week

    show_week(DRAFT_WEEKS[0], limit=15, summaries=False)
    if failed:
        raise typer.Exit(1)


def _print_counts(st) -> None:
    """Two small tables: items per source, and items per ISO week by kind of source."""
    rows = st.counts_by_source_week()
    per_source: dict[str, int] = {}
    for r in rows:
        per_source[r["source"]] = per_source.get(r["source"], 0) + r["n"]
    t1 = Table("source", "items", title="items per source")
    for name, n in sorted(per_source.items()):
        t1.add_row(name, str(n))
    ctx.console.print(t1)
    per_week = st.counts_by_week_kind()
    kinds = sorted({r["kind"] for r in per_week})
    weeks: dict[str, dict[str, int]] = {}
    for r in per_week:
        weeks.setdefault(r["week"] or "undated", {})[r["kind"]] = r["n"]
    t2 = Table("week", *kinds, "total", title="items per ISO week")
    for week, counts in sorted(weeks.items()):
        t2.add_row(week, *[str(counts.get(k, "")) for k in kinds], str(sum(counts.values())))
    ctx.console.print(t2)
