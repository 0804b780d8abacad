"""SQL for the retrieval core (abreast.retrieve): full-text candidates, the searchable corpus with
its vectors, and the texts of a few chosen items. Tables from migrations 0001-0003 (item_fts, items,
annotations, embeddings, stories)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..types import CorpusRow, StoryPaper
from .compact import stored_matrix
from .db import rows_in
from .items import RANKED


def corpus(
    conn: sqlite3.Connection, model: str, floor: int | None = None
) -> tuple[list[CorpusRow], np.ndarray, np.ndarray | None]:
    """Every searchable item with its ``model`` vector (rows without one are left out), in item
    order; with ``floor``, only items whose id is at least ``floor`` (the recent window). The
    vectors as stored (store.compact.stored_matrix): int8 codes and their scales, or float32 and
    None."""
    rows = conn.execute(
        "SELECT items.id, items.key, items.kind, coalesce(sources.name, items.kind) AS source, "
        "items.title, items.url, items.published_at, items.score_json, a.entities_json, "
        "a.jargon_json, "
        "e.vector, e.dim, st.story_id, coalesce(st.n_sources, 1) AS n_sources "
        "FROM items JOIN annotations a ON a.item_id = items.id AND a.is_ai = 1 "
        "AND a.duplicate_of IS NULL "
        "JOIN embeddings e ON e.item_id = items.id AND e.model = ? "
        "LEFT JOIN sources ON sources.id = items.source_id "
        # each item's (latest) story and how many sources that story has, counted only for the
        # stories of the window's items (index story_items_item), not every story in the store
        "LEFT JOIN (SELECT si.item_id, max(si.story_id) AS story_id, max(sc.n) AS n_sources "
        "  FROM story_items si JOIN (SELECT si2.story_id, count(DISTINCT coalesce(s2.name, "
        "i2.kind)) AS n "
        "    FROM story_items si2 JOIN items i2 ON i2.id = si2.item_id "
        "    LEFT JOIN sources s2 ON s2.id = i2.source_id "
        "    WHERE si2.story_id IN (SELECT story_id FROM story_items WHERE item_id >= ?) "
        "    GROUP BY si2.story_id) sc "
        "  ON sc.story_id = si.story_id WHERE si.item_id >= ? GROUP BY si.item_id) st "
        "ON st.item_id = items.id "
        "WHERE items.id >= ? ORDER BY items.id",
        (model, floor or 0, floor or 0, floor or 0),
    ).fetchall()
    # Every vector has the corpus's dimension (the first row's); one of another length (a
    # different model's, a damaged row) is left out rather than breaking the whole matrix.
    dim = rows[0]["dim"] if rows else 0
    fits = {dim + 4, 4 * dim}
    out, blobs = [], []
    for r in rows:
        if r["dim"] != dim or len(r["vector"]) not in fits:
            continue
        out.append(
            CorpusRow(
                item_id=r["id"],
                key=r["key"],
                kind=r["kind"],
                source=r["source"],
                title=r["title"] or "",
                url=r["url"],
                published_at=r["published_at"],
                signals=json.loads(r["score_json"] or "{}"),
                entities=json.loads(r["entities_json"] or "[]"),
                jargon=json.loads(r["jargon_json"] or "[]"),
                story_id=r["story_id"],
                story_sources=int(r["n_sources"] or 1),
            )
        )
        blobs.append(r["vector"])
    return (out, *stored_matrix(blobs, dim))


def corpus_version(conn: sqlite3.Connection, model: str) -> tuple[Any, ...]:
    """Changes whenever items, annotations, embeddings or stories change: the corpus cache key."""
    return tuple(
        conn.execute(
            "SELECT (SELECT count(*) FROM items), (SELECT max(id) FROM items), "
            "(SELECT max(annotated_at) FROM annotations), "
            "(SELECT count(*) FROM embeddings WHERE model = ?), "
            "(SELECT max(updated_at) FROM stories)",
            (model,),
        ).fetchone()
    )


def change_counters(conn: sqlite3.Connection) -> tuple[int, int]:
    """(PRAGMA data_version, total_changes): both unchanged means nothing was written since."""
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def top_story_papers(conn: sqlite3.Connection, week: str, stories: int = 40) -> list[StoryPaper]:
    """arXiv members of the week's best-ranked stories, best story first."""
    rows = conn.execute(
        "SELECT items.key, items.title, items.url, items.published_at, items.kind, "
        "coalesce(sources.name, items.kind) AS source, st.id AS story_id, st.rank, st.score, "
        "st.week FROM (SELECT id, rank, score, week FROM stories WHERE week = ? "
        "ORDER BY rank LIMIT ?) st JOIN story_items si ON si.story_id = st.id "
        "JOIN items ON items.id = si.item_id LEFT JOIN sources ON sources.id = items.source_id "
        "WHERE items.kind = 'arxiv' ORDER BY st.rank, items.id",
        (week, stories),
    )
    return [StoryPaper(*r) for r in rows]


def embedding_models(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(model, number of vectors), most vectors first."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT model, count(*) FROM embeddings GROUP BY model ORDER BY count(*) DESC, model"
        )
    ]


def fts_ranked(
    conn: sqlite3.Connection, match: str, limit: int = 200, floor: int | None = None
) -> list[tuple[int, float]]:
    """(item id, bm25) for an FTS5 ``match`` expression, best first (bm25: lower is better; the
    title counts three times the text); with ``floor``, only items whose id is at least that (FTS5
    then reads and scores only their part of the index). The query of Store.search
    (store.items.RANKED: bm25 computed once per match, the top ``limit`` kept while scoring)."""
    if not match.strip():
        return []
    return [
        (r[0], r[1])
        for r in conn.execute(
            f"SELECT id, rank FROM {RANKED.format(limit=' LIMIT ?')} ORDER BY rank, id",
            (match, floor or 0, limit),
        )
    ]


def fts_count(conn: sqlite3.Connection, match: str, cap: int = -1, floor: int | None = None) -> int:
    """How many items (with ``floor``: of id at least that) match ``match``, 0 for an empty
    expression; counting stops at ``cap`` when one is given: "is this word common?" needs no
    exact count of 100k matches."""
    if not match.strip():
        return 0
    sql = (
        "SELECT count(*) FROM (SELECT 1 FROM item_fts WHERE item_fts MATCH ? AND rowid >= ? "
        "LIMIT ?)"
    )
    return int(conn.execute(sql, (match, floor or 0, cap)).fetchone()[0])


def fts_among(conn: sqlite3.Connection, match: str, item_ids: Sequence[int]) -> set[int]:
    """Which of ``item_ids`` match ``match``: FTS5 lists the matches between the lowest and the
    highest of them (rowid order, nothing scored), however many other items match."""
    if not match.strip() or not item_ids:
        return set()
    rows = conn.execute(
        "SELECT rowid FROM item_fts WHERE item_fts MATCH ? AND rowid BETWEEN ? AND ?",
        (match, min(item_ids), max(item_ids)),
    )
    return {r[0] for r in rows} & set(item_ids)


def sense_terms(
    conn: sqlite3.Connection, floor: int | None, sensed: set[str], since: str | None = None
) -> tuple[dict[str, dict[int, Any]], str | None]:
    """(term -> {item id: content hash} of the searchable items of id ``floor`` and above, annotated
    after ``since`` when given, whose annotation lists one of the ``sensed`` terms; the latest
    annotation time among the items read, None when none was)."""
    out: dict[str, dict[int, Any]] = {}
    latest = None
    rows = conn.execute(
        "SELECT items.id, items.content_hash, a.jargon_json, a.annotated_at FROM annotations a "
        "JOIN items ON items.id = a.item_id WHERE a.item_id >= ? AND a.annotated_at > ? "
        "AND a.is_ai = 1 AND a.duplicate_of IS NULL",
        (floor or 0, since or ""),
    )
    for item_id, content_hash, terms, at in rows:
        latest = at if latest is None or at > latest else latest
        if terms == "[]":
            continue
        for t in json.loads(terms):
            if t in sensed:
                out.setdefault(t, {})[item_id] = content_hash
    return out, latest


@dataclass(frozen=True)
class SenseInput:
    """What a word-sense verdict on an item reads (retrieve/verdicts.py)."""

    item_id: int
    title: str
    text: str
    kind: str
    url: str | None
    content_hash: Any
    vector: np.ndarray  # decoded exactly as the search index decodes it


def sense_inputs(conn: sqlite3.Connection, item_ids: Sequence[int], model: str) -> list[SenseInput]:
    """The items of ``item_ids`` that have a ``model`` vector, in id order."""
    sql = (
        "SELECT items.id, coalesce(items.title, ''), coalesce(items.text, ''), items.kind, "
        "items.url, items.content_hash, e.vector, e.dim FROM items "
        "JOIN embeddings e ON e.item_id = items.id AND e.model = ? "
        "WHERE items.id IN ({marks}) ORDER BY items.id"
    )
    out = []
    for r in conn.execute(sql.format(marks=",".join("?" * len(item_ids))), (model, *item_ids)):
        if len(r[6]) not in (r[7] + 4, 4 * r[7]):
            continue  # as corpus(): a vector of another length is not searched
        stored, scales = stored_matrix([r[6]], r[7])
        vec = stored[0].astype(np.float32) * scales[0] if scales is not None else stored[0]
        out.append(SenseInput(r[0], r[1], r[2], r[3], r[4], r[5], vec))
    return out


def content_hashes(conn: sqlite3.Connection, item_ids: Sequence[int]) -> dict[int, Any]:
    """item id -> its content hash (what a kept word-sense verdict was judged on)."""
    sql = "SELECT id, content_hash FROM items WHERE id IN ({marks})"
    return {r[0]: r[1] for r in rows_in(conn, sql, item_ids)}


def texts(conn: sqlite3.Connection, item_ids: Sequence[int]) -> dict[int, str]:
    """item id -> its text (for reasons and sense checks of the few items we propose)."""
    sql = "SELECT id, coalesce(text, '') FROM items WHERE id IN ({marks})"
    return {r[0]: r[1] for r in rows_in(conn, sql, item_ids)}


def story_of_items(conn: sqlite3.Connection, item_ids: Sequence[int]) -> dict[int, str]:
    """item id -> the (latest) story it belongs to, for the items that belong to one."""
    sql = (
        "SELECT item_id, max(story_id) FROM story_items WHERE item_id IN ({marks}) GROUP BY item_id"
    )
    return {r[0]: r[1] for r in rows_in(conn, sql, item_ids)}


def texts_by_key(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, str]:
    """item key -> its text, for the few items an answer quotes."""
    sql = "SELECT key, coalesce(text, '') FROM items WHERE key IN ({marks})"
    return {r[0]: r[1] for r in rows_in(conn, sql, keys)}


def lead_keys(conn: sqlite3.Connection, story_ids: Sequence[str]) -> list[str]:
    """The item key of each story's lead member, in the order of ``story_ids``."""
    if not story_ids:
        return []
    ids = list(story_ids)
    rows = conn.execute(
        "SELECT si.story_id, items.key FROM story_items si JOIN items ON items.id = si.item_id "
        f"WHERE si.role = 'lead' AND si.story_id IN ({','.join('?' * len(ids))})",
        ids,
    ).fetchall()
    lead = {r[0]: r[1] for r in rows}
    return [lead[s] for s in ids if s in lead]


def themes_by_key(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, list[str]]:
    """item key -> its themes (from the understand stage), for filtering search results."""
    sql = (
        "SELECT items.key, a.themes_json FROM items JOIN annotations a ON a.item_id = items.id "
        "WHERE items.key IN ({marks})"
    )
    return {r[0]: json.loads(r[1] or "[]") for r in rows_in(conn, sql, keys)}
