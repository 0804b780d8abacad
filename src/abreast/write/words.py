"""Words of the week: the jargon a reader meets in this week's top stories, new and rising first.

A basic ("LLM", "fine-tuning", "inference") appears in every week's news; listing it weekly
teaches nothing. A term is basic when its median weekly count over the earlier weeks of the trends
table (its last HISTORY_WEEKS weeks with a count: a page's cost must not grow with years of
history) is at least BASIC_WEEKLY; basics only fill the slots new and rising terms leave. A story
about a model that embodies a term (o3 for "test-time compute", from the term's glossary sense)
counts as using it even when its posts never say the words, and the term rises with that model:
o3's first week is "test-time compute"'s week (new and rising) even if no post names the term.
Terms the user marked as known (`abreast explain TERM --known`) never appear.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable

from ..types import Member, Story, TermWeek
from .material import Word

MAX_WORDS = 8
BASIC_WEEKLY = 15  # median items per earlier week that make a term basic (demo: llm ~300, rag ~30)
NEW_BONUS = 1.5  # a term absent from every earlier week counts half again
HISTORY_WEEKS = 52  # earlier weeks with a count a term's median is taken over (the demo: <= 13)

# term ids ("term:rag") -> their trends rows of the week and of up to HISTORY_WEEKS weeks before it
History = Callable[[list[str]], Iterable[TermWeek]]


def baseline(trends: Iterable[TermWeek], week: str) -> dict[str, list[int]]:
    """term id -> its counts in the last HISTORY_WEEKS weeks before ``week`` that count it (the
    trends table)."""
    rows: dict[str, list[tuple[str, int]]] = {}
    for t in trends:
        if t.week < week and t.term.startswith("term:"):
            rows.setdefault(t.term[5:], []).append((t.week, int(t.count)))
    return {term: [c for _w, c in sorted(r)[-HISTORY_WEEKS:]] for term, r in rows.items()}


def select(
    stories: list[Story],
    week: str = "",
    trend_rows: Iterable[TermWeek] = (),
    known: set[str] = frozenset(),
    limit: int = MAX_WORDS,
    history: History | None = None,
) -> list[Word]:
    """The week's words, best first. The trends rows come from ``trend_rows``, or, with
    ``history``, are read for the terms the stories use only."""
    from ..retrieve.sense import senses
    from ..understand.jargon import glossary

    terms = glossary()
    counts: Counter = Counter()
    first: dict[str, Member] = {}
    # term -> the trend ids ("model:o3") of the story models that embody it
    via: dict[str, set[str]] = {}
    for s in stories:
        used = {t for m in s.members for t in m.jargon}
        models = {e.removeprefix("model:") for e in s.entities if e.startswith("model:")}
        for tid, sense in senses().items():
            embodied = models & set(sense.get("models", []))
            if embodied:
                used.add(tid)
                via.setdefault(tid, set()).update(f"model:{m}" for m in embodied)
        for t in used:
            counts[t] += 1
            if t not in first:
                first[t] = next(
                    (m for m in s.members if m.url and t in m.jargon),
                    s.lead if s.lead.url else None,
                )
    if history is not None:
        wanted = {f"term:{t}" for t in counts if t in terms} | set().union(*via.values())
        trend_rows = list(history(sorted(wanted)))
    base = baseline(trend_rows, week)
    burst = {
        r.term.removeprefix("term:"): float(r.burst)
        for r in trend_rows
        if r.week == week and r.term.startswith(("term:", "model:"))
    }

    seen_before = {r.term for r in trend_rows if r.week < week}

    def rise(t: str) -> float:
        return max([burst.get(t, 0.0)] + [burst.get(m, 0.0) for m in via.get(t, ())])

    def score(t: str) -> float:
        earlier = base.get(t, [])
        # new: the term, or a model that embodies it, first counted this week (o3's week)
        fresh = not earlier or any(m not in seen_before for m in via.get(t, ()))
        new = NEW_BONUS if fresh else 1.0
        return counts[t] * new * (1.0 + max(0.0, rise(t)))

    def basic(t: str) -> bool:
        earlier = base.get(t, [])
        return bool(earlier) and statistics.median(earlier) >= BASIC_WEEKLY

    cands = [t for t in counts if t in terms and first.get(t) is not None and t not in known]
    ranked = sorted(cands, key=lambda t: (basic(t), -score(t), t))
    return [Word(terms[t].term, terms[t].definition, counts[t], first[t]) for t in ranked[:limit]]
