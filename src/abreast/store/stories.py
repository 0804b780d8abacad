"""SQL for stories, story_items and trends (tables from migration 0003_stories)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..types import Member, Story, StoryHeader, TermWeek, WeekItem
from .compact import SCORE_V1, SUMMARY_V1, decode_extra, decode_json, decode_vector, encode_json
from .db import READ_TEXT, now, rows_in, transaction

if TYPE_CHECKING:
    import numpy as np

_ITEM_COLS = (
    "items.id AS item_id, items.key, items.kind, items.url, "
    "coalesce(items.canonical_url, nullif(items.url, '')) AS canonical_url, items.title, "
    f"{READ_TEXT} AS text, items.published_at, items.score_json, items.extra_json, "
    "coalesce(sources.name, items.kind) AS source"
)
_ANN_COLS = (
    "annotations.themes_json, annotations.entities_json, annotations.jargon_json, "
    "annotations.duplicate_of"
)


def member_from_row(r: sqlite3.Row, role: str = "member") -> Member:
    keys = r.keys()
    return Member(
        key=r["key"],
        kind=r["kind"],
        source=r["source"],
        title=r["title"],
        url=r["url"],
        text=r["text"] or "",
        published_at=r["published_at"],
        signals=_json(r["score_json"], {}),
        entities=_json(r["entities_json"], []) if "entities_json" in keys else [],
        themes=_json(r["themes_json"], []) if "themes_json" in keys else [],
        jargon=_json(r["jargon_json"], []) if "jargon_json" in keys else [],
        role=role,
        extra=decode_extra(r["extra_json"]) if "extra_json" in keys else {},
    )


def _json(raw: str | None, empty: Any) -> Any:
    return json.loads(raw) if raw and raw not in ("[]", "{}") else type(empty)()


# --- reading the inputs ----------------------------------------------------------------------


def ai_items(conn: sqlite3.Connection, week: str) -> list[WeekItem]:
    """The week's annotated AI items, oldest first (ties on key, so the order is stable)."""
    rows = conn.execute(
        f"SELECT {_ITEM_COLS}, {_ANN_COLS} FROM items JOIN annotations ON annotations.item_id = "
        "items.id "
        "LEFT JOIN sources ON sources.id = items.source_id WHERE items.week = ? AND "
        "annotations.is_ai = 1 "
        "ORDER BY coalesce(items.published_at, ''), items.key",
        (week,),
    ).fetchall()
    return [
        WeekItem(r["item_id"], member_from_row(r), r["canonical_url"], r["duplicate_of"])
        for r in rows
    ]


def week_models(conn: sqlite3.Connection, week: str) -> set[str]:
    """The model entities the week's AI items name (empty when it has none)."""
    out: set[str] = set()
    for (raw,) in conn.execute(
        "SELECT annotations.entities_json FROM items JOIN annotations ON annotations.item_id = "
        "items.id WHERE items.week = ? AND annotations.is_ai = 1 AND annotations.entities_json "
        "LIKE '%model:%'",
        (week,),
    ):
        out.update(e for e in _json(raw, []) if e.startswith("model:"))
    return out


def week_has_items(conn: sqlite3.Connection, week: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM items WHERE week = ? LIMIT 1", (week,)).fetchone() is not None
    )


def week_signals(conn: sqlite3.Connection, week: str) -> list[tuple[str, dict[str, Any]]]:
    """(kind, signals) of every item of the week, AI or not: the scale attention is measured on."""
    rows = conn.execute("SELECT kind, score_json FROM items WHERE week = ?", (week,)).fetchall()
    return [(r["kind"], json.loads(r["score_json"] or "{}")) for r in rows]


def embeddings(
    conn: sqlite3.Connection, item_ids: Sequence[int], model: str | None = None
) -> dict[int, np.ndarray]:
    """item id -> float32 vector. With several models stored, the requested one, else the most
    common."""
    if not item_ids:
        return {}
    out: dict[int, dict[str, np.ndarray]] = {}
    for chunk in _chunks(list(item_ids), 900):
        rows = conn.execute(
            "SELECT item_id, model, dim, vector FROM embeddings WHERE item_id IN "
            f"({','.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
        for r in rows:
            vec = decode_vector(r["vector"], r["dim"])
            if vec is not None:
                out.setdefault(r["item_id"], {})[r["model"]] = vec
    if not out:
        return {}
    if model is None or not any(model in v for v in out.values()):
        counts: dict[str, int] = {}
        for v in out.values():
            for m in v:
                counts[m] = counts.get(m, 0) + 1
        model = max(sorted(counts), key=lambda m: counts[m])
    return {i: v[model] for i, v in out.items() if model in v}


def assignments(conn: sqlite3.Connection, week: str) -> dict[int, tuple[str, str]]:
    """item id -> (story id, role) for the stories already saved for this week."""
    rows = conn.execute(
        "SELECT story_items.item_id, story_items.story_id, story_items.role FROM story_items "
        "JOIN stories ON stories.id = story_items.story_id WHERE stories.week = ?",
        (week,),
    ).fetchall()
    return {r["item_id"]: (r["story_id"], r["role"]) for r in rows}


def summaries(
    conn: sqlite3.Connection, week: str
) -> dict[str, tuple[str | bytes | None, frozenset[int]]]:
    """story id -> (stored summary, its member item ids), so an unchanged story keeps its
    summary."""
    out: dict[str, tuple[str | bytes | None, set[int]]] = {}
    for r in conn.execute("SELECT id, summary_json FROM stories WHERE week = ?", (week,)):
        out[r["id"]] = (r["summary_json"], set())
    for r in conn.execute(
        "SELECT story_items.story_id, story_items.item_id FROM story_items JOIN stories "
        "ON stories.id = story_items.story_id WHERE stories.week = ?",
        (week,),
    ):
        out[r["story_id"]][1].add(r["item_id"])
    return {k: (s, frozenset(ids)) for k, (s, ids) in out.items()}


def earlier_stories(
    conn: sqlite3.Connection, week: str, weeks_back: int = 8
) -> list[tuple[str, str, list[str], list[int], bool]]:
    """(id, week, entities, member item ids, made only of arXiv papers) of the stories of up to
    `weeks_back` weeks before `week`."""
    weeks = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT week FROM stories WHERE week < ? ORDER BY week DESC LIMIT ?",
            (week, weeks_back),
        )
    ]
    if not weeks:
        return []
    marks = ",".join("?" * len(weeks))
    rows = conn.execute(
        f"SELECT id, week, entities_json FROM stories WHERE week IN ({marks}) ORDER BY id", weeks
    ).fetchall()
    members: dict[str, list[int]] = {}
    kinds: dict[str, set[str]] = {}
    for r in conn.execute(
        "SELECT story_items.story_id, story_items.item_id, items.kind FROM story_items JOIN "
        "stories ON "
        f"stories.id = story_items.story_id JOIN items ON items.id = story_items.item_id "
        f"WHERE stories.week IN ({marks})",
        weeks,
    ):
        members.setdefault(r["story_id"], []).append(r["item_id"])
        kinds.setdefault(r["story_id"], set()).add(r["kind"])
    return [
        (
            r["id"],
            r["week"],
            json.loads(r["entities_json"]),
            members.get(r["id"], []),
            kinds.get(r["id"]) == {"arxiv"},
        )
        for r in rows
    ]


# --- writing ---------------------------------------------------------------------------------


def save_week(
    conn: sqlite3.Connection,
    week: str,
    stories: Sequence[Story],
    item_ids: dict[str, int],
    keep_summaries: dict[str, str | bytes | None] | None = None,
) -> None:
    """Replace the week's stories in one transaction (a crash leaves the previous stories
    intact)."""
    keep = keep_summaries or {}
    ts = now()
    with transaction(conn):
        conn.execute("DELETE FROM stories WHERE week = ?", (week,))  # story_items cascade
        conn.executemany(
            "INSERT INTO stories(id, week, title, keywords_json, entities_json, themes_json, "
            "score, score_json, "
            "rank, is_new, related_json, summary_json, updated_at) VALUES "
            "(?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    s.id,
                    week,
                    s.title,
                    json.dumps(s.keywords),
                    json.dumps(s.entities),
                    json.dumps(s.themes),
                    s.score,
                    encode_json(s.score_parts, SCORE_V1),
                    s.rank,
                    int(s.is_new),
                    json.dumps(s.related),
                    # an unchanged story keeps its stored summary as it is (either format)
                    encode_json(s.summary, SUMMARY_V1) if s.summary is not None else keep.get(s.id),
                    ts,
                )
                for s in stories
            ],
        )
        conn.executemany(
            "INSERT INTO story_items(story_id, item_id, role) VALUES (?,?,?)",
            [(s.id, item_ids[m.key], m.role) for s in stories for m in s.members],
        )


# --- loading stories -------------------------------------------------------------------------


def load_week(conn: sqlite3.Connection, week: str) -> list[Story]:
    """The week's stories, best rank first, with their members (lead first)."""
    rows = conn.execute(
        "SELECT * FROM stories WHERE week = ? ORDER BY coalesce(rank, 1e9), id", (week,)
    ).fetchall()
    return _with_members(conn, rows)


def load_story(conn: sqlite3.Connection, story_id: str) -> Story | None:
    rows = conn.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchall()
    found = _with_members(conn, rows)
    return found[0] if found else None


def story_weeks(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT week FROM stories ORDER BY week")]


def _with_members(conn: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> list[Story]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    members: dict[str, list[Member]] = {i: [] for i in ids}
    for chunk in _chunks(ids, 900):
        for r in conn.execute(
            f"SELECT story_items.story_id, story_items.role, {_ITEM_COLS}, {_ANN_COLS} FROM "
            "story_items "
            "JOIN items ON items.id = story_items.item_id LEFT JOIN annotations ON "
            "annotations.item_id = items.id "
            "LEFT JOIN sources ON sources.id = items.source_id "
            f"WHERE story_items.story_id IN ({','.join('?' * len(chunk))}) "
            "ORDER BY story_items.role != 'lead', coalesce(items.published_at, ''), items.key",
            chunk,
        ):
            members[r["story_id"]].append(member_from_row(r, r["role"]))
    return [
        Story(
            id=r["id"],
            week=r["week"],
            title=r["title"],
            members=members[r["id"]],
            keywords=json.loads(r["keywords_json"]),
            entities=json.loads(r["entities_json"]),
            themes=json.loads(r["themes_json"]),
            score=r["score"],
            score_parts=decode_json(r["score_json"], {}),
            rank=r["rank"],
            is_new=bool(r["is_new"]),
            related=json.loads(r["related_json"]),
            summary=decode_json(r["summary_json"]),
        )
        for r in rows
    ]


# --- trends ----------------------------------------------------------------------------------


def ai_titles(
    conn: sqlite3.Connection, weeks: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """(week, title) of every AI item that is not a duplicate (of ``weeks`` only, when given): the
    input of trend detection. Model repos (hf) are left out: a burst of community merges named
    after one base is not news."""
    sql = (
        "SELECT items.week, items.title FROM items JOIN annotations ON annotations.item_id = "
        "items.id WHERE annotations.is_ai = 1 AND items.week IS NOT NULL AND "
        "annotations.duplicate_of IS NULL AND items.kind != 'hf'"
    )
    if weeks is None:
        return [(r[0], r[1]) for r in conn.execute(sql)]
    return [(r[0], r[1]) for r in rows_in(conn, sql + " AND items.week IN ({marks})", weeks)]


def item_weeks(conn: sqlite3.Connection) -> list[str]:
    """Every ISO week with items, oldest first (from the week counts triggers keep, migration
    0014: one row per week, not a pass over the items)."""
    return [r[0] for r in conn.execute("SELECT week FROM week_stats WHERE items > 0 ORDER BY week")]


def week_volumes(conn: sqlite3.Connection) -> dict[str, int]:
    """week -> AI items counted as trend volume (not duplicates, not model repos), as ai_titles
    would count them."""
    return dict(conn.execute("SELECT week, volume FROM week_stats WHERE items > 0").fetchall())


def trend_counts(conn: sqlite3.Connection, weeks: Sequence[str]) -> dict[str, dict[str, int]]:
    """{term: {week: count}} of the trends table's rows for ``weeks``."""
    out: dict[str, dict[str, int]] = {}
    for week, term, count in rows_in(
        conn, "SELECT week, term, count FROM trends WHERE week IN ({marks})", weeks
    ):
        out.setdefault(term, {})[week] = count
    return out


def replace_trends(
    conn: sqlite3.Connection, weeks: Sequence[str], rows: Iterable[tuple[str, str, int, float]]
) -> None:
    """Replace the trends rows of ``weeks`` with (week, term, count, burst) rows."""
    with transaction(conn):
        for week in weeks:
            conn.execute("DELETE FROM trends WHERE week = ?", (week,))
        conn.executemany(
            "INSERT INTO trends(week, term, count, burst) VALUES (?,?,?,?)", list(rows)
        )


def week_top_terms(conn: sqlite3.Connection, week: str, n: int) -> list[str]:
    """The ``n`` strongest terms of a week (rising or not): burst, then count, then name."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT term FROM trends WHERE week = ? ORDER BY burst DESC, count DESC, term LIMIT ?",
            (week, n),
        )
    ]


def term_weeks(conn: sqlite3.Connection, term: str, upto: str) -> dict[str, int]:
    """week -> count of one term up to ``upto`` (index trends_term)."""
    return dict(
        conn.execute(
            "SELECT week, count FROM trends WHERE term = ? AND week <= ?", (term, upto)
        ).fetchall()
    )


def save_trends(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, int, float]]) -> None:
    """Replace the trends table with (week, term, count, burst) rows."""
    with transaction(conn):
        conn.execute("DELETE FROM trends")
        conn.executemany(
            "INSERT INTO trends(week, term, count, burst) VALUES (?,?,?,?)", list(rows)
        )


def load_trends(
    conn: sqlite3.Connection, week: str | None = None, min_burst: float = 0.0
) -> list[TermWeek]:
    if week:
        rows = conn.execute(
            "SELECT week, term, count, burst FROM trends WHERE week = ? AND burst >= ? "
            "ORDER BY burst DESC, term",
            (week, min_burst),
        )
    else:
        rows = conn.execute(
            "SELECT week, term, count, burst FROM trends WHERE burst >= ? "
            "ORDER BY week, burst DESC, term",
            (min_burst,),
        )
    return [TermWeek(*r) for r in rows]


def term_history(
    conn: sqlite3.Connection, terms: Sequence[str], week: str, weeks: int, min_burst: float = 0.0
) -> list[TermWeek]:
    """The trends rows of ``terms`` (burst at least ``min_burst``, as load_trends) for ``week``
    and their last ``weeks`` such rows before it: a few index seeks per term (trends_term), however
    long the history."""
    out: list[TermWeek] = []
    for term in terms:
        out += [
            TermWeek(*r)
            for r in conn.execute(
                "SELECT week, term, count, burst FROM trends WHERE term = ? AND week <= ? "
                "AND burst >= ? ORDER BY week DESC LIMIT ?",
                (term, week, min_burst, weeks + 1),
            )
        ]
    return out


def count_rising(conn: sqlite3.Connection, min_count: int, min_burst: float) -> int:
    """How many (week, term) pairs counted at least ``min_count`` and rose by ``min_burst``."""
    return int(
        conn.execute(
            "SELECT count(*) FROM trends WHERE count >= ? AND burst >= ?", (min_count, min_burst)
        ).fetchone()[0]
    )


def story_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """week -> how many stories it has (the counts triggers keep, migration 0021)."""
    return dict(conn.execute("SELECT week, stories FROM week_stats WHERE stories > 0").fetchall())


def story_headers(conn: sqlite3.Connection, story_ids: list[str]) -> dict[str, StoryHeader]:
    """id -> header, for linking to related stories without loading their members."""
    if not story_ids:
        return {}
    rows = conn.execute(
        f"SELECT id, week, title, rank FROM stories WHERE id IN ({','.join('?' * len(story_ids))})",
        story_ids,
    ).fetchall()
    return {r["id"]: StoryHeader(r["id"], r["week"], r["title"], r["rank"]) for r in rows}


def _chunks(seq: list[Any], n: int) -> Iterable[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def latest_item_week(conn: sqlite3.Connection) -> str | None:
    """The newest ISO week with items."""
    value = conn.execute("SELECT max(week) FROM items WHERE week IS NOT NULL").fetchone()[0]
    return str(value) if value is not None else None


def week_story_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(week, number of stories) for every week with stories, oldest first (migration 0021's
    counts)."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT week, stories FROM week_stats WHERE stories > 0 ORDER BY week"
        )
    ]
