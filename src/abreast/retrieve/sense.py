"""Word sense: is an item that uses a glossary term using it in the glossary's sense?

"Alignment" in *LAMM: Label Alignment for Multi-Modal Prompt Learning* is not AI alignment; "product
quantization" for a recommender is not quantizing an LLM's weights. A glossary entry may carry a
``sense``: ``related`` words that only occur near the intended sense, ``other`` phrases that name
another sense, and ``about``, a sentence on the kind of sources it appears in. An item is in sense
when it names a related word and no other-sense phrase in its title; with neither cue, when its vector
is close enough to the sense's own (its definition and related words, embedded). Thresholds were set on
the dev half of bench/data/word_sense.jsonl; bench/word_sense.py reports the test half.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..understand.embed import Embedder
from ..understand.jargon import _entries, find_jargon

SIMILARITY = 0.30  # cosine to the sense vector that counts as "about this" without a word cue


@lru_cache(maxsize=1)
def senses() -> dict[str, dict]:
    """term id -> {"about", "related", "other"} for glossary entries that carry a sense."""
    return {e["id"]: e["sense"] for e in _entries() if e.get("sense")}


@lru_cache(maxsize=64)
def _cues(words: tuple[str, ...]) -> re.Pattern | None:
    if not words:
        return None
    alts = "|".join(re.escape(w.lower()).replace(r"\ ", r"[\s-]+") for w in words)
    return re.compile(rf"(?<![\w])(?:{alts})(?:e?s)?(?![\w])")


_vectors: dict[tuple[str, str], np.ndarray] = {}


def sense_vector(term_id: str, embedder: Embedder) -> np.ndarray | None:
    s = senses().get(term_id)
    if not s:
        return None
    key = (term_id, embedder.name)
    if key not in _vectors:
        from ..understand.jargon import glossary

        t = glossary()[term_id]
        text = f"{t.term}: {t.definition} {' '.join(s.get('related', []))}"
        _vectors[key] = embedder.embed_batch([text])[0]
    return _vectors[key]


def judge(
    term_id: str, title: str, text: str, vec: np.ndarray | None, embedder: Embedder | None
) -> str:
    """Why an item is in or out of the term's sense: "in: related word 'safety'", "out: ...".
    Items that do not use the term at all, and terms without a sense, are "in"."""
    s = senses().get(term_id)
    body = f"{title}\n{text[:2000]}"
    if not s or term_id not in find_jargon(body):
        return "in: no sense to check"
    other = _cues(tuple(s.get("other", ())))
    related = _cues(tuple(s.get("related", ())))
    low_title, low = title.lower(), body.lower()
    if other and (m := other.search(low_title)):
        return f"out: title names another sense ({m.group()!r})"
    rel = related.search(low) if related else None
    oth = other.search(low) if other else None
    if oth and not (rel and rel.start() < oth.start()):
        return f"out: names another sense ({oth.group()!r})"
    if rel:
        return f"in: related word {rel.group()!r}"
    if vec is None or embedder is None:
        return "in: no vector to compare"
    sv = sense_vector(term_id, embedder)
    if sv is None:
        return "in: no vector to compare"
    sim = float(np.dot(vec, sv))
    if sim >= SIMILARITY:
        return f"in: close to the sense ({sim:.2f})"
    return f"out: far from the sense ({sim:.2f}) and no related word"


def in_sense(
    term_id: str, title: str, text: str, vec: np.ndarray | None, embedder: Embedder | None
) -> bool:
    return judge(term_id, title, text, vec, embedder).startswith("in")
