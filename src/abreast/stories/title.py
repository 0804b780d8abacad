"""A story's headline, keywords and dominant entities, without an LLM.

The headline is the lead item's title (a human wrote it, so it reads well), lightly cleaned.
Keywords are class-based TF-IDF (BERTopic's c-TF-IDF): every story is one "class document" made of
its members' titles and texts, and a term scores high when it is frequent in this story and rare
across the week's other stories.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..types import Member
from .text import count_matrix, tokens

# How readable a kind's titles are as a headline: a lab's post or a paper title beats a Reddit
# post ("He won guys"); among equals the one with most attention wins.
HEADLINE_PREFERENCE = {"feed": 3, "arxiv": 2, "hn": 2, "hf": 1, "reddit": 1}
# A newsletter's section is titled by the newsletter's author for the page it links ("Quote from
# OpenAI o1 System Card"): below a post of the lab or blog itself, above an HN or Reddit title.
SECTION_PREFERENCE = 2.5
_NOISE = re.compile(
    r"^\s*(?:\[[A-Z]\]|Show HN:|Ask HN:|Launch HN:|Tell HN:)\s*|\s*\[(?:video|pdf|audio)\]\s*$",
    re.I,
)


def attention_of(m: Member) -> float:
    s = m.signals or {}
    return float(s.get("points") or 0) + float(s.get("score") or 0) + float(s.get("comments") or 0)


def choose_lead(members: Sequence[Member]) -> int:
    """Index of the member whose title becomes the headline. Among a lab's pages, the one that
    releases the model ("Sora is here") heads the story, not its system card (round 7)."""
    from .rank import is_lab_post
    from .release import title_release

    def rank(i: int) -> tuple[float, bool, float, str, str]:
        m = members[i]
        pref = (
            SECTION_PREFERENCE if m.extra.get("section_of") else HEADLINE_PREFERENCE.get(m.kind, 0)
        )
        launch = len(members) > 1 and is_lab_post(m) and title_release(m.title, m.text) is not None
        return (
            -pref,
            not launch,
            -attention_of(m),
            m.published_at or "9999",
            m.key,
        )

    return min(range(len(members)), key=rank)


def headline(title: str) -> str:
    t = _NOISE.sub("", title or "").strip()
    t = re.sub(r"\s+", " ", t)
    return t[:1].upper() + t[1:] if t else "(untitled)"


def dominant_entities(members: Sequence[Member], top: int = 5) -> list[str]:
    """Entities named by the most members (each member counts once per entity)."""
    counts = Counter(e for m in members for e in set(m.entities))
    return [e for e, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]


def dominant_themes(members: Sequence[Member], top: int = 2) -> list[str]:
    """The story's themes: those at least half its members carry, the commonest first. A theme
    two of five threads carry is not the story's ("OpenAI o3" tagged "Research papers" because
    two threads quoted its benchmark scores)."""
    counts = Counter(t for m in members for t in set(m.themes))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [t for t, n in ranked if 2 * n >= len(members)][:top]


def class_keywords(stories: Sequence[Sequence[Member]], top: int = 6) -> list[list[str]]:
    """c-TF-IDF keywords per story, computed against the other stories of the same week."""
    if not stories:
        return []
    docs = []
    for ms in stories:
        toks: list[str] = []
        for m in ms:
            words = _words(m.title)
            # The title counts twice: it is what the item is about; the text only supports it.
            toks += 2 * (words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)])
            toks += _words(m.text[:300])
        docs.append(toks)
    counts, vocab = count_matrix(docs)
    terms = np.empty(len(vocab), dtype=object)
    for t, j in vocab.items():
        terms[j] = t
    tf = counts.multiply(1.0 / np.maximum(np.asarray(counts.sum(axis=1)), 1)).tocsr()
    freq = np.asarray(counts.sum(axis=0)).ravel()
    avg = counts.sum() / len(docs)
    scores = tf.multiply(np.log(1.0 + avg / np.maximum(freq, 1))).tocsr()
    out = []
    ptr, idx, data = scores.indptr, scores.indices, scores.data
    for i in range(len(docs)):
        cols, vals = idx[ptr[i] : ptr[i + 1]], data[ptr[i] : ptr[i + 1]]
        best = sorted(zip((-vals).tolist(), terms[cols].tolist(), strict=True))[
            : 4 * top
        ]  # ties: alphabetical
        out.append(_dedupe([t for _, t in best], top))
    return out


def _words(text: str) -> list[str]:
    return [w for w in tokens(text) if not w[0].isdigit() or any(c.isalpha() for c in w)]


def _dedupe(terms: list[str], top: int) -> list[str]:
    """Drop a unigram already inside a chosen bigram (and vice versa) so keywords say more."""
    chosen: list[str] = []
    words: set[str] = set()  # every word of a chosen term
    unigrams: set[str] = set()
    for t in terms:
        parts = t.split(" ")
        if (len(parts) == 1 and t in words) or (len(parts) > 1 and unigrams.intersection(parts)):
            continue
        chosen.append(t)
        words.update(parts)
        if len(parts) == 1:
            unigrams.add(t)
        if len(chosen) == top:
            break
    return chosen
