"""Sources, fetches and items."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import NotFound, StoreError
from ..links import normalize_url
from ..types import (
    FETCHED_TEXT,
    Comment,
    Item,
    SearchHit,
    Source,
    StoredItem,
    iso_week,
    with_page,
)
from ..understand.urls import canonicalize
from .compact import decode_extra, decode_hash, encode_extra, encode_hash
from .db import now, open_db, transaction
from .discussions import comments_for

# An item whose content keeps changing (a feed that rewrites timestamps into its body) stops being
# updated after this many changes, so it cannot churn the store and re-trigger embedding forever.
MAX_UPDATES = 20


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def source_of(r: sqlite3.Row) -> Source:
    return Source(
        id=r["id"],
        name=r["name"],
        kind=r["kind"],
        url=r["url"],
        config=json.loads(r["config_json"]),
        etag=r["etag"],
        last_modified=r["last_modified"],
        error_count=r["error_count"],
        last_error=r["last_error"],
        paused=bool(r["paused"]),
        paused_reason=r["paused_reason"],
        gone=bool(r["gone"]),
        last_fetch_at=r["last_fetch_at"],
        next_fetch_at=r["next_fetch_at"],
    )


def stored_item(r: sqlite3.Row) -> StoredItem:
    """A row of ``items.*, sources.name AS source`` as a StoredItem."""
    page_text = r["page_text"] if "page_text" in r.keys() else ""
    return StoredItem(
        key=r["key"],
        kind=r["kind"],
        title=r["title"],
        url=r["url"],
        text=with_page(r["text"] or "", page_text or ""),
        author=r["author"],
        published_at=r["published_at"],
        signals=json.loads(r["score_json"] or "{}"),
        extra=decode_extra(r["extra_json"]),
        text_source=r["text_source"],
        id=r["id"],
        canonical_url=stored_canonical(r["canonical_url"], r["url"]),
        week=r["week"],
        source=r["source"],
        update_count=r["update_count"],
        fetched_at=r["fetched_at"],
        stored_hash=decode_hash(r["content_hash"]) or "",
        text_note=r["text_note"],
        page_text=page_text or "",
    )


def with_safe_url(it: Item) -> Item:
    """The item with its URL normalised (links.normalize_url), the one door every item URL enters
    by: a URL that cannot be made safe is no link at all."""
    url = normalize_url(it.url)
    return it if url == it.url else replace(it, url=url)


def canonical_url(url: str | None) -> str | None:
    return canonicalize(url) if url else None


def _canonical_to_store(url: str | None) -> str | None:
    # Stored only where it differs from the URL (migration 0019): most URLs are canonical already.
    c = canonical_url(url)
    return None if c == url else c


def stored_canonical(stored: str | None, url: str | None) -> str | None:
    """The canonical URL of a row: as stored, or the URL itself where none is stored."""
    return stored if stored is not None else (url or None)


class Store:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    @classmethod
    def open(cls, path: Path | str) -> Store:
        return cls(open_db(path))

    def close(self) -> None:
        self.conn.close()

    @property
    def path(self) -> Path:
        """The database file (SQLite reads this from its own list, without touching pages)."""
        return Path(self.conn.execute("PRAGMA database_list").fetchone()[2])

    # --- sources -------------------------------------------------------------------------------
    def add_source(
        self, name: str, kind: str, url: str, config: dict[str, Any] | None = None
    ) -> Source:
        safe = normalize_url(url)
        if safe is None:
            raise StoreError(f"{url!r} is not an http(s) URL; a source needs one.")
        url = safe
        try:
            with transaction(self.conn):
                self.conn.execute(
                    "INSERT INTO sources(name, kind, url, config_json, created_at) VALUES "
                    "(?,?,?,?,?)",
                    (name, kind, url, json.dumps(config or {}), now()),
                )
        except sqlite3.IntegrityError as e:
            raise StoreError(f"a source named {name!r} already exists; pick another --name.") from e
        return self.source(name)

    def add_sources(self, rows: list[tuple[str, str, str, dict[str, Any]]]) -> int:
        """Add many (name, kind, url, config) sources in ONE transaction: an import that fails
        midway (disk full, a clash) leaves the list as it was, never half imported (issue 18)."""
        values = []
        for name, kind, url, config in rows:
            safe = normalize_url(url)
            if safe is None:
                raise StoreError(f"{url!r} is not an http(s) URL; a source needs one.")
            values.append((name, kind, safe, json.dumps(config or {}), now()))
        try:
            with transaction(self.conn):
                self.conn.executemany(
                    "INSERT INTO sources(name, kind, url, config_json, created_at) "
                    "VALUES (?,?,?,?,?)",
                    values,
                )
        except sqlite3.IntegrityError as e:
            raise StoreError(f"a source name is already taken ({e}); nothing was added.") from e
        return len(values)

    def source(self, name: str) -> Source:
        r = self.conn.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        if r is None:
            raise NotFound(f"no source named {name!r}. `abreast sources list` shows them.")
        return source_of(r)

    def sources(self) -> list[Source]:
        return [source_of(r) for r in self.conn.execute("SELECT * FROM sources ORDER BY name")]

    def remove_source(self, name: str) -> None:
        src = self.source(name)
        with transaction(self.conn):
            self.conn.execute("DELETE FROM sources WHERE id = ?", (src.id,))

    def update_source(self, source_id: int, **fields: Any) -> None:
        if not fields:
            return
        cols = ", ".join(f"{k} = ?" for k in fields)
        with transaction(self.conn):
            self.conn.execute(
                f"UPDATE sources SET {cols} WHERE id = ?", (*fields.values(), source_id)
            )

    def source_item_counts(self) -> dict[int, int]:
        """source id -> items, from the counts triggers keep (migration 0017), not a scan."""
        return dict(
            self.conn.execute(
                "SELECT source_id, items FROM source_stats WHERE items > 0"
            ).fetchall()
        )

    # --- fetches -------------------------------------------------------------------------------
    def start_fetch(self, source_id: int) -> int:
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO fetches(source_id, started_at, status) VALUES (?, ?, 'running')",
                (source_id, now()),
            )
        return int(cur.lastrowid or 0)

    def close_interrupted_fetches(self) -> int:
        """Fetches still 'running' belong to a process that died (a crash, kill -9): record that, so
        the fetch log never claims work is in progress. Their committed items are kept; the next run
        refetches."""
        with transaction(self.conn):
            cur = self.conn.execute(
                "UPDATE fetches SET status = 'interrupted', finished_at = ? "
                "WHERE status = 'running'",
                (now(),),
            )
        return cur.rowcount

    def finish_fetch(
        self,
        fetch_id: int,
        status: str,
        counts: UpsertCounts | None = None,
        http_status: int | None = None,
        nbytes: int | None = None,
        error: str | None = None,
    ) -> None:
        c = counts or UpsertCounts()
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE fetches SET finished_at=?, status=?, http_status=?, bytes=?, items_new=?, "
                "items_updated=?, items_unchanged=?, error=? WHERE id=?",
                (
                    now(),
                    status,
                    http_status,
                    nbytes,
                    c.new,
                    c.updated,
                    c.unchanged,
                    error,
                    fetch_id,
                ),
            )

    # --- items ---------------------------------------------------------------------------------
    def upsert_items(self, items: Iterable[Item], source_id: int | None = None) -> UpsertCounts:
        """Insert new items, update changed ones, in ONE transaction: a crash mid-batch leaves the
        previous state; a rerun is idempotent. Signals always refresh (points grow) without counting
        as a content update."""
        counts = UpsertCounts()
        ts = now()
        items = [with_safe_url(it) for it in items]
        with transaction(self.conn):
            tomb = self._tombstoned([it.key for it in items])
            existing = self._existing([it.key for it in items])
            inserts = []
            for it in items:
                if it.key in tomb:
                    continue
                row = existing.get(it.key)
                if (
                    row is not None
                    and row["text_source"] in FETCHED_TEXT
                    and (not it.text.strip() or it.source_of_text() == "metadata")
                ):
                    # The source gives no text; keep the article text fetched for this item earlier.
                    it.text, it.text_source = row["text"], row["text_source"]
                h = _hash_with_page(it, row["page_text"] if row is not None else "")
                # An undated item belongs to the week it was first seen: as the source recorded it,
                # else this fetch (an update keeps the week it already has).
                week = iso_week(it.published_at) or iso_week(it.extra.get("first_seen"))
                if row is None:
                    inserts.append(
                        (
                            it.key,
                            source_id,
                            it.kind,
                            it.url,
                            _canonical_to_store(it.url),
                            it.title,
                            it.text,
                            it.source_of_text(),
                            it.author,
                            it.published_at,
                            week or iso_week(ts),
                            ts,
                            json.dumps(it.signals),
                            encode_extra(it.extra),
                            encode_hash(h),
                        )
                    )
                    existing[it.key] = {
                        "id": None,
                        "text": it.text,
                        "text_source": it.source_of_text(),
                        "content_hash": h,
                        "page_text": "",
                        "update_count": 0,
                        "score_json": json.dumps(it.signals),
                    }
                    counts.new += 1
                elif decode_hash(row["content_hash"]) != h and row["update_count"] < MAX_UPDATES:
                    self.conn.execute(
                        "UPDATE items SET url=?, canonical_url=?, title=?, text=?, text_source=?, "
                        "author=?, published_at=?, week=coalesce(?, week), updated_at=?, "
                        "update_count=update_count+1, score_json=?, extra_json=?, content_hash=? "
                        "WHERE key=?",
                        (
                            it.url,
                            _canonical_to_store(it.url),
                            it.title,
                            it.text,
                            it.source_of_text(),
                            it.author,
                            it.published_at,
                            week,
                            ts,
                            json.dumps(it.signals),
                            encode_extra(it.extra),
                            encode_hash(h),
                            it.key,
                        ),
                    )
                    counts.updated += 1
                else:
                    if it.signals and json.loads(row["score_json"]) != it.signals:
                        self.conn.execute(
                            "UPDATE items SET score_json=? WHERE key=?",
                            (json.dumps(it.signals), it.key),
                        )
                    counts.unchanged += 1
            self.conn.executemany(
                "INSERT INTO items(key, source_id, kind, url, canonical_url, title, text, "
                "text_source, "
                "author, published_at, week, fetched_at, score_json, extra_json, content_hash) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                inserts,
            )
        return counts

    def _existing(self, keys: list[str]) -> dict[str, sqlite3.Row | dict[str, Any]]:
        # Rows as stored, plus the dicts upsert_items adds for keys it inserted in this batch.
        found: dict[str, sqlite3.Row | dict[str, Any]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            for r in self.conn.execute(
                "SELECT key, id, text, text_source, page_text, content_hash, update_count, "
                "score_json FROM items "
                f"WHERE key IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                found[r["key"]] = r
        return found

    def _tombstoned(self, keys: list[str]) -> set[str]:
        out = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            out |= {
                r[0]
                for r in self.conn.execute(
                    f"SELECT key FROM tombstones WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
            }
        return out

    def set_fetched_text(self, key: str, text: str, source: str) -> None:
        """Give an item the text abreast fetched for it (``source``: page or card). What the source
        itself wrote is never overwritten: an item without words of its own (no text, or only
        abreast's description of its metadata) gets it as its text; an item whose source gave only
        a teaser keeps that and gets the page's text beside it (items.page_text)."""
        r = self.conn.execute(
            "SELECT title, url, author, text, text_source FROM items WHERE key = ?", (key,)
        ).fetchone()
        if r is None:
            return
        own = bool(r["text"]) and r["text_source"] != "metadata"
        whole = with_page(r["text"], text) if own else text
        h = Item(key, "", r["title"], r["url"], whole, r["author"]).content_hash()
        with transaction(self.conn):
            if own:
                self.conn.execute(
                    "UPDATE items SET page_text = ?, text_note = NULL, content_hash = ?, "
                    "updated_at = ? WHERE key = ?",
                    (text, encode_hash(h), now(), key),
                )
            else:
                self.conn.execute(
                    "UPDATE items SET text = ?, text_source = ?, text_note = NULL, "
                    "content_hash = ?, updated_at = ? WHERE key = ?",
                    (text, source, encode_hash(h), now(), key),
                )

    def set_text_note(self, key: str, note: str) -> None:
        """Record why an item has no article text ('paywall', 'a PDF, not a web page', ...)."""
        with transaction(self.conn):
            self.conn.execute("UPDATE items SET text_note = ? WHERE key = ?", (note, key))

    def delete_item(self, key: str) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM items WHERE key = ?", (key,))
            self.conn.execute(
                "INSERT OR REPLACE INTO tombstones(key, deleted_at) VALUES (?, ?)", (key, now())
            )

    def items(self, week: str | None = None, keys: Iterable[str] | None = None) -> list[StoredItem]:
        sql = (
            "SELECT items.*, sources.name AS source FROM items LEFT JOIN sources ON sources.id "
            "= items.source_id"
        )
        args: list[Any] = []
        where = []
        if week:
            where.append("items.week = ?")
            args.append(week)
        if keys is not None:
            keys = list(keys)
            where.append(f"items.key IN ({','.join('?' * len(keys))})")
            args.extend(keys)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.conn.execute(sql + " ORDER BY items.published_at, items.id", args).fetchall()
        return [stored_item(r) for r in rows]

    def item(self, key: str) -> StoredItem:
        rows = self.items(keys=[key])
        if not rows:
            raise NotFound(
                f"no item with key {key!r}. Keys look like hn:42166030 or arxiv:2412.12345."
            )
        return rows[0]

    # --- discussions ---------------------------------------------------------------------------
    def comments_for(self, item_keys: Iterable[str]) -> list[Comment]:
        """The stored Hacker News / Reddit comments of these items (store/discussions.py)."""
        return comments_for(self.conn, item_keys)

    def weeks(self) -> list[tuple[str, int]]:
        """(ISO week, items) for every week with items, oldest first (the week counts triggers
        keep, migration 0017)."""
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT week, items FROM week_stats WHERE items > 0 ORDER BY week"
            )
        ]

    def counts_by_source_week(self) -> list[tuple[str, str | None, int]]:
        """(source name or kind, week, items)."""
        return [
            (r[0], r[1], r[2])
            for r in self.conn.execute(
                "SELECT coalesce(sources.name, items.kind), items.week, count(*) FROM items "
                "LEFT JOIN sources ON sources.id = items.source_id GROUP BY 1, 2 ORDER BY 1, 2"
            )
        ]

    def counts_by_week_kind(self) -> list[tuple[str | None, str, int]]:
        """(week, kind, items)."""
        return [
            (r[0], r[1], r[2])
            for r in self.conn.execute(
                "SELECT week, kind, count(*) FROM items GROUP BY 1, 2 ORDER BY 1, 2"
            )
        ]

    def search(
        self,
        query: str,
        limit: int = 20,
        since: str | None = None,
        until: str | None = None,
        ai_only: bool = False,
        all_time: bool = False,
    ) -> list[SearchHit]:
        """FTS5 search (bm25; lower rank is better). ``query`` is FTS5 syntax; see fts_query().
        Without ``since``/``until`` and ``all_time``, only the RECENT_ITEMS most recently
        collected items are searched."""
        filters, args = [], []
        if since:
            filters.append("items.published_at >= ?")
            args.append(since)
        if until:
            filters.append("items.published_at < ?")
            args.append(until)
        ai_join = (
            "JOIN annotations a ON a.item_id = items.id AND a.is_ai = 1 AND a.duplicate_of IS NULL "
            if ai_only
            else ""
        )
        rows = top_matches(
            self.conn,
            "SELECT items.*, sources.name AS source, m.rank AS rank FROM {matches} m "
            "JOIN items ON items.id = m.id LEFT JOIN sources ON sources.id = items.source_id "
            + ai_join,
            query,
            filters,
            args,
            limit,
            filtered=bool(filters or ai_only),
            floor=None if (all_time or since or until) else recent_floor(self.conn),
        )
        return [SearchHit(item=stored_item(r), rank=r["rank"]) for r in rows]


# bm25 with the title weighted 3x the text, the top k kept while scoring instead of joining every
# match to its item row and sorting them all (issue 20: p99 974 ms at 1M items). ``rowid >= ?``
# (the recent window's floor, 0 for all time) is handed to FTS5 too, which then reads and scores
# only that part of each term's list: scoring is what costs, and at 1M items a common word matches
# 30k of them. Why bm25() and not FTS5's ``ORDER BY rank``: for that, FTS5 runs an inner query
# that computes the rank function twice per match (once to sort, once for the rank column); bm25()
# in our own ORDER BY computes it once, 25-35% less CPU for the same rows in the same order (ties,
# frequent in a store of copies, go by rowid, as FTS5's stable sort put them; tests check it).
RANKED = (
    "(SELECT rowid AS id, bm25(item_fts, 3.0, 1.0) AS rank FROM item_fts WHERE item_fts MATCH ? "
    "AND rowid >= ? ORDER BY rank, rowid{limit})"
)

# Searches read the most recently collected items by default, so their cost stops growing with
# history: about half a year for a reader of arXiv cs.CL/LG/AI, HN and a few dozen feeds (issue
# 20). "All time" is one flag away (`--all-time`, the web's "search all time").
RECENT_ITEMS = 100_000


def recent_floor(conn: sqlite3.Connection, n: int | None = None) -> int | None:
    """The lowest item id of the ``n`` (RECENT_ITEMS) most recently collected items (ids grow as
    items arrive); None when the store holds no more than that, i.e. the window is all time."""
    n = RECENT_ITEMS if n is None else n
    # Two subqueries: each is one B-tree seek; min() and max() in one SELECT scan every row.
    low, high = conn.execute(
        "SELECT (SELECT min(id) FROM items), (SELECT max(id) FROM items)"
    ).fetchone()
    if high is None or high - n + 1 <= low:
        return None
    return int(high - n + 1)


def window_start(conn: sqlite3.Connection, floor: int | None) -> str | None:
    """When the item at ``floor`` was collected (YYYY-MM-DD), to say what the window covers."""
    if floor is None:
        return None
    r = conn.execute("SELECT fetched_at FROM items WHERE id >= ? ORDER BY id LIMIT 1", (floor,))
    row = r.fetchone()
    return str(row[0])[:10] if row and row[0] else None


def top_matches(
    conn: sqlite3.Connection,
    select: str,
    fts: str,
    filters: list[str],
    args: list[Any],
    limit: int,
    filtered: bool,
    floor: int | None = None,
) -> list[sqlite3.Row]:
    """The best ``limit`` FTS matches for ``fts`` among items of id ``floor`` and above (all with
    None), best first. ``select`` reads from ``{matches} m`` (columns id, rank). Without filters
    the top k come straight from FTS5; with filters the matches stream in rank order and the first
    k that pass are kept."""
    where = (" WHERE " + " AND ".join(filters)) if filters else ""
    low = floor or 0
    if filtered:
        sql = (
            select.format(matches=RANKED.format(limit=""))
            + where
            + " ORDER BY m.rank, m.id LIMIT ?"
        )
        return conn.execute(sql, (fts, low, *args, limit)).fetchall()
    sql = select.format(matches=RANKED.format(limit=" LIMIT ?")) + where + " ORDER BY m.rank, m.id"
    return conn.execute(sql, (fts, low, limit, *args)).fetchall()


def fts_query(words: Iterable[str], mode: str = "OR") -> str:
    """Words -> a safe FTS5 query: each word an FTS5 string (quotes doubled, so a user's query is
    text, never syntax), joined by OR/AND. Words with no letter or digit index nothing and are left
    out (a stray quote must not empty an AND); with none left the query is the empty phrase, which
    matches nothing, instead of an empty string, which is an FTS5 syntax error (issue 18)."""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words if any(c.isalnum() for c in w)]
    return f" {mode} ".join(quoted) or '""'


def _hash_with_page(it: Item, page_text: str) -> str:
    """The content hash of an item as stored: with the article page read for it beside the source's
    teaser, so the same teaser fetched again is unchanged rather than an update."""
    if not page_text or not it.text.strip() or it.source_of_text() == "metadata":
        return it.content_hash()
    return replace(it, text=with_page(it.text, page_text)).content_hash()
