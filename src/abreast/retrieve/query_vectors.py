"""Vectors of the texts the retrieval core embeds at query time (a TODO and its paragraph, its
words, the words around a glossary term in a candidate, a sense's gloss), kept between runs.

Why: `abreast todo` is run again and again on the same draft while it is written, and loading the
embedding model costs more CPU than the whole search (~0.4 s of the ~1.3 s a run takes). With the
vectors of the texts it embedded last time at hand, a run loads the model only for texts it has not
seen. The vectors are keyed by model name and text, so they are the model's own output, never stale;
the file lives beside the store (``cache/query-vectors.sqlite``) and keeps the MAX_ROWS newest.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..understand.embed import Embedder
from .cache_files import cache_file, thread_connection

MAX_ROWS = 20_000  # about 20 MB of 256-d vectors: many drafts' worth
CHUNK = 500  # keys per lookup (SQLite's variable limit is far above)


class QueryVectors(Embedder):
    """An embedder that answers from kept vectors and loads ``load()`` only for new texts."""

    name = "query-vectors"  # the wrapped model's name, set per instance
    dim = 0

    def __init__(self, model: str, dim: int, load: Callable[[], Embedder], path: Path | None):
        self.name = model  # type: ignore[misc]  # the vectors are that model's
        self.dim = dim  # type: ignore[misc]
        self._load = load
        self._inner: Embedder | None = None
        self._path = path
        self._memory: dict[bytes, np.ndarray] = {}
        # One connection per thread (cache_files): a glossary request judges in small batches.
        self._local = threading.local()

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keys = [self._key(t) for t in texts]
        self._read([k for k in dict.fromkeys(keys) if k not in self._memory])
        new = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._memory}
        if new:
            if self._inner is None:
                self._inner = self._load()
            vecs = np.asarray(self._inner.embed_batch(list(new.values())), dtype=np.float32)
            fresh = dict(zip(new, vecs, strict=True))
            self._memory.update(fresh)
            self._write(fresh)
        for i, k in enumerate(keys):
            out[i] = self._memory[k]
        return out

    def _key(self, text: str) -> bytes:
        return hashlib.sha1(f"{self.name}\0{text}".encode()).digest()

    def _connect(self) -> sqlite3.Connection | None:
        conn, new = thread_connection(self._local, self._path)
        if conn is not None and new:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)"
            )
        return conn

    def _read(self, keys: list[bytes]) -> None:
        if not keys or self._path is None or not self._path.exists():
            return
        conn = self._connect()
        assert conn is not None
        for i in range(0, len(keys), CHUNK):
            part = keys[i : i + CHUNK]
            marks = ",".join("?" * len(part))
            for key, blob in conn.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part
            ):
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.size == self.dim:
                    self._memory[bytes(key)] = vec

    def _write(self, fresh: dict[bytes, np.ndarray]) -> None:
        conn = self._connect()
        if conn is None:
            return
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                [(k, v.astype(np.float32).tobytes()) for k, v in fresh.items()],
            )
            # The newest MAX_ROWS stay; rowids grow with every insert.
            conn.execute(
                "DELETE FROM vectors WHERE rowid <= (SELECT max(rowid) FROM vectors) - ?",
                (MAX_ROWS,),
            )


def cache_path(database: str | None) -> Path | None:
    """Where a store's query vectors are kept: beside its database file (none for a memory one)."""
    return cache_file(database, "query-vectors.sqlite")
