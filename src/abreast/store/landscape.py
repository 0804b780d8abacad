"""SQL for the open-model registry (tables of migration 0004_landscape). Functions take a
connection."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ..types import ModelBase, ModelFact, ModelScore, RegistryModel
from .compact import decode_extra
from .db import now, rows_in, transaction

_MODEL_COLS = (
    "id",
    "name",
    "org",
    "family",
    "released",
    "params_b",
    "context_length",
    "license",
    "first_item_key",
)

_CHILDREN = (
    ("model_bases", "model_id, base_id, relation, source"),
    ("model_facts", "model_id, field, value, source, as_of"),
    ("model_scores", "model_id, board, snapshot, score, rank"),
)
_MASK = (1 << 128) - 1


def _row_hash(table: str, row: tuple[Any, ...]) -> int:
    return int.from_bytes(hashlib.blake2b(repr((table, row)).encode(), digest_size=16).digest())


def _digests(
    models: Iterable[tuple[Any, ...]], children: Iterable[tuple[str, Iterable[tuple[Any, ...]]]]
) -> dict[str, int]:
    """model id -> a digest of its row and its rows in every child table, in any order (a sum of
    row hashes): what update_registry compares, one integer per model instead of the stored
    registry held in memory (395k facts at 1M items)."""
    out = {row[0]: _row_hash("models", row) for row in models}
    for table, rows in children:
        for row in rows:
            if row[0] in out:  # a child row without its model is not written (foreign key)
                out[row[0]] = (out[row[0]] + _row_hash(table, row)) & _MASK
    return out


def update_registry(
    conn: sqlite3.Connection,
    models: Iterable[dict[str, Any]],
    bases: Iterable[tuple[Any, ...]],
    facts: Iterable[tuple[Any, ...]],
    scores: Iterable[tuple[Any, ...]],
) -> int:
    """Make the stored registry equal to these rows, in one transaction, writing only the models
    whose rows differ (a new week changes a few hundred of tens of thousands: rewriting every row
    was a third of `process` at 1M items). A crash leaves the previous registry; the result is
    the same rows a full replace writes, ``updated_at`` aside (when a model's rows last changed).
    Returns how many models were written or removed."""
    model_rows = [tuple(m[c] for c in _MODEL_COLS) for m in models]
    child_rows = [[tuple(r) for r in rows] for rows in (bases, facts, scores)]
    new = _digests(model_rows, zip((t for t, _c in _CHILDREN), child_rows, strict=True))
    old = _digests(
        (tuple(r) for r in conn.execute(f"SELECT {', '.join(_MODEL_COLS)} FROM models")),
        (
            (table, (tuple(r) for r in conn.execute(f"SELECT {cols} FROM {table}")))
            for table, cols in _CHILDREN
        ),
    )
    gone = [mid for mid in old if mid not in new]
    changed = {mid for mid, digest in new.items() if old.get(mid) != digest}
    stamped = conn.execute(
        "SELECT 1 FROM stage_inputs WHERE stage = 'registry_rows' AND week = '*'"
    ).fetchone()
    if not gone and not changed and stamped:
        return 0
    ts = now()
    with transaction(conn):
        for chunk in _chunks([*gone, *sorted(changed)], 500):
            marks = ",".join("?" * len(chunk))
            for table, _cols in _CHILDREN:
                conn.execute(f"DELETE FROM {table} WHERE model_id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM models WHERE id IN ({marks})", chunk)
        conn.executemany(
            f"INSERT INTO models({', '.join(_MODEL_COLS)}, updated_at) "
            f"VALUES ({', '.join('?' * (len(_MODEL_COLS) + 1))})",
            [(*row, ts) for row in model_rows if row[0] in changed],
        )
        for (table, cols), rows in zip(_CHILDREN, child_rows, strict=True):
            todo = sorted(set(r for r in rows if r[0] in changed), key=repr)
            if todo:
                marks = ",".join("?" * len(todo[0]))
                conn.executemany(f"INSERT INTO {table}({cols}) VALUES ({marks})", todo)
        # What readers cache derived registry data under (registry_stamp) changes with the rows.
        conn.execute(
            "INSERT INTO stage_inputs(stage, week, fingerprint, at) VALUES ('registry_rows', "
            "'*', ?, ?) ON CONFLICT(stage, week) DO UPDATE SET fingerprint = excluded.fingerprint, "
            "at = excluded.at",
            (f"{ts}|{len(gone)}|{len(changed)}", ts),
        )
    return len(gone) + len(changed)


def _chunks(values: list[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(values), n):
        yield values[i : i + n]


def count_models(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM models").fetchone()[0])


def registry_stamp(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """What identifies one build of the registry, cheaply (primary-key ends, counts): readers
    cache what they derive from the whole registry under it, so a page does not redo per request
    what changes only when `process` rebuilds the registry. update_registry records a new
    fingerprint with every change it writes; a registry written whole before it did is told by
    its last fact's rowid (the count of facts after a whole rewrite, without counting 395k rows
    at 1M items)."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM models), (SELECT min(id) FROM models), "
        "(SELECT max(id) FROM models), "
        "(SELECT fingerprint FROM stage_inputs WHERE stage = 'registry_rows' AND week = '*')"
    ).fetchone()
    if row[3] is None:
        row = (*row, conn.execute("SELECT max(rowid) FROM model_facts").fetchone()[0])
    return (conn.execute("PRAGMA database_list").fetchone()[2], *row)


def list_models(
    conn: sqlite3.Connection,
    family: str | None = None,
    org: str | None = None,
    license: str | None = None,
    released_from: str | None = None,
    released_to: str | None = None,
) -> list[RegistryModel]:
    where, args = [], []
    if family:
        where.append("lower(family) = lower(?)")
        args.append(family)
    if org:
        where.append("lower(org) = lower(?)")
        args.append(org)
    if license:
        where.append("lower(license) LIKE lower(?)")
        args.append(f"%{license}%")
    if released_from:
        where.append("released >= ?")
        args.append(released_from)
    if released_to:
        where.append("released < ?")
        args.append(released_to)
    sql = "SELECT * FROM models" + (" WHERE " + " AND ".join(where) if where else "")
    return [_model(r) for r in conn.execute(sql + " ORDER BY released DESC, id", args)]


def _model(r: sqlite3.Row) -> RegistryModel:
    return RegistryModel(
        id=r["id"],
        name=r["name"],
        org=r["org"],
        family=r["family"],
        released=r["released"],
        params_b=r["params_b"],
        context_length=r["context_length"],
        license=r["license"],
        first_item_key=r["first_item_key"],
        updated_at=r["updated_at"],
    )


def get_model(conn: sqlite3.Connection, model_id: str) -> RegistryModel | None:
    r = conn.execute("SELECT * FROM models WHERE id = ?", (model_id,)).fetchone()
    return _model(r) if r else None


def model_by_alias(conn: sqlite3.Connection, alias: str) -> RegistryModel | None:
    """The model that a source names ``alias`` (case-insensitive), if any."""
    r = conn.execute(
        "SELECT model_id FROM model_facts WHERE field = 'alias' AND lower(value) = lower(?)",
        (alias,),
    ).fetchone()
    return get_model(conn, r[0]) if r else None


def find_models(conn: sqlite3.Connection, text: str, limit: int = 5) -> list[RegistryModel]:
    """Models whose id or name contains ``text``, shortest first: what the user probably meant."""
    like = f"%{text.lower()}%"
    rows = conn.execute(
        "SELECT * FROM models WHERE lower(id) LIKE ? OR lower(name) LIKE ? ORDER BY length(id), "
        "id LIMIT ?",
        (like, like, limit),
    )
    return [_model(r) for r in rows]


def model_facts(conn: sqlite3.Connection, model_id: str) -> list[ModelFact]:
    rows = conn.execute(
        "SELECT field, value, source, as_of FROM model_facts WHERE model_id = ? ORDER BY field, "
        "as_of DESC",
        (model_id,),
    )
    return [ModelFact(*r) for r in rows]


def has_fact_from(conn: sqlite3.Connection, model_id: str, sources: Sequence[str]) -> bool:
    """Whether any of ``sources`` states a fact about the model: one walk of the model's index
    entries in SQL, not its facts read into Python (a much-discussed model has a fact per news
    item that names it: thousands at 1M items)."""
    marks = ",".join("?" * len(sources))
    return bool(
        conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM model_facts WHERE model_id = ? AND source IN ({marks}))",
            (model_id, *sources),
        ).fetchone()[0]
    )


def facts_by_field(conn: sqlite3.Connection, field: str) -> dict[str, str]:
    """{model id: value} for one field, the newest claim per model (e.g. hearts, official)."""
    rows = conn.execute(
        "SELECT model_id, value FROM model_facts WHERE field = ? ORDER BY as_of", (field,)
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def first_news_dates(conn: sqlite3.Connection) -> dict[str, str]:
    """{model id: date of the first stored news item (not its own HF card) that mentions it}."""
    return dict(
        conn.execute(
            "SELECT model_id, as_of FROM model_facts WHERE field = 'first_news'"
        ).fetchall()
    )


def bases_of(conn: sqlite3.Connection, model_id: str) -> list[ModelBase]:
    rows = conn.execute(
        "SELECT model_id, base_id, relation, source FROM model_bases WHERE model_id = ? "
        "ORDER BY base_id",
        (model_id,),
    )
    return [ModelBase(*r) for r in rows]


def children_of(conn: sqlite3.Connection, model_id: str) -> list[ModelBase]:
    rows = conn.execute(
        "SELECT model_id, base_id, relation, source FROM model_bases WHERE base_id = ? "
        "ORDER BY model_id",
        (model_id,),
    )
    return [ModelBase(*r) for r in rows]


def all_bases(conn: sqlite3.Connection) -> list[ModelBase]:
    rows = conn.execute("SELECT model_id, base_id, relation, source FROM model_bases")
    return [ModelBase(*r) for r in rows]


def scores_of(conn: sqlite3.Connection, model_id: str) -> list[ModelScore]:
    rows = conn.execute(
        "SELECT model_id, board, snapshot, score, rank FROM model_scores WHERE model_id = ? "
        "ORDER BY board, snapshot",
        (model_id,),
    )
    return [ModelScore(*r) for r in rows]


def board_snapshot(conn: sqlite3.Connection, board: str, snapshot: str) -> dict[str, ModelScore]:
    rows = conn.execute(
        "SELECT model_id, board, snapshot, score, rank FROM model_scores "
        "WHERE board = ? AND snapshot = ?",
        (board, snapshot),
    )
    return {r[0]: ModelScore(*r) for r in rows}


def scored_ids(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT DISTINCT model_id FROM model_scores")}


def snapshots(conn: sqlite3.Connection, board: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT snapshot FROM model_scores WHERE board = ? ORDER BY snapshot", (board,)
        )
    ]


def hf_items(conn: sqlite3.Connection) -> list[tuple[str, str | None, dict[str, Any], str]]:
    """(key, published_at, extra, text: the card's first section) of every Hugging Face item,
    oldest first."""
    rows = conn.execute(
        "SELECT key, published_at, extra_json, text FROM items WHERE kind = 'hf' "
        "ORDER BY published_at, id"
    )
    return [(r[0], r[1], decode_extra(r[2]), r[3] or "") for r in rows]


def item_entities(conn: sqlite3.Connection) -> list[tuple[str, str | None, str, str, list[str]]]:
    """(item key, published_at, title, text, entity ids), oldest first, of the items that can
    mention a model: annotated items whose entities name one (partial index annotations_models)
    and Hugging Face items (which name themselves). Not a pass over every item (issue 20); the
    text is left empty: the entity ids are what the registry reads."""
    rows = conn.execute(
        "SELECT items.key, items.published_at, items.title, '', a.entities_json, items.id "
        "FROM annotations a JOIN items ON items.id = a.item_id "
        "WHERE a.entities_json LIKE '%\"model:%' "
        "UNION SELECT items.key, items.published_at, items.title, '', "
        "coalesce(a.entities_json, '[]'), items.id FROM items "
        "LEFT JOIN annotations a ON a.item_id = items.id WHERE items.kind = 'hf' "
        "ORDER BY 2, 6"
    ).fetchall()
    return [(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]


def week_stories(
    conn: sqlite3.Connection, week: str
) -> list[tuple[str, str, int | None, set[str]]]:
    """(story id, title, rank, entity ids of the story and of its items) for one week."""
    out = []
    stories = conn.execute(
        "SELECT id, title, rank, entities_json FROM stories WHERE week = ? "
        "ORDER BY rank IS NULL, rank, score DESC",
        (week,),
    ).fetchall()
    for s in stories:
        ents = set(json.loads(s["entities_json"] or "[]"))
        for r in conn.execute(
            "SELECT annotations.entities_json FROM story_items JOIN annotations "
            "ON annotations.item_id = story_items.item_id WHERE story_items.story_id = ?",
            (s["id"],),
        ):
            ents.update(json.loads(r[0] or "[]"))
        out.append((s["id"], s["title"], s["rank"], ents))
    return out


def news_points(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, float]:
    """{item key: points (HN) or score (Reddit)} for the news items among ``keys`` that have
    either: the attention a mention of a model carries."""
    out = {}
    for key, raw in rows_in(
        conn,
        "SELECT key, score_json FROM items WHERE kind NOT IN ('arxiv', 'hf') "
        "AND score_json != '{{}}' AND key IN ({marks})",
        sorted(set(keys)),
    ):
        sc = json.loads(raw or "{}")
        pts = sc.get("points", sc.get("score"))
        if isinstance(pts, (int, float)) and pts > 0:
            out[key] = float(pts)
    return out


def mentions(
    conn: sqlite3.Connection, upto: str | None = None
) -> list[tuple[str, str, str, float, int]]:
    """(model id, item key, date, points, models the item names) of every news mention recorded by
    the registry, up to and including ``upto`` (YYYY-MM-DD) when given."""
    rows = conn.execute(
        "SELECT model_id, substr(field, 9), as_of, value, count(*) OVER (PARTITION BY field) "
        "FROM model_facts WHERE field LIKE 'mention:%'" + (" AND as_of <= ?" if upto else ""),
        (upto,) if upto else (),
    ).fetchall()
    return [(r[0], r[1], r[2], float(r[3] or 0), r[4]) for r in rows]


def scored_ids_upto(conn: sqlite3.Connection, upto: str | None = None) -> set[str]:
    """Models on any leaderboard snapshot taken on or before ``upto`` (all snapshots when None)."""
    if not upto:
        return scored_ids(conn)
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT model_id FROM model_scores WHERE snapshot <= ?", (upto,)
        )
    }


def mention_items(
    conn: sqlite3.Connection, model_id: str
) -> list[tuple[str, str, str | None, str, float]]:
    """(item key, title, url, published date, points) of the news items that name a model, oldest
    first: where it was discussed."""
    rows = conn.execute(
        "SELECT items.key, items.title, items.url, model_facts.as_of, model_facts.value "
        "FROM model_facts JOIN items ON items.key = substr(model_facts.field, 9) "
        "WHERE model_facts.model_id = ? AND model_facts.field LIKE 'mention:%' "
        "ORDER BY model_facts.as_of, items.key",
        (model_id,),
    ).fetchall()
    return [(r[0], r[1], r[2], r[3], float(r[4] or 0)) for r in rows]
