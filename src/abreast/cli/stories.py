"""`abreast week`, `abreast story`, `abreast trends`, `abreast process`."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from ..errors import AbreastError, NotFound
from ..explain.summary import Summary
from ..store import Store
from ..store import drafts as q
from ..store.reading import undated_count
from ..store.stories import load_story, story_weeks
from ..stories.rank import explain
from ..stories.weeks import default_week
from ..types import Story
from ..understand.urls import reader_text
from . import context as ctx

WEEK_FORMAT = re.compile(r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])")


def last_full_week(store: Store) -> str | None:
    """The week commands show when none is named (stories.weeks.default_week, shared with the web
    app and the draft)."""
    return default_week(store.conn)


def week_or_default(week: str | None) -> str:
    """``week`` if it has stories (else an error naming the weeks that do); the last full week when
    ``week`` is None."""
    weeks = story_weeks(ctx.store().conn)
    if week and not WEEK_FORMAT.fullmatch(week):
        raise AbreastError(f"{week!r} is not an ISO week; write it like 2024-W51.")
    if week:
        if week not in weeks:
            known = f" Weeks with stories: {weeks[0]} .. {weeks[-1]}." if weeks else ""
            raise AbreastError(
                f"no stories for {week}.{known} Run `abreast process` after fetching."
            )
        return week
    if not weeks:
        raise AbreastError(
            "no stories yet. Run `abreast fetch` then `abreast process` (or `make demo`)."
        )
    chosen = last_full_week(ctx.store())
    assert chosen is not None  # weeks is not empty
    return chosen


def _sources_cell(story) -> str:
    counts: dict[str, int] = {}
    for m in story.members:
        counts[m.kind] = counts.get(m.kind, 0) + 1
    return " ".join(f"{k}×{n}" if n > 1 else k for k, n in sorted(counts.items()))


def week(
    week: str = typer.Argument(None, help="ISO week, e.g. 2024-W51 (default: the last full week)."),
    limit: int = typer.Option(
        None, "--limit", "-n", min=1, help="How many stories to show (default: [week] max_stories)."
    ),
    summaries: bool = typer.Option(
        False, "--summaries", "-s", help="Show each story's cited summary and jargon."
    ),
    as_json: bool = typer.Option(False, "--json", help="The stories as one JSON object."),
    minutes: int = typer.Option(
        None,
        "--minutes",
        "-m",
        min=0,
        help="Only the top stories whose cards fit in this many minutes of reading "
        "(default: [week] reading_minutes; 0: no budget).",
    ),
) -> None:
    """The week's ranked stories: title, sources, score, and whether each is new or a follow-up."""
    # learn.personal loads numpy: lazy, so other commands start fast.
    from ..learn.budget import below_note, within
    from ..learn.personal import week_for_reader

    wk = week_or_default(week)
    stories = week_for_reader(ctx.store(), wk, ctx.settings())
    limit = limit or ctx.settings().week.max_stories
    minutes = ctx.settings().week.reading_minutes if minutes is None else minutes
    cards = {}
    if minutes:  # the same estimate as the digest and the draft: the words of each story's card
        from ..explain.card import CardLoader

        loader = CardLoader(ctx.store())
        cards = {s.id: loader.card(s) for s in stories[:limit]}
    shown, below = within(stories[:limit], minutes, cards)
    limit = len(shown)
    if as_json:
        data = {
            "week": wk,
            "total": len(stories),
            "below_budget": below,
            "stories": [
                {
                    "id": s.id,
                    "rank": s.rank,
                    "title": s.title,
                    "score": round(s.score, 4),
                    "is_new": s.is_new,
                    "themes": s.themes,
                    "sources": [
                        {"key": m.key, "source": m.source, "title": m.title, "url": m.url}
                        for m in s.members
                    ],
                }
                for s in stories[:limit]
            ],
        }
        ctx.console.print_json(json.dumps(data, ensure_ascii=False))
        return
    table = Table(
        "#",
        "story",
        "sources",
        "score",
        "new?",
        "id",
        title=f"{wk}: {len(stories)} stories",
        show_lines=summaries,
    )
    for s in stories[:limit]:
        title = s.title
        if summaries:
            title += "\n" + _summary_text(s)
        table.add_row(
            str(s.rank or ""),
            title,
            _sources_cell(s),
            f"{s.score:.2f}",
            "new" if s.is_new else "[cyan]known[/]",
            s.id,
        )
    ctx.console.print(table)
    if below:
        ctx.console.print(
            f"{below_note(below, minutes)}: `abreast week {wk} --minutes 0` lists them."
        )
    undated = undated_count(ctx.store().conn, wk)
    if undated:
        ctx.console.print(
            f"[dim]{undated} items of {wk} carry no date of their own; they are counted in "
            "the week they were first seen.[/]"
        )


def _summary_text(story: Story) -> str:
    # explain.glossary loads the llm library: lazy, so `abreast --help` starts fast.
    from ..explain.glossary import story_jargon

    lines = []
    if story.summary and story.summary.get("sentences"):
        summ = Summary.from_dict(story.summary)
        lines += [f"[dim]{s.text} [{s.cite}][/]" for s in summ.sentences]
        lines.append(
            f"[dim]({summ.verified}/{len(summ.sentences)} sentences verified against their source, "
            f"{summ.method})[/]"
        )
    for j in story_jargon(story)[:4]:
        lines.append(f"[magenta]{j.term}[/]: {j.definition}")
    return "\n".join(lines)


def story(
    story_id: str = typer.Argument(..., help="Story id as shown by `abreast week`."),
    as_json: bool = typer.Option(False, "--json", help="The story's card as JSON."),
) -> None:
    """One story's card: what happened, what people say, terms, context, sources; the score."""
    # explain.card loads the llm library: lazy, so other commands start fast.
    from ..explain.card import load_card
    from ..explain.card_render import card_terminal

    s = load_story(ctx.store().conn, story_id)
    if s is None:
        raise NotFound(f"no story {story_id!r}; `abreast week` lists story ids.")
    if as_json:
        card = asdict(load_card(ctx.store(), s))
        card["score"] = round(s.score, 4)
        card["score_parts"] = s.score_parts
        ctx.console.print_json(json.dumps(card, ensure_ascii=False, default=str))
        return
    for line in card_terminal(load_card(ctx.store(), s)):
        ctx.console.print(line, soft_wrap=True)  # the terminal wraps; URLs stay whole
    ctx.console.print()
    show_story_why(story_id, story=s)


def show_story_why(story_id: str, story: Story | None = None) -> None:
    s = story or load_story(ctx.store().conn, story_id)
    if s is None:
        raise NotFound(f"no story {story_id!r}; `abreast week` lists story ids.")
    ctx.console.print(f"[bold]why story:{s.id} scores {s.score:.2f}[/]")
    for line in explain(s):
        ctx.console.print(f"  {reader_text(line)}")


def trends(
    week: str = typer.Option(None, "--week", "-w", help="ISO week (default: the last full week)."),
    charts: Path = typer.Option(
        None, "--charts", help="Write a chart (SVG and PNG) per rising term here."
    ),
) -> None:
    """Entities and terms whose weekly counts rise sharply, with charts over every stored week."""
    from ..stories.trends import chart, week_trends  # matplotlib: lazy, for start-up time

    wk = week_or_default(week)
    conn = ctx.store().conn
    rows = week_trends(conn, wk)
    table = Table("term", "this week", "expected", "burst score", title=f"rising in {wk}")
    weeks = q.item_weeks(conn)
    for t in rows[:20]:
        table.add_row(t.label, str(t.count), f"{t.baseline:.1f}", f"{t.burst:.1f}")
        if charts:
            chart(
                t.label,
                weeks,
                dict(zip(weeks, q.trend_series(conn, t.term, upto=weeks[-1]), strict=False)),
                charts,
                highlight=wk,
            )
    ctx.console.print(table if rows else f"Nothing rose sharply in {wk}.")
    if rows:
        ctx.console.print(
            "expected: the mentions its share of earlier weeks' news predicts; a burst score of 2 "
            "or more means a rise that large rarely happens by chance."
        )
    if charts and rows:
        ctx.console.print(f"Charts written to {charts}")


def process(
    draft_week: list[str] = typer.Option(
        None, "--draft", help="Also write the draft for this week (repeatable)."
    ),
    full: bool = typer.Option(
        False,
        "--full",
        help="Rebuild every week, not only the weeks whose items changed, and regroup its "
        "stories from scratch under the current rules (after an upgrade that changed them).",
    ),
) -> None:
    """After a fetch: understand new items, build stories, trends, summaries, model registry."""
    # The pipeline loads numpy, wordllama, sklearn: lazy, so other commands start fast.
    from ..pipeline import run_pipeline
    from ..store.progress import forget

    if full:
        forget(ctx.store().conn)
    with ctx.progress() as p:
        task = p.add_task("processing", total=None)
        result = run_pipeline(
            ctx.store(),
            ctx.settings(),
            draft_weeks=draft_week or [],
            on_step=lambda what, done, total: p.update(
                task, description=what, completed=done, total=total or None
            ),
        )
    ctx.console.print(result.summary())


def register(app: typer.Typer) -> None:
    app.command()(week)
    app.command()(story)
    app.command()(trends)
    app.command()(process)
