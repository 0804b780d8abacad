"""A real store filled the way collect + understand would fill it: items, annotations, embeddings.

Vectors are built from named topic directions plus a little noise, so a test can say "these two
items are about the same thing" without loading an embedding model.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from abreast.item import Item
from abreast.store.db import now, transaction
from abreast.store.items import Store

DIM = 64


def topic_vector(topic: str, noise: float = 0.15, seed: int = 0) -> np.ndarray:
    base = np.random.default_rng(int(hashlib.md5(topic.encode()).hexdigest()[:8], 16)).normal(
        size=DIM
    )
    jitter = (
        np.random.default_rng(seed).normal(size=DIM) * noise * np.linalg.norm(base) / np.sqrt(DIM)
    )
    v = base + jitter
    return (v / np.linalg.norm(v)).astype(np.float32)


class WeekWriter:
    def __init__(self, store: Store):
        self.store = store
        self._seed = 0

    def add(
        self,
        key: str,
        title: str,
        when: str,
        topic: str,
        kind: str | None = None,
        url: str | None = None,
        signals: dict | None = None,
        entities: list[str] | None = None,
        jargon: list[str] | None = None,
        is_ai: bool = True,
        text: str = "",
        embed: bool = True,
        source: str | None = None,
    ) -> int:
        kind = kind or key.split(":", 1)[0]
        self._seed += 1
        src_id = self._source(source or kind, kind)
        self.store.upsert_items(
            [
                Item(
                    key=key,
                    kind=kind,
                    title=title,
                    url=url,
                    text=text,
                    published_at=when,
                    signals=signals or {},
                )
            ],
            source_id=src_id,
        )
        item_id = self.store.conn.execute("SELECT id FROM items WHERE key = ?", (key,)).fetchone()[
            0
        ]
        with transaction(self.store.conn):
            self.store.conn.execute(
                "INSERT OR REPLACE INTO annotations(item_id, relevance, is_ai, themes_json, "
                "entities_json, "
                "jargon_json, duplicate_of, why, content_hash, annotated_at) VALUES "
                "(?,?,?,?,?,?,?,?,?,?)",
                (
                    item_id,
                    0.9 if is_ai else 0.1,
                    int(is_ai),
                    json.dumps(["research"]),
                    json.dumps(entities or []),
                    json.dumps(jargon or []),
                    None,
                    "{}",
                    "h",
                    now(),
                ),
            )
            if embed:
                v = topic_vector(topic, seed=self._seed)
                self.store.conn.execute(
                    "INSERT OR REPLACE INTO embeddings(item_id, model, dim, vector, content_hash) "
                    "VALUES (?,?,?,?,?)",
                    (item_id, "test-topics", DIM, v.astype("<f4").tobytes(), "h"),
                )
        return item_id

    def _source(self, name: str, kind: str) -> int:
        row = self.store.conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        return self.store.add_source(name, kind, f"https://example.org/{name}").id


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "abreast.db")
    yield s
    s.close()


@pytest.fixture
def week(store):
    return WeekWriter(store)
