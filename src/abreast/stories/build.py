"""Build a week's stories from the store: cluster, title, link to earlier weeks, rank, save.

Incremental by design: items already in a saved story of the week stay where they are (a reader who
saw story X on Tuesday finds it again on Friday). Each new item joins the existing story it is
closest to (average adjusted similarity to the story's members >= the clustering threshold); the
rest are clustered among themselves into new stories. A story's id is fixed when it is founded:
``<week>-<6 hex of sha1(founding member key)>``, the founding member being its earliest item, so a
rebuild from scratch of the same items gives the same ids.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import Settings
from ..store import stories as sql
from ..types import Member, Story
from .cluster import (
    ClusterParams,
    background_models,
    cluster,
    cross_similarity,
    normalise,
    signals_of,
)
from .novelty import NoveltyParams, StoryProfile, centroid, continuations, link_to_earlier
from .rank import AttentionScale, rank_stories
from .title import choose_lead, class_keywords, dominant_entities, dominant_themes, headline
from .weeks import iso_week

if TYPE_CHECKING:
    from pathlib import Path

    from ..store import Store
    from .trends import Trend, TrendParams

Progress = Callable[[str], None]


def story_id(week: str, founding_key: str) -> str:
    return f"{week}-{hashlib.sha1(founding_key.encode()).hexdigest()[:6]}"


def cluster_params(settings: Settings | None) -> ClusterParams:
    """The [stories] settings (threshold, title_weight, model_boost) over the other tuned
    parameters."""
    return ClusterParams(**asdict(settings.stories)) if settings is not None else ClusterParams()


# Bump when a change to how items join must regroup stores grouped before it: a week's items keep
# their story across runs (`assign`), so without a regroup a join the new rules refuse would stay.
JOIN_RULES = 4  # 2: a paper joins a news item only when the news names it (mixed_min_title)
# 3: a model the news names every week ("ChatGPT") weighs like an organisation, not a release
# 4: a newsletter section's title leads below the page it links (stories of older builds keep
#    their titles until their week is rebuilt)


def grouping_key(params: ClusterParams) -> str:
    """What a store's stories were grouped under: the join rules and every clustering parameter."""
    return f"{JOIN_RULES}|{params!r}"


@dataclass
class WeekInput:
    """What clustering needs, in publication order."""

    members: list[Member]
    item_ids: list[int]
    canonical: list[str | None]
    duplicate_of: list[int | None]
    vectors: np.ndarray
    background: frozenset[str] = frozenset()  # models named every recent week: no event marker


def build_week(
    store: Store,
    week: str,
    settings: Settings | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> list[Story]:
    """Cluster, title, rank and save the stories of `week`; returns them best first."""
    say = progress or (lambda _msg: None)
    conn = store.conn
    params = cluster_params(settings)
    inp = _read_week(conn, week)
    say(f"{week}: {len(inp.members)} AI items")
    previous = {} if rebuild else sql.assignments(conn, week)
    groups = assign(inp, previous, params, week)
    say(f"{week}: {len(groups)} stories")
    stories = [_make_story(week, sid, [inp.members[i] for i in idx]) for sid, idx in groups]
    _keywords(stories)
    _link(conn, week, stories, inp, groups)
    rank_stories(stories, AttentionScale.of(sql.week_signals(conn, week)))
    for s in stories:
        s.themes = release_first(s)
    stories.sort(key=lambda s: s.rank or 0)
    old = sql.summaries(conn, week)
    ids = dict(zip((m.key for m in inp.members), inp.item_ids, strict=True))
    keep = {
        s.id: old[s.id][0]
        for s in stories
        if s.id in old and old[s.id][1] == frozenset(ids[m.key] for m in s.members)
    }
    sql.save_week(conn, week, stories, ids, keep_summaries=keep)
    say(f"{week}: saved")
    return stories


def _read_week(conn: sqlite3.Connection, week: str) -> WeekInput:
    rows = sql.ai_items(conn, week)
    members = [r.member for r in rows]
    item_ids = [r.item_id for r in rows]
    vecs = sql.embeddings(conn, item_ids)
    dim = next((len(v) for v in vecs.values()), 1)
    # An item without a vector (not embedded yet) can still join by URL, entities and title words.
    mat = (
        np.stack([vecs.get(i, np.zeros(dim, dtype=np.float32)) for i in item_ids])
        if item_ids
        else np.zeros((0, dim), dtype=np.float32)
    )
    return WeekInput(
        members,
        item_ids,
        [r.canonical_url for r in rows],
        [r.duplicate_of for r in rows],
        normalise(mat),
        _background(conn, week),
    )


BACKGROUND_WEEKS = 4


def _background(conn: sqlite3.Connection, week: str) -> frozenset[str]:
    """The models named in every week with items among the `BACKGROUND_WEEKS` before `week`."""
    year, num = (int(x) for x in week.split("-W"))
    monday = date.fromisocalendar(year, num, 1)
    weeks = [iso_week(monday - timedelta(weeks=k)) for k in range(1, BACKGROUND_WEEKS + 1)]
    return background_models(
        [sql.week_models(conn, w) for w in weeks if sql.week_has_items(conn, w)]
    )


# --- assignment ------------------------------------------------------------------------------


def assign(
    inp: WeekInput, previous: dict[int, tuple[str, str]], params: ClusterParams, week: str
) -> list[tuple[str, list[int]]]:
    """(story id, member indices) per story. Pure: keeps previous assignments, places the new
    items."""
    n = len(inp.members)
    pos = {item_id: i for i, item_id in enumerate(inp.item_ids)}
    kept: dict[str, list[int]] = {}
    for item_id, (sid, _role) in previous.items():
        if item_id in pos:  # items no longer AI (or deleted) simply leave their story
            kept.setdefault(sid, []).append(pos[item_id])
    placed = {i for idx in kept.values() for i in idx}
    fresh = [i for i in range(n) if i not in placed]
    leftovers = _join_existing(fresh, kept, inp, params)
    new_groups = _cluster_subset(leftovers, inp, params)
    groups = [(sid, sorted(idx)) for sid, idx in kept.items()]
    taken = {sid for sid, _ in groups}
    for idx in new_groups:
        founding = min(
            idx, key=lambda i: (inp.members[i].published_at or "9999", inp.members[i].key)
        )
        sid = story_id(week, inp.members[founding].key)
        while sid in taken:  # a dissolved story's id is free again; a live one is never reused
            sid = story_id(week, sid)
        taken.add(sid)
        groups.append((sid, sorted(idx)))
    return _merge_duplicates(groups, inp)


def _join_existing(
    fresh: list[int], kept: dict[str, list[int]], inp: WeekInput, params: ClusterParams
) -> list[int]:
    """Put each new item into the existing story with the highest average adjusted similarity to it
    (if that average reaches the threshold); returns the items that joined none."""
    if not fresh or not kept:
        return list(fresh)
    sig = signals_of(inp.members, inp.canonical, inp.background)
    sids = sorted(kept)
    members = [i for sid in sids for i in kept[sid]]
    owner = np.repeat(np.arange(len(sids)), [len(kept[sid]) for sid in sids])
    sizes = np.bincount(owner, minlength=len(sids)).astype(np.float64)
    from scipy.sparse import csr_matrix

    belongs = csr_matrix(
        (np.ones(len(members)), (np.arange(len(members)), owner)), shape=(len(members), len(sids))
    )
    leftovers = []
    for start in range(0, len(fresh), 1024):  # bounded memory: 1024 x (items already in stories)
        chunk = fresh[start : start + 1024]
        sims = cross_similarity(chunk, members, inp.vectors, sig, params)
        avg = np.asarray((belongs.T @ sims.T).T) / sizes
        best = avg.argmax(axis=1)
        for row, i in enumerate(chunk):
            if avg[row, best[row]] >= params.threshold:
                kept[sids[best[row]]].append(i)
            else:
                leftovers.append(i)
    return leftovers


def _cluster_subset(idx: list[int], inp: WeekInput, params: ClusterParams) -> list[list[int]]:
    if not idx:
        return []
    groups = cluster(
        [inp.members[i] for i in idx],
        inp.vectors[idx],
        params,
        [inp.canonical[i] for i in idx],
        inp.background,
    )
    return [[idx[j] for j in g] for g in groups]


def _merge_duplicates(
    groups: list[tuple[str, list[int]]], inp: WeekInput
) -> list[tuple[str, list[int]]]:
    """An item the understand stage marked as a duplicate goes where its original is."""
    pos = {item_id: i for i, item_id in enumerate(inp.item_ids)}
    where = {i: g for g, (_, idx) in enumerate(groups) for i in idx}
    for i, dup in enumerate(inp.duplicate_of):
        if dup is None or dup not in pos:
            continue
        src, dst = where[i], where[pos[dup]]
        if src != dst:
            groups[src][1].remove(i)
            groups[dst][1].append(i)
            where[i] = dst
    for i, dup in enumerate(inp.duplicate_of):
        if dup is not None and dup in pos:
            inp.members[i].role = "duplicate"
    return [(sid, sorted(idx)) for sid, idx in groups if idx]


# --- story fields ----------------------------------------------------------------------------


def _make_story(week: str, sid: str, members: list[Member]) -> Story:
    lead = choose_lead(members)
    for j, m in enumerate(members):
        if j == lead:
            m.role = "lead"
        elif m.role == "lead":
            m.role = "member"
    ordered = [members[lead]] + [m for j, m in enumerate(members) if j != lead]
    return Story(
        id=sid,
        week=week,
        title=headline(members[lead].title),
        members=ordered,
        entities=dominant_entities(members),
        themes=dominant_themes(members),
    )


RELEASE_THEME = "open-models"  # the default taxonomy's "a new AI model release"


def release_first(story: Story) -> list[str]:
    """A story the score counts as a model release (a lab's own page naming the model it
    releases) leads with the default taxonomy's release theme, so the draft files it there: the
    item classifier put Falcon 3's launch under "Business" and "Applications", and o1's under
    "Fine-tuning" (a tie with "Open & foundation models" broken by the alphabet). A user's own
    taxonomy has no such theme and is left alone."""
    from ..understand.themes import THEMES

    release = story.score_parts.get("release", {}).get("value", 0.0)
    used = {t for m in story.members for t in m.themes} | set(story.themes)
    if release < 1.0 or not used <= THEMES.keys():
        return story.themes
    return [RELEASE_THEME, *(t for t in story.themes if t != RELEASE_THEME)][:2]


def _keywords(stories: Sequence[Story]) -> None:
    for s, kw in zip(stories, class_keywords([s.members for s in stories]), strict=True):
        s.keywords = kw


def _link(
    conn: sqlite3.Connection,
    week: str,
    stories: list[Story],
    inp: WeekInput,
    groups: list[tuple[str, list[int]]],
    params: NoveltyParams | None = None,
) -> None:
    earlier = sql.earlier_stories(conn, week)
    if not earlier:
        return
    vecs = sql.embeddings(conn, sorted({i for *_, ids, _p in earlier for i in ids}))
    profiles = []
    for sid, w, ents, ids, papers in earlier:
        rows = [vecs[i] for i in ids if i in vecs]
        profiles.append(
            StoryProfile(
                sid,
                w,
                centroid(np.stack(rows)) if rows else np.zeros(0),
                frozenset(ents),
                only_papers=papers,
            )
        )
    by_id = dict(groups)
    current = [
        StoryProfile(
            s.id,
            week,
            centroid(inp.vectors[by_id[s.id]]),
            frozenset(s.entities),
            only_papers=all(m.kind == "arxiv" for m in s.members),
        )
        for s in stories
    ]
    for s, related in zip(stories, link_to_earlier(current, profiles, params), strict=True):
        # A model line continues whatever the embeddings say (o3's launch reads nothing like the
        # o1 system card): the card's "continues ..." and the score's novelty come from one list.
        lineage = continuations(conn, s)
        s.continues = [c.note() for c in lineage]
        s.related = list(dict.fromkeys([*(c.story_id for c in lineage), *related]))
        s.is_new = not s.related


# --- trends and exports ----------------------------------------------------------------------


def update_trends(
    store: Store,
    week: str | None = None,
    chart_dir: Path | str | None = None,
    params: TrendParams | None = None,
) -> list[Trend]:
    """Recount every week's entities and jargon terms into the trends table; return the terms
    bursting in `week` (default: the last week with items), with an SVG+PNG chart each when
    chart_dir is given."""
    from pathlib import Path

    from .trends import all_scores, chart, detect, title_terms, weekly_counts, weekly_volume

    conn = store.conn
    weeks = sql.item_weeks(conn)
    if not weeks:
        return []
    rows = title_terms(sql.ai_titles(conn))
    counts, volume = weekly_counts(rows), weekly_volume(rows)
    sql.save_trends(conn, all_scores(counts, weeks, params, volume))
    week = week or weeks[-1]
    found = detect(counts, weeks, week, params, volume)
    if chart_dir is not None:
        for t in found:
            chart(t.term, weeks, counts[t.term], Path(chart_dir), highlight=week)
    return found


def recount_trends(store: Store, weeks: Sequence[str], params: TrendParams | None = None) -> None:
    """Recount the trends rows of ``weeks`` only: their AI titles' terms, each scored against the
    counts the trends table holds for the weeks before it (update_trends' numbers, without
    reading every title in the store). ``weeks`` must hold every week whose titles changed and
    every later one (a week's burst depends on the weeks before it)."""
    from .trends import TrendParams, burst_score, title_terms, weekly_counts

    conn = store.conn
    p = params or TrendParams()
    every = sql.item_weeks(conn)
    pos = {w: i for i, w in enumerate(every)}
    todo = [w for w in weeks if w in pos]
    fresh = weekly_counts(title_terms(sql.ai_titles(conn, todo)))
    # The weeks before each recounted week that its burst is measured against.
    window = {every[j] for w in todo for j in range(max(0, pos[w] - p.history), pos[w])}
    counts = sql.trend_counts(conn, sorted(window - set(todo)))
    for term, by_week in fresh.items():
        counts.setdefault(term, {}).update(by_week)
    volume = sql.week_volumes(conn)
    rows = []
    for w in todo:
        span = every[max(0, pos[w] - p.history) : pos[w] + 1]
        vol = [volume.get(x, 0) for x in span]
        for term, by_week in fresh.items():
            if by_week.get(w):
                series = [counts[term].get(x, 0) for x in span]
                z, _ = burst_score(series, p.history, vol)
                rows.append((w, term, series[-1], round(z, 3)))
    sql.replace_trends(conn, todo, rows)


def export_stories(stories: Sequence[Story]) -> list[dict[str, Any]]:  # JSON
    """The JSON export of a week: stable keys only, so a diff between two exports means a real
    change."""
    return [
        {
            "id": s.id,
            "week": s.week,
            "rank": s.rank,
            "title": s.title,
            "score": s.score,
            "is_new": s.is_new,
            "related": s.related,
            "keywords": s.keywords,
            "entities": s.entities,
            "themes": s.themes,
            "score_parts": {
                k: {"value": p["value"], "weight": p["weight"], "points": p["points"]}
                for k, p in s.score_parts.items()
            },
            "members": [
                {
                    "key": m.key,
                    "kind": m.kind,
                    "source": m.source,
                    "role": m.role,
                    "title": m.title,
                    "url": m.url,
                }
                for m in s.members
            ],
        }
        for s in stories
    ]
