"""Jargon: spot the terms a software engineer without ML background may not know, and explain them.

The glossary (data/glossary.json) is ours: short plain-language definitions, written for this
project. Each term lists spellings that match in any case ("aliases"), spellings that only match as
written ("exact": acronyms that are also ordinary words, like MoE, RAG or CoT), and regular
expressions for shapes rather than words ("70B parameters"). Matching is word-boundary aware and
accepts a plural s/es. One compiled regex covers the whole glossary and runs only at words that
start like a glossary spelling (see entities.word_offsets); a pattern is tried in a small window
around its trigger word.

A spelling of several words is not the term where its first word closes a compound with the word
before it: in "real-world models" the adjective is "real-world" and "world model" is not there.
Which words make such a compound is the entry's ``not_after`` ("real", "open", "closed" for world
model), joined by a hyphen or written apart. Not every hyphen-joined word: "layout-to-image
generation", "text-video generation" and "self-attention heads" are still the term (a rule on
every hyphen dropped eight such in-sense matches for the one "real-world models" over the dev
texts).

A term whose first word names an activity that is often qualified by what it is about
(``qualified``: "reasoning" in "reasoning model") is not there either when the word before it makes,
with that first word, a phrase the same item uses on its own as the head of a noun phrase: a paper
on "Situated Reasoning in 3D Scenes" that asks for "more powerful situated reasoning models" means
models for situated reasoning, "Graph Reasoning in LLMs" a "graph reasoning LLM" for that task, not
a model that thinks before answering. Words that say which or how big ("open", "large", "new") are
not used so in the dev texts (over 9,365 items the rule changed three matches, all of another
sense), and a function word never counts ("the reasoning of").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from abreast.understand.entities import SEP_MARK, Spotter, lookup_key, trie_regex

GLOSSARY = Path(__file__).parent / "data" / "glossary.json"


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    aliases: tuple[str, ...]
    url: str | None = None


@lru_cache(maxsize=1)
def _entries() -> list[dict[str, Any]]:  # glossary.json, a checked-in file
    terms: list[dict[str, Any]] = json.loads(GLOSSARY.read_text(encoding="utf-8"))["terms"]
    return terms


@lru_cache(maxsize=1)
def glossary() -> dict[str, Term]:
    return {
        e["id"]: Term(
            e["id"], e["term"], e["definition"], tuple(e["aliases"] + e["exact"]), e.get("url")
        )
        for e in _entries()
    }


def _spelled(alias: str, exact: bool) -> str:
    return re.sub(r"[-\s_]+", SEP_MARK, alias if exact else alias.lower())


@dataclass(frozen=True)
class _Matcher:
    rx: re.Pattern[str]
    any_case: dict[str, str]
    exact: dict[str, str]
    spotter: Spotter
    patterns: tuple[tuple[re.Pattern[str], str, str], ...]  # (regex, trigger prefix, term id)


PATTERN_WINDOW = (
    30  # characters before a trigger word that a pattern may start at ("405 billion param")
)


@lru_cache(maxsize=1)
def _matcher() -> _Matcher:
    any_case: dict[str, str] = {}
    exact: dict[str, str] = {}
    patterns = []
    for e in _entries():
        for a in e["aliases"]:
            any_case.setdefault(lookup_key(a), e["id"])
        for a in e["exact"]:
            exact.setdefault(_exact_key(a), e["id"])
        for p in e["patterns"]:
            patterns.append((re.compile(p["regex"] + r"(?!\w)"), p["trigger"][:3].lower(), e["id"]))
    ci = trie_regex(sorted({_spelled(a, False) for e in _entries() for a in e["aliases"]}))
    cs = trie_regex(sorted({_spelled(a, True) for e in _entries() for a in e["exact"]}))
    # Plurals are accepted by the regex and stripped in the lookup ("LoRAs", "embeddings",
    # "hallucinations").
    rx = re.compile(rf"(?<![\w])(?:(?P<ci>(?i:{ci}))|(?P<cs>{cs}))(?:e?s)?(?!\w)")
    spellings = [a for e in _entries() for a in e["aliases"] + e["exact"]]
    spellings += [p["trigger"] for e in _entries() for p in e["patterns"]]
    return _Matcher(rx, any_case, exact, Spotter(spellings), tuple(patterns))


_WORD_BEFORE = re.compile(r"([^\W\d_]+)[\s-]+$")  # the word before a match, and its joint


@lru_cache(maxsize=1)
def _not_after() -> dict[str, frozenset[str]]:
    return {e["id"]: frozenset(w.lower() for w in e.get("not_after", ())) for e in _entries()}


@lru_cache(maxsize=1)
def _qualified() -> frozenset[str]:
    return frozenset(e["id"] for e in _entries() if e.get("qualified"))


# Words that never name what an activity is about: function words ("the reasoning of").
_FUNCTION_WORDS = frozenset(
    """a an the this that these those its their our your his her my of in on for to with by from
    at as and or but than more most less very such some any all each both other into over under
    via is are was were be been""".split()
)
# What may follow a phrase that is the head of its noun phrase: punctuation, the end, or a word
# that starts what comes next ("situated reasoning in 3D scenes", "causal reasoning behind").
_HEAD_END = re.compile(
    r"\s*(?:$|[.,;:!?)\]]|\s(?:in|on|of|for|with|behind|about|over|under|across|via|by|from|to|"
    r"and|or|is|are|was|were|as|that|which|where|when|remains?|requires?)\b)",
    re.I,
)


def _qualifies(term_id: str, word: str, spelling: str, item: str) -> bool:
    """Whether ``word`` before a ``qualified`` term's ``spelling`` names what its first word is
    about: the item uses "word first-word" on its own, as the head of a noun phrase."""
    if term_id not in _qualified() or word.lower() in _FUNCTION_WORDS:
        return False
    first = re.split(r"[\s\-_]+", spelling.strip())[0]
    phrase = re.compile(rf"(?<![\w-]){re.escape(word)}[\s-]+{re.escape(first)}(?![\w-])", re.I)
    return any(_HEAD_END.match(item, m.end()) for m in phrase.finditer(item))


def splits_compound(
    term_id: str, text: str, start: int, spelling: str, item: str | None = None
) -> bool:
    """Whether ``spelling`` (a match of the term at ``start`` in ``text``), if it has several
    words, begins inside a compound with the word before it ("real-world models" for "world
    model"; "situated reasoning models" for a ``qualified`` term in an item that speaks of
    "situated reasoning" on its own: ``item``, the whole item, else ``text``), so that the term
    is not there."""
    if not re.search(r"[\s\-_]", spelling.strip()):
        return False
    w = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if not w:
        return False
    word = w.group(1)
    if word.lower() in _not_after().get(term_id, frozenset()):
        return True
    return _qualifies(term_id, word, spelling, item if item is not None else text)


def _exact_key(text: str) -> str:
    return re.sub(r"[-\s_]+", "", text)


def _lookup(table: dict[str, str], key: str) -> str | None:
    for k in (key, key[:-1], key[:-2]):
        if k in table:
            return table[k]
    return None


def find_jargon(text: str) -> list[str]:
    """Sorted ids of the glossary terms that appear in ``text``."""
    mt = _matcher()
    found: set[str] = set()
    end = 0
    for p in mt.spotter.offsets(text):
        for rx, trigger, ident in mt.patterns:
            if text[p : p + 3].lower() == trigger and rx.search(
                text, max(0, p - PATTERN_WINDOW), p + 20
            ):
                found.add(ident)
        m = mt.rx.match(text, p) if p >= end else None
        if m is None:
            continue
        if m.lastgroup == "ci":
            term = _lookup(mt.any_case, lookup_key(m.group()))
        else:
            term = _lookup(mt.exact, _exact_key(m.group()))
        if term and splits_compound(term, text, p, m.group()):
            continue  # not the term here; a shorter spelling inside it may still be one
        end = m.end()
        if term:
            found.add(term)
    return sorted(found)


def count_by_week(rows: Iterable[tuple[str, list[str]]]) -> dict[str, Counter[str]]:
    """(ISO week, term ids of one item) -> per week, in how many items each term appeared."""
    out: dict[str, Counter[str]] = {}
    for week, ids in rows:
        out.setdefault(week, Counter()).update(set(ids))
    return out
