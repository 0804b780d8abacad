"""A model's card for a newcomer: who made it, what its licence lets you do in plain words, its
size,
what it descends from, where it was discussed, and whether it runs on a laptop.

Every line comes from the registry (each fact names its source in `abreast model ID --facts`) or
from arithmetic on its parameter count; nothing here is generated text.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..store import landscape as sql
from .lineage import FAMILY_TITLES
from .tree import RELATION_WORDS, size_label

# Licences the Open Source Initiative approves (or the same terms for weights): use, change and
# share
# for any purpose. Anything else with public weights is "open weights" with the maker's conditions.
OPEN_SOURCE = (
    "apache",
    "mit",
    "bsd",
    "cc-by-4.0",
    "cc-by-sa",
    "openrail",
    "gpl",
    "mpl",
    "unlicense",
)
CUSTOM = {
    "llama": "Meta's Llama community licence: free to use and build on, but services with over "
    "700 million monthly users need Meta's permission, and an acceptable-use policy applies",
    "gemma": "Google's Gemma terms: free to use and build on, under a prohibited-use policy",
    "qwen": "Qwen's licence: free to use and build on; very large services need Alibaba's "
    "permission",
    "tongyi": "Qwen's licence: free to use and build on; very large services need Alibaba's "
    "permission",
    "falcon": "TII's Falcon licence: free to use and build on, under an acceptable-use policy",
    "deepseek": "DeepSeek's model licence: commercial use allowed, under use restrictions",
    "nc": "non-commercial use only",
}

# Bytes per parameter at 4-bit and 8-bit, plus ~20% for the context cache and runtime (llama.cpp
# rule
# of thumb). A laptop with 16 GB of memory has about 12 GB for a model; one with 32 GB about 24 GB.
OVERHEAD = 1.2
LAPTOP_GB = 12.0
BIG_LAPTOP_GB = 24.0


def licence_in_words(lic: str | None) -> str:
    """'apache-2.0' -> 'open source (apache-2.0): ...'; 'llama3.1' -> 'open weights under ...'."""
    if not lic:
        return "licence not stated: check the model page before you use it"
    low = lic.lower()
    if low in ("proprietary", "propretary") or "proprietary" in low:
        return "closed: used through the maker's API or app; the weights are not published"
    if any(k in low for k in OPEN_SOURCE) and "nc" not in low.split("-"):
        return f"open source ({lic}): use, change and share it for any purpose, commercial too"
    if "-nc" in low or "noncommercial" in low or "non-commercial" in low:
        return f"open weights ({lic}): {CUSTOM['nc']}"
    for key, words in CUSTOM.items():
        if key in low:
            return f"open weights ({lic}) under {words}"
    return f"open weights under its own licence ({lic}): read its terms before you build on it"


def memory_gb(params_b: float | None) -> tuple[float, float] | None:
    """(GB at 4-bit, GB at 8-bit) to run the model, from its parameter count."""
    if not params_b:
        return None
    return round(params_b * 0.5 * OVERHEAD, 1), round(params_b * 1.0 * OVERHEAD, 1)


def laptop_verdict(params_b: float | None) -> str:
    mem = memory_gb(params_b)
    if mem is None:
        return "size not stated: cannot say what it needs"
    four, eight = mem
    sizes = f"about {four:g} GB at 4-bit, {eight:g} GB at 8-bit"
    if eight <= LAPTOP_GB:
        return f"yes, on a 16 GB laptop even at 8-bit ({sizes})"
    if four <= LAPTOP_GB:
        return f"yes at 4-bit on a 16 GB laptop ({sizes})"
    if four <= BIG_LAPTOP_GB:
        return f"only on a 32 GB laptop at 4-bit ({sizes})"
    return f"no: it needs a workstation or GPU server ({sizes})"


@dataclass
class Ancestor:
    id: str
    name: str
    relation: str
    source: str

    @property
    def uncertain(self) -> bool:
        return self.source in ("name-inference", "name-refined")


@dataclass
class Discussion:
    key: str
    title: str
    url: str | None
    published: str
    points: float


@dataclass
class ModelCard:
    id: str
    name: str
    made_by: str
    family: str | None
    released: str | None
    released_how: str  # "first news" | "repository date" | "listed by" | ""
    size: str
    params_b: float | None
    licence: str
    licence_words: str
    laptop: str
    memory: tuple[float, float] | None
    lineage: list[Ancestor] = field(default_factory=list)  # parent first, root last
    line: str | None = None
    lineage_source: str | None = None  # the curated table's citation, when it decided
    derived: int = 0  # models built on it
    discussed: list[Discussion] = field(default_factory=list)


def model_card(conn: sqlite3.Connection, model_id: str) -> ModelCard | None:
    row = sql.get_model(conn, model_id)
    if row is None:
        return None
    facts = {(f.field, f.source): f for f in sql.model_facts(conn, model_id)}
    first_news = next((f for (k, _s), f in facts.items() if k == "first_news"), None)
    known = next((f for (k, _s), f in facts.items() if k == "known_by"), None)
    released, how = row.released, ""
    if released and first_news and released[:10] == (first_news.as_of or "")[:10]:
        how = "first news"
    elif released and len(released) == 7:
        how = "month only, approximate: from a curated list"
    elif released:
        how = "curated" if ("released", "curated") in facts else "repository or list date"
    elif known:
        released, how = known.value, f"listed by {known.source}"
    chain, seen, cur = [], {model_id}, model_id
    while True:
        bases = sql.bases_of(conn, cur)
        if not bases or bases[0].base_id in seen:
            break
        b = bases[0]
        base_row = sql.get_model(conn, b.base_id)
        chain.append(
            Ancestor(
                b.base_id,
                base_row.name if base_row else b.base_id,
                b.relation,
                b.source,
            )
        )
        seen.add(b.base_id)
        cur = b.base_id
    line = next((f.value for (k, _s), f in facts.items() if k == "line"), None)
    cite = next((f.value for (k, _s), f in facts.items() if k == "lineage_source"), None)
    return ModelCard(
        id=row.id,
        name=row.name,
        made_by=row.org or model_id.split("/")[0],
        family=FAMILY_TITLES.get(row.family or "", row.family),
        released=(released or "")[:10] or None,
        released_how=how,
        size=size_label(row.params_b) or "not stated",
        params_b=row.params_b,
        licence=row.license or "",
        licence_words=licence_in_words(row.license),
        laptop=laptop_verdict(row.params_b),
        memory=memory_gb(row.params_b),
        lineage=chain,
        line=line,
        lineage_source=cite,
        derived=len(sql.children_of(conn, model_id)),
        discussed=[Discussion(*d) for d in sql.mention_items(conn, model_id)],
    )


def card_lines(card: ModelCard) -> list[str]:
    """The card as plain text lines (the CLI prints them; the web page has its own template)."""
    out = [
        f"Made by: {card.made_by}" + (f" ({card.family} family)" if card.family else ""),
        f"Released: {card.released or 'date not known'}"
        + (f" ({card.released_how})" if card.released and card.released_how else ""),
        f"Size: {card.size}" + (" parameters" if card.params_b else ""),
        f"Licence: {card.licence_words}",
        f"Runs on a laptop? {card.laptop}",
    ]
    if card.lineage:
        steps = " <- ".join(
            f"{a.name} ({RELATION_WORDS.get(a.relation, a.relation)}"
            + (", inferred from the name" if a.uncertain else f", per {a.source}")
            + ")"
            for a in card.lineage
        )
        out.append(f"Descends from: {steps}")
    elif card.line:
        out.append(f"Descends from: the {card.line} line")
    else:
        out.append("Descends from: no base model recorded (a base model, or lineage not stated)")
    if card.lineage_source:
        out.append(f"Lineage checked against: {card.lineage_source}")
    if card.derived:
        out.append(f"Built on it: {card.derived} models in the registry")
    if card.discussed:
        out.append(f"Discussed in {len(card.discussed)} news items:")
        out += [
            f"  - {d.published[:10]} {d.title}" + (f" <{d.url}>" if d.url else "")
            for d in card.discussed[:8]
        ]
    else:
        out.append("Discussed: no collected news item names it")
    return out
