"""The understand stage: for every item, is it about AI, which themes, which entities and jargon, is
it a duplicate, and why. ``annotate`` is pure (items in, annotations out); ``run`` adds the store
I/O: it annotates only items whose content changed and never embeds the same text twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import Settings, UnderstandSettings, understand_settings
from . import relevance as rel
from . import themes as th

if TYPE_CHECKING:
    import numpy as np

    from ..item import Item

BATCH = 2048  # items per embedding batch and per store transaction in run()


@dataclass
class Annotation:
    key: str
    relevance: float
    is_ai: bool
    themes: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    jargon: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    why: dict = field(default_factory=dict)


def embed_text(item: Item) -> str:
    return f"{item.title}. {item.text}" if item.text else item.title


# --- optional stages written by other modules; absent ones are skipped, not faked
# --------------------


def _optional(module: str, name: str) -> Callable | None:
    import importlib

    try:
        return getattr(importlib.import_module(f"{__package__}.{module}"), name)
    except (ImportError, AttributeError):
        return None


class _Context:
    """What annotate() needs that is costly to build: embedder, embedded topics and themes,
    models."""

    _cache: dict[tuple, _Context] = {}

    def __init__(self, cfg: UnderstandSettings):
        from .embed import get_embedder

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
    items: list[Item],
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
    theme_sims = ctx.themes.similarities(vectors) if len(items) else None
    if duplicates is None:
        find_dups = _optional("dedupe", "find_duplicates")
        duplicates = find_dups(items) if find_dups else {}
    extract = _optional("entities", "extract_entities")
    jargon = _optional("jargon", "find_jargon")
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
                entities=extract(it.title, it.text) if extract else [],
                jargon=jargon(f"{it.title}\n{it.text}") if jargon else [],
                duplicate_of=dup if dup and dup != it.key else None,
                why=why,
            )
        )
    return out


# --- with the store
# -----------------------------------------------------------------------------------


def run(
    store, settings: Settings | None = None, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Annotate every item whose content changed since its last annotation; returns counts.
    Embeddings are reused when the stored vector was computed from the same content with the same
    model."""
    import numpy as np

    from ..store import annotations as sa

    cfg = understand_settings(settings)
    conn = store.conn
    rows = sa.items_for_understanding(conn)
    done = sa.annotated_hashes(conn)
    if all(done.get(r["id"]) == r["content_hash"] for r in rows):
        # Nothing new or changed: no model to load, no duplicates to look for.
        return {
            "items": len(rows),
            "annotated": 0,
            "embedded": 0,
            "reused_vectors": 0,
            "duplicates_updated": 0,
        }
    ctx = _Context.get(cfg)
    model = ctx.embedder.name
    all_items = [sa.row_to_item(r) for r in rows]
    find_dups = _optional("dedupe", "find_duplicates")
    duplicates = find_dups(all_items) if find_dups else {}
    id_of = {r["key"]: r["id"] for r in rows}
    todo = [
        (r, it)
        for r, it in zip(rows, all_items, strict=True)
        if done.get(r["id"]) != r["content_hash"]
    ]
    counts = {
        "items": len(rows),
        "annotated": 0,
        "embedded": 0,
        "reused_vectors": 0,
        "duplicates_updated": 0,
    }
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        stored = sa.vectors_for(conn, [r["id"] for r, _ in chunk], model)
        vecs = np.zeros((len(chunk), ctx.embedder.dim), dtype=np.float32)
        missing = []
        for j, (r, _) in enumerate(chunk):
            hit = stored.get(r["id"])
            if hit is not None and hit[1] == r["content_hash"]:
                vecs[j] = hit[0]
            else:
                missing.append(j)
        if missing:
            vecs[missing] = ctx.embedder.embed_batch([embed_text(chunk[j][1]) for j in missing])
        anns = annotate([it for _, it in chunk], cfg, vectors=vecs, duplicates=duplicates)
        sa.save(
            conn,
            model,
            [(chunk[j][0]["id"], vecs[j], chunk[j][0]["content_hash"]) for j in missing],
            [
                (
                    r["id"],
                    a,
                    id_of.get(a.duplicate_of) if a.duplicate_of else None,
                    r["content_hash"],
                )
                for (r, _), a in zip(chunk, anns, strict=True)
            ],
        )
        counts["annotated"] += len(chunk)
        counts["embedded"] += len(missing)
        counts["reused_vectors"] += len(chunk) - len(missing)
        if progress:
            progress(min(start + BATCH, len(todo)), len(todo))
    # A new item can make an old one a duplicate (or stop it being one) without changing its
    # content.
    counts["duplicates_updated"] = sa.sync_duplicates(
        conn, {id_of[k]: id_of.get(v) for k, v in duplicates.items() if k in id_of and v != k}
    )
    return counts


# --- explanation
# ----------------------------------------------------------------------------------------

SIGNAL_NAMES = {
    "lex_strong": "AI names/terms in the title",
    "lex_strong_text": "AI names/terms in the text",
    "lex_ambiguous": "ambiguous words in the title",
    "lex_ambiguous_text": "ambiguous words in the text",
    "lex_name": "names a model or AI product",
    "lex_org_person": "names an AI lab or person",
    "domain_ai": "links to an AI site",
    "domain_mixed": "links to a mixed site (arXiv, research blog)",
    "domain_dot_ai": "links to a .ai domain",
    "source_prior": "source's usual AI share",
    "sim_ai": "similarity to AI topics",
    "sim_margin": "AI topics vs everyday-tech topics",
    "has_text": "has an abstract or excerpt",
    "glossary_title": "AI jargon in the title",
    "model_entity_title": "names a known model in the title",
    "words": "title words",
}


def signal_sentence(name: str, value: float) -> str:
    """One relevance signal as a sentence: "+12.95 towards AI: AI names/terms in the title."."""
    what = SIGNAL_NAMES.get(name, name.replace("_", " "))
    side = "towards AI" if value >= 0 else "away from AI"
    return f"{value:+.2f} {side}: {what}."


def why_lines(data: dict) -> list[str]:
    """Plain-text lines for `abreast why KEY` from store.annotations.why(): the decision, then the
    signals that pushed it most (positive = towards AI), the words and topics behind them, themes
    and links."""
    r = data["why"].get("relevance", {})
    verdict = "about AI" if data["is_ai"] else "not about AI"
    lines = [
        f"{data['key']}: {data['title']}",
        f"  {verdict}: relevance {data['relevance']:.2f} (threshold {r.get('threshold', 0.5):.2f})",
    ]
    if r.get("negative_keywords"):
        lines.append(f"  capped by your negative keywords: {', '.join(r['negative_keywords'])}")
    for name, value in list(r.get("contributions", {}).items())[:6]:
        lines.append(f"  {signal_sentence(name, value)}")
    if r.get("matched"):
        lines.append(f"  AI words: {', '.join(dict.fromkeys(r['matched']))}")
    if r.get("matched_ambiguous"):
        lines.append(f"  ambiguous words: {', '.join(r['matched_ambiguous'])}")
    if r.get("domain"):
        lines.append(f"  domain: {r['domain']}")
    if r.get("nearest_topics"):
        lines.append(
            "  nearest topics: " + "; ".join(f"{t} ({s:.2f})" for t, s in r["nearest_topics"])
        )
    if data.get("themes"):
        lines.append(f"  themes: {', '.join(data['themes'])}")
    if data.get("entities"):
        lines.append(f"  entities: {', '.join(data['entities'])}")
    if data.get("jargon"):
        lines.append(f"  jargon: {', '.join(data['jargon'])}")
    if data.get("duplicate_of"):
        lines.append(f"  duplicate of: {data['duplicate_of']}")
    return lines
