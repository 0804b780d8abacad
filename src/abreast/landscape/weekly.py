"""This week in models: new models, leaderboard moves between snapshots, and the week's stories that
mention each model. Used by `abreast models list --new-this-week`, the weekly draft and `abreast
todo`.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ..errors import AbreastError
from ..store import landscape as sql
from ..types import ModelScore
from .lineage import PRIVATE_DAYS, public_date
from .registry import mention_index, resolve_mention
from .tree import HOME_ORG, size_label

ARENA = "lmarena"
# Families with open weights, whose descendants a tree can draw (GPT, Claude, Gemini have none).
TREE_FAMILIES = (
    "llama",
    "mistral",
    "qwen",
    "gemma",
    "phi",
    "falcon",
    "deepseek",
    "yi",
    "granite",
    "olmo",
    "smollm",
    "internlm",
    "glm",
    "cohere",
    "exaone",
)


@dataclass
class NewModel:
    id: str
    name: str
    org: str | None
    family: str | None
    released: str
    params_b: float | None
    license: str | None
    bases: list[tuple[str, str]]
    hearts: float
    official: bool
    first_seen: str | None = None  # date of the first news item that mentions it


@dataclass
class Move:
    id: str
    name: str
    before_rank: int | None  # None: first appearance on the board
    after_rank: int
    before_score: float | None
    after_score: float | None

    @property
    def score_delta(self) -> float:
        if self.before_score is None or self.after_score is None:
            return 0.0
        return self.after_score - self.before_score


@dataclass
class WeekInModels:
    week: str
    start: str  # Monday, inclusive
    end: str  # next Monday, exclusive
    new_models: list[NewModel]
    new_total: int
    board_before: str | None  # snapshot dates compared
    board_after: str | None
    debuts: list[Move]
    moves: list[Move]
    stories: dict[str, list[tuple[str, str]]] = field(
        default_factory=dict
    )  # model id -> (story id, title)


def week_range(week: str) -> tuple[str, str]:
    """'2024-W51' -> ('2024-12-16', '2024-12-23')."""
    try:
        year, w = week.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(w), 1)
    except ValueError as e:
        raise AbreastError(f"{week!r} is not an ISO week; write it like 2024-W51.") from e
    return monday.isoformat(), (monday + timedelta(days=7)).isoformat()


def rank_new(models: list[NewModel]) -> list[NewModel]:
    """Official releases first, then models in the news, then what people liked: a week has hundreds
    of
    community uploads."""
    return sorted(
        models, key=lambda m: (not m.official, m.first_seen is None, -m.hearts, m.released, m.id)
    )


def new_models(conn: sqlite3.Connection, start: str, end: str) -> list[NewModel]:
    """Models that became public in [start, end), best first (see public_date and rank_new)."""
    seen = sql.first_news_dates(conn)
    early = (date.fromisoformat(start) - timedelta(days=PRIVATE_DAYS + 7)).isoformat()
    rows = {r.id: r for r in sql.list_models(conn, released_from=early, released_to=end)}
    for mid, d in seen.items():
        if start <= d < end and mid not in rows:
            row = sql.get_model(conn, mid)
            if row is not None:
                rows[mid] = row
    hearts = sql.facts_by_field(conn, "hearts")
    official = sql.facts_by_field(conn, "official")
    lines = sql.facts_by_field(conn, "generation_of")
    # A leaderboard entry without a release date (an API model) is new when it debuts there, not
    # when the
    # news first names it: the store's history may simply begin after its release.
    undated_ranked = sql.scored_ids(conn) - {m for m, r in rows.items() if r.released}
    out = []
    for mid, r in rows.items():
        when = public_date(r.released, seen.get(mid))
        if mid in lines or mid in undated_ranked or not when or not (start <= when < end):
            continue
        out.append(
            NewModel(
                mid,
                r.name,
                r.org,
                r.family,
                when,
                r.params_b,
                r.license,
                [(b.base_id, b.relation) for b in sql.bases_of(conn, mid)],
                float(hearts.get(mid, 0) or 0),
                mid in official,
                seen.get(mid),
            )
        )
    return rank_new(out)


def compare_snapshots(
    before: dict[str, ModelScore], after: dict[str, ModelScore], names: dict[str, str]
) -> tuple[list[Move], list[Move]]:
    """Pure: (debuts by rank, moves by size of score change) between two snapshots of a board."""
    debuts, moves = [], []
    for mid, a in after.items():
        b = before.get(mid)
        m = Move(
            mid,
            names.get(mid, mid),
            b.rank if b else None,
            a.rank,
            b.score if b else None,
            a.score,
        )
        (moves if b else debuts).append(m)
    debuts.sort(key=lambda m: (m.after_rank, m.id))
    moves = [m for m in moves if m.score_delta or m.before_rank != m.after_rank]
    moves.sort(key=lambda m: (-abs(m.score_delta), -abs((m.before_rank or 0) - m.after_rank), m.id))
    return debuts, moves


def this_week(conn: sqlite3.Connection, week: str, limit: int = 10) -> WeekInModels:
    start, end = week_range(week)
    new = new_models(conn, start, end)
    snaps = sql.snapshots(conn, ARENA)
    before = max((s for s in snaps if s <= start), default=None)
    after = max((s for s in snaps if s <= end), default=None)
    debuts: list[Move] = []
    moves: list[Move] = []
    if before and after and before != after:
        names = {r.id: r.name for r in sql.list_models(conn)}
        debuts, moves = compare_snapshots(
            sql.board_snapshot(conn, ARENA, before), sql.board_snapshot(conn, ARENA, after), names
        )
    w = WeekInModels(
        week, start, end, new[:limit], len(new), before, after, debuts[:limit], moves[:limit]
    )
    w.stories = stories_by_model(conn, week)
    return w


def stories_by_model(conn: sqlite3.Connection, week: str) -> dict[str, list[tuple[str, str]]]:
    stories = sql.week_stories(conn, week)
    if not stories:
        return {}
    index = mention_index(
        [r.id for r in sql.list_models(conn)], set(sql.facts_by_field(conn, "official"))
    )
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for story_id, title, _rank, entities in stories:
        for ent in sorted(e for e in entities if e.startswith("model:")):
            for mid in resolve_mention(ent, index):
                if (story_id, title) not in out[mid]:
                    out[mid].append((story_id, title))
    return dict(out)


def to_markdown(w: WeekInModels) -> str:
    """The weekly draft's "This week in models" section; every figure names where it came from."""
    out = [f"## This week in models ({w.week})", ""]
    out.append(
        f"**New models** ({w.new_total} made public {w.start} .. {w.end}: the first news mention "
        "when "
        "there is one, else the Hugging Face repo date):"
    )
    out.append("")
    for m in w.new_models:
        base = ", ".join(f"{b} ({rel})" for b, rel in m.bases) or "base not stated"
        size = f", {size_label(m.params_b)}" if m.params_b else ""
        out.append(
            f"- **{m.name}** ({m.org}{size}, {m.license or 'license not stated'}), from {base}"
            + _story_note(w, m.id)
        )
    if not w.new_models:
        out.append("- none recorded")
    out.append("")
    if w.board_before and w.board_after:
        out.append(f"**LMArena** (snapshots {w.board_before} → {w.board_after}):")
        out.append("")
        for m in w.debuts:
            out.append(
                f"- new: **{m.name}** at rank {m.after_rank} ({m.after_score:g})"
                + _story_note(w, m.id)
            )
        for m in w.moves[:5]:
            out.append(f"- {m.name}: rank {m.before_rank} → {m.after_rank} ({m.score_delta:+g})")
        out.append("")
    mentioned = [
        mid
        for mid in w.stories
        if mid not in {m.id for m in w.new_models} | {m.id for m in w.debuts}
    ]
    if mentioned:
        out.append("**Models in this week's stories:**")
        out.append("")
        for mid in mentioned:
            out.append(f"- {mid}: " + "; ".join(t for _, t in w.stories[mid][:3]))
        out.append("")
    return "\n".join(out)


def week_end(week: str) -> str:
    """The Sunday that ends an ISO week: a week's trees are drawn as of that day."""
    _start, end = week_range(week)
    return (date.fromisoformat(end) - timedelta(days=1)).isoformat()


def draw_family_tree(
    conn: sqlite3.Connection,
    family: str,
    week: str,
    out: Path,
    since: str | None = None,
    width_px: int = 1200,
    as_of: str | None = None,
) -> dict:
    """The family tree image for a weekly post (out: .svg or .png), drawn as of the end of ``week``
    (or ``as_of``) with the week's new models highlighted; the returned dict carries the caption.
    Raises AbreastError when labels would overlap, so an illegible picture is never written
    silently."""
    from .picture import render
    from .tree import TreeSpec, family_tree_as_of

    start, end = week_range(week)
    as_of = as_of or week_end(week)
    t = family_tree_as_of(
        conn, TreeSpec(family.lower(), since=since, as_of=as_of, new_from=start, new_to=end)
    )
    note = f"Highlighted: new in {week} ({start} .. {week_end(week)}). {t.caption}"
    info = render(t.root, out, width_px=width_px, title=f"The {t.root.title}", note=note)
    if info["overlaps"]:
        out.unlink(missing_ok=True)
        raise AbreastError(
            f"the {family} tree would have {info['overlaps']} overlapping labels at {width_px} px; "
            "draw less with --since."
        )
    return dict(info, caption=t.caption, as_of=as_of)


def week_families(conn: sqlite3.Connection, week: str) -> list[str]:
    """Model families the week's stories are about, most prominent first: each story's models vote
    for their families, weighted by the story's rank (the #1 story counts most); a family whose
    maker
    released a model that week comes first."""
    stories = sql.week_stories(conn, week)
    if not stories:
        return []
    rows = sql.list_models(conn)
    family_of = {r.id: r.family for r in rows}
    index = mention_index(family_of, set(sql.facts_by_field(conn, "official")))
    votes: dict[str, float] = defaultdict(float)
    for i, (_sid, _title, rank, entities) in enumerate(stories):
        weight = 1.0 / (rank or i + 1)
        fams = {
            family_of.get(mid)
            for e in entities
            if e.startswith("model:")
            for mid in resolve_mention(e, index)
        }
        for f in fams - {None}:
            votes[f] += weight
    # A family whose maker released something this week (Falcon 3 in 2024-W51) is the week's family
    # news even when older families are named more often in passing.
    start, end = week_range(week)
    for m in new_models(conn, start, end):
        if m.family in votes and m.id.split("/")[0] == HOME_ORG.get(m.family):
            votes[m.family] += 10.0
    return sorted(votes, key=lambda f: (-votes[f], f))


def _story_note(w: WeekInModels, mid: str) -> str:
    st = w.stories.get(mid)
    return f" — in the news: {st[0][1]}" if st else ""
