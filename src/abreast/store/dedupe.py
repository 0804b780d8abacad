"""SQL for duplicate detection's persistent index (migration 0017): hashes of each item's canonical
URLs, normalized title and MinHash bands, so a run compares new items with the few stored items
that share one instead of with the whole store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from ..types import StoredItem
from .db import rows_in, transaction
from .items import stored_item

INDEX_STAGE = "dedupe_index"  # stage_inputs row saying every stored item has its keys indexed


def add_keys(conn: sqlite3.Connection, rows: Iterable[tuple[int, int]]) -> None:
    """File (hash, item id) rows; a row already there is kept."""
    with transaction(conn):
        conn.executemany("INSERT OR IGNORE INTO dedupe_keys(h, item_id) VALUES (?, ?)", rows)


def sharing(conn: sqlite3.Connection, hashes: Iterable[int]) -> set[int]:
    """Ids of the stored items filed under any of ``hashes`` (deleted items left out)."""
    return {
        r[0]
        for r in rows_in(
            conn,
            "SELECT DISTINCT k.item_id FROM dedupe_keys k JOIN items i ON i.id = k.item_id "
            "WHERE k.h IN ({marks})",
            sorted(set(hashes)),
        )
    }


def groups_of(conn: sqlite3.Connection, item_ids: Iterable[int]) -> set[int]:
    """``item_ids`` with every item in a duplicate group with one of them (the canonical item and
    the items marked as its duplicates)."""
    ids = set(item_ids)
    canon = set(ids)
    for r in rows_in(
        conn,
        "SELECT duplicate_of FROM annotations WHERE duplicate_of IS NOT NULL AND item_id IN "
        "({marks})",
        sorted(ids),
    ):
        canon.add(r[0])
    ids |= canon
    for r in rows_in(
        conn, "SELECT item_id FROM annotations WHERE duplicate_of IN ({marks})", sorted(canon)
    ):
        ids.add(r[0])
    return ids


def items_by_id(conn: sqlite3.Connection, item_ids: Iterable[int]) -> list[StoredItem]:
    """The items with these ids, oldest row first, as items_for_understanding gives them."""
    out = [
        stored_item(r)
        for r in rows_in(
            conn,
            "SELECT items.*, sources.name AS source FROM items "
            "LEFT JOIN sources ON sources.id = items.source_id WHERE items.id IN ({marks})",
            sorted(set(item_ids)),
        )
    ]
    out.sort(key=lambda it: it.id)
    for it in out:
        if it.source:
            it.extra.setdefault("source", it.source)
    return out


def unindexed_ids(conn: sqlite3.Connection, chunk: int = 5000) -> Iterator[list[int]]:
    """Ids of every stored item, in chunks (for indexing a store made before the index)."""
    last = 0
    while True:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM items WHERE id > ? ORDER BY id LIMIT ?", (last, chunk)
            )
        ]
        if not ids:
            return
        yield ids
        last = ids[-1]


def index_built(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM stage_inputs WHERE stage = ? AND week = '*'", (INDEX_STAGE,)
        ).fetchone()
        is not None
    )
