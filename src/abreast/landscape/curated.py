"""The hand-curated lineage table (data/lineage_curated.csv): what a model line is built on, from
its
maker's paper or card, for lines whose Hugging Face metadata is missing or misleading.

Why it exists: Code Llama, Llama Guard 2, Vicuna v1.5, Orca 2 and TinyLlama carry no usable
``base_model`` metadata, and their names ("CodeLlama-13b", "Meta-Llama-Guard-2-8B") point at the
wrong
generation. Each row names the source a reader can check. Rows are regular expressions over model
ids,
matched in file order; the first match wins. Pure: no I/O beyond reading the bundled file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from .lineage import normalize_relation

SOURCE = "curated"


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    line: str  # the release line it belongs to, as generation() names it ("Llama 2", "Qwen2.5")
    bases: tuple[
        str, ...
    ]  # candidate base ids, "{1}" filled from the pattern; the first present wins
    relation: str | None
    released: str | None
    source: str  # where a reader can check it


@dataclass(frozen=True)
class Curated:
    line: str
    base: str | None
    relation: str
    released: str | None
    source: str


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    from .sources import data_dir

    with (data_dir() / "lineage_curated.csv").open(encoding="utf-8", newline="") as f:
        return tuple(
            Rule(
                re.compile(r["pattern"]),
                r["line"],
                tuple(b for b in r["base"].split("|") if b),
                normalize_relation(r["relation"]) if r["relation"] else None,
                r["released"] or None,
                r["source"],
            )
            for r in csv.DictReader(f)
        )


def lookup(model_id: str, known: set[str] | dict, table: tuple[Rule, ...] | None = None):
    """The curated lineage of ``model_id``, or None. The base is the first candidate the registry
    has (``known``); a line without a present base still places the model in its generation."""
    for rule in table if table is not None else rules():
        m = rule.pattern.fullmatch(model_id)
        if not m:
            continue
        base = None
        for cand in rule.bases:
            filled = cand.replace("{1}", m.group(1) if m.groups() else "")
            if filled in known and filled != model_id:
                base = filled
                break
        return Curated(rule.line, base, rule.relation or "finetune", rule.released, rule.source)
    return None
