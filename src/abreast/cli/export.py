"""`abreast export items` and `abreast export stories`: data for other tools."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from ..store.annotations import annotated_items
from ..store.stories import load_week
from ..write.files import write_atomic
from . import context as ctx
from .stories import week_or_default

app = typer.Typer(
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


def item_records(week: str | None) -> Iterator[dict[str, Any]]:
    for it in annotated_items(ctx.store().conn, week):
        yield {
            "key": it.key,
            "url": it.url,
            "source": it.source,
            "title": it.title,
            "published_at": it.published_at,
            "relevance": round(it.relevance, 4) if it.relevance is not None else None,
            "is_ai": it.is_ai,
            "themes": it.themes,
            "entities": it.entities,
            "duplicate_of": it.duplicate_of,
            "jargon": it.jargon,
        }


@app.command("items")
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
    emit(body, out, f"{len(records)} items")


@app.command("stories")
def export_stories(
    week: str = typer.Option(None, "--week", "-w", help="ISO week (default: the last full week)."),
    fmt: str = typer.Option("json", "--format", "-f", help="json (the only format for now)."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout."),
) -> None:
    """The week's stories as JSON: id, title, score, rank, is_new, member item keys, summary."""
    if fmt != "json":
        raise typer.BadParameter("only json is supported", param_hint="--format")
    wk = week_or_default(week)
    data = [
        {
            "id": s.id,
            "week": s.week,
            "title": s.title,
            "score": round(s.score, 4),
            "rank": s.rank,
            "is_new": s.is_new,
            "keywords": s.keywords,
            "entities": s.entities,
            "themes": s.themes,
            "related": s.related,
            "members": [m.key for m in s.members],
            "summary": s.summary,
        }
        for s in load_week(ctx.store().conn, wk)
    ]
    emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n", out, f"{len(data)} stories")


def emit(body: str, out: Path | None, what: str) -> None:
    """Write ``body`` to ``out`` (atomically, saying so on stderr), else to stdout."""
    if out:
        write_atomic(out, body)
        ctx.err_console.print(f"Wrote {what} to {out}")
    else:
        typer.echo(body, nl=False)
