"""The hand-labelled dev set (bench/data/devset.jsonl): items plus AI yes/no, themes and the
split."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from abreast.item import Item

PATH = Path(__file__).parent / "data" / "devset.jsonl"


@dataclass
class Labelled:
    item: Item
    is_ai: bool
    themes: list[str]
    split: str  # dev (tune) | test (report only)


def load(split: str | None = None) -> list[Labelled]:
    out = []
    for line in PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        if split and r["split"] != split:
            continue
        it = Item(
            key=r["key"],
            kind=r["kind"],
            title=r["title"],
            url=r["url"],
            text=r["text"] or "",
            author=r["author"],
            published_at=r["published_at"],
            extra=r["extra"] or {},
        )
        out.append(Labelled(it, r["is_ai"], r["themes"], r["split"]))
    return out
