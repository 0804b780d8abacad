"""Where a glossary term appears: the items that use it in its sense, and the stories about the
models
that embody it (o3 is what "test-time compute" is about even when its posts never say the words).

Candidates come from full-text search over the term's spellings, are confirmed by the glossary's own
matcher (which knows acronyms that are also words) and by its sense (retrieve/sense.py), then
ordered
by importance (attention, a lab's own post, breadth), one item per story and per title.
"""

from __future__ import annotations

from ..store import retrieval as sql
from ..store.continuity import stories_naming
from ..store.items import Store, fts_query
from ..types import StoredItem
from ..understand.jargon import find_jargon
from .sense import is_paper, keep_in_sense, senses

NAMES_BONUS = (
    0.3  # an item whose title names the term (or its model) over one that only mentions it
)


def mentions(
    store: Store,
    term_id: str,
    spellings: list[str],
    limit: int = 20,
    since: str | None = None,
    until: str | None = None,
) -> list[StoredItem]:
    """Stored items where the term appears in its sense, most important first, one per story."""
    idx = _index(store)
    hits = store.search(fts_query(spellings), limit=max(200, limit * 10), since=since, until=until)
    rows = [h.item for h in hits]
    rows = [r for r in rows if term_id in find_jargon(f"{r.title}\n{r.text}")]
    at = [idx.by_id.get(r.id) if idx else None for r in rows]
    embedder = idx.embedder if idx is not None else None
    judged = keep_in_sense(
        [term_id],
        [
            (r.title, r.text or "", idx.vectors[i] if idx is not None and i is not None else None)
            for r, i in zip(rows, at, strict=True)
        ],
        embedder,
        [is_paper(r.kind, r.url) for r in rows],
    )
    keep: list[tuple[float, StoredItem]] = []
    for r, i, ok in zip(rows, at, judged, strict=True):
        if not ok:
            continue
        named = term_id in find_jargon(r.title)
        keep.append((_importance(idx, i) + (NAMES_BONUS if named else 0.0), r))
    keep += _model_stories(store, idx, term_id, since, until)
    keep.sort(key=lambda t: -t[0])
    return _distinct(store, [r for _, r in keep])[:limit]


def _model_stories(store, idx, term_id, since, until) -> list[tuple[float, StoredItem]]:
    """Lead items of the stories about the models the term's sense names (``models``)."""
    models = [f"model:{m}" for m in senses().get(term_id, {}).get("models", [])]
    if not models:
        return []
    from ..stories.novelty import names_model

    found = [
        s
        for s in stories_naming(store.conn, models, before_week="9999")
        # the model's own story, not a community repo named after it ("user/Qwen-7b-o1-CoT")
        if "/" not in s.title and any(names_model(m, s.title) for m in models)
    ]
    found.sort(key=lambda s: -s.score)
    keys = sql.lead_keys(store.conn, [s.id for s in found[:10]])
    out = []
    for r in store.items(keys=keys):
        day = (r.published_at or "")[:10]
        if (since and day < since[:10]) or (until and (not day or day >= until[:10])):
            continue
        i = idx.by_id.get(r.id) if idx else None
        out.append((_importance(idx, i) + NAMES_BONUS, r))
    return out


def _distinct(store: Store, rows: list[StoredItem]) -> list[StoredItem]:
    story_of = sql.story_of_items(store.conn, [r.id for r in rows])
    seen: set[str] = set()
    out = []
    for r in rows:
        marks = {"title:" + " ".join((r.title or "").lower().split())}
        if r.url:
            marks.add("url:" + r.url.rstrip("/").lower())
        if r.id in story_of:
            marks.add("story:" + story_of[r.id])
        if marks & seen:
            continue
        seen |= marks
        out.append(r)
    return out


def _importance(idx, i) -> float:
    return float(idx.importance[i]) if idx is not None and i is not None else 0.0


def _index(store: Store):
    """The retrieval index when the store has vectors; None for a store not yet understood (then
    items keep their full-text order and senses are judged by words alone)."""
    if not sql.embedding_models(store.conn):
        return None
    from .index import load_index

    return load_index(store)
