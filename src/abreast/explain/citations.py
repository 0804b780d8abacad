"""Checking that a cited sentence is backed by the source it cites (reliability.md #28).

Two checks, both against the text abreast STORED for the source, never against what a model says:
- structural: the cited number is one of the sources we gave;
- semantic: the supporting quote occurs verbatim in that source once case, whitespace, quote marks,
  dashes and punctuation are normalized, and the claim itself adds no names or numbers the source
  lacks (a model can pair an invented claim with a real quote; this catches the common case).
"""

from __future__ import annotations

import re
import unicodedata

# A quote this short (in normalized words) proves nothing: "the model" occurs everywhere.
MIN_QUOTE_WORDS = 4
# Share of a sentence's content words that must occur in its cited source.
MIN_CONTENT_OVERLAP = 0.6
# Share of them that must occur in the passage the quote comes from (see context_problem).
MIN_CONTEXT_OVERLAP = 0.75

_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
    }
)
_NON_WORD = re.compile(r"[^\w%+]+")
# Tokens that look like names: Capitalized words, CamelCase, or words with digits (GPT-4o, Qwen2.5).
_NAME = re.compile(
    r"\b(?:[A-Z][\w.+-]*\d[\w.+-]*|[A-Za-z]+\d[\w.+-]*|[A-Z][a-z]*[A-Z][\w-]*|[A-Z]{2,}[\w-]*)"
)
_CAPITALIZED = re.compile(r"(?<![.!?:]\s)(?<=\s)[A-Z][a-z]{2,}\b")
STOPWORDS = frozenset(
    "a an the and or but if of in on at to for from by with as is are was were be been being it "
    "its this "
    "that these those which who whom what when where how why than then so such not no can could "
    "will would "
    "may might must should do does did has have had we our they their them he she his her you "
    "your i "
    "also into over under about after before between through during up down out more most less "
    "least new "
    "other some any each all both very just only one two three using use used based via "
    "while".split()
)


def normalize(text: str) -> str:
    """Fold what a faithful copy may change: case, Unicode forms, curly quotes, dashes, punctuation
    and whitespace. Words, numbers and their order must stay exactly as they are."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return " ".join(_NON_WORD.sub(" ", text).split())


def quote_in_source(quote: str, source_text: str) -> bool:
    """True when the normalized quote is a whole-word substring of the normalized source."""
    q = normalize(quote)
    if not q:
        return False
    return f" {q} " in f" {normalize(source_text)} "


def quote_problem(quote: str, source_text: str) -> str | None:
    """Why ``quote`` does not support anything in ``source_text``; None when it does."""
    if len(normalize(quote).split()) < MIN_QUOTE_WORDS:
        return f"quote shorter than {MIN_QUOTE_WORDS} words"
    if not quote_in_source(quote, source_text):
        return "quote not found in the cited source"
    return None


def claim_problem(sentence: str, source_text: str) -> str | None:
    """Why the claim in ``sentence`` is not backed by ``source_text``; None when it is.

    Names and numbers are where invented claims show (a wrong model name, a made-up benchmark
    score), so each must occur in the source; the remaining content words must mostly occur there
    too."""
    source_words = set(normalize(source_text).split())
    for name in _names(sentence):
        if not set(normalize(name).split()) <= source_words:
            return f"name {name} is not in the cited source"
    # Compared as whole normalized tokens, so "GPT-4o" needs "4o" and "o1" needs "o1", not a bare
    # digit.
    for token in normalize(sentence).split():
        if any(ch.isdigit() for ch in token) and token not in source_words:
            return f"number {token} is not in the cited source"
    content = _content_words(sentence)
    if content:
        share = sum(_stem_in(w, source_words) for w in content) / len(content)
        if share < MIN_CONTENT_OVERLAP:
            return f"only {share:.0%} of the sentence's words are in the cited source"
    return None


_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nor|neither|without|cannot|fails?|failed)\b|n't\b", re.IGNORECASE
)


def negation_problem(sentence: str, quote: str, source_text: str = "") -> str | None:
    """A claim that negates its quote ("X does not improve Y" backed by "X improves Y") passes the
    word checks, and so does one that drops the source's "not". The sentence must carry as many
    negations as the source sentence(s) its quote comes from."""
    context = quote_context(quote, source_text) if source_text else quote
    if len(_NEGATION.findall(sentence)) != len(_NEGATION.findall(context)):
        return "the sentence and its source differ in negation"
    return None


def context_problem(sentence: str, quote: str, source_text: str) -> str | None:
    """A sentence glued together from two passages of its source has all its words in the source,
    yet says something the source does not. Most of its content words must come from the passage
    (the sentence or sentences) its quote was taken from."""
    context_words = set(normalize(quote_context(quote, source_text)).split())
    content = _content_words(sentence)
    if content:
        share = sum(_stem_in(w, context_words) for w in content) / len(content)
        if share < MIN_CONTEXT_OVERLAP:
            return f"only {share:.0%} of the sentence's words are in the passage it quotes"
    # A splice keeps one passage's words in one half and brings another's in the other half, so the
    # whole-sentence share can still pass: each half must come from the quoted passage too.
    if len(content) >= 6:
        half = len(content) // 2
        for part in (content[:half], content[half:]):
            share = sum(_stem_in(w, context_words) for w in part) / len(part)
            if share < MIN_CONTEXT_OVERLAP:
                return f"only {share:.0%} of half the sentence's words are in the passage it quotes"
    return None


def _content_words(sentence: str) -> list[str]:
    return [w for w in normalize(sentence).split() if w not in STOPWORDS and len(w) > 2]


def quote_context(quote: str, source_text: str) -> str:
    """The source sentence(s) a quote was taken from (the quote itself when it is not found)."""
    from .sentences import (
        split_sentences,
    )  # local: sentences is a leaf module, citations stays light

    q = f" {normalize(quote)} "
    parts = split_sentences(source_text)
    for width in (1, 2, 3):
        for i in range(len(parts) - width + 1):
            window = " ".join(parts[i : i + width])
            if q in f" {normalize(window)} ":
                return window
    return quote


def _names(sentence: str) -> list[str]:
    names = _NAME.findall(sentence)
    # Capitalized words after the first are names too ("... says Google"); the first may just open
    # it.
    names += [m.group(0) for m in _CAPITALIZED.finditer(sentence) if m.start() > 0]
    return [n for n in names if n.lower() not in STOPWORDS]


def _stem_in(word: str, source_words: set[str]) -> bool:
    # Paraphrase changes inflection ("introduces" vs "introduce"); compare a crude 5-letter stem.
    if word in source_words:
        return True
    stem = word[:5]
    return len(stem) >= 4 and any(w.startswith(stem) for w in source_words)


def citation_problem(cite: object, given: set[int]) -> str | None:
    """Structural check: the citation must be the number of a source that was given."""
    if isinstance(cite, bool) or not isinstance(cite, int):
        return f"citation {cite!r} is not a source number"
    if cite not in given:
        return f"cites source {cite}, which was not given"
    return None
