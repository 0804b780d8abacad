"""Word-sense verdicts kept beside the store, so that no search pays for judging them.

Why: a request that names a glossary term ("agent", "alignment") keeps only candidates that use it
in its sense (retrieve/sense.py). Judging one means reading its text, parsing each use of the term
and embedding the words around it: ~0.3 ms an item. At 1M items the best candidates for "agent"
are ~70 copies of items about a robot's or a game's agents, and the first such request of a
process spent 25-60 ms judging them (a whole request is ~15 ms). A verdict depends only on the
item, the term and the rules, so it is computed once: by `process`, for every item of the recent
window whose annotation lists a term that has a sense (precompute), and by a search for any other
candidate it judges; both are kept here and read back by the next process.

What is kept: (term, item id, the item's content hash, in sense or not), in
``cache/sense-verdicts.sqlite`` beside the database (as the query vectors are: derived data, never
needed to rebuild the store). A verdict is used only while the item's content hash is the one it
was judged on, and the whole file is forgotten when the rules change: RULES hashes sense.py,
jargon.py and the glossary, so a new rule or glossary entry can never meet an old verdict.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..store import retrieval as sql
from ..store.db import database_file
from ..store.items import Store, recent_floor
from ..understand import jargon
from ..understand.embed import Embedder
from . import sense
from .cache_files import cache_file, thread_connection
from .sense import is_paper, judge_many, senses

BATCH = 64  # items judged per call of judge_many: one read of texts, one embedding call


@lru_cache(maxsize=1)
def rules() -> str:
    """What every verdict follows from: the judging code and its learned model, the term finder
    and the glossary."""
    h = hashlib.sha1()
    for path in (Path(sense.__file__), sense.MODEL_PATH, Path(jargon.__file__), jargon.GLOSSARY):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_path(database: str | None) -> Path | None:
    """Where a store's verdicts are kept: beside its database file (none for a memory one)."""
    return cache_file(database, "sense-verdicts.sqlite")


class KeptVerdicts:
    """(term, item) -> in sense, for items whose content hash is the one they were judged on."""

    def __init__(self, path: Path | None, model: str):
        self._path = path
        self._version = f"{rules()}|{model}"
        self._local = threading.local()  # one connection per thread (the web app's pool)
        self.reset = False  # whether opening found verdicts of other rules and forgot them

    def open(self) -> None:
        self._connect()

    def _connect(self) -> sqlite3.Connection | None:
        conn, new = thread_connection(self._local, self._path)
        if conn is None or not new:
            return conn
        with conn:
            # A file of another layout (derived data, an earlier version of this module) is
            # started again rather than read.
            cols = [r[1] for r in conn.execute("PRAGMA table_info(rules)")]
            if cols and cols != ["version", "judged_through"]:
                conn.execute("DROP TABLE rules")
                conn.execute("DROP TABLE IF EXISTS verdicts")
            # version: the rules and embedder the verdicts follow; judged_through: the latest
            # annotation time of the items `process` judged (precompute)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS rules (version TEXT NOT NULL, judged_through TEXT)"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS verdicts (term TEXT NOT NULL, item_id INTEGER NOT NULL,"
                " hash BLOB NOT NULL, ok INTEGER NOT NULL, PRIMARY KEY (term, item_id))"
                " WITHOUT ROWID"
            )
            kept = conn.execute("SELECT version FROM rules").fetchone()
            self.reset = kept is None or kept[0] != self._version
            if self.reset:
                # Verdicts of other rules (or another embedder) say nothing about these.
                conn.execute("DELETE FROM verdicts")
                conn.execute("DELETE FROM rules")
                conn.execute("INSERT INTO rules VALUES (?, NULL)", (self._version,))
        return conn

    def get(self, term: str, hashes: dict[int, Any]) -> dict[int, bool]:
        """item id -> in sense, for the items of ``hashes`` (id -> content hash) judged on that
        content."""
        conn = self._connect()
        if conn is None or not hashes:
            return {}
        ids = list(hashes)
        out: dict[int, bool] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = conn.execute(
                "SELECT item_id, hash, ok FROM verdicts WHERE term = ? "
                f"AND item_id IN ({','.join('?' * len(part))})",
                (term, *part),
            )
            out.update({r[0]: bool(r[2]) for r in rows if r[1] == hashes[r[0]]})
        return out

    def mark_judged(self, through: str | None) -> None:
        conn = self._connect()
        if conn is not None and through:
            with conn:
                conn.execute("UPDATE rules SET judged_through = ?", (through,))

    def put(self, term: str, judged: Iterable[tuple[int, Any, bool]]) -> None:
        conn = self._connect()
        if conn is None:
            return
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO verdicts (term, item_id, hash, ok) VALUES (?, ?, ?, ?)",
                [(term, i, h, int(ok)) for i, h, ok in judged],
            )


def judge_items(
    term: str,
    items: Sequence[tuple[str, str, object]],
    embedder: Embedder,
    papers: list[bool],
) -> list[bool]:
    """In the sense of ``term`` or not, for each (title, text, vector): sense.judge_many's verdict,
    as keep_in_sense reads it for one term."""
    return [v.startswith("in") for v in judge_many(term, list(items), embedder, papers)]  # type: ignore[arg-type]


def precompute(
    store: Store, progress: Callable[[int, int], None] | None = None, all_time: bool = False
) -> int:
    """Judges every item of the recent window (every item with ``all_time``) whose annotation
    lists a term that has a sense, unless kept; returns how many verdicts it judged. A run with
    nothing new reads the window's term lists and the kept verdicts' keys, nothing else."""
    from .index import _model_name, _query_embedder

    path = cache_path(database_file(store.conn))
    if not senses() or path is None:
        return 0
    floor = None if all_time else recent_floor(store.conn)
    # Only items annotated since the last run (an item whose text changed is annotated again);
    # the window's floor only rises, so no older item enters it.
    since = _judged_through(path)
    wanted, latest = sql.sense_terms(store.conn, floor, set(senses()), since)
    if not wanted and since is not None:
        _mark(path, latest)
        return 0
    # The embedder's name is read only now: finding the one with most vectors reads them all.
    if not sql.embedding_models(store.conn):
        return 0
    model = _model_name(store)
    kept = KeptVerdicts(path, model)
    kept.open()  # forgets the verdicts of other rules or another embedder
    if kept.reset and since is not None:
        wanted, latest = sql.sense_terms(store.conn, floor, set(senses()))
    todo: dict[str, dict[int, Any]] = {}
    for term, hashes in wanted.items():
        have = kept.get(term, hashes)
        missing = {i: h for i, h in hashes.items() if i not in have}
        if missing:
            todo[term] = missing
    total = sum(map(len, todo.values()))
    if not total:
        kept.mark_judged(latest or since)
        return 0
    embedder: Embedder | None = None
    done = 0
    for term, missing in sorted(todo.items()):
        ids = sorted(missing)
        for at in range(0, len(ids), BATCH):
            part = ids[at : at + BATCH]
            rows = sql.sense_inputs(store.conn, part, model)
            if embedder is None and rows:
                embedder = _query_embedder(store, model, len(rows[0].vector))
            if not rows:
                continue
            assert embedder is not None
            ok = judge_items(
                term,
                [(r.title, r.text, r.vector) for r in rows],
                embedder,
                [is_paper(r.kind, r.url) for r in rows],
            )
            kept.put(term, [(r.item_id, r.content_hash, v) for r, v in zip(rows, ok, strict=True)])
            done += len(part)
            if progress:
                progress(done, total)
    kept.mark_judged(latest or since)
    return done


def _judged_through(path: Path) -> str | None:
    """The latest annotation time of the items precompute judged, if the file holds verdicts of
    these rules (whatever the embedder: opening it for another forgets them and this mark)."""
    if not path.exists():
        return None
    conn = sqlite3.connect(path, timeout=10)
    try:
        row = conn.execute("SELECT version, judged_through FROM rules").fetchone()
    except sqlite3.OperationalError:  # no table yet, or another layout (see KeptVerdicts)
        return None
    finally:
        conn.close()
    return row[1] if row and str(row[0]).startswith(f"{rules()}|") else None


def _mark(path: Path, through: str | None) -> None:
    if not through:
        return
    conn = sqlite3.connect(path, timeout=10)
    try:
        with conn:
            conn.execute("UPDATE rules SET judged_through = ?", (through,))
    finally:
        conn.close()
