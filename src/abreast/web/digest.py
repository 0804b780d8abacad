"""The week page as a digest: the week in brief, the top cards, words and trends, the tail folded.

A big week holds a thousand stories (every arXiv paper is one). A reader wants the week in five
minutes, so the page leads with what matters and folds the rest by kind, each fold linking to the
searchable items list. Everything here is plain data, already made safe to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..write.gather import words_of_the_week
from .sanitize import plain_text, safe_url

TOP = 10  # full cards on the page; the rest is folded by kind
BRIEF = 5  # one line each in the header
FOLD_SAMPLE = 5  # titles shown inside each fold

# What a story led by an item of this kind is, in the reader's words ("+312 papers").
KIND_PLURAL = {
    "arxiv": ("paper", "papers"),
    "hf": ("community model", "community models"),
    "hn": ("Hacker News thread", "Hacker News threads"),
    "reddit": ("Reddit thread", "Reddit threads"),
    "feed": ("article", "articles"),
}


def kind_count(kind: str, n: int) -> str:
    one, many = KIND_PLURAL.get(kind, (f"{kind} item", f"{kind} items"))
    return f"{n:,} {one if n == 1 else many}"


@dataclass
class Fold:
    kind: str
    label: str  # "+312 papers"
    count: int
    sample: list[dict] = field(default_factory=list)  # {id, title}
    items_url: str = ""  # the searchable list of this kind's items in the week


@dataclass
class Digest:
    stories: int = 0
    items: int = 0
    new: int = 0
    continuing: int = 0
    brief: list[dict] = field(default_factory=list)  # {id, rank, title, line}
    mark: str | None = None  # "new" or "continues": which stories get a badge, if any
    words: list[dict] = field(default_factory=list)  # {term, definition, count}
    trends: list[dict] = field(default_factory=list)  # {label, count, expected, sentence}
    folds: list[Fold] = field(default_factory=list)
    budget_minutes: int = 0  # the reader's reading budget ([week] reading_minutes; 0: none)
    below_budget: int = 0  # stories below it: folded with the rest, said on the page


def distinguishing_mark(stories) -> str | None:
    """Badge the minority: when nearly every story is new, "new" says nothing and the few that
    continue an earlier week's story are the ones worth marking (and the other way round)."""
    new = sum(1 for s in stories if s.is_new)
    old = len(stories) - new
    if not new or not old:
        return None
    return "continues" if new >= old else "new"


def compact_card(story, card, labels: dict[str, str], signal: str | None, mark: str | None) -> dict:
    """A top story in a few lines: the card's first "what happened" sentence with its citation,
    the sources by name and the discussion to read."""
    first = card.happened[0] if card.happened else None
    if first is not None:
        line = {"text": plain_text(first.text), "cite": first.cite, "url": safe_url(first.url)}
    else:
        lead = plain_text(story.lead.text, 220) if story.members else ""
        line = {"text": lead, "cite": None, "url": None} if lead else None
    # by name, each name once: "Google DeepMind, Google DeepMind, Google" says less than
    # "Google DeepMind, Google" (the card itself lists every article)
    named: dict[str, str | None] = {}
    for src in card.sources:
        named.setdefault(plain_text(src.article.label), safe_url(src.article.url))
    sources = [{"label": label, "url": url} for label, url in named.items()]
    discussion = next(
        (
            {"label": plain_text(d.label), "url": safe_url(d.url), "meta": plain_text(d.meta)}
            for src in card.sources
            for d in src.discussions
        ),
        None,
    )
    badge = None
    if mark == "new" and story.is_new:
        badge = "new"
    elif mark == "continues" and not story.is_new:
        badge = "continues"
    return {
        "id": story.id,
        "week": story.week,
        "rank": story.rank,
        "title": plain_text(story.title),
        "badge": badge,
        "line": line,
        "sources": sources[:4],
        "more_sources": max(0, len(sources) - 4),
        "discussion": discussion,
        "kinds": story.source_kinds,
        "themes": [{"id": t, "label": labels.get(t, t)} for t in story.themes],
        "size": len(story.members),
        "feedback": signal,
    }


def folds(week: str, rest) -> list[Fold]:
    """The stories after the top ones, grouped by the kind of their lead item, biggest first."""
    from urllib.parse import urlencode

    groups: dict[str, list] = {}
    for s in rest:
        kind = s.lead.kind if s.members else "other"
        groups.setdefault(kind, []).append(s)
    out = []
    for kind, stories in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(
            Fold(
                kind=kind,
                label="+" + kind_count(kind, len(stories)),
                count=len(stories),
                sample=[{"id": s.id, "title": plain_text(s.title)} for s in stories[:FOLD_SAMPLE]],
                items_url="/items?" + urlencode({"week": week, "source": kind}),
            )
        )
    return out


def words(store, week: str, stories) -> list[dict]:
    """Words of the week: the same list the draft prints, from the same top stories, the week's
    trends (new and rising first, basics last) and the reader's known terms."""
    from ..write.gather import MAX_STORIES

    return [
        {
            "term": plain_text(w.term),
            "definition": plain_text(w.definition),
            "count": w.count,
            "url": safe_url(w.seen_in.url),
        }
        for w in words_of_the_week(stories[:MAX_STORIES], store, week)
    ]


def trends(store, week: str, limit: int = 5) -> list[dict]:
    """The week's rising terms, by the one rule CLI, web and draft share (stories.trends)."""
    from ..stories.trends import week_trends

    return [
        {
            "label": t.label,
            "count": t.count,
            "expected": t.baseline,
            "sentence": t.sentence,
        }
        for t in week_trends(store.conn, week)[:limit]
    ]
