"""The reader's side of ranking: their interest model fitted from feedback, mutes as hard filters,
what they have already seen, and the week re-ranked for them.

Decision logic is in learn/model.py (pure); this module reads and writes the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..config import LearnSettings, Settings
from ..errors import AbreastError
from ..explain.card import FIXED_KINDS
from ..store import feedback as fb
from ..store import learn as sql
from ..store.items import Store
from ..types import Story
from ..understand.themes import THEMES
from .model import FEATURES, LABELS, Example, InterestModel, describe, training_set

FULL_CONFIDENCE = 10  # signals after which personal taste counts at the full configured weight
# The spread of personal scores (-1 .. 1) below which the model is taken at its word rather than
# stretched to the week's spread: a model with next to no opinion moves the week next to nothing.
# Without it, scores that differ by rounding (1e-16) reordered the whole week at full weight.
# Chosen on bench/learn_quality.py's dev sets: 0.01 to 0.2 give the same rankings there.
MIN_SPREAD = 0.05


def named_features(f: sql.ItemFacts) -> dict[str, float]:
    named = {f"theme:{t}": 1.0 for t in f.themes}
    named[f"source:{f.source}"] = 1.0
    if f.domain and f.kind in ("hn", "reddit", "feed"):
        named[f"site:{f.domain}"] = 1.0
    for e in f.entities[:8]:
        named[f"entity:{e}"] = 1.0
    for j in f.jargon[:8]:
        named[f"term:{j}"] = 1.0
    return named


def example(f: sql.ItemFacts) -> Example:
    return Example(key=f.key, named=named_features(f), vector=f.vector)


def retrain(store: Store, settings: Settings | None = None, full: bool = False) -> InterestModel:
    """Bring the model up to the feedback as it stands now and save it.

    Incremental (issue 16: one signal < 50 ms at hundreds of signals): the saved TrainingSet is
    compared with the standing signals, and only what changed is touched: a new signal reads one
    item's facts and adds one row. The result is the same model a fit from scratch gives
    (tests/learn check it); ``full`` (and a change of embedder or configured topics, or a store
    without a saved set) fits from scratch. An item's features are read when its signal comes in.
    """
    conn = store.conn
    labelled = {k: LABELS[s] for k, s in sql.standing_signals(conn) if s in LABELS}
    saved = None if full else sql.load_rows(conn)
    # Which embedder the store uses is a count over every embedding (O(store)): read it when
    # fitting from scratch, or when a newly signalled item has no vector from the saved one.
    embedder = saved[1] if saved else sql.embedding_model(conn)
    stored_keys = set(saved[0].keys) if saved else set()
    fetched_with = embedder
    new_facts = sql.item_facts(conn, [k for k in labelled if k not in stored_keys], embedder)
    if saved and any(not f.vector.size for f in new_facts):
        current_embedder = sql.embedding_model(conn)
        if current_embedder != embedder:
            embedder, saved = current_embedder, None
    if settings is not None:
        topics = list(settings.understand.topics)
    else:  # the web app and API pass no settings: keep the topics the last fit used
        topics = saved[2] if saved else []
    if saved is None or saved[1] != embedder or saved[2] != topics or saved[0].features != FEATURES:
        dim = sql.embedding_dim(conn, embedder)
        rows = sql.RowsUpdate(
            training_set([], [], _topic_vectors(topics, embedder), dim), topics, rebuilt=True
        )
    else:
        rows = sql.RowsUpdate(saved[0], topics)
    ts = rows.ts
    had = {k: y for k, y in ts.live().items() if not k.startswith("topic:")}
    for key in had.keys() - labelled.keys():
        ts.set_label(key, None)
        rows.relabelled.append(ts.keys.index(key))
    stored = set(ts.keys)
    for key, y in labelled.items():
        if key in stored and had.get(key) != y:
            ts.set_label(key, y)
            rows.relabelled.append(ts.keys.index(key))
    if stored != stored_keys or embedder != fetched_with:  # from scratch: every item is new
        new_facts = sql.item_facts(conn, [k for k in labelled if k not in stored], embedder)
    for f in new_facts:
        rows.added.append(ts.add(example(f), labelled[f.key]))
    model = ts.fit()
    if not conn.execute("PRAGMA query_only").fetchone()[0]:  # a damaged store is read, not written
        sql.save_model(conn, model.to_dict(), embedder, model.signals, rows=rows)
    return model


def give_feedback(
    store: Store,
    signal: str,
    item_key: str | None = None,
    story_id: str | None = None,
    settings: Settings | None = None,
) -> InterestModel:
    """Record a signal (the CLI, the web app and the API all come here) and refit the model."""
    fb.add(store.conn, signal, item_key=item_key, story_id=story_id)
    return retrain(store, settings)


def current(store: Store) -> InterestModel:
    saved = sql.load_model(store.conn)
    if saved is None:
        return InterestModel()
    if saved[0].get("features") != FEATURES:
        # Fitted under an older feature layout: its weights do not fit today's features. Refit
        # once from the feedback (the saved rows are in the old layout too, so from scratch);
        # a store opened read-only (damaged, see store/repair.py) refits in memory each time.
        return retrain(store)
    return InterestModel.from_dict(saved[0])


def reset(store: Store) -> int:
    return sql.reset(store.conn)


def scores(
    store: Store, keys: Sequence[str], model: InterestModel | None = None
) -> dict[str, float]:
    """Personal score per item key (-1 .. 1; 0 without signals)."""
    m = model or current(store)
    if m.is_empty:
        return {k: 0.0 for k in keys}
    facts = sql.item_facts(store.conn, keys, sql.embedding_model(store.conn))
    return {f.key: m.score(example(f)) for f in facts}


def explain_item(store: Store, key: str) -> list[str]:
    """The personal part of an item's ranking, in words (for `abreast why`)."""
    m = current(store)
    facts = sql.item_facts(store.conn, [key], sql.embedding_model(store.conn))
    if not facts:
        return []
    muted = _muted_by(store, facts[0])
    if muted:
        return [f"muted: you muted {muted}"]
    if m.is_empty:
        return ["no personal signal yet: give feedback with `abreast feedback KEY --more/--less`"]
    ex = example(facts[0])
    lines = [f"your interest: {m.score(ex):+.2f} (from {m.signals} signals)"]
    for f, v in m.parts(ex)[:4]:
        what = "close in meaning to what you liked" if f == "meaning" else label(f)
        if f == "meaning" and v < 0:
            what = "close in meaning to what you did not want"
        lines.append(f"  {'+' if v > 0 else '-'} {what} ({v:+.2f})")
    return lines


def interests_in_words(store: Store) -> tuple[list[str], list[str], int]:
    m = current(store)
    more, less = in_words(m)
    return more, less, m.signals


def in_words(model: InterestModel, top: int = 6) -> tuple[list[str], list[str]]:
    """What the reader wants more and less of, as labels, strongest first. A label said already
    is not said again: the term "Fine-tuning" beside the theme "Fine-tuning, small task-specific
    models & agents" is one interest, not two."""
    more, less = describe(model, top=top * 3)

    def said(features: list[tuple[str, float]]) -> list[str]:
        out: list[str] = []
        for f, _ in features:
            word = label(f)
            low = word.casefold()
            if not any(
                low == o or o.startswith(low + ",") or low.startswith(o + ",")
                for o in (x.casefold() for x in out)
            ):
                out.append(word)
        return out[:top]

    return said(more), said(less)


def label(feature: str) -> str:
    """A named feature as a person says it."""
    kind, _, value = feature.partition(":")
    if kind == "theme":
        return THEMES.get(value, value.replace("-", " "))
    if kind == "source":
        return FIXED_KINDS.get(value, value)
    if kind == "site":
        return value
    if kind == "entity":
        return value.split(":", 1)[-1].replace("-", " ")
    if kind == "term":
        from ..understand.jargon import glossary

        term = glossary().get(value)
        return getattr(term, "term", value.replace("-", " "))
    return feature


# --- mutes ---------------------------------------------------------------------------------------


def mute(store: Store, target: str, kind: str | None = None) -> tuple[str, str, bool]:
    """Mute a source (by name), a site (a host name) or a term (a glossary term or its id)."""
    kind = kind or _guess_kind(store, target)
    if kind not in sql.MUTE_KINDS:
        raise AbreastError(f"can only mute a {', '.join(sql.MUTE_KINDS)}; got {kind!r}.")
    value = target.lower().removeprefix("www.") if kind == "domain" else target
    if kind == "term":
        from ..explain.glossary import find_term

        t = find_term(target)
        if t is None:
            raise AbreastError(f"{target!r} is not a glossary term; `abreast explain TERM` checks.")
        value = t.term_id
    return kind, value, sql.add_mute(store.conn, kind, value)


def unmute(store: Store, target: str) -> bool:
    return any(sql.remove_mute(store.conn, k, v) for k, v in sql.mutes(store.conn) if v == target)


def _guess_kind(store: Store, target: str) -> str:
    if any(src.name == target for src in store.sources()):
        return "source"
    if "." in target and " " not in target:
        return "domain"
    return "term"


def _muted_by(store: Store, f: sql.ItemFacts, mutes: list[tuple[str, str]] | None = None) -> str:
    for kind, value in mutes if mutes is not None else sql.mutes(store.conn):
        if kind == "source" and f.source == value:
            return f"the source {value}"
        if kind == "domain" and (f.domain == value or f.domain.endswith("." + value)):
            return f"the site {value}"
        if kind == "term" and value in f.jargon:
            return f"the term {label('term:' + value)}"
    return ""


# --- the week, for this reader -------------------------------------------------------------------


def blend(base: Sequence[float], personal: Sequence[float], weight: float) -> list[float]:
    """Scores for ranking: ``base`` moved by the reader's ``personal`` scores. Both are put on the
    same scale first (personal standardised, then stretched to the spread of ``base``), so
    ``weight`` 1 means "my taste counts as much as everyone's attention", whatever the week.
    Personal scores that hardly differ (spread under MIN_SPREAD) count as the small opinion they
    are."""
    b = np.asarray(base, dtype=np.float64)
    p = np.asarray(personal, dtype=np.float64)
    if weight == 0 or len(p) < 2 or float(p.std()) == 0.0:
        return [float(x) for x in b]
    spread = float(b.std()) or 1.0
    return [
        float(x) for x in b + weight * (p - p.mean()) / max(float(p.std()), MIN_SPREAD) * spread
    ]


def for_reader(store: Store, stories: list[Story], weight: float) -> list[Story]:
    """``stories`` re-ranked for this reader: muted items and stories left out, each story moved by
    its best member's personal score (one item you love makes the story yours), at
    ``weight`` reached after FULL_CONFIDENCE signals; stories continuing one whose items they saw
    or saved are marked known."""
    mutes = sql.mutes(store.conn)
    m = current(store)
    seen_stories = sql.stories_with_known_items(store.conn)
    if not mutes and m.is_empty and not seen_stories:
        return stories
    facts: dict[str, sql.ItemFacts] = {}
    if mutes or not m.is_empty:  # only "known" needs no item facts
        keys = [mem.key for s in stories for mem in s.members]
        embedder = sql.embedding_model(store.conn)
        facts = {f.key: f for f in sql.item_facts(store.conn, keys, embedder)}
    # Every member's personal score in one pass (a 20,000-item week: one matrix product).
    scored = [f for f in facts.values()] if not m.is_empty else []
    item_score = dict(
        zip((f.key for f in scored), m.scores([example(f) for f in scored]), strict=True)
    )
    kept: list[tuple[Story, list, bool]] = []
    personal: list[float] = []
    for s in stories:
        members = [
            mem
            for mem in s.members
            if not (mem.key in facts and _muted_by(store, facts[mem.key], mutes))
        ]
        if not members:
            continue
        vals = [item_score[mem.key] for mem in members if mem.key in item_score]
        personal.append(max(vals) if vals else 0.0)
        kept.append((s, members, any(r in seen_stories for r in s.related)))
    confidence = min(1.0, m.signals / FULL_CONFIDENCE)
    scores = blend([s.score for s, _, _ in kept], personal, weight * confidence)
    out = []
    for (s, members, continues_seen), new in zip(kept, scores, strict=True):
        parts = dict(s.score_parts)
        if new != s.score:
            parts["personal"] = round(new - s.score, 4)
        out.append(
            replace(
                s,
                members=members,
                is_new=s.is_new and not continues_seen,
                score=new,
                score_parts=parts,
            )
        )
    out.sort(key=lambda s: (-s.score, s.id))
    for i, s in enumerate(out, start=1):
        s.rank = i  # each is a fresh copy made just above
    return out


def _topic_vectors(topics: Sequence[str], embedder: str | None) -> list[np.ndarray]:
    if not topics or not embedder:
        return []
    from ..retrieve.index import _embedder_for

    vecs = _embedder_for(embedder).embed_batch(list(topics))
    return [np.asarray(v, dtype=np.float32) for v in vecs]


def week_for_reader(store: Store, week: str, settings: Settings | None) -> list[Story]:
    """A week's ranked stories as this reader sees them: the one place CLI, web and draft get it."""
    from ..store.stories import load_week

    weight = (settings.learn if settings is not None else LearnSettings()).weight
    return for_reader(store, load_week(store.conn, week), weight)
