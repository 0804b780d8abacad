"""Sentence splitting that returns verbatim slices of the source text.

Extractive summaries are faithful only if every sentence we show is an exact substring of what the
source published, so the splitter never rewrites text: it finds boundaries and slices. It must not
cut at the full stops inside abbreviations ("e.g.", "et al.", "Fig."), initials ("J. Smith"),
decimals ("3.5"), version numbers ("v0.2.1") or URLs ("openai.com/index"), which are the common ways
a naive split on ". " breaks abstracts and feed bodies.
"""

from __future__ import annotations

import re

# Lower-cased tokens (without their final dot) after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    {
        "al",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "cf",
        "vs",
        "viz",
        "approx",
        "fig",
        "figs",
        "eq",
        "eqs",
        "sec",
        "secs",
        "tab",
        "vol",
        "pp",
        "p",
        "ch",
        "ref",
        "refs",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "univ",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "e.u",
        "ph.d",
        "resp",
        "incl",
    }
)

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
# What may start a new sentence: a capital letter, digit, opening quote/bracket or a list marker.
_STARTS_SENTENCE = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9]")
_LINE_START_BULLET = re.compile(r"\n\s*(?:[-*•]|\d+[.)])\s")
_TOKEN_BEFORE = re.compile(r"(\S+)$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, stripped of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in _cut_points(text):
        _add_span(text, start, cut, spans)
        start = cut
    _add_span(text, start, len(text), spans)
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, each an exact substring of it."""
    return [text[s:e] for s, e in sentence_spans(text)]


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    spans.append((start + lead, start + lead + len(stripped)))


def _cut_points(text: str) -> list[int]:
    cuts = set(_line_cuts(text))
    for m in _BOUNDARY.finditer(text):
        if _ends_sentence(text, m.start(), m.end()):
            cuts.add(m.end())
    return sorted(cuts)


def _line_cuts(text: str) -> list[int]:
    """Blank lines always separate; a single line break separates when the next line starts like a
    sentence or a list item (feed bodies flattened from HTML put each block on its own line), but
    not when it merely wraps a sentence mid-way (the next line starts in lower case)."""
    cuts = []
    for m in re.finditer(r"\n", text):
        rest = text[m.end() :]
        if rest.startswith("\n") or text[: m.start()].endswith("\n"):
            cuts.append(m.start())
        elif re.match(r"\s*[\"'“‘(\[]*[A-Z0-9]", rest) or _LINE_START_BULLET.match(text, m.start()):
            cuts.append(m.start())
    return cuts


def _ends_sentence(text: str, punct_start: int, punct_end: int) -> bool:
    if not _STARTS_SENTENCE.match(text, punct_end):
        return False
    marks = text[punct_start:punct_end]
    if not marks.startswith("."):
        return True  # ! ? … end sentences whatever came before
    token_match = _TOKEN_BEFORE.search(text, 0, punct_start)
    token = token_match.group(1) if token_match else ""
    return not _is_non_terminal(token, marks)


def _is_non_terminal(token: str, marks: str) -> bool:
    """True when the full stop after ``token`` belongs to the token, not to the sentence."""
    if marks.startswith("..."):
        return False
    bare = token.lstrip("\"'“‘([").lower()
    if bare in ABBREVIATIONS:
        return True
    if len(bare) == 1 and bare.isalpha():
        return True  # an initial, as in "J. Smith" or "Ryan G. Greenblatt"
    # dotted abbreviations: "e.g", "u.s.a"
    return re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare) is not None
