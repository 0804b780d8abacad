"""SQL for learning what the reader cares about (migration 0008): the signals as they stand, the
features of the items they name, the fitted model, and mutes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from ..learn.model import Prior, TrainingSet
from .compact import decode_vectors
from .db import now, rows_in, transaction

MUTE_KINDS = ("source", "domain", "term")


@dataclass(frozen=True)
class ItemFacts:
    """What the understand stage knows about an item, for the interest model."""

    key: str
    kind: str
    source: str
    domain: str
    themes: tuple[str, ...]
    entities: tuple[str, ...]
    jargon: tuple[str, ...]
    vector: np.ndarray  # empty when the item has no embedding of the model asked for


def standing_signals(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(item key, signal) as the feedback stands now: each target's latest signal, a story's
    signal given to each of its items; an item's own signal wins over its story's."""
    latest = conn.execute(
        "SELECT item_key, story_id, signal FROM feedback WHERE id IN (SELECT max(id) FROM feedback "
        "GROUP BY coalesce(item_key, ''), coalesce(story_id, ''))"
    ).fetchall()
    own: dict[str, str] = {}
    via_story: dict[str, str] = {}
    for item_key, story_id, signal in latest:
        if signal == "undo":
            continue
        if item_key:
            own[item_key] = signal
        else:
            for (key,) in conn.execute(
                "SELECT i.key FROM story_items si JOIN items i ON i.id = si.item_id "
                "WHERE si.story_id = ? AND si.role != 'duplicate'",
                (story_id,),
            ):
                via_story[key] = signal
    return sorted({**via_story, **own}.items())


def item_facts(conn: sqlite3.Connection, keys: Sequence[str], model: str | None) -> list[ItemFacts]:
    """Facts for the given item keys (unknown keys are left out), in the order asked.

    A week's re-rank reads every member (issue 16: 20,000 items < 1 s), so per row there is one
    JSON parse (SQLite joins the three lists) and the vectors are decoded together."""
    ks = list(dict.fromkeys(keys))
    sql = (
        "SELECT i.key, i.kind, i.url, coalesce(s.name, i.kind), '[' || coalesce(a.themes_json, "
        "'[]') || ',' || coalesce(a.entities_json, '[]') || ',' || coalesce(a.jargon_json, '[]') "
        "|| ']', e.vector, e.dim FROM items i "
        "LEFT JOIN sources s ON s.id = i.source_id "
        "LEFT JOIN annotations a ON a.item_id = i.id "
        "LEFT JOIN embeddings e ON e.item_id = i.id AND e.model = ? "
        "WHERE i.key IN ({marks})"
    )
    rows = [tuple(r) for r in rows_in(conn, sql, ks, model or "")]
    vectors = _vectors([(r[5], r[6]) for r in rows])
    out: dict[str, ItemFacts] = {}
    for r, vec in zip(rows, vectors, strict=True):
        themes, entities, jargon = json.loads(r[4])
        out[r[0]] = ItemFacts(
            key=r[0],
            kind=r[1],
            source=r[3],
            domain=domain_of(r[2]),
            themes=tuple(themes),
            entities=tuple(entities),
            jargon=tuple(jargon),
            vector=vec,
        )
    return [out[k] for k in ks if k in out]


def vectors_of(conn: sqlite3.Connection, keys: Sequence[str], model: str | None) -> np.ndarray:
    """One row per key (repeats allowed): its ``model`` embedding, zeros where it has none of the
    model's usual size. The only thing a week's re-rank reads besides the loaded week: one query
    per 900 keys, no JSON, and the vectors decoded together."""
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: a 20,000-item week notices sqlite3.Row
    sql = (
        "SELECT i.key, e.vector, e.dim FROM items i JOIN embeddings e ON e.item_id = i.id "
        "AND e.model = ? WHERE i.key IN ({marks})"
    )
    ks = list(dict.fromkeys(keys))
    rows: list[tuple[str, bytes, int]] = []
    for start in range(0, len(ks), 900):
        part = ks[start : start + 900]
        rows += cur.execute(sql.format(marks=",".join("?" * len(part))), [model or "", *part])
    dims = [r[2] for r in rows if r[2]]
    dim = max(set(dims), key=dims.count) if dims else 0
    blob = {r[0]: r[1] for r in rows if r[2] == dim and r[1] and len(r[1]) in (dim + 4, 4 * dim)}
    out = np.zeros((len(keys), dim), np.float32)
    at = [i for i, k in enumerate(keys) if k in blob]
    if at:
        out[at] = decode_vectors([blob[keys[i]] for i in at], dim)
    return out


def _vectors(blobs: list[tuple[bytes | None, int | None]]) -> list[np.ndarray]:
    """Each row's vector (empty when it has none that decodes), decoded a dimension at a time."""
    out = [np.zeros(0, np.float32)] * len(blobs)
    by_dim: dict[int, list[int]] = {}
    for i, (blob, dim) in enumerate(blobs):
        if blob and dim and len(blob) in (dim + 4, 4 * dim):  # the formats decode_vector reads
            by_dim.setdefault(int(dim), []).append(i)
    for dim, idx in by_dim.items():
        mat = decode_vectors([blobs[i][0] or b"" for i in idx], dim)
        for row, i in enumerate(idx):
            out[i] = mat[row]
    return out


def embedding_model(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT model FROM embeddings GROUP BY model ORDER BY count(*) DESC, model LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def embedding_dim(conn: sqlite3.Connection, model: str | None) -> int:
    row = conn.execute("SELECT dim FROM embeddings WHERE model = ? LIMIT 1", (model,)).fetchone()
    return int(row[0]) if row else 0


def save_model(
    conn: sqlite3.Connection,
    model: dict[str, Any],
    embedder: str | None,
    signals: int,
    rows: RowsUpdate | None = None,
) -> None:
    """The fitted model and, with ``rows``, what changed in the rows it was fitted from."""
    with transaction(conn):
        if rows is not None:
            _write_rows(conn, rows)
        conn.execute(
            "INSERT INTO interest_model(id, model_json, embedder, signals, updated_at, rows_json) "
            "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET model_json = "
            "excluded.model_json, embedder = excluded.embedder, signals = excluded.signals, "
            "updated_at = excluded.updated_at, rows_json = excluded.rows_json",
            (
                json.dumps(model),
                embedder,
                signals,
                now(),
                None
                if rows is None
                else json.dumps(
                    {
                        "dim": rows.ts.dim,
                        "topics": rows.topics,
                        "features": rows.ts.features,
                        "prior": None if rows.ts.prior is None else rows.ts.prior.to_dict(),
                    }
                ),
            ),
        )


@dataclass
class RowsUpdate:
    """The training rows after a signal and which of them changed since they were loaded."""

    ts: TrainingSet
    topics: list[str]
    rebuilt: bool = False  # every row is new (a first fit, or the embedder or topics changed)
    added: list[int] = field(default_factory=list)  # positions of new rows
    relabelled: list[int] = field(default_factory=list)  # positions whose label changed


def _write_rows(conn: sqlite3.Connection, rows: RowsUpdate) -> None:
    ts = rows.ts
    if rows.rebuilt:
        conn.execute("DELETE FROM interest_rows")
    added = range(len(ts.keys)) if rows.rebuilt else rows.added
    conn.executemany(
        "INSERT INTO interest_rows(pos, key, label, named_json, vector, gram) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                i,
                ts.keys[i],
                ts.labels[i],
                json.dumps(ts.named[i]),
                ts.vectors[i].astype("<f4").tobytes(),
                np.stack([ts.gram_named[i, : i + 1], ts.gram_vector[i, : i + 1]])
                .astype("<f4")
                .tobytes(),
            )
            for i in added
        ],
    )
    if not rows.rebuilt:
        conn.executemany(
            "UPDATE interest_rows SET label = ? WHERE pos = ?",
            [(ts.labels[i], i) for i in rows.relabelled],
        )


def load_model(conn: sqlite3.Connection) -> tuple[dict[str, Any], str | None] | None:
    row = conn.execute("SELECT model_json, embedder FROM interest_model WHERE id = 1").fetchone()
    return (json.loads(row[0]), row[1]) if row else None


def load_rows(conn: sqlite3.Connection) -> tuple[TrainingSet, str | None, list[str]] | None:
    """The rows the saved model was fitted from, its embedder and configured topics; None when
    there are none (a store from before migration 0014, or after a reset)."""
    meta = conn.execute("SELECT rows_json, embedder FROM interest_model WHERE id = 1").fetchone()
    if meta is None or meta[0] is None:
        return None
    d = json.loads(meta[0])
    dim = int(d["dim"])
    rows = conn.execute(
        "SELECT pos, key, label, named_json, vector, gram FROM interest_rows ORDER BY pos"
    ).fetchall()
    n = len(rows)
    if any(r[0] != i for i, r in enumerate(rows)):
        return None  # not the dense 0..n-1 the matrices need: rebuild from the feedback
    gram = np.zeros((2, n, n))
    vectors = np.zeros((n, dim), np.float32)
    for i, r in enumerate(rows):
        # Each row holds its products with the rows before it and itself: row i and column i.
        if len(r[5]) != 2 * 4 * (i + 1) or len(r[4]) != 4 * dim:
            return None  # written in another layout: rebuild from the feedback
        g = np.frombuffer(r[5], dtype="<f4").reshape(2, i + 1)
        gram[:, i, : i + 1] = g
        gram[:, : i + 1, i] = g
        vectors[i] = np.frombuffer(r[4], dtype="<f4")
    gram_named, gram_vector = gram[0], gram[1]
    ts = TrainingSet(
        dim=dim,
        features=str(d.get("features", "")),  # rows from before the layout was saved: ''
        keys=[r[1] for r in rows],
        labels=[None if r[2] is None else float(r[2]) for r in rows],
        named=[json.loads(r[3]) for r in rows],
        vectors=vectors,
        gram_named=gram_named,
        gram_vector=gram_vector,
        prior=Prior.from_dict(d["prior"]) if d.get("prior") else None,
    )
    return ts, meta[1], list(d["topics"])


def reset(conn: sqlite3.Connection) -> int:
    """Forget every signal and the model (mutes stay: they are settings, not learning)."""
    with transaction(conn):
        n = conn.execute(
            "DELETE FROM feedback WHERE signal IN ('more', 'less', 'save', 'hide', 'undo')"
        ).rowcount
        conn.execute("DELETE FROM interest_model")
        conn.execute("DELETE FROM interest_rows")
    return n


def add_mute(conn: sqlite3.Connection, kind: str, value: str) -> bool:
    with transaction(conn):
        cur = conn.execute(
            "INSERT OR IGNORE INTO mutes(kind, value, at) VALUES (?, ?, ?)", (kind, value, now())
        )
    return cur.rowcount > 0


def remove_mute(conn: sqlite3.Connection, kind: str, value: str) -> bool:
    with transaction(conn):
        cur = conn.execute("DELETE FROM mutes WHERE kind = ? AND value = ?", (kind, value))
    return cur.rowcount > 0


def mutes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [
        (r[0], r[1]) for r in conn.execute("SELECT kind, value FROM mutes ORDER BY kind, value")
    ]


def stories_with_known_items(conn: sqlite3.Connection) -> set[str]:
    """Stories holding an item the reader has seen (see ``known_items``)."""
    sql = (
        "SELECT DISTINCT si.story_id FROM story_items si JOIN items i ON i.id = si.item_id "
        "WHERE i.key IN ({marks})"
    )
    return {r[0] for r in rows_in(conn, sql, sorted(known_items(conn)))}


def known_items(conn: sqlite3.Connection) -> set[str]:
    """Items the reader has seen: marked known, saved, or given any opinion."""
    rows = conn.execute(
        "SELECT DISTINCT i.key FROM feedback f JOIN items i ON i.key = f.item_key "
        "WHERE f.signal IN ('known', 'save', 'more', 'less') "
        "UNION SELECT DISTINCT i.key FROM feedback f JOIN story_items si ON si.story_id = "
        "f.story_id "
        "JOIN items i ON i.id = si.item_id WHERE f.signal IN ('known', 'save', 'more', 'less')"
    ).fetchall()
    return {r[0] for r in rows}


def domain_of(url: str | None) -> str:
    """The host of ``url`` without "www.", lower case. The common "scheme://host/..." is split by
    hand (a tenth of urlsplit's time, which a 20,000-item week notices); anything else goes
    through urlsplit."""
    if not url:
        return ""
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0] if sep else ""
    if not host or "@" in host or "[" in host or not scheme.isalpha():
        host = urlsplit(url).hostname or ""
    else:
        host = host.split(":", 1)[0].lower()
    return host.removeprefix("www.")
