"""Discussion comments: the Hacker News threads and Reddit comment trees of top stories' items."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..links import normalize_url
from ..types import Comment
from .db import now, transaction


def comment_of(r: sqlite3.Row) -> Comment:
    return Comment(
        id=r["id"],
        item_key=r["item_key"],
        author=r["author"],
        score=r["score"],
        text=r["text"],
        url=r["url"],
        posted_at=r["posted_at"],
        parent_id=r["parent_id"],
        depth=r["depth"],
    )


def comments_for(conn: sqlite3.Connection, item_keys: Iterable[str]) -> list[Comment]:
    """Every stored comment of these items, thread order kept per item (the order they were
    stored)."""
    keys = list(dict.fromkeys(item_keys))
    out: list[Comment] = []
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        out += [
            comment_of(r)
            for r in conn.execute(
                "SELECT * FROM discussion_comments "
                f"WHERE item_key IN ({','.join('?' * len(chunk))}) ORDER BY item_key, rowid",
                chunk,
            )
        ]
    return out


def replace_comments(
    conn: sqlite3.Connection, item_key: str, comments: list[Comment], seen_count: int | None
) -> None:
    """Store an item's freshly fetched thread in place of the previous copy, in one transaction.
    A permalink is normalised like every stored URL (links.normalize_url); a comment without a
    usable one cannot be cited and is left out."""
    comments = [
        c if u == c.url else replace(c, url=u) for c in comments if (u := normalize_url(c.url))
    ]
    with transaction(conn):
        conn.execute("DELETE FROM discussion_comments WHERE item_key = ?", (item_key,))
        conn.executemany(
            "INSERT OR IGNORE INTO discussion_comments(id, item_key, author, score, text, url, "
            "posted_at, parent_id, depth) VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    c.id,
                    item_key,
                    c.author,
                    c.score,
                    c.text,
                    c.url,
                    c.posted_at,
                    c.parent_id,
                    c.depth,
                )
                for c in comments
            ],
        )
        conn.execute(
            "INSERT OR REPLACE INTO discussion_fetches(item_key, fetched_at, status, comments, "
            "seen_count, error) VALUES (?, ?, 'ok', ?, ?, NULL)",
            (item_key, now(), len(comments), seen_count),
        )


def record_discussion_error(
    conn: sqlite3.Connection, item_key: str, error: str, status: str = "error"
) -> None:
    """A thread that could not be read keeps its previous comments; the error is kept for
    `status`. Status 'gone' (the site says the thread does not exist) is not retried; 'error' is."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO discussion_fetches(item_key, fetched_at, status, comments, error) "
            "VALUES (?, ?, ?, 0, ?) ON CONFLICT(item_key) DO UPDATE SET "
            "fetched_at = excluded.fetched_at, status = excluded.status, error = excluded.error",
            (item_key, now(), status, error),
        )


def discussion_fetches(
    conn: sqlite3.Connection, item_keys: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """item key -> {status, comments, seen_count, fetched_at} for items whose thread was fetched."""
    keys = list(item_keys)
    out = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        for r in conn.execute(
            f"SELECT * FROM discussion_fetches WHERE item_key IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            out[r["item_key"]] = dict(r)
    return out
