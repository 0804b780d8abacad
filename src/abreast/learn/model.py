"""The reader's interest model: pure, small, explainable.

Why this shape: peers either feed likes into an LLM prompt (opaque, unmeasured) or train an SVM per
tag over TF-IDF (arXiv-sanity: needs many signals). Here one linear model scores an item from two
kinds of features:

- named features a person can read: its themes, source, kind, linked site, the models and
  organisations it names and the jargon it uses ("theme:open-models", "entity:org:meta");
- its text embedding (the understand stage's vector), which lets ten signals generalise to items
  that share no word with them.

It is fitted exactly (ridge regression in its dual form over the signals given so far), so the
result does not depend on the order signals came in. A signal must update it at once (issue 16:
under 50 ms), so the fit keeps its sufficient statistics, ``TrainingSet``: each signalled item's
features and the inner products between them. A new signal adds one row (n inner products), and
the fit is one n x n solve (a few ms for hundreds of signals); nothing is re-read. The weight of
a named feature is then a number `abreast interests` can print in words; the embedding part has no
words and is reported only as its share of the score.

Configured topics are the cold start (``Prior``): the fit shrinks towards the weights that say
"more like my topics" instead of towards zero, so they rank the week before any feedback and
signals correct them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import cho_factor, cho_solve

RIDGE = 1.0  # regularisation: with few signals, stay close to "no opinion"
# Named features against the unit-length embedding. Few signals say little about a direction in
# 256 dimensions but a lot about "papers" or "this site", so the named part leads early and
# settles at NAMED_SCALE once EARLY_SIGNALS are in. 1.0 and the early 2.0 (was 2.0 and 4.0, from
# the dev half alone) on bench/learn_quality.py's whole dev protocol, whose last set judges items
# the theme classifier never saw: there a named feature is as unreliable as on new items, and
# 0.75 to 1.25 (early x2) left the fewest dev cells below a baseline (112 to 117 of 780, against
# 136 at 2.0; 0.5 and 3.0 worse).
NAMED_SCALE = 1.0
EARLY_NAMED_SCALE = 2.0
EARLY_SIGNALS = 30
# Cold start from the configured topics (issue 16): each topic is read as the understand stage
# reads an item (its themes, models, organisations and terms, and its embedding), and the model
# starts from the weights that say "more like these" (ridge towards a prior mean instead of
# towards zero: signals then correct it, and enough of them override it). PRIOR_STRENGTH: how
# hard signals must push to overturn the topics (before any signal the topics' weights are
# sized as one signal, see ``TrainingSet.fit``, so it does not change the cold start's order).
# Chosen on bench/learn_quality.py's dev protocol with topics as they are read now (only the
# themes they name), with bench/learn_prior.py: 1.0 from 0.25/0.5/0.75/1/1.5/2. Weaker lets ten
# signals with one or two "more" pull away from the topics (unseen-item cells below the better
# baseline at 10 signals 48 -> 53 of 195 at 0.5), stronger holds them past 50 signals (39 -> 44
# and 48 at 1.5 and 2). The topics' named part and embedding at a liked item's balance: named
# x0.5 left fewer cells below at 50 signals (30) but lowered the means at 10 (earlier weeks
# 0.869 -> 0.836); named x0.25/0.75 and embedding x0/0.5/2/4 no better.
PRIOR_STRENGTH = 1.0
# Each kind of named feature gets its own share of an item's named vector, so an item naming eight
# models and eight terms does not drown its two themes (with one vector over all of them, a theme
# weighed 1/sqrt(20) there and 1/sqrt(3) on a terse item). Themes count double: they are what
# ten signals generalise by; an entity or a term rarely comes back the next week. Chosen on
# bench/learn_quality.py's dev protocol (themes x2 from equal/x1.5/x2/x3/x4, sources and sites as
# one kind; entities and terms at 0.5 tried and no better).
NAMED_GROUPS = {"theme": 2.0, "source": 1.0, "entity": 1.0, "term": 1.0}  # any other kind: 1.0
_GROUP_OF = {"site": "source"}  # where it came from: the source and the linked site are one kind
# The layout of saved rows and models: rows and weights saved under another one are refitted.
# groups-2: topics are a prior, no longer rows; groups-3: a topic's themes are the ones it names
# (learn/personal.topic_prior), so a prior saved before is read again; groups-4: the topics alone
# are sized as one signal (``TrainingSet.fit``), so a cold-start model saved before is refitted;
# groups-5: what the topics say of a signalled item counts only up to +-1 (``TrainingSet.fit``)
FEATURES = "groups-5"
LABELS = {"more": 1.0, "save": 1.0, "less": -1.0, "hide": -1.0}


@dataclass(frozen=True)
class Example:
    """What the model knows about one item: its named features and its embedding."""

    key: str
    named: Mapping[str, float]
    vector: np.ndarray


@dataclass
class InterestModel:
    """Weights of named features plus a direction in embedding space; zero means no opinion."""

    named: dict[str, float] = field(default_factory=dict)
    vector: np.ndarray | None = None
    signals: int = 0
    named_scale: float = NAMED_SCALE
    topics: list[str] = field(default_factory=list)  # the configured topics it started from
    prior_vector: np.ndarray | None = None  # the topics' share of ``vector``
    topic_features: list[str] = field(default_factory=list)  # named features the topics gave

    @property
    def is_empty(self) -> bool:
        return self.signals == 0 and self.vector is None and not self.named

    def score(self, ex: Example) -> float:
        """How much this reader wants ``ex``: about -1 .. 1, 0 without signals."""
        s = self._named_part(ex.named)
        if self.vector is not None and ex.vector.size == self.vector.size:
            s += float(ex.vector @ self.vector)
        return float(np.tanh(s))

    def scores(self, examples: Sequence[Example]) -> np.ndarray:
        """``score`` of many examples at once: the embedding part as one matrix product."""
        s = np.array([self._named_part(ex.named) for ex in examples], dtype=np.float64)
        if self.vector is not None and len(examples):
            size = self.vector.size
            rows = [i for i, ex in enumerate(examples) if ex.vector.size == size]
            if rows:
                vecs = np.stack([examples[i].vector for i in rows])
                s[rows] += vecs @ self.vector
        return np.tanh(s)

    def parts(self, ex: Example) -> list[tuple[str, float]]:
        """The named features behind ``score``, biggest effect first, plus the embedding's share."""
        scaled = self._scaled(ex.named)
        out = [(f, self.named[f] * v) for f, v in scaled.items() if f in self.named]
        if self.vector is not None and ex.vector.size == self.vector.size:
            if self.prior_vector is not None:
                out.append(("topics", float(ex.vector @ self.prior_vector)))
                out.append(("meaning", float(ex.vector @ (self.vector - self.prior_vector))))
            else:
                out.append(("meaning", float(ex.vector @ self.vector)))
        return sorted((p for p in out if abs(p[1]) >= 0.01), key=lambda p: -abs(p[1]))

    def _named_part(self, named: Mapping[str, float]) -> float:
        """The named features' share of the score: ``_scaled`` summed without building its dict
        (a 20,000-item week scores each item once)."""
        if not named or not self.named:
            return 0.0
        w = self.named
        count: dict[str, int] = {}
        dot: dict[str, float] = {}  # per kind: its features' raw dot product with the weights
        for f, v in named.items():
            g = _GROUP_CACHE.get(f) or _group(f)
            count[g] = count.get(g, 0) + 1
            x = w.get(f)
            if x is not None:
                dot[g] = dot.get(g, 0.0) + x * v
        if not dot:
            return 0.0
        weights = NAMED_GROUPS
        total = math.sqrt(sum(weights.get(g, 1.0) ** 2 for g in count))
        part = sum(d * weights.get(g, 1.0) / math.sqrt(count[g]) for g, d in dot.items())
        return part / total * self.named_scale

    def _scaled(self, named: Mapping[str, float]) -> dict[str, float]:
        return {f: v * self.named_scale for f, v in normalised(named).items()}

    def to_dict(self) -> dict:
        return {
            "features": FEATURES,
            "named": self.named,
            "vector": None if self.vector is None else [round(float(x), 6) for x in self.vector],
            "signals": self.signals,
            "named_scale": self.named_scale,
            "topics": self.topics,
            "topic_features": self.topic_features,
            "prior_vector": None
            if self.prior_vector is None
            else [round(float(x), 6) for x in self.prior_vector],
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> InterestModel:
        vec, pv = d.get("vector"), d.get("prior_vector")
        return cls(
            named=dict(d.get("named") or {}),
            vector=None if vec is None else np.asarray(vec, dtype=np.float32),
            signals=int(d.get("signals") or 0),
            named_scale=float(d.get("named_scale") or NAMED_SCALE),
            topics=list(d.get("topics") or []),
            topic_features=list(d.get("topic_features") or []),
            prior_vector=None if pv is None else np.asarray(pv, dtype=np.float32),
        )


def named_scale(signals: int) -> float:
    """How much the named features count against the embedding after ``signals`` signals."""
    early = max(0.0, 1.0 - signals / EARLY_SIGNALS)
    return NAMED_SCALE + (EARLY_NAMED_SCALE - NAMED_SCALE) * early


def normalised(named: Mapping[str, float]) -> dict[str, float]:
    """Named features on the unit sphere, so an item with many of them does not outweigh its
    embedding (the scale in front is ``named_scale``); within it each kind (theme, source and
    site, entity, term) has the length NAMED_GROUPS gives it, however many features it has."""
    if not named:
        return {}
    k = _group_factors(named)
    return {f: v * k[_group(f)] for f, v in named.items()}


def _group_factors(named: Mapping[str, float]) -> dict[str, float]:
    """Per kind of feature, what each of its features is multiplied by (see ``normalised``).
    Plain floats and math.sqrt: a week's re-rank calls this for every item that shares a feature
    with the model."""
    count: dict[str, int] = {}
    for f in named:
        g = _group(f)
        count[g] = count.get(g, 0) + 1
    weights = NAMED_GROUPS
    total = math.sqrt(sum(weights.get(g, 1.0) ** 2 for g in count))
    return {g: weights.get(g, 1.0) / math.sqrt(n) / total for g, n in count.items()}


_GROUP_CACHE: dict[str, str] = {}  # feature -> its kind (a week repeats the same few thousand)


def _group(feature: str) -> str:
    g = _GROUP_CACHE.get(feature)
    if g is None:
        if len(_GROUP_CACHE) > 200_000:  # a long-running server: bounded, never stale
            _GROUP_CACHE.clear()
        kind = feature.partition(":")[0]
        g = _GROUP_CACHE[feature] = _GROUP_OF.get(kind, kind)
    return g


@dataclass
class Prior:
    """The configured topics as the model's starting point: per topic its named features (as an
    item's, see ``normalised``) and its embedding."""

    topics: list[str]
    named: list[dict[str, float]]
    vectors: np.ndarray  # one row per topic; zeros where the embedder gave none

    def weights(self, scale: float, dim: int) -> tuple[dict[str, float], np.ndarray | None]:
        """The prior mean of the model's weights: PRIOR_STRENGTH times the topics' mean feature
        vector ("more like my topics", as one average liked item would say it)."""
        k = PRIOR_STRENGTH / max(1, len(self.topics))
        named: dict[str, float] = {}
        for nm in self.named:
            for f, v in nm.items():
                named[f] = named.get(f, 0.0) + k * scale * v
        vector = None
        if dim and self.vectors.shape == (len(self.topics), dim):
            vector = (k * self.vectors.astype(np.float64).sum(axis=0)).astype(np.float32)
        return named, vector

    def own_score(
        self, named: Mapping[str, float], vector: np.ndarray | None, scale: float
    ) -> float:
        """What weights (``named``, ``vector``) score the topics' mean features, before tanh."""
        t = max(1, len(self.topics))
        mean: dict[str, float] = {}
        for nm in self.named:
            for f, v in nm.items():
                mean[f] = mean.get(f, 0.0) + v / t
        s = scale * _sparse_dot(mean, named)
        if vector is not None and self.vectors.shape[1:] == vector.shape:
            s += float(self.vectors.astype(np.float64).mean(axis=0) @ vector)
        return s

    def to_dict(self) -> dict:
        return {
            "topics": self.topics,
            "named": self.named,
            "vectors": [[round(float(x), 6) for x in v] for v in self.vectors],
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Prior:
        vecs = np.asarray(d.get("vectors") or [], dtype=np.float32)
        topics = list(d["topics"])
        return cls(
            topics=topics,
            named=[dict(n) for n in d["named"]],
            vectors=vecs.reshape(len(topics), -1) if vecs.size else np.zeros((len(topics), 0)),
        )


@dataclass
class TrainingSet:
    """The fit's sufficient statistics: per signalled item (and configured topic, the cold start)
    its key, label, normalised named features and embedding, plus the Gram matrices of both
    feature kinds. Adding one row costs O(n) inner products; ``fit`` is one n x n solve.

    Rows are never deleted, only switched off (label None): an undone signal keeps its row, so
    the rows saved in the store stay in step with the matrices (row i is position i), and the
    same item signalled again is switched back on without recomputing anything."""

    dim: int
    features: str = FEATURES  # the layout of ``named`` (see FEATURES)
    keys: list[str] = field(default_factory=list)
    labels: list[float | None] = field(default_factory=list)
    named: list[dict[str, float]] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    gram_named: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    gram_vector: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    prior: Prior | None = None  # the configured topics (cold start)

    def __post_init__(self) -> None:
        if self.vectors.shape != (len(self.keys), self.dim):
            self.vectors = self.vectors.reshape(len(self.keys), self.dim).astype(np.float32)

    @property
    def signals(self) -> int:
        return sum(1 for y in self.labels if y is not None)

    def live(self) -> dict[str, float]:
        """Key -> label of the rows that count now."""
        return {k: y for k, y in zip(self.keys, self.labels, strict=True) if y is not None}

    def position(self, key: str) -> int | None:
        try:
            return self.keys.index(key)
        except ValueError:
            return None

    def add(self, ex: Example, label: float) -> int:
        """One more row (its position); an item without an embedding of this set's size counts by
        name only. A key already here (switched off) is switched back on."""
        i = self.position(ex.key)
        if i is not None:
            self.labels[i] = float(label)
            return i
        vec = ex.vector if ex.vector.size == self.dim else np.zeros(self.dim, np.float32)
        nm = normalised(ex.named)
        kn = np.array([_sparse_dot(nm, other) for other in self.named] + [_sparse_dot(nm, nm)])
        kv = np.append(self.vectors @ vec, vec @ vec).astype(np.float64)
        self.gram_named = _grow(self.gram_named, kn)
        self.gram_vector = _grow(self.gram_vector, kv)
        self.vectors = np.vstack([self.vectors, vec[None, :].astype(np.float32)])
        self.keys.append(ex.key)
        self.labels.append(float(label))
        self.named.append(nm)
        return len(self.keys) - 1

    def set_label(self, key: str, label: float | None) -> None:
        """Relabel a row, or switch it off with None."""
        i = self.position(key)
        if i is not None:
            self.labels[i] = None if label is None else float(label)

    def fit(self) -> InterestModel:
        """Ridge regression of the labels (+1 wanted, -1 not) on the rows' features, towards the
        topics' prior weights w0 (zero without topics), solved in the dual on what the prior
        leaves unexplained: alpha = (Kc + RIDGE W^-1)^-1 (y - X w0), weights = w0 + Xc^T alpha."""
        idx = [i for i, y in enumerate(self.labels) if y is not None]
        signals = len(idx)
        scale = named_scale(signals)
        w0_named, w0_vector = self.prior.weights(scale, self.dim) if self.prior else ({}, None)
        topics = self.prior.topics if self.prior else []

        def model(
            named: dict[str, float],
            vector: np.ndarray | None,
            prior_vector: np.ndarray | None = w0_vector,
        ) -> InterestModel:
            return InterestModel(
                named={f: round(v, 5) for f, v in named.items() if abs(v) >= 1e-4},
                vector=vector,
                signals=signals,
                named_scale=scale,
                topics=topics,
                prior_vector=prior_vector,
                topic_features=sorted(w0_named),
            )

        def topics_only() -> InterestModel:
            """No signal to contrast yet: the topics' direction, sized so that the topics
            themselves score what one liked item's label says (1 before tanh). At the prior's
            own size (PRIOR_STRENGTH, how hard signals must push) an item with the topic's theme
            scored 3 to 4 before tanh, 0.99 and up after: every such item alike, so the topics
            could not put an item about them above one that merely touches them, nor order them
            by meaning. Dev protocol with topics, 0 signals: mean NDCG@10 0.772 -> 0.854 (dev
            half), 0.823 -> 0.874 (earlier weeks), 0.805 -> 0.827 (classifier-unseen items)."""
            assert self.prior is not None
            own = self.prior.own_score(w0_named, w0_vector, scale)
            c = 1.0 / own if own > 0 else 1.0
            vec = None if w0_vector is None else (c * w0_vector).astype(np.float32)
            return model({f: c * v for f, v in w0_named.items()}, vec, vec)

        if not idx:
            return topics_only() if topics else InterestModel()
        y = np.asarray([self.labels[i] for i in idx], dtype=np.float64)
        # Balance: readers say "less" far more often than "more" (most of a feed is not for
        # them); unweighted, the fit would learn "everything is unwanted". Each side then weighs
        # the same, and centring the features (on their weighted mean) is the intercept: it moves
        # every score alike, so ranking ignores it.
        pos, neg = float((y > 0).sum()), float((y < 0).sum())
        if not pos or not neg:
            # One kind of signal only (every one "less", say): nothing to contrast, and with the
            # intercept the exact fit adds nothing to the prior (zero without topics). Said
            # outright, not left to rounding: weights of 1e-16 are noise that the week's blend
            # would stretch into a reordering.
            if topics:
                return topics_only()
            return InterestModel(signals=signals, named_scale=scale)
        if topics:  # what the prior already says about each signalled item
            said = np.array(
                [
                    scale * _sparse_dot(self.named[i], w0_named)
                    + (float(self.vectors[i] @ w0_vector) if w0_vector is not None else 0.0)
                    for i in idx
                ]
            )
            # Only up to what a signal can say (+-1): a "more" on an item the topics already
            # score above 1 is agreement, not a call to like it less. Unclipped, that item's
            # residual was negative, as large as a "less" on an item the topics ignore, and the
            # two cancelled: "more" on Bamba and "less" on 1-800-ChatGPT under the topic "running
            # language models locally" taught nothing, ChatGPT's theme even a little "more".
            y = y - np.clip(said, -1.0, 1.0)
        w = np.ones_like(y)
        labels = np.asarray([self.labels[i] for i in idx], dtype=np.float64)
        w[labels > 0] = (pos + neg) / (2 * pos)
        w[labels < 0] = (pos + neg) / (2 * neg)
        p = w / w.sum()
        sub = np.ix_(idx, idx)
        gram = scale * scale * self.gram_named[sub] + self.gram_vector[sub]
        m = gram @ p  # each row's inner product with the weighted mean
        centred = gram - m[:, None] - m[None, :] + float(p @ m)
        centred[np.diag_indices_from(centred)] += RIDGE / w
        # Symmetric positive definite (a Gram matrix plus a positive diagonal): Cholesky, half
        # the work of a general solve.
        with one_blas_thread():
            alpha = cho_solve(cho_factor(centred, overwrite_a=True), y)
        coef = alpha - float(alpha.sum()) * p  # weights = sum_i coef_i x_i
        named = dict(w0_named)
        for c, i in zip(coef, idx, strict=True):
            for f, v in self.named[i].items():
                named[f] = named.get(f, 0.0) + c * v * scale
        vector = None
        if self.dim:
            vector = (self.vectors[idx].T.astype(np.float64) @ coef).astype(np.float32)
            if w0_vector is not None:
                vector = vector + w0_vector
        return model(named, vector)


_controller = None


def one_blas_thread():
    """BLAS on one thread for these small matrices: a thread pool costs more than it saves at
    n = hundreds, and on a busy machine its threads wait on each other (measured: a 500 x 500
    solve 120 ms on two threads under load, 5 ms on one)."""
    global _controller
    from threadpoolctl import ThreadpoolController

    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def fit(
    examples: Sequence[Example], labels: Sequence[float], prior: Prior | None = None
) -> InterestModel:
    """The model for ``examples`` with ``labels``, from scratch, starting from ``prior`` (the
    configured topics, the cold start)."""
    return training_set(examples, labels, prior).fit()


def training_set(
    examples: Sequence[Example],
    labels: Sequence[float],
    prior: Prior | None = None,
    dim: int | None = None,
) -> TrainingSet:
    """A TrainingSet of ``examples`` starting from ``prior``; ``dim``: the embedding size
    (default: the largest among them; an item without a vector that size counts by name only)."""
    dims = {e.vector.size for e in examples}
    if prior is not None:
        dims.add(prior.vectors.shape[1] if prior.vectors.ndim == 2 else 0)
    ts = TrainingSet(dim=dim if dim is not None else max(dims, default=0), prior=prior)
    for e, y in zip(examples, labels, strict=True):
        ts.add(e, y)
    return ts


def _sparse_dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return float(sum(v * b.get(f, 0.0) for f, v in a.items()))


def _grow(gram: np.ndarray, row: np.ndarray) -> np.ndarray:
    """``gram`` with one more row and column, ``row`` (its last entry on the diagonal)."""
    n = gram.shape[0]
    out = np.empty((n + 1, n + 1))
    out[:n, :n] = gram
    out[n, :] = row
    out[:, n] = row
    return out


def describe(
    model: InterestModel, top: int = 6
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The named features the reader wants more of and less of, strongest first."""
    ranked = sorted(model.named.items(), key=lambda kv: -kv[1])
    more = [(f, w) for f, w in ranked if w > 0.02][:top]
    less = [(f, w) for f, w in reversed(ranked) if w < -0.02][:top]
    return more, less
