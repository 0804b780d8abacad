"""`abreast feedback`, `abreast mute`, `abreast unmute`, `abreast interests`: teach abreast what you
care about, see what it learnt, undo it."""

from __future__ import annotations

import json

import typer

from ..errors import AbreastError
from . import context as ctx


def feedback(
    target: str = typer.Argument(
        ..., help="An item key (hn:42473321) or a story id (2024-W51-...)."
    ),
    more: bool = typer.Option(False, "--more", help="Show me more like this."),
    less: bool = typer.Option(False, "--less", help="Show me less like this."),
    save: bool = typer.Option(False, "--save", help="Keep it (also counts as 'more')."),
    hide: bool = typer.Option(False, "--hide", help="Never show it again (counts as 'less')."),
    known: bool = typer.Option(
        False, "--known", help="I have seen or know this: later stories about it are not news."
    ),
    undo: bool = typer.Option(False, "--undo", help="Take back the last signal on it."),
) -> None:
    """Tell abreast what you think of an item or story; its ranking learns from it at once."""
    from ..learn.personal import give_feedback

    chosen = [
        name
        for name, on in (
            ("more", more),
            ("less", less),
            ("save", save),
            ("hide", hide),
            ("known", known),
            ("undo", undo),
        )
        if on
    ]
    if len(chosen) != 1:
        raise AbreastError("give exactly one of --more, --less, --save, --hide, --known, --undo.")
    store = ctx.store()
    is_item = ":" in target
    model = give_feedback(
        store,
        chosen[0],
        item_key=target if is_item else None,
        story_id=None if is_item else target,
        settings=ctx.settings(),
    )
    ctx.console.print(
        f"Noted: {chosen[0]} on {target}. abreast has learnt from {model.signals} "
        f"signal{'' if model.signals == 1 else 's'} "
        "(`abreast interests` shows what)."
    )


def mute(
    target: str = typer.Argument(
        ..., help="A source name (see `abreast sources list`), a site (example.com) or a term."
    ),
    kind: str = typer.Option(
        None, "--kind", help="source, domain or term (default: guessed from TARGET)."
    ),
) -> None:
    """Never show items from a source or site, or about a term (a hard filter; `unmute` undoes)."""
    from ..learn.personal import mute as add_mute

    k, value, added = add_mute(ctx.store(), target, kind)
    ctx.console.print(f"Muted the {k} {value}." if added else f"The {k} {value} was already muted.")


def unmute(target: str = typer.Argument(..., help="What `abreast interests` lists as muted.")):
    """Take a mute back."""
    from ..learn.personal import unmute as remove

    if not remove(ctx.store(), target):
        raise AbreastError(f"{target!r} is not muted; `abreast interests` lists the mutes.")
    ctx.console.print(f"Unmuted {target}.")


def interests(
    reset: bool = typer.Option(
        False, "--reset", help="Forget every more/less/save/hide signal and start over."
    ),
    as_json: bool = typer.Option(False, "--json", help="As JSON."),
) -> None:
    """What abreast has learnt you want more and less of, in words, and what you muted."""
    from ..learn.personal import current, in_words
    from ..learn.personal import reset as forget
    from ..store.learn import mutes

    store = ctx.store()
    if reset:
        n = forget(store)
        topics = ctx.settings().understand.topics
        back_to = (
            "your configured topics (" + "; ".join(topics) + ")" if topics else "everyone's default"
        )
        ctx.console.print(f"Forgot {n} signals; ranking is back to {back_to}.")
        return
    model = current(store, ctx.settings())
    more, less = in_words(model)
    n = model.signals
    muted = mutes(store.conn)
    if as_json:
        data = {
            "signals": n,
            "topics": model.topics,
            "more": more,
            "less": less,
            "muted": [list(m) for m in muted],
        }
        ctx.console.print_json(json.dumps(data))
        return
    if n == 0 and not model.topics:
        ctx.console.print(
            "No signals yet: rank is everyone's default. Teach it with "
            "`abreast feedback KEY --more` (or the buttons in `abreast serve`), or set "
            "`topics` in the config for a start."
        )
    else:
        if n == 0:
            ctx.console.print("No signals yet: ranking starts from your topics.")
        else:
            ctx.console.print(f"Learnt from {n} signal{'' if n == 1 else 's'}.")
        if model.topics:
            ctx.console.print("your topics: " + "; ".join(model.topics))
        if n and not more and not less:
            # One kind of signal only (every one "less", say): the model has nothing to contrast.
            ctx.console.print(
                "Nothing to tell apart yet: every signal so far says the same. One of the "
                "other kind (a --more among the --less) lets abreast learn what you prefer."
            )
        # "; " between interests: a theme's own label can hold a comma
        ctx.console.print("more: " + ("; ".join(more) or "nothing specific yet"))
        ctx.console.print("less: " + ("; ".join(less) or "nothing specific yet"))
    if muted:
        ctx.console.print("muted: " + ", ".join(f"{v} ({k})" for k, v in muted))


def register(app: typer.Typer) -> None:
    app.command("feedback")(feedback)
    app.command("mute")(mute)
    app.command("unmute")(unmute)
    app.command("interests")(interests)
