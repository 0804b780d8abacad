"""`abreast why KEY` and `abreast export items`: what abreast understood about each item."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer

from ..errors import AbreastError
from . import context as ctx

export_app = typer.Typer(
    help="Export items or stories for other tools (JSON Lines, CSV, JSON).", no_args_is_help=True
)

ITEM_FIELDS = [
    "key",
    "url",
    "source",
    "title",
    "published_at",
    "relevance",
    "is_ai",
    "themes",
    "entities",
    "duplicate_of",
    "jargon",
]


def why(
    key: str = typer.Argument(
        ..., help="An item key (hn:42375406, arxiv:2412.12345...) or story:ID."
    ),
) -> None:
    """Why an item counts as AI (signals, nearest topics, words), or why a story ranks."""
    if key.startswith("story:"):
        from .stories import show_story_why

        show_story_why(key[len("story:") :])
        return
    from ..store.annotations import why as why_data

    data = why_data(ctx.store().conn, key)
    if data is None:
        raise AbreastError(f"{key} is not annotated yet; run `abreast process`.")
    from ..understand.pipeline import why_lines

    ctx.console.print("\n".join(why_lines(data)), markup=False)
    from ..learn.personal import explain_item

    ctx.console.print("\n".join(["for you:", *explain_item(ctx.store(), key)]), markup=False)
    if data["url"]:
        ctx.console.print(data["url"], markup=False)


def item_records(week: str | None):
    from ..store.annotations import annotation_rows

    for r in annotation_rows(ctx.store().conn, week):
        yield {
            "key": r["key"],
            "url": r["url"],
            "source": r["source"] or r["kind"],
            "title": r["title"],
            "published_at": r["published_at"],
            "relevance": round(r["relevance"], 4) if r["relevance"] is not None else None,
            "is_ai": bool(r["is_ai"]) if r["is_ai"] is not None else None,
            "themes": json.loads(r["themes_json"] or "[]"),
            "entities": json.loads(r["entities_json"] or "[]"),
            "duplicate_of": r["duplicate_of"],
            "jargon": json.loads(r["jargon_json"] or "[]"),
        }


@export_app.command("items")
def export_items(
    week: str = typer.Option(None, "--week", "-w", help="Only this ISO week, e.g. 2024-W51."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl or csv."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """One record per item: key, url, source, title, published_at, relevance, is_ai, themes,
    entities, duplicate_of, jargon."""
    if fmt not in ("jsonl", "csv"):
        raise typer.BadParameter("choose jsonl or csv", param_hint="--format")
    records = list(item_records(week))
    if fmt == "jsonl":
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=ITEM_FIELDS)
        w.writeheader()
        for r in records:
            w.writerow({k: ("|".join(v) if isinstance(v, list) else v) for k, v in r.items()})
        body = buf.getvalue()
    _emit(body, out, f"{len(records)} items")


def _emit(body: str, out: Path | None, what: str) -> None:
    if out:
        from ..write.files import write_atomic

        write_atomic(out, body)
        ctx.err_console.print(f"Wrote {what} to {out}")
    else:
        typer.echo(body, nl=False)


def register(app: typer.Typer) -> None:
    app.command()(why)
    app.add_typer(export_app, name="export")
