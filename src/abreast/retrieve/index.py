"""The searchable corpus in memory: every AI item's vector, date and importance, loaded once per
store state (a `todo` over a draft with many TODOs reads the store once).

Importance is what a careful reader weighs after relevance, from the parts the story ranker already
uses (stories/rank.py): attention (points and comments, as a percentile within the item's own kind),
authority (a lab's own post, then a paper) and breadth (how many independent sources its story has).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import EntryPoint
from threading import Lock
from typing import TYPE_CHECKING

import numpy as np

from ..errors import AbreastError
from ..store import retrieval as sql
from ..store.db import database_file
from ..store.items import Store, recent_floor
from ..stories.rank import HUB_ATTENTION, PAPER_AUTHORITY, attention_value, is_lab_post
from ..types import CorpusRow, Member
from ..understand.embed import BUILTIN, Embedder, available
from .vectors import StoredVectors

if TYPE_CHECKING:
    from .verdicts import KeptVerdicts

IMPORTANCE_WEIGHTS = {"attention": 0.4, "authority": 0.4, "breadth": 0.2}
MAX_VERDICTS = 200_000  # kept word-sense verdicts (a few MB), forgotten all at once past this


@dataclass
class Index:
    rows: list[CorpusRow]
    vectors: StoredVectors  # one unit row per item of ``rows`` (vectors[i]: float32, decoded)
    dates: np.ndarray  # "YYYY-MM-DD" per row ("" when undated)
    attention: np.ndarray
    authority: np.ndarray
    breadth: np.ndarray
    embedder: Embedder
    by_id: dict[int, int] = field(default_factory=dict)
    # The lowest item id the index holds (store.items.recent_floor): None when it holds every item.
    floor: int | None = None
    # Word-sense verdicts on its rows per set of glossary terms (retrieve/query.py's _Sense). A
    # verdict depends only on the item and the terms, and the index is rebuilt when items change:
    # a long-lived process (the web app, the MCP server) judges an item once per term.
    _verdicts: dict[tuple[str, ...], dict[int, bool]] = field(default_factory=dict)
    # Per term and item, kept beside the store between processes (retrieve/verdicts.py; opened
    # by the first request that judges).
    kept: KeptVerdicts | None = None

    def sense_verdicts(self, terms: list[str]) -> dict[int, bool]:
        """row -> in the sense of every one of ``terms``, for the rows judged so far."""
        if sum(map(len, self._verdicts.values())) > MAX_VERDICTS:
            self._verdicts.clear()
        return self._verdicts.setdefault(tuple(sorted(terms)), {})

    @cached_property
    def importance(self) -> np.ndarray:
        w = IMPORTANCE_WEIGHTS
        return (
            w["attention"] * self.attention
            + w["authority"] * self.authority
            + w["breadth"] * self.breadth
        )

    @cached_property
    def days(self) -> np.ndarray:
        """YYYYMMDD per row as an integer (0 when undated): a window is two integer comparisons,
        not a million string ones."""
        return np.array([int(d.replace("-", "") or 0) for d in self.dates], dtype=np.int32)

    @cached_property
    def by_story(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, r in enumerate(self.rows):
            if r.story_id:
                out.setdefault(r.story_id, []).append(i)
        return out

    def window(self, since: str | None, until: str | None) -> np.ndarray:
        """Boolean mask of rows published in [since, until); undated rows only without a window."""
        mask = np.ones(len(self.rows), dtype=bool)
        if since:
            mask &= self.days >= int(since[:10].replace("-", ""))
        if until:
            mask &= (self.days < int(until[:10].replace("-", ""))) & (self.days != 0)
        return mask

    def nearest(self, qvec: np.ndarray, mask: np.ndarray, n: int) -> list[int]:
        """Rows of the ``n`` vectors within ``mask`` closest to ``qvec``, best first (exact: the
        index holds the recent window by default, so this reads at most RECENT_ITEMS vectors;
        retrieve/vectors.py reads them as stored, a quarter of float32's bytes)."""
        return self.vectors.nearest(qvec, mask, n)


_cache: dict[str, tuple[tuple, Index]] = {}
_lock = Lock()


def load_index(store: Store, all_time: bool = False) -> Index:
    """The index of ``store``'s RECENT_ITEMS most recently collected items (every item with
    ``all_time``), rebuilt only when its items, annotations, vectors or stories changed."""
    floor = None if all_time else recent_floor(store.conn)
    where = f"{_db_path(store)}|{floor is None}"
    # Cheap to ask: data_version moves when another connection commits, total_changes when this one
    # writes; only then is the corpus read again.
    quick = (id(store.conn), *sql.change_counters(store.conn))
    with _lock:
        hit = _cache.get(where)
        if hit and hit[0][0] == quick:
            return hit[1]
    model = _model_name(store)
    version = (quick, model, *sql.corpus_version(store.conn, model))
    with _lock:
        hit = _cache.get(where)
        if hit and hit[0][1:] == version[1:]:
            _cache[where] = (version, hit[1])
            return hit[1]
        idx = _build(store, model, floor)
        # The index is hundreds of thousands of long-lived objects: left to the collector, every
        # full collection walks them all (180-210 ms at 100k items, charged to whichever search
        # it lands in: bench/scale.py's fused p99 was 186-231 ms from one such pause). Frozen,
        # they are skipped; they are still freed by reference counting when the index is replaced.
        gc.freeze()
        _cache[where] = (version, idx)
        return idx


def _build(store: Store, model: str, floor: int | None) -> Index:
    rows, stored, scales = sql.corpus(store.conn, model, floor)
    if not rows:
        raise AbreastError(
            "nothing to search yet: run `abreast fetch` and `abreast understand` first."
        )
    att = _attention(rows)
    auth = np.array([_authority(r) for r in rows], dtype=np.float32)
    breadth = np.array([min(1.0, (r.story_sources - 1) / 3) for r in rows], dtype=np.float32)
    dates = np.array([(r.published_at or "")[:10] for r in rows])
    vectors = StoredVectors(stored, scales)
    return Index(
        rows=rows,
        vectors=vectors,
        dates=dates,
        attention=att,
        authority=auth,
        breadth=breadth,
        embedder=_query_embedder(store, model, vectors.shape[1]),
        by_id={r.item_id: i for i, r in enumerate(rows)},
        floor=floor,
    )


def _query_embedder(store: Store, model: str, dim: int) -> Embedder:
    """The embedder for query texts: ``model``'s own, loaded only for texts not embedded before
    (retrieve/query_vectors.py)."""
    from ..understand.embed import get_embedder
    from .query_vectors import QueryVectors, cache_path

    backend = _backend_for(model)  # fails here, loudly, when no installed embedder wrote them
    return QueryVectors(
        model, dim, lambda: get_embedder(backend), cache_path(database_file(store.conn))
    )


def _attention(rows: list[CorpusRow]) -> np.ndarray:
    """Percentile of each item's attention among items of its kind (a model repo at half weight)."""
    values = [attention_value(r.signals) for r in rows]
    out = np.zeros(len(rows), dtype=np.float32)
    by_kind: dict[str, list[int]] = {}
    for i, (r, v) in enumerate(zip(rows, values, strict=True)):
        if v is not None:
            by_kind.setdefault(r.kind, []).append(i)
    for kind, idx in by_kind.items():
        vals = np.array([values[i] for i in idx], dtype=np.float64)
        ranks = np.argsort(np.argsort(vals, kind="stable"), kind="stable")
        pct = (ranks + 0.5) / len(idx)
        out[idx] = pct * (HUB_ATTENTION if kind == "hf" else 1.0)
    return out


def _authority(r: CorpusRow) -> float:
    if r.kind == "arxiv":
        return PAPER_AUTHORITY
    if is_lab_post(Member(key=r.key, kind=r.kind, source=r.source, title=r.title, url=r.url)):
        return 1.0
    return PAPER_AUTHORITY if r.kind == "arxiv" else 0.0


def _model_name(store: Store) -> str:
    models = sql.embedding_models(store.conn)
    if not models:
        raise AbreastError("no item has an embedding yet: run `abreast understand` first.")
    return models[0][0]


def _embedder_for(model: str) -> Embedder:
    """The embedder that wrote ``model`` vectors, loaded."""
    from ..understand.embed import get_embedder

    return get_embedder(_backend_for(model))


def _backend_for(model: str) -> str:
    """The installed embedder that wrote ``model`` vectors (queries must be embedded the same
    way), found by its class's name without loading its weights."""
    for name, cls in _embedders():
        if not isinstance(cls, type):
            cls = cls.load()
        if getattr(cls, "name", None) == model:
            return name
    raise AbreastError(
        f"the store's vectors come from {model!r}, which no installed embedder provides "
        f"(built in: {', '.join(BUILTIN)}); install it or rerun `abreast understand`."
    )


def _embedders() -> Iterator[tuple[str, type[Embedder] | EntryPoint]]:
    """Built-ins first: they win over plugins of the same name (available()), and finding one needs
    no scan of every installed package's entry points (~20 ms at each start)."""
    yield from BUILTIN.items()
    yield from available().items()


def _db_path(store: Store) -> str:
    return database_file(store.conn) or f"memory:{id(store.conn)}"
