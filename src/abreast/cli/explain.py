"""`abreast explain TERM` and `abreast llm-log`."""

from __future__ import annotations

import typer
from rich.table import Table

from ..errors import AbreastError
from . import context as ctx


def _model(model_id: str | None):
    from ..explain.llm_backend import configured_model_id, load_model

    mid = configured_model_id(ctx.settings(), model_id)
    return load_model(mid) if mid else None


def explain(
    term: str = typer.Argument(..., help="A term, e.g. LoRA or 'mixture of experts'."),
    model: str = typer.Option(
        None, "--model", help="An llm model id for a longer, cited explanation."
    ),
    known: bool = typer.Option(
        False, "--known", help="Mark the term as known: words of the week leave it out."
    ),
    not_known: bool = typer.Option(
        False, "--not-known", help="Forget an earlier --known for this term."
    ),
):
    """Plain-language definition of an AI term, where it appears, and a cited explanation."""
    from ..explain.glossary import (
        explain_in_context,
        find_term,
        items_mentioning,
        members_from_items,
    )
    from ..explain.present import term_markdown

    t = find_term(term)
    if t is None:
        raise AbreastError(
            f"{term!r} is not in the glossary. Try a common spelling, e.g. LoRA, RLHF, MoE."
        )
    store = ctx.store()
    if known or not_known:
        from ..store.known_terms import mark

        mark(store.conn, t.term_id, known=known)
        state = "known: words of the week leave it out" if known else "no longer marked as known"
        ctx.console.print(f"{t.term}: {state}.")
        return
    rows = items_mentioning(store, t)
    m = _model(model)
    more = (
        explain_in_context(t, members_from_items(rows[:8]), m, conn=store.conn)
        if (m and rows)
        else None
    )
    text = term_markdown(t, [(r.key, r.title, r.url) for r in rows], more)
    from rich.markdown import Markdown  # markdown-it and pygments: ~50 ms at every CLI start

    ctx.console.print(Markdown(text + background_markdown(t.term_id)))


def background_markdown(term_id: str) -> str:
    """The term's landmark papers and posts from the bundled canon (retrieve/canon.py)."""
    from ..retrieve.canon import for_terms
    from ..write.markdown import escape, link

    lines = [
        f"- {link(lm.title, lm.url)} ({escape(lm.by)}, {lm.date}): {escape(lm.sentence)}"
        for lm in for_terms([term_id])
    ]
    return "\n\nBackground (landmarks to read):\n\n" + "\n".join(lines) + "\n" if lines else ""


def llm_log():
    """Every model call with tokens and time, totalled per week (no prompts, no keys)."""
    from ..explain.present import llm_log_rows
    from ..store.llm_calls import totals_by_week

    table = Table(
        "week", "model", "calls", "tokens in", "tokens out", "seconds", title="model calls"
    )
    for row in llm_log_rows(totals_by_week(ctx.store().conn)):
        table.add_row(*row)
    ctx.console.print(table)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)
    app.command("llm-log")(llm_log)
