"""The understand stage: for every item, is it about AI, which themes, which entities and jargon, is
it a duplicate, and why. ``annotate`` is pure (items in, annotations out); ``run`` adds the store
I/O: it annotates only items whose content changed and never embeds the same text twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import Settings, UnderstandSettings, understand_settings
from ..store import annotations as sa
from ..store import dedupe as sd
from ..store import progress as sp
from ..types import Annotation, Item, StoredItem
from . import relevance as rel
from . import themes as th
from .dedupe import find_duplicates, index_keys, item_keys
from .embed import get_embedder
from .entities import extract_entities
from .jargon import find_jargon

if TYPE_CHECKING:
    from ..store import Store

BATCH = 2048  # items per embedding batch and per store transaction in run()


def embed_text(item: Item) -> str:
    return f"{item.title}. {item.text}" if item.text else item.title


class _Context:
    """What annotate() needs that is costly to build: embedder, embedded topics and themes,
    models."""

    _cache: dict[tuple[Any, ...], _Context] = {}

    def __init__(self, cfg: UnderstandSettings):
        self.embedder = get_embedder(cfg.embedder)
        self.topics = rel.TopicIndex(self.embedder, list(cfg.topics))
        self.themes = th.ThemeIndex(self.embedder, cfg.themes or None)
        self.rel_model = rel.load_model()
        self.theme_model = None if cfg.themes else th.load_model()

    @classmethod
    def get(cls, cfg: UnderstandSettings) -> _Context:
        key = (cfg.embedder, tuple(cfg.topics), repr(cfg.themes or None))
        if key not in cls._cache:
            cls._cache[key] = cls(cfg)
        return cls._cache[key]


def annotate(
    items: Sequence[Item],
    settings: Settings | UnderstandSettings | None = None,
    vectors: np.ndarray | None = None,
    duplicates: dict[str, str] | None = None,
) -> list[Annotation]:
    """Annotate items. ``vectors`` (one unit row per item, from this settings' embedder) skips
    embedding; ``duplicates`` (key -> canonical key) skips duplicate detection, e.g. when run() sees
    more items."""
    cfg = understand_settings(settings)
    ctx = _Context.get(cfg)
    if vectors is None:
        vectors = ctx.embedder.embed_batch([embed_text(it) for it in items])
    sim_ai, sim_other, sim_ai_all = ctx.topics.similarities(vectors)
    if not items:
        return []
    theme_sims = ctx.themes.similarities(vectors)
    if duplicates is None:
        duplicates = find_duplicates(items)
    threshold = cfg.relevance_threshold
    trust = cfg.source_trust
    negatives = list(cfg.negative_keywords)
    out = []
    for i, it in enumerate(items):
        sig = rel.signals(
            it,
            float(sim_ai[i]),
            float(sim_other[i]),
            ctx.topics.nearest(sim_ai_all[i]),
            trust,
            negatives,
        )
        d = rel.decide(sig, ctx.rel_model, threshold)
        why = {"relevance": d.why}
        themes: list[str] = []
        if d.is_ai:
            themes, why["themes"] = th.assign(
                it,
                [float(x) for x in theme_sims[i]],
                sig.dense,
                sig.hashes,
                ctx.themes,
                ctx.theme_model,
            )
        dup = duplicates.get(it.key)
        out.append(
            Annotation(
                key=it.key,
                relevance=d.relevance,
                is_ai=d.is_ai,
                themes=themes,
                entities=extract_entities(it.title, it.text),
                jargon=find_jargon(f"{it.title}\n{it.text}"),
                duplicate_of=dup if dup and dup != it.key else None,
                why=why,
            )
        )
    return out


# --- with the store
# -----------------------------------------------------------------------------------


def run(
    store: Store,
    settings: Settings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Annotate every item whose content changed since its last annotation (the understand queue
    the store keeps, migration 0017); returns counts. Embeddings are reused when the stored vector
    was computed from the same content with the same model. Duplicates are looked for among the
    queued items and the stored items sharing a URL, title or text band with them (the persistent
    index), with the whole duplicate groups those belong to."""
    cfg = understand_settings(settings)
    conn = store.conn
    queued = sp.understand_queue(conn)
    counts = {"annotated": 0, "embedded": 0, "reused_vectors": 0, "duplicates_updated": 0}
    if not queued:
        # Nothing new or changed: no model to load, no duplicates to look for.
        return counts
    ctx = _Context.get(cfg)
    model = ctx.embedder.name
    todo = sd.items_by_id(conn, queued)
    duplicates, scope = _duplicates(conn, todo)
    id_of = {it.key: it.id for it in scope}
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        stored = sa.vectors_for(conn, [it.id for it in chunk], model)
        vecs = np.zeros((len(chunk), ctx.embedder.dim), dtype=np.float32)
        missing = []
        for j, it in enumerate(chunk):
            hit = stored.get(it.id)
            if hit is not None and hit[1] == it.stored_hash:
                vecs[j] = hit[0]
            else:
                missing.append(j)
        if missing:
            vecs[missing] = ctx.embedder.embed_batch([embed_text(chunk[j]) for j in missing])
        anns = annotate(chunk, cfg, vectors=vecs, duplicates=duplicates)
        sa.save(
            conn,
            model,
            [(chunk[j].id, vecs[j], chunk[j].stored_hash) for j in missing],
            [
                (
                    it.id,
                    a,
                    id_of.get(a.duplicate_of) if a.duplicate_of else None,
                    it.stored_hash,
                )
                for it, a in zip(chunk, anns, strict=True)
            ],
        )
        counts["annotated"] += len(chunk)
        counts["embedded"] += len(missing)
        counts["reused_vectors"] += len(chunk) - len(missing)
        if progress:
            progress(min(start + BATCH, len(todo)), len(todo))
    # A new item can make a stored one a duplicate (or stop it being one) without changing its
    # content: only items in the groups the new ones touched can change.
    counts["duplicates_updated"] = sa.sync_duplicates(
        conn,
        {id_of[k]: id_of.get(v) for k, v in duplicates.items() if k in id_of and v != k},
        scope=[it.id for it in scope],
    )
    return counts


def _duplicates(conn: Any, todo: list[StoredItem]) -> tuple[dict[str, str], list[StoredItem]]:
    """(key -> canonical key, the items whose duplicate marks may change): find_duplicates over
    the queued items, the stored items the index files under one of their probe keys, and the
    duplicate groups of both. Only the groups that hold a queued item, before or after, may
    change: a stored group no new item touches keeps its marks. Files the queued items' keys, and
    every stored item's on a store made before the index (once)."""
    if not sd.index_built(conn):
        queued = {it.id for it in todo}
        for ids in sd.unindexed_ids(conn):
            rest = sd.items_by_id(conn, [i for i in ids if i not in queued])
            sd.add_keys(conn, ((h, it.id) for it in rest for h in index_keys(it)))
        sp.mark_built(conn, sd.INDEX_STAGE, {"*": "1"})
    keys = [item_keys(it) for it in todo]
    sd.add_keys(
        conn, ((h, it.id) for it, (filed, _p) in zip(todo, keys, strict=True) for h in filed)
    )
    if len(todo) >= sp.count_items(conn):  # a first run: every item is queued, nothing to look up
        return find_duplicates(todo), todo
    near = sd.sharing(conn, (h for _f, probe in keys for h in probe))
    mine = {it.id for it in todo}
    before = sd.groups_of(conn, mine)  # the stored groups the queued items were in
    scope = todo + sd.items_by_id(conn, sd.groups_of(conn, near | mine) - mine)
    found = find_duplicates(scope)
    key_of = {it.id: it.key for it in scope}
    touched = {key_of[i] for i in before if i in key_of}
    canon = {k: found.get(k, k) for k in key_of.values()}
    hit = {canon[k] for k in touched}
    affected = [it for it in scope if it.key in touched or canon[it.key] in hit]
    kept = {it.key for it in affected}
    return {k: v for k, v in found.items() if k in kept or k in touched}, affected
