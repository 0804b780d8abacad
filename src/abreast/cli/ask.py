"""`abreast search`, `abreast ask` and `abreast mcp`: questions over everything collected."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import AbreastError
from . import context as ctx


def _day(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise AbreastError(f"{flag} {value!r} is not a date; use YYYY-MM-DD.") from None


def search(
    query: str = typer.Argument(..., help="What to look for: words, a name or a whole sentence."),
    since: str = typer.Option(None, "--since", help="Only items published on or after YYYY-MM-DD."),
    until: str = typer.Option(None, "--until", help="Only items published before YYYY-MM-DD."),
    source: str = typer.Option(
        None, "--source", help="Only items of this source (its name, e.g. hn or openai-news)."
    ),
    theme: str = typer.Option(
        None, "--theme", help="Only items with this theme, e.g. open-models."
    ),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=200, help="How many results."),
    all_time: bool = typer.Option(
        False,
        "--all-time",
        help="Search every item. Without it (and without --since/--until) a search reads the "
        "100,000 most recently collected items, so it stays fast as years of history pile up.",
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON array instead of a table."),
) -> None:
    """Search your store: full text and meaning together, best and most important first."""
    from ..retrieve.query import search as run_search
    from ..store.retrieval import themes_by_key

    store = ctx.store()
    # Filters apply after ranking, so ask the core for more than we show.
    wide = limit * 5 if (source or theme) else limit
    hits = run_search(
        store,
        query,
        since=_day(since, "--since"),
        until=_day(until, "--until"),
        limit=wide,
        all_time=all_time,
    )
    if source:
        hits = [h for h in hits if h.source == source or h.kind == source]
    if theme:
        themes = themes_by_key(store.conn, [h.key for h in hits])
        hits = [h for h in hits if theme in themes.get(h.key, [])]
    hits = hits[:limit]
    if as_json:
        ctx.console.print_json(json.dumps([h.__dict__ for h in hits], ensure_ascii=False))
        return
    if not hits:
        ctx.console.print("Nothing in your store matches that.")
        return
    table = Table("#", "title", "why", title=f"search: {query}", show_lines=False)
    for n, h in enumerate(hits, start=1):
        link = f"[link={h.url}]{escape(h.title)}[/link]" if h.url else escape(h.title)
        table.add_row(str(n), f"{link}\n[dim]{h.key}[/dim]", escape(h.reason))
    ctx.console.print(table)


def ask(
    question: str = typer.Argument(..., help="A question, e.g. 'What is test-time compute?'"),
    since: str = typer.Option(None, "--since", help="Only items published on or after YYYY-MM-DD."),
    until: str = typer.Option(None, "--until", help="Only items published before YYYY-MM-DD."),
    model: str = typer.Option(
        None,
        "--model",
        help="An llm model id: answer in its words, every sentence checked against its source.",
    ),
    all_time: bool = typer.Option(
        False,
        "--all-time",
        help="Search every item. Without it (and without --since/--until) a search reads the "
        "100,000 most recently collected items, so it stays fast as years of history pile up.",
    ),
    as_json: bool = typer.Option(False, "--json", help="The answer as JSON."),
) -> None:
    """Answer a question from your store, every sentence cited; says so when the store knows
    nothing."""
    from ..ask.answer import NOTHING
    from ..ask.answer import ask as answer_question
    from ..explain.llm_backend import configured_model_id, load_model

    mid = configured_model_id(ctx.settings(), model)
    m = load_model(mid) if mid else None
    ans = answer_question(
        ctx.store(),
        question,
        since=_day(since, "--since"),
        until=_day(until, "--until"),
        model=m,
        all_time=all_time,
    )
    if as_json:
        ctx.console.print_json(json.dumps(ans.to_dict(), ensure_ascii=False))
        return
    if ans.knows_nothing:
        ctx.console.print(NOTHING)
        if ans.missing:
            ctx.console.print(f"No item mentions: {', '.join(ans.missing)}.")
        return
    for s in ans.sentences:
        ctx.console.print(f"{escape(s.text)} [{s.cite}]", soft_wrap=True)
    ctx.console.print()
    for c in ans.citations:
        day = (c.published_at or "undated")[:10]
        ctx.console.print(f"[{c.n}] {escape(c.title)} ({c.source}, {day}) {c.url or c.key}")
    how = "quoted from the sources" if ans.method == "extractive" else f"written by {ans.model}"
    note = f"; {len(ans.dropped)} model sentences dropped as unverified" if ans.dropped else ""
    ctx.console.print(f"[dim]{how}; every sentence verified against its source{note}.[/dim]")


def mcp() -> None:
    """Serve read-only tools to any MCP client over stdio (search, week, story, explain, ask)."""
    from ..ask.mcp_server import serve

    serve(ctx.settings())


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("ask")(ask)
    app.command("mcp")(mcp)
