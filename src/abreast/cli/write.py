"""`abreast draft`, `abreast todo`, `abreast feed`: the writing half of the weekly habit."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import AbreastError
from . import context as ctx


def _default_week() -> str:
    from ..store.stories import story_weeks
    from .stories import last_full_week

    if not story_weeks(ctx.store().conn):
        raise AbreastError(
            "no stories yet. Run `abreast fetch` then `abreast process` (or `make demo`)."
        )
    return last_full_week(ctx.store())


def draft(
    week: str = typer.Option(
        None, "--week", "-w", help="ISO week, e.g. 2024-W51 (default: the last full week)."
    ),
    fmt: str = typer.Option(
        None, "--format", "-f", help="hugo, jekyll or plain (default: \\[write] format, hugo)."
    ),
    out: Path = typer.Option(
        None, "--out", "-o", help="Folder for the page bundle (default: drafts/WEEK)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite index.md even if you edited it."),
    minutes: int = typer.Option(
        None,
        "--minutes",
        "-m",
        min=0,
        help="Only the top stories whose cards fit in this many minutes of reading "
        "(default: [week] reading_minutes; 0: no budget).",
    ),
) -> None:
    """Write the weekly draft: Markdown with cited summaries, links, images and <TODO>s for you."""
    from dataclasses import replace

    from ..learn.budget import below_note
    from ..write.draft import write_draft
    from ..write.gather import draft_stories

    wk = week or _default_week()
    settings = ctx.settings()
    if minutes is not None:
        settings = replace(settings, week=replace(settings.week, reading_minutes=minutes))
    with ctx.progress() as p:
        p.add_task(f"writing the draft for {wk}", total=None)
        path = write_draft(ctx.store(), settings, wk, fmt, out, force)
    ctx.console.print(f"Draft written: {path}")
    budget = settings.week.reading_minutes
    below = draft_stories(ctx.store(), wk, budget)[1] if budget else 0
    if below:
        ctx.console.print(
            f"{below_note(below, budget)}: `abreast week {wk}` lists every story, "
            f"`abreast draft --minutes 0` writes them all."
        )
    if path.name == "index.new.md":
        ctx.console.print("index.md has your edits, so it was kept; the new draft is beside it.")


def todo(
    file: Path = typer.Argument(
        ..., help="A Markdown draft with <TODO>...</TODO> notes (yours or ours)."
    ),
    in_place: bool = typer.Option(
        False, "--in-place", help="Add the proposals under each TODO in FILE itself."
    ),
    horizon_weeks: int = typer.Option(
        8,
        "--horizon-weeks",
        min=1,
        help="Propose items from this many weeks before the draft's date (to 2 weeks after).",
    ),
) -> None:
    """Find material for every <TODO> of a draft: references with links, and pictures."""
    from datetime import timedelta

    from ..write.files import read_user_text, write_atomic
    from ..write.todos import Horizon, resolve

    text = read_user_text(file, ctx.settings().write.todo_max_bytes)
    # In place: write through a link to the file it names, never replace the link with a copy.
    target = (
        file.resolve() if in_place else file.with_name(file.stem + ".todo" + (file.suffix or ".md"))
    )
    maker = _image_maker(target.parent)
    with ctx.progress() as p:
        p.add_task("searching your store for every TODO", total=None)
        horizon = Horizon(before=timedelta(weeks=horizon_weeks))
        result, proposals = resolve(text, ctx.store(), image_maker=maker, horizon=horizon)
    if not proposals:
        raise AbreastError(f"{file} has no <TODO>...</TODO> notes.")
    write_atomic(target, result)
    for p in proposals:
        note = f"{len(p.references)} references" + (f", picture {p.image}" if p.image else "")
        if p.missing:
            note += f"; nothing on {', '.join(p.missing)}"
        ctx.console.print(f"- {p.todo[:70]}: {note}")
    ctx.console.print(f"Proposals written to {target}")


def _image_maker(folder: Path):
    """TODOs asking for a picture of a model family get its family tree, drawn beside the draft."""

    def make(todo_text: str, terms: list[str], as_of: str | None = None):
        from ..landscape.picture import render
        from ..landscape.tree import TreeSpec, family_tree

        for t in terms:
            family = t.lower()
            try:
                root, _ = family_tree(ctx.store().conn, TreeSpec(family=family, as_of=as_of))
            except AbreastError:
                continue
            name = f"{family}-family.png"
            when = f" as of {as_of}" if as_of else ""
            # Drawn as of the draft's date, which no earlier command knew: Pillow draws it in a
            # few milliseconds (landscape/picture.py), so nothing is kept between runs.
            render(root, folder / name, title=f"The {t} family{when}")
            return name, (
                f"Open models that descend from {t}{when}, the draft's date "
                "(from Hugging Face metadata)"
                if as_of
                else f"Open models that descend from {t} (from Hugging Face metadata)"
            )
        return None

    return make


def feed(
    out: Path = typer.Option(
        None,
        "--out",
        "-o",
        help="Folder to write digest.atom and digest.json (default: ABREAST_HOME/exports).",
    ),
) -> None:
    """Write the weekly digests as an Atom feed and a JSON Feed for your feed reader."""
    from ..store.stories import load_week, story_weeks
    from ..write.digest import atom, json_feed, week_entry
    from ..write.files import write_atomic

    conn = ctx.store().conn
    entries = [week_entry(w, load_week(conn, w)) for w in story_weeks(conn)]
    folder = out or ctx.settings().paths.exports
    a = write_atomic(folder / "digest.atom", atom(entries))
    j = write_atomic(folder / "digest.json", json_feed(entries))
    ctx.console.print(f"Wrote {a} and {j} ({len(entries)} weeks)")


def register(app: typer.Typer) -> None:
    app.command()(draft)
    app.command()(todo)
    app.command()(feed)
