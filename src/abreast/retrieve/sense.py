"""Word sense: is an item that uses a glossary term using it in the glossary's sense?

"Alignment" in *LAMM: Label Alignment for Multi-Modal Prompt Learning* is not AI alignment; "product
quantization" for a recommender is not quantizing an LLM's weights. A glossary entry may carry a
``sense``: ``related`` words that only occur near the intended sense, ``other`` phrases that name
another sense, and ``about``, a sentence on the kind of sources it appears in. An item is in sense
when it names a related word and no other-sense phrase in its title; with neither cue, when its
vector is close enough to the sense's own (its definition and related words, embedded). Thresholds
were set on the dev half of bench/data/word_sense.jsonl; bench/word_sense.py reports the test half.
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
    Items that do not use the term at all, and terms without a sense, are "in".

    Cues are read title first (arXiv items often have nothing else): another sense named in the
    title
    ("label alignment") wins unless the title also names a related word ("... LLMs"); then the text;
    then ``unless_related``, words that mean another sense when no related word is anywhere ("video"
    next to "alignment"); then ``default`` ("in" for terms whose other senses always come with their
    own name, such as "natural language inference"), else closeness to the sense's vector."""
    s = senses().get(term_id)
    body = f"{title}\n{text[:2000]}"
    if not s or term_id not in find_jargon(body):
        return "in: no sense to check"
    low_title, low = title.lower(), body.lower()
    related = _cues(tuple(s.get("related", ())))
    other = _cues(tuple(s.get("other", ())))
    patterns = [re.compile(p, re.I) for p in s.get("other_patterns", ())]
    t_rel = related.search(low_title) if related else None
    t_oth = (other.search(low_title) if other else None) or next(
        (m for p in patterns if (m := p.search(low_title))), None
    )
    if t_oth and not t_rel:
        return f"out: title names another sense ({t_oth.group()!r})"
    if t_rel:
        return f"in: title names related word {t_rel.group()!r}"
    rel = related.search(low) if related else None
    oth = other.search(low) if other else None
    if oth and not (rel and rel.start() < oth.start()):
        return f"out: names another sense ({oth.group()!r})"
    if rel:
        return f"in: related word {rel.group()!r}"
    unless = _cues(tuple(s.get("unless_related", ())))
    if unless and (m := unless.search(low_title)):
        return f"out: {m.group()!r} with no related word"
    if s.get("default") == "in":
        return "in: no other sense named"
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
