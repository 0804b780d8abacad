"""The reader's side of ranking: their interest model fitted from feedback, mutes as hard filters,
what they have already seen, and the week re-ranked for them.

Decision logic is in learn/model.py (pure); this module reads and writes the store.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..config import LearnSettings, Settings
from ..errors import AbreastError
from ..explain.card import FIXED_KINDS
from ..store import feedback as fb
from ..store import learn as sql
from ..store.items import Store
from ..store.learn import domain_of
from ..types import Member, Story
from ..understand.themes import THEMES
from .model import (
    FEATURES,
    LABELS,
    NAMED_GROUPS,
    Example,
    InterestModel,
    Prior,
    describe,
    normalised,
    one_blas_thread,
    training_set,
)

FULL_CONFIDENCE = 10  # signals after which personal taste counts at the full configured weight
# What configured topics count as before any feedback, in signals (see ``confidence``); chosen on
# bench/learn_quality.py's dev protocol with topics, from 3/5/8/10 (it moves only the cold start:
# from 10 signals on the weight is full anyway). Mean NDCG@10 at 0 signals on the items the theme
# classifier never saw: 0.791 / 0.827 / 0.812 / 0.813; the dev half, whose themes it was trained
# on, 0.840 / 0.854 / 0.853 / 0.871.
PRIOR_SIGNALS = 5
# The spread of personal scores (-1 .. 1) below which the model is taken at its word rather than
# stretched to the week's spread: a model with next to no opinion moves the week next to nothing.
# Without it, scores that differ by rounding (1e-16) reordered the whole week at full weight.
# Chosen on bench/learn_quality.py's dev sets: 0.01 to 0.2 give the same rankings there.
MIN_SPREAD = 0.05


SITE_KINDS = ("hn", "reddit", "feed")  # items that link elsewhere: the linked site is a feature
MAX_PER_KIND = (
    8  # entities and terms an item contributes (its first, as the understand stage lists)
)


def named_features(f: sql.ItemFacts) -> dict[str, float]:
    named = {f"theme:{t}": 1.0 for t in f.themes}
    named[f"source:{f.source}"] = 1.0
    if f.domain and f.kind in SITE_KINDS:
        named[f"site:{f.domain}"] = 1.0
    for e in f.entities[:MAX_PER_KIND]:
        named[f"entity:{e}"] = 1.0
    for j in f.jargon[:MAX_PER_KIND]:
        named[f"term:{j}"] = 1.0
    return named


def example(f: sql.ItemFacts) -> Example:
    return Example(key=f.key, named=named_features(f), vector=f.vector)


def member_scores(m: InterestModel, members: Sequence[Member], vectors: np.ndarray) -> np.ndarray:
    """``m.scores`` of a week's members, read off the members as the week loaded them.

    The same number as scoring ``example(item_facts(...))`` of each member (tests/learn check
    it), without building its features: a 20,000-item week re-ranks in well under a second
    (issue 16) only if a member costs a few microseconds. The members already carry what the
    understand stage said (themes, entities, terms, source, link), so nothing is read again but
    the vectors (``vectors``: one row per member, zeros where it has none). Per member, each
    kind of named feature is weighed as ``model.normalised`` does it: NAMED_GROUPS[kind] /
    sqrt(its count there) / sqrt(sum of NAMED_GROUPS[kind]^2 over the kinds it has)."""
    s = np.zeros(len(members), dtype=np.float64)
    if m.vector is not None and vectors.shape[1:] == m.vector.shape:
        with one_blas_thread():  # one matrix-vector product: threads cost more than they save
            s += vectors @ m.vector
    if m.named:
        by_kind: dict[str, dict[str, float]] = {}
        for f, w in m.named.items():
            kind, _, value = f.partition(":")
            by_kind.setdefault(kind, {})[value] = w
        w_theme, w_source, w_site, w_entity, w_term = (
            by_kind.get(k, {}) for k in ("theme", "source", "site", "entity", "term")
        )
        g_theme, g_source, g_entity, g_term = (
            NAMED_GROUPS.get(k, 1.0) for k in ("theme", "source", "entity", "term")
        )
        scale = m.named_scale
        sqrt = math.sqrt
        cap = MAX_PER_KIND
        for i, mem in enumerate(members):
            # The source (always there) and the linked site are one kind.
            site = domain_of(mem.url) if mem.kind in SITE_KINDS else ""
            total = g_source * g_source
            part = w_source.get(mem.source, 0.0)
            if site:
                part = (part + w_site.get(site, 0.0)) * g_source / sqrt(2)
            else:
                part *= g_source
            themes = mem.themes
            if themes:
                total += g_theme * g_theme
                if w_theme:
                    d = 0.0
                    for t in themes:
                        d += w_theme.get(t, 0.0)
                    part += d * g_theme / sqrt(len(themes))
            ents = mem.entities
            if ents:
                total += g_entity * g_entity
                if w_entity:
                    if len(ents) > cap:
                        ents = ents[:cap]
                    d = 0.0
                    for e in ents:
                        d += w_entity.get(e, 0.0)
                    part += d * g_entity / sqrt(len(ents))
            terms = mem.jargon
            if terms:
                total += g_term * g_term
                if w_term:
                    if len(terms) > cap:
                        terms = terms[:cap]
                    d = 0.0
                    for j in terms:
                        d += w_term.get(j, 0.0)
                    part += d * g_term / sqrt(len(terms))
            if part:
                s[i] += part / sqrt(total) * scale
    return np.tanh(s)


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
        prior = topic_prior(topics, embedder, settings) if topics else None
        rows = sql.RowsUpdate(training_set([], [], prior, dim), topics, rebuilt=True)
    else:
        rows = sql.RowsUpdate(saved[0], topics)
    ts = rows.ts
    had = ts.live()
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


def current(store: Store, settings: Settings | None = None) -> InterestModel:
    """The reader's model as saved; with ``settings``, first brought up to their configured
    topics (a topic added or removed since the last fit refits it, so the cold start works
    before any feedback)."""
    saved = sql.load_model(store.conn)
    if settings is not None:
        topics = list(settings.understand.topics)
        had = list((saved[0].get("topics") or []) if saved else [])
        if topics != had:
            return retrain(store, settings)
    if saved is None:
        return InterestModel()
    if saved[0].get("features") != FEATURES:
        # Fitted under an older feature layout: its weights do not fit today's features. Refit
        # once from the feedback (the saved rows are in the old layout too, so from scratch);
        # a store opened read-only (damaged, see store/repair.py) refits in memory each time.
        return retrain(store, settings)
    return InterestModel.from_dict(saved[0])


def confidence(model: InterestModel) -> float:
    """How much of the configured weight personal taste gets: it grows with the signals, full
    after FULL_CONFIDENCE; configured topics count as PRIOR_SIGNALS of them (a cold start that
    moves the week without drowning everyone's attention)."""
    given = model.signals + (PRIOR_SIGNALS if model.topics else 0)
    return min(1.0, given / FULL_CONFIDENCE)


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


def explain_item(store: Store, key: str, settings: Settings | None = None) -> list[str]:
    """The personal part of an item's ranking, in words (for `abreast why`)."""
    m = current(store, settings)
    facts = sql.item_facts(store.conn, [key], sql.embedding_model(store.conn))
    if not facts:
        return []
    muted = _muted_by(store, facts[0])
    if muted:
        return [f"muted: you muted {muted}"]
    if m.is_empty:
        return ["no personal signal yet: give feedback with `abreast feedback KEY --more/--less`"]
    ex = example(facts[0])
    lines = [f"your interest: {m.score(ex):+.2f} ({_learnt_from(m)})"]
    for f, v in m.parts(ex)[:4]:
        if f == "topics":
            what = "close in meaning to your topics" if v > 0 else "far from your topics"
        elif f == "meaning":
            what = (
                "close in meaning to what you liked"
                if v > 0
                else "close in meaning to what you did not want"
            )
        else:
            what = label(f)
            if f in m.topic_features:
                what += " (one of your topics)"
        lines.append(f"  {'+' if v > 0 else '-'} {what} ({v:+.2f})")
    return lines


def _learnt_from(m: InterestModel) -> str:
    said = f"from {m.signals} signal{'' if m.signals == 1 else 's'}"
    if m.topics:
        said += " and your topics: " + "; ".join(m.topics)
    return said


def interests_in_words(
    store: Store, settings: Settings | None = None
) -> tuple[list[str], list[str], int]:
    m = current(store, settings)
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


def _muted_by(store: Store, f: sql.ItemFacts) -> str:
    return _muted_by_facts(f, sql.mutes(store.conn))


def _muted_by_facts(f: sql.ItemFacts, mutes: list[tuple[str, str]]) -> str:
    for kind, value in mutes:
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
    or saved are marked known.

    Cost (issue 16: a 20,000-item week < 1 s): the members carry what the understand stage said
    about them (load_week read it), so only their vectors are read, in one query per 900 keys,
    and they are scored in one pass (``member_scores``)."""
    mutes = sql.mutes(store.conn)
    m = current(store)
    seen_stories = sql.stories_with_known_items(store.conn)
    if not mutes and m.is_empty and not seen_stories:
        return stories
    if mutes:
        stories = [
            replace(s, members=kept)
            for s in stories
            if (kept := [mem for mem in s.members if not _member_muted_by(mem, mutes)])
        ]
    members = [mem for s in stories for mem in s.members]
    if m.is_empty:
        item_score = np.zeros(len(members))
    else:
        vectors = sql.vectors_of(
            store.conn, [mem.key for mem in members], sql.embedding_model(store.conn)
        )
        item_score = member_scores(m, members, vectors)
    # A story's personal score: its best member's (members are laid out story after story).
    sizes = np.fromiter((len(s.members) for s in stories), dtype=np.int64, count=len(stories))
    personal = (
        np.maximum.reduceat(item_score, np.concatenate([[0], np.cumsum(sizes)[:-1]]))
        if len(stories)
        else np.zeros(0)
    )
    scores = blend([s.score for s in stories], personal, weight * confidence(m))
    out = []
    for s, new in zip(stories, scores, strict=True):
        mine = _copy(s)
        if new != s.score:
            mine.score = new
            mine.score_parts = {**s.score_parts, "personal": round(new - s.score, 4)}
        if seen_stories and s.is_new and any(r in seen_stories for r in s.related):
            mine.is_new = False
        out.append(mine)
    out.sort(key=lambda s: (-s.score, s.id))
    for i, s in enumerate(out, start=1):
        s.rank = i  # each is a fresh copy made just above
    return out


def _copy(s: Story) -> Story:
    """A shallow copy of ``s`` (its fields shared, so the caller's list is not changed when a
    field is set). By hand: ``dataclasses.replace`` rebuilds every field through __init__ and
    ``copy.copy`` goes through pickling's protocol, each several times this on a 20,000-story
    week."""
    new = object.__new__(Story)
    new.__dict__.update(s.__dict__)
    return new


def _member_muted_by(mem: Member, mutes: list[tuple[str, str]]) -> str:
    """``_muted_by`` of a loaded member (the same facts: its source, link and terms)."""
    facts = sql.ItemFacts(
        key=mem.key,
        kind=mem.kind,
        source=mem.source,
        domain=domain_of(mem.url),
        themes=(),
        entities=(),
        jargon=tuple(mem.jargon),
        vector=np.zeros(0, np.float32),
    )
    return _muted_by_facts(facts, mutes)


def topic_prior(topics: Sequence[str], embedder: str | None, settings: Settings | None) -> Prior:
    """The configured topics read as the understand stage reads an item titled with them (the
    models, organisations and terms they name, and their embedding by the store's embedder), with
    one difference: a topic names the themes whose words it uses ("running models locally":
    deployment) and the one theme whose description is nearest in meaning ("building agents and
    AI applications": applications).

    Why not the theme classifier: its thresholds are set for items with a source, a kind and a
    text, and on a bare phrase it adds themes the reader never asked for ("AI safety, alignment
    and regulation" came out research too, so papers rose for a reader who wants safety)."""
    from ..config import UnderstandSettings
    from ..types import Item
    from ..understand import themes as th
    from ..understand.embed import get_embedder
    from ..understand.entities import extract_entities
    from ..understand.jargon import find_jargon

    cfg = settings.understand if settings is not None else UnderstandSettings()
    own = get_embedder(cfg.embedder)
    index = th.ThemeIndex(own, cfg.themes or None)
    sims = index.similarities(own.embed_batch(list(topics))) if topics else np.zeros((0, 0))
    named: list[dict[str, float]] = []
    for i, topic in enumerate(topics):
        item = Item(key=f"topic:{i}", kind="topic", title=topic)
        hits = th.keyword_hits(item, index.keywords, index.first_words)
        nearest = index.ids[int(np.argmax(sims[i]))]
        nm = {f"theme:{t}": 1.0 for t in index.ids if hits[t] or t == nearest}
        nm.update({f"entity:{e}": 1.0 for e in extract_entities(topic, "")[:MAX_PER_KIND]})
        nm.update({f"term:{j}": 1.0 for j in find_jargon(f"{topic}\n")[:MAX_PER_KIND]})
        named.append(normalised(nm))
    vectors = np.zeros((len(topics), 0), np.float32)
    if embedder:
        from ..retrieve.index import _embedder_for

        vecs = _embedder_for(embedder).embed_batch(list(topics))
        vectors = np.asarray(vecs, dtype=np.float32).reshape(len(topics), -1)
    return Prior(topics=list(topics), named=named, vectors=vectors)


def week_for_reader(store: Store, week: str, settings: Settings | None) -> list[Story]:
    """A week's ranked stories as this reader sees them: the one place CLI, web and draft get it."""
    from ..store.stories import load_week

    weight = (settings.learn if settings is not None else LearnSettings()).weight
    if settings is not None:
        current(store, settings)  # the configured topics take effect before any feedback
    return for_reader(store, load_week(store.conn, week), weight)
