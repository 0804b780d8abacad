"""What people say: a few comments of a story's Hacker News and Reddit threads, chosen for
substance.

A reader who understands half of AI learns from the commenter who ran the model, names the catch or
explains the number, not from the joke with the most upvotes. So a comment is shown only when it is
long enough to say something and not too long to read on a card (comments are quoted verbatim, never
trimmed), is not a joke, a bare link or a quote of someone else; it is then ranked by how specific
it is (numbers, names, the story's terms, reasoning words) and by how the thread rated it. The pick
takes the best comment of each thread in turn, so no thread (and no author) fills the card alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

MIN_WORDS = 20  # a one-liner is a reaction, not an explanation
MAX_WORDS = 180  # quoted whole: longer would not fit a card
MAX_COMMENTS = 4
PER_THREAD = 2
# Weight of the thread's own rating (rank by score within the thread) against substance: readers
# upvote the comment that explains, so it is strong evidence; it still cannot lift a joke or a rant,
# which are rejected before ranking.
RATED = 2.0

_JOKE = re.compile(
    r"\b(?:lol|lmao|lmfao|rofl|haha\w*|hehe\w*|kek|/s)\b|[😂🤣😆😅💀🤡]|\bthis is the way\b",
    re.IGNORECASE,
)
# Mockery and shouting say nothing a reader can learn from, whatever their score: alternating case
# ("fRoNTiEr"), stretched words ("supeeeerioooor"), "!!!". Names are not mockery: "MuJoCo",
# "vLLM", "iPhone" (links are left out first: their ids are neither).
_MOCK = re.compile(
    r"\b(?=[a-zA-Z]*[a-z][A-Z][a-z][A-Z])[a-z][a-zA-Z]*\b|\b\w*([a-zA-Z])\1{3,}\w*\b|!{3,}"
)
_GONE = re.compile(r"^\s*\[(?:deleted|removed)\]\s*$", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_NUMBER = re.compile(r"\b\d[\d.,%x]*\b")
_LIST_MARKER = re.compile(r"(?:^|(?<=\s))\d{1,2}[.):](?=\s)")  # "1. ... 2. ..." counts nothing
# Anger is not an explanation, however many points it makes.
_RANT = re.compile(
    r"\b(?:sucks|wtf|stfu|idiots?|morons?|fuck\w*|shit\w*|crap|bullshit)\b", re.IGNORECASE
)
# Names that carry information: versioned (GPT-4o, Qwen2.5, o1), CamelCase (DeepSeek) or acronyms
# (RLHF); a capitalised ordinary word is not a specific.
_NAME = re.compile(r"\b[A-Za-z]+-?\d[\w.-]*|\b[A-Z][a-z]+[A-Z]\w*|\b[A-Z]{2,}[a-z]?\b")
_REASONING = re.compile(
    r"\b(?:because|which means|the reason|for example|e\.g\.|in my experience|i(?:'ve| have) "
    r"(?:used|tried|run|tested|built)|we (?:found|used|tried)|compared to|benchmark\w*|however|"
    r"tradeoff|trade-off|the catch|in practice)\b",
    re.IGNORECASE,
)
_BOTS = {"automoderator", "[deleted]", "deleted"}


@dataclass
class Candidate:
    comment: object  # store.discussions.Comment
    substance: float


def words(text: str) -> list[str]:
    return text.split()


def rejection(text: str, author: str | None) -> str | None:
    """Why a comment is not worth a reader's time on the card; None when it may be shown."""
    if _GONE.match(text) or (author or "").lower() in _BOTS:
        return "deleted or a bot"
    own = [ln for ln in text.splitlines() if not ln.lstrip().startswith(">")]
    n = len(words(" ".join(own)))
    if n < MIN_WORDS:
        return "a one-liner"
    if len(words(text)) > MAX_WORDS:
        return "too long to quote whole"
    if _JOKE.search(text):
        return "a joke"
    if _MOCK.search(_URL.sub(" ", text)):
        return "mockery or shouting"
    if _RANT.search(text):
        return "a rant"
    if len(_URL.findall(text)) * 15 > n:
        return "mostly links"
    return None


def substance(text: str, terms: Iterable[str] = ()) -> float:
    """How much a comment explains: specifics (numbers, names, the story's terms) and reasoning."""
    n = len(words(text))
    lower = text.lower()
    specifics = len(_NUMBER.findall(_LIST_MARKER.sub(" ", text))) + len(set(_NAME.findall(text)))
    specifics += sum(1 for t in terms if t and t.lower() in lower)
    reasoning = len(_REASONING.findall(text))
    question = 0.5 if text.rstrip().endswith("?") else 0.0
    return math.log(n) + 0.4 * min(specifics, 8) + 0.6 * min(reasoning, 4) - question


def pick_comments(comments: list, terms: Iterable[str] = (), k: int = MAX_COMMENTS) -> list:
    """Up to ``k`` comments worth quoting, best first, taking threads in turn (at most
    ``PER_THREAD`` each) and one comment per author."""
    terms = list(terms)
    by_thread: dict[str, list[Candidate]] = {}
    for c in comments:
        if rejection(c.text, c.author) is not None:
            continue
        by_thread.setdefault(c.item_key, []).append(Candidate(c, 0.0))
    for group in by_thread.values():
        # The thread's own rating, as a rank within the thread (scores differ between threads);
        # Hacker News publishes no comment scores, so there a top-level comment counts as rated.
        ranked = sorted(group, key=lambda x: -(x.comment.score or 0))
        for pos, cand in enumerate(ranked):
            rated = RATED * (1.0 - pos / len(ranked)) if any(x.comment.score for x in group) else 0

            top = 0.5 if cand.comment.depth == 0 else 0.0
            cand.substance = substance(cand.comment.text, terms) + rated + top
        group.sort(key=lambda x: -x.substance)
    picked: list = []
    authors: set[str] = set()
    threads = sorted(by_thread.values(), key=lambda g: -g[0].substance)
    # One thread alone may fill the card (there is no other voice to give room to).
    for _round in range(PER_THREAD if len(threads) > 1 else MAX_COMMENTS - 1):
        for group in threads:
            if sum(p.item_key == group[0].comment.item_key for p in picked) > _round:
                continue
            for cand in group:
                c = cand.comment
                if c in picked or (c.author and c.author in authors):
                    continue
                picked.append(c)
                if c.author:
                    authors.add(c.author)
                break
            if len(picked) >= k:
                return picked
    return picked
