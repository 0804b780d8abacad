"""`abreast why KEY`: what abreast understood about an item, or why a story ranks where it does."""

from __future__ import annotations

import typer

from ..errors import AbreastError
from ..store.annotations import why as why_data
from ..understand.why import why_lines
from . import context as ctx
from .stories import show_story_why


def why(
    key: str = typer.Argument(
        ..., help="An item key (hn:42375406, arxiv:2412.12345...) or story:ID."
    ),
) -> None:
    """Why an item counts as AI (signals, nearest topics, words), or why a story ranks."""
    if key.startswith("story:"):
        show_story_why(key[len("story:") :])
        return
    data = why_data(ctx.store().conn, key)
    if data is None:
        raise AbreastError(f"{key} is not annotated yet; run `abreast process`.")
    ctx.console.print("\n".join(why_lines(data)), markup=False)
    # learn.personal loads numpy: lazy, so other commands start fast.
    from ..learn.personal import explain_item

    ctx.console.print(
        "\n".join(["for you:", *explain_item(ctx.store(), key, ctx.settings())]), markup=False
    )
    if data["url"]:
        ctx.console.print(data["url"], markup=False)


def register(app: typer.Typer) -> None:
    app.command()(why)
