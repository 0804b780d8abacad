"""Read-only views of the store for pages and the JSON API: plain dicts, already made safe to show.

All SQL lives in store/ modules; this module shapes their results. Stages that have not run yet
(no stories, no registry) give an empty view with a hint; a broken stage is an error, never hidden.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..config import LearnSettings
from ..explain.card import build_card, load_card, source_label
from ..explain.card_render import happened_note
from ..explain.summary import Summary
from ..learn.budget import within
from ..learn.personal import for_reader
from ..store import Store
from ..store import feedback as fb
from ..store import web as sql
from ..store.items import fts_query, recent_floor, window_start
from ..store.reading import undated_count
from ..store.stories import load_story, load_week, story_counts, story_headers
from ..stories.weeks import default_week as shared_default_week
from ..types import AnnotatedItem, Member, Source, Story
from ..understand.entities import entity_label
from ..understand.jargon import glossary
from ..understand.themes import THEMES
from ..understand.urls import reader_text
from . import digest as dg
from .sanitize import plain_text, safe_url

NO_STORIES_HINT = (
    "No stories built for this week yet — run `abreast demo run` (or `abreast "
    "fetch` and the pipeline)."
)
SCORE_PARTS = {
    "attention": "points, comments and likes, scaled against this week's items",
    "breadth": "how many different sources carry the story",
    "authority": "whether a lab, a paper or a trusted source is among them",
    "recency": "how late in the week it happened",
    "novelty": "new this week rather than a continuation",
    "release": "whether a lab's own page releases a model the story names",
    "substance": "whether there is something to read: a paper, an article, a post with text",
}


def theme_labels() -> dict[str, str]:
    return dict(THEMES)


# --- weeks -----------------------------------------------------------------------------------


@dataclass
class WeekInfo:
    week: str
    items: int
    stories: int


def weeks(store: Store) -> list[WeekInfo]:
    """Every week with items, newest first, with how many stories it has."""
    stories = story_counts(store.conn)
    out = [WeekInfo(w, n, stories.get(w, 0)) for w, n in store.weeks()]
    known = {w.week for w in out}
    out += [WeekInfo(w, 0, n) for w, n in stories.items() if w not in known]
    return sorted(out, key=lambda w: w.week, reverse=True)


def default_week(store: Store) -> str | None:
    """The week pages show when none is named: stories.weeks.default_week, the CLI's rule."""
    return shared_default_week(store.conn)


# --- stories
# ---------------------------------------------------------------------------------------


def summary_view(story: Story) -> dict[str, Any]:
    """{sentences: [{text, cite, url, verified}], method, verified, total, dropped} or {} when
    none."""
    if not story.summary:
        return {}
    try:
        s = Summary.from_dict(story.summary)
    except (KeyError, ValueError, TypeError):  # a summary stored by an older abreast
        return {"error": "the stored summary could not be read; rebuild it with the explain stage"}
    return {
        "method": s.method,
        "model": s.model,
        "verified": s.verified,
        "total": s.total,
        "dropped": len(s.dropped),
        "sentences": [
            {
                "text": plain_text(x.text),
                "cite": x.cite,
                "key": x.key,
                "url": safe_url(x.url),
                "verified": x.verified,
            }
            for x in s.sentences
        ],
    }


def jargon_view(story, glossary: dict) -> list[dict]:
    counts: dict[str, int] = {}
    for m in story.members:
        for t in dict.fromkeys(m.jargon):
            counts[t] = counts.get(t, 0) + 1
    out = []
    for tid in sorted(counts, key=lambda t: (-counts[t], t)):
        term = glossary.get(tid)
        if term is not None:
            out.append({"id": tid, "term": term.term, "definition": term.definition})
    return out


def member_view(m: Member, signal: str | None = None) -> dict[str, Any]:
    return {
        "key": m.key,
        "kind": m.kind,
        "source": m.source,
        "label": source_label(m),
        "title": plain_text(m.title),
        "url": safe_url(m.url),
        "published_at": m.published_at,
        "signals": m.signals,
        "role": m.role,
        "excerpt": plain_text(m.text, 400),
        "feedback": signal,
    }


def story_card(
    story: Story, labels: dict[str, str], glossary: dict, signal: str | None = None
) -> dict[str, Any]:
    return {
        "id": story.id,
        "week": story.week,
        "rank": story.rank,
        "title": plain_text(story.title),
        "is_new": story.is_new,
        "score": round(story.score, 3),
        "themes": [{"id": t, "label": labels.get(t, t)} for t in story.themes],
        "sources": sorted({m.source for m in story.members}),
        "kinds": story.source_kinds,
        "size": len(story.members),
        "lead_url": safe_url(story.lead.url) if story.members else None,
        "excerpt": plain_text(story.lead.text, 300) if story.members else "",
        "summary": summary_view(story),
        "jargon": jargon_view(story, glossary),
        "feedback": signal,
    }


@dataclass
class WeekView:
    week: str | None
    weeks: list[WeekInfo]
    stories: list[dict] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    total: int = 0
    matching: int = 0  # stories that pass the filters (view.stories holds the first `limit`)
    limit: int = 50
    hint: str | None = None
    undated: int = (
        0  # items placed in this week by when they were first seen (no date of their own)
    )
    cards: list[dict] = field(default_factory=list)  # view.stories as compact cards (web.digest)
    digest: object | None = None  # web.digest.Digest: the page's brief, words, trends and folds
    items: int = 0  # items of the week


WEEK_PAGE = (
    50  # a big week holds a thousand stories (every arXiv paper is one); pages show the best first
)


def week_view(
    store: Store,
    week: str | None = None,
    theme: str | None = None,
    source: str | None = None,
    limit: int | None = WEEK_PAGE,
    weight: float = LearnSettings().weight,
    minutes: int = 0,
) -> WeekView:
    """The week's stories for this reader. With ``limit=None`` (the page as first opened, no
    filter) the view is a digest: the week in brief, the top cards and the rest folded by kind;
    ``minutes``, the reader's reading budget, trims the top cards to what fits (learn/budget.py)
    and the page says how many more are below it."""
    all_weeks = weeks(store)
    week = week or default_week(store)
    as_digest = limit is None and not theme and not source
    size = dg.TOP if as_digest else max(1, min(int(limit or WEEK_PAGE), 2000))
    view = WeekView(week=week, weeks=all_weeks, limit=size)
    if week is None:
        view.hint = (
            "No items yet — run `abreast demo run` to load the bundled demo, or `abreast fetch`."
        )
        return view
    view.undated = undated_count(store.conn, week)
    view.items = next((w.items for w in all_weeks if w.week == week), 0)
    stories = for_reader(store, load_week(store.conn, week), weight)
    if not stories:
        view.hint = NO_STORIES_HINT
        return view
    labels, terms = theme_labels(), glossary()
    signals = fb.current(store.conn, story_ids=[s.id for s in stories])
    view.total = len(stories)
    view.themes = [
        {"id": t, "label": labels.get(t, t)} for t in sorted({t for s in stories for t in s.themes})
    ]
    view.sources = sorted(
        {m.source for s in stories for m in s.members}
        | {m.kind for s in stories for m in s.members}
    )
    chosen = [
        s
        for s in stories
        if (not theme or theme in s.themes)
        and (not source or any(source in (m.source, m.kind) for m in s.members))
        and signals.get(s.id) != "hide"
    ]
    view.matching = len(chosen)
    built = {}
    if as_digest and minutes:
        built = {s.id: build_card(s) for s in chosen[: view.limit]}
        view.limit = len(within(chosen[: view.limit], minutes, built)[0])
    view.stories = [story_card(s, labels, terms, signals.get(s.id)) for s in chosen[: view.limit]]
    mark = dg.distinguishing_mark(chosen)
    view.cards = [
        dg.compact_card(s, built.get(s.id) or build_card(s), labels, signals.get(s.id), mark)
        for s in chosen[: view.limit]
    ]
    for c, full in zip(view.cards, view.stories, strict=True):
        c["jargon"] = full["jargon"]
    if as_digest:
        top = view.cards
        view.digest = dg.Digest(
            stories=len(chosen),
            items=view.items,
            new=sum(1 for s in chosen if s.is_new),
            continuing=sum(1 for s in chosen if not s.is_new),
            brief=top[: dg.BRIEF],
            mark=mark,
            words=dg.words(store, week, chosen),
            trends=dg.trends(store, week),
            folds=dg.folds(week, chosen[view.limit :]),
            budget_minutes=minutes,
            # said only when the budget cut the top cards short
            below_budget=len(chosen) - view.limit
            if minutes and view.limit < min(dg.TOP, len(chosen))
            else 0,
        )
    return view


def story_view(store: Store, story_id: str) -> dict | None:
    story = load_story(store.conn, story_id)
    if story is None:
        return None
    labels, terms = theme_labels(), glossary()
    signals = fb.current(store.conn, item_keys=[m.key for m in story.members], story_ids=[story.id])
    card = story_card(story, labels, terms, signals.get(story.id))
    related = story_headers(store.conn, list(story.related))
    card.update(
        members=[member_view(m, signals.get(m.key)) for m in story.members],
        entities=story.entities,
        # As readers write them ("o3, OpenAI, GPT-4o"), not the store's ids ("model:o3").
        entity_names=list(dict.fromkeys(entity_label(e) for e in story.entities)),
        keywords=story.keywords,
        related=[
            {"id": r.id, "week": r.week, "title": plain_text(r.title)}
            for rid in story.related
            if (r := related.get(rid)) is not None
        ],
        score_parts=[score_part(k, v) for k, v in story.score_parts.items()],
    )
    card.update(story_card_view(store, story))
    return card


def story_card_view(store: Store, story) -> dict:
    """The story card (explain/card.py) as plain data: the one `abreast story` and drafts show."""
    c = load_card(store, story)
    return {"card": asdict(c), "card_note": happened_note(c)}


def score_part(name: str, part) -> dict:
    """One row of "why is this here": stories/rank.py stores {value, weight, points, why} per
    part."""

    def num(x):
        return (
            round(float(x), 3) if isinstance(x, int | float) and not isinstance(x, bool) else None
        )

    if isinstance(part, dict):
        return {
            "name": plain_text(str(name)),
            "value": num(part.get("value")),
            "weight": num(part.get("weight")),
            "points": num(part.get("points")),
            "why": reader_text(plain_text(str(part.get("why") or ""))),
            "meaning": SCORE_PARTS.get(name, ""),
        }
    return {
        "name": plain_text(str(name)),
        "value": num(part),
        "weight": None,
        "points": None,
        "why": "" if num(part) is not None else plain_text(str(part)),
        "meaning": SCORE_PARTS.get(name, ""),
    }


# --- items
# -----------------------------------------------------------------------------------------


def item_row(it: AnnotatedItem, signal: str | None = None) -> dict[str, Any]:
    return {
        "key": it.key,
        "kind": it.kind,
        "source": it.source,
        "title": plain_text(it.title),
        "url": safe_url(it.url),
        "published_at": it.published_at,
        "week": it.week,
        "relevance": round(it.relevance, 3) if it.relevance is not None else None,
        "is_ai": it.is_ai,
        "themes": it.themes,
        "signals": it.signals,
        "excerpt": plain_text(it.text, 280),
        "story_id": it.story_id,
        "duplicate_of": it.duplicate_of,
        "feedback": signal,
    }


@dataclass
class ItemsView:
    items: list[dict]
    total: int
    query: str = ""
    week: str | None = None
    source: str | None = None
    ai_only: bool = False
    offset: int = 0
    limit: int = 50
    all_time: bool = False
    # The day the recent window starts (collected on or after), when a search was limited to it.
    window_since: str | None = None


def items_view(
    store: Store,
    query: str = "",
    week: str | None = None,
    source: str | None = None,
    ai_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    show_hidden: bool = False,
    all_time: bool = False,
) -> ItemsView:
    limit = max(1, min(limit, 200))
    words = query.split()
    since = None
    if words:
        rows = sql.item_search(
            store.conn, fts_query(words, mode="AND"), week, source, ai_only, limit, all_time
        )
        total = len(rows)
        if not (all_time or week):
            since = window_start(store.conn, recent_floor(store.conn))
    else:
        rows = sql.item_stream(store.conn, week, source, ai_only, limit, max(0, offset))
        total = sql.item_count(store.conn, week, source, ai_only)
    signals = fb.current(store.conn, item_keys=[r.key for r in rows])
    labels = source_labels(store)
    items = [
        {**item_row(r, signals.get(r.key)), "source_label": labels.get(r.source, r.source)}
        for r in rows
        if show_hidden or signals.get(r.key) != "hide"
    ]
    return ItemsView(
        items, total, query, week, source, ai_only, max(0, offset), limit, all_time, since
    )


def source_labels(store: Store) -> dict[str, str]:
    """Source name -> the name people use for it, as the story cards say it."""
    from ..explain.card import source_display

    return {
        s.name: source_display(s.kind, s.name, s.config, sql.recent_item_urls(store.conn, s.id))
        for s in store.sources()
    }


# --- feedback
# --------------------------------------------------------------------------------------


def feedback_state(store: Store, item_key: str | None, story_id: str | None) -> str | None:
    found = fb.current(
        store.conn,
        item_keys=[item_key] if item_key else [],
        story_ids=[story_id] if story_id else [],
    )
    return found.get(item_key or story_id or "")


def saved_view(store: Store) -> dict:
    """What the reader saved (their latest signal on it is "save"), newest first: stories and
    items."""
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for f in fb.history(store.conn):  # ordered by id: a later signal replaces an earlier one
        target = ("story", f.story_id) if f.story_id else ("item", f.item_key or "")
        latest[target] = (f.signal, f.at)
    saved = sorted(
        ((kind, ident, at) for (kind, ident), (sig, at) in latest.items() if sig == "save"),
        key=lambda x: x[2] or "",
        reverse=True,
    )
    heads = story_headers(store.conn, [i for k, i, _ in saved if k == "story"])
    stories = [
        {"id": h.id, "week": h.week, "title": plain_text(h.title), "at": at}
        for k, i, at in saved
        if k == "story" and (h := heads.get(i)) is not None
    ]
    items = []
    for k, i, _at in saved:
        if k == "item" and (row := sql.item_by_key(store.conn, i)) is not None:
            items.append(item_row(row, "save"))
    return {"stories": stories, "saved_items": items}


def feedback_export(store: Store) -> list[dict]:
    return [asdict(f) for f in fb.history(store.conn)]


# --- sources
# ---------------------------------------------------------------------------------------


def source_status(src: Source) -> str:
    if src.gone:
        return "gone"
    if src.paused:
        return "paused"
    if src.error_count:
        return "failing"
    return "ok" if src.last_fetch_at else "never fetched"


def sources_view(store: Store) -> list[dict]:
    from ..demo.sources import recorded_origin
    from ..explain.card import source_display

    counts = store.source_item_counts()
    last = sql.last_fetches(store.conn)
    out = []
    for s in store.sources():
        f = last.get(s.id)
        out.append(
            {
                "name": s.name,
                "label": source_display(
                    s.kind, s.name, s.config, sql.recent_item_urls(store.conn, s.id)
                ),
                "kind": s.kind,
                "url": s.url,
                # the demo's sources fetch a replay on 127.0.0.1: shown by the real address
                # their data was recorded from
                "origin": recorded_origin(s.url),
                "items": counts.get(s.id, 0),
                "status": source_status(s),
                "last_fetch_at": s.last_fetch_at,
                "next_fetch_at": s.next_fetch_at,
                "error_count": s.error_count,
                "last_error": s.last_error,
                "paused": s.paused,
                "paused_reason": s.paused_reason,
                "gone": s.gone,
                "last_fetch": {
                    "status": f.status,
                    "http_status": f.http_status,
                    "items_new": f.items_new,
                    "error": f.error,
                    "at": f.finished_at or f.started_at,
                }
                if f
                else None,
            }
        )
    return out
