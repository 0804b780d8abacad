"""SQL for the understand stage: the embeddings and annotations tables (migration
0002_understand)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from ..types import AnnotatedItem, Annotation, StoredItem
from .compact import (
    decode_hash,
    decode_vector,
    decode_why,
    encode_hash,
    encode_vector,
    encode_why,
)
from .db import READ_TEXT, now, rows_in, transaction
from .items import stored_item

if TYPE_CHECKING:
    import numpy as np


def items_for_understanding(conn: sqlite3.Connection) -> list[StoredItem]:
    """Every item, oldest row first; ``extra["source"]`` carries the source name so per-source trust
    matches the user's name for it."""
    rows = conn.execute(
        "SELECT items.*, sources.name AS source "
        "FROM items LEFT JOIN sources ON sources.id = items.source_id ORDER BY items.id"
    ).fetchall()
    out = [stored_item(r) for r in rows]
    for it in out:
        if it.source:
            it.extra.setdefault("source", it.source)
    return out


def count_ai(conn: sqlite3.Connection) -> int:
    """How many stored items are about AI."""
    return int(conn.execute("SELECT count(*) FROM annotations WHERE is_ai = 1").fetchone()[0])


def weeks_with_ai_items(conn: sqlite3.Connection) -> list[str]:
    """ISO weeks with at least one AI item, oldest first."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT items.week FROM items JOIN annotations a ON a.item_id = items.id "
            "WHERE a.is_ai = 1 AND items.week IS NOT NULL GROUP BY items.week ORDER BY items.week"
        )
    ]


def annotated_hashes(conn: sqlite3.Connection) -> dict[int, str]:
    return {
        iid: decode_hash(h) or ""  # a NULL hash matches no item's content
        for iid, h in conn.execute("SELECT item_id, content_hash FROM annotations")
    }


def vectors_for(
    conn: sqlite3.Connection, item_ids: list[int], model: str
) -> dict[int, tuple[np.ndarray, str]]:
    out: dict[int, tuple[np.ndarray, str]] = {}
    for start in range(0, len(item_ids), 500):
        ids = item_ids[start : start + 500]
        rows = conn.execute(
            f"SELECT item_id, dim, vector, content_hash FROM embeddings WHERE model = ? "
            f"AND item_id IN ({','.join('?' * len(ids))})",
            (model, *ids),
        ).fetchall()
        for r in rows:
            vec = decode_vector(r["vector"], r["dim"])
            if vec is not None:
                out[r["item_id"]] = (vec, decode_hash(r["content_hash"]) or "")
    return out


def save(
    conn: sqlite3.Connection,
    model: str,
    embeddings: list[tuple[int, np.ndarray, str]],
    annotations: list[tuple[int, Annotation, int | None, str]],
) -> None:
    """Store new vectors and annotations in one transaction: a crash leaves the previous state.
    Both are stored compactly (store/compact.py)."""
    ts = now()
    with transaction(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO embeddings(item_id, model, dim, vector, content_hash) VALUES "
            "(?,?,?,?,?)",
            [(iid, model, len(v), encode_vector(v), encode_hash(h)) for iid, v, h in embeddings],
        )
        conn.executemany(
            # An upsert, not INSERT OR REPLACE: REPLACE deletes without firing the delete
            # trigger, and the week counts (migration 0017) would count the item twice.
            "INSERT INTO annotations(item_id, relevance, is_ai, themes_json, entities_json, "
            "jargon_json, duplicate_of, why, content_hash, annotated_at) VALUES "
            "(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(item_id) DO UPDATE SET relevance = "
            "excluded.relevance, is_ai = excluded.is_ai, themes_json = excluded.themes_json, "
            "entities_json = excluded.entities_json, jargon_json = excluded.jargon_json, "
            "duplicate_of = excluded.duplicate_of, why = excluded.why, "
            "content_hash = excluded.content_hash, annotated_at = excluded.annotated_at",
            [
                (
                    iid,
                    a.relevance,
                    int(a.is_ai),
                    json.dumps(a.themes),
                    json.dumps(a.entities),
                    json.dumps(a.jargon),
                    dup,
                    encode_why(a.why),
                    encode_hash(h),
                    ts,
                )
                for iid, a, dup, h in annotations
            ],
        )


def sync_duplicates(
    conn: sqlite3.Connection, dup_of: dict[int, int | None], scope: Iterable[int] | None = None
) -> int:
    """Make annotations.duplicate_of match dup_of (item id -> canonical item id) for the items in
    ``scope`` (default: every annotated item); returns rows changed."""
    if scope is None:
        current = dict(conn.execute("SELECT item_id, duplicate_of FROM annotations").fetchall())
    else:
        current = {
            r[0]: r[1]
            for r in rows_in(
                conn,
                "SELECT item_id, duplicate_of FROM annotations WHERE item_id IN ({marks})",
                sorted(set(scope)),
            )
        }
    changes = [(dup_of.get(iid), iid) for iid, cur in current.items() if dup_of.get(iid) != cur]
    if changes:
        with transaction(conn):
            conn.executemany("UPDATE annotations SET duplicate_of = ? WHERE item_id = ?", changes)
    return len(changes)


# The columns of an AnnotatedItem and the joins they need; web.py lists items with them too.
ANNOTATED_COLS = (
    f"SELECT items.id, items.key, items.kind, items.url, items.title, {READ_TEXT} AS text, "
    "items.published_at, "
    "items.week, items.score_json, coalesce(sources.name, items.kind) AS source, "
    "a.relevance, a.is_ai, a.themes_json, a.entities_json, a.jargon_json, d.key AS duplicate_of, "
    "(SELECT story_id FROM story_items WHERE story_items.item_id = items.id LIMIT 1) AS story_id "
)
ANNOTATED_JOINS = (
    "LEFT JOIN sources ON sources.id = items.source_id "
    "LEFT JOIN annotations a ON a.item_id = items.id LEFT JOIN items d ON d.id = a.duplicate_of "
)


def annotated_item(r: sqlite3.Row) -> AnnotatedItem:
    return AnnotatedItem(
        id=r["id"],
        key=r["key"],
        kind=r["kind"],
        source=r["source"],
        title=r["title"],
        url=r["url"],
        text=r["text"] or "",
        published_at=r["published_at"],
        week=r["week"],
        signals=json.loads(r["score_json"] or "{}"),
        relevance=r["relevance"],
        is_ai=bool(r["is_ai"]) if r["is_ai"] is not None else None,
        themes=json.loads(r["themes_json"] or "[]"),
        entities=json.loads(r["entities_json"] or "[]"),
        jargon=json.loads(r["jargon_json"] or "[]"),
        duplicate_of=r["duplicate_of"],
        story_id=r["story_id"],
    )


def annotated_items(conn: sqlite3.Connection, week: str | None = None) -> list[AnnotatedItem]:
    """Items with their annotation (None where not yet annotated), oldest first: the export."""
    sql = ANNOTATED_COLS + "FROM items " + ANNOTATED_JOINS
    args: tuple[Any, ...] = ()
    if week:
        sql += " WHERE items.week = ?"
        args = (week,)
    rows = conn.execute(sql + " ORDER BY items.published_at, items.id", args).fetchall()
    return [annotated_item(r) for r in rows]


def why(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    """Everything `abreast why KEY` prints; None when the item exists but is not annotated yet."""
    r = conn.execute(
        "SELECT items.key, items.title, items.url, items.kind, sources.name AS source, "
        "a.relevance, a.is_ai, "
        "a.themes_json, a.entities_json, a.jargon_json, a.why, a.annotated_at, d.key AS "
        "duplicate_of, "
        "a.item_id AS annotated FROM items LEFT JOIN sources ON sources.id = items.source_id "
        "LEFT JOIN annotations a ON a.item_id = items.id LEFT JOIN items d ON d.id = "
        "a.duplicate_of "
        "WHERE items.key = ?",
        (key,),
    ).fetchone()
    if r is None:
        raise NotFound(f"no item with key {key!r}. Keys look like hn:42166030 or arxiv:2412.12345.")
    if r["annotated"] is None:
        return None
    models = [
        m[0]
        for m in conn.execute(
            "SELECT model FROM embeddings JOIN items ON items.id = embeddings.item_id WHERE "
            "items.key = ?",
            (key,),
        )
    ]
    return {
        "key": r["key"],
        "title": r["title"],
        "url": r["url"],
        "kind": r["kind"],
        "source": r["source"],
        "relevance": r["relevance"],
        "is_ai": bool(r["is_ai"]),
        "themes": json.loads(r["themes_json"]),
        "entities": json.loads(r["entities_json"]),
        "jargon": json.loads(r["jargon_json"]),
        "duplicate_of": r["duplicate_of"],
        "why": decode_why(r["why"]),
        "annotated_at": r["annotated_at"],
        "embedding_models": models,
    }
