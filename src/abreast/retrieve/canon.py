"""The background canon: the landmark papers and posts a newcomer should read for each glossary
term,
theme and model family (data/canon.json, written for abreast; each entry names the page its facts
come
from). Proposals from your store are "this week"; these are "background", offered beside them and
filling in when the store has too little.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..understand.jargon import find_jargon

CANON = Path(__file__).parent / "data" / "canon.json"


@dataclass(frozen=True)
class Landmark:
    id: str
    title: str
    by: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD, as precise as its source states
    url: str
    sentence: str  # ours, plain
    source: str  # where the title, authors and date can be checked
    terms: tuple[str, ...]
    themes: tuple[str, ...]
    families: tuple[str, ...]

    def reason(self) -> str:
        return f"background: {self.by}, {self.date}. {self.sentence}"


@lru_cache(maxsize=1)
def landmarks() -> tuple[Landmark, ...]:
    raw = json.loads(CANON.read_text(encoding="utf-8"))["references"]
    return tuple(
        Landmark(
            id=r["id"],
            title=r["title"],
            by=r["by"],
            date=r["date"],
            url=r["url"],
            sentence=r["sentence"],
            source=r["source"],
            terms=tuple(r["terms"]),
            themes=tuple(r.get("themes", ())),
            families=tuple(r.get("families", ())),
        )
        for r in raw
    )


def for_terms(term_ids: list[str], limit: int = 3) -> list[Landmark]:
    """Landmarks for glossary terms, in the order of the terms; an entry listing the term first is
    the
    term's own landmark and comes before one that only touches it."""
    out: list[Landmark] = []
    for tid in term_ids:
        ranked = sorted(
            (lm for lm in landmarks() if tid in lm.terms), key=lambda lm: lm.terms.index(tid)
        )
        out += [lm for lm in ranked if lm not in out]
    return out[:limit]


def for_request(text: str, names: list[str] = (), limit: int = 3) -> list[Landmark]:
    """Background for a request: landmarks of the model families it names ("Llama"), then of the
    glossary terms it uses ("alignment")."""
    lows = {n.lower() for n in names}
    fam = [lm for lm in landmarks() if lows & set(lm.families)]
    fam.sort(key=lambda lm: (not lm.id.startswith("arxiv:"), lm.date))  # the papers first
    terms = for_terms(find_jargon(text), limit=limit)
    out = fam + [lm for lm in terms if lm not in fam]
    return out[:limit]
