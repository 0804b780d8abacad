"""The reader's interest model: pure, small, explainable.

Why this shape: peers either feed likes into an LLM prompt (opaque, unmeasured) or train an SVM per
tag over TF-IDF (arXiv-sanity: needs many signals). Here one linear model scores an item from two
kinds of features:

- named features a person can read: its themes, source, kind, linked site, the models and
  organisations it names and the jargon it uses ("theme:open-models", "entity:org:meta");
- its text embedding (the understand stage's vector), which lets ten signals generalise to items
  that share no word with them.

It is fitted exactly (ridge regression in its dual form over the signals given so far: with n
signals that is an n x n solve, a few milliseconds for hundreds of signals), so "updated on every
signal" costs nothing and the result does not depend on the order signals came in. The weight of a
named feature is then a number `abreast interests` can print in words; the embedding part has no
words and is reported only as its share of the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

RIDGE = 1.0  # regularisation: with few signals, stay close to "no opinion"
NAMED_SCALE = 2.0  # named features against the unit-length embedding (chosen on dev)
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

    @property
    def is_empty(self) -> bool:
        return self.signals == 0 and self.vector is None and not self.named

    def score(self, ex: Example) -> float:
        """How much this reader wants ``ex``: about -1 .. 1, 0 without signals."""
        s = sum(self.named.get(f, 0.0) * v for f, v in _scaled(ex.named).items())
        if self.vector is not None and ex.vector.size == self.vector.size:
            s += float(ex.vector @ self.vector)
        return float(np.tanh(s))

    def parts(self, ex: Example) -> list[tuple[str, float]]:
        """The named features behind ``score``, biggest effect first, plus the embedding's share."""
        out = [(f, self.named[f] * v) for f, v in _scaled(ex.named).items() if f in self.named]
        if self.vector is not None and ex.vector.size == self.vector.size:
            out.append(("meaning", float(ex.vector @ self.vector)))
        return sorted((p for p in out if abs(p[1]) >= 0.01), key=lambda p: -abs(p[1]))

    def to_dict(self) -> dict:
        return {
            "named": self.named,
            "vector": None if self.vector is None else [round(float(x), 6) for x in self.vector],
            "signals": self.signals,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> InterestModel:
        vec = d.get("vector")
        return cls(
            named=dict(d.get("named") or {}),
            vector=None if vec is None else np.asarray(vec, dtype=np.float32),
            signals=int(d.get("signals") or 0),
        )


def fit(
    examples: Sequence[Example],
    labels: Sequence[float],
    prior: Sequence[np.ndarray] = (),
) -> InterestModel:
    """Ridge regression of ``labels`` (+1 wanted, -1 not) on the examples' features, solved in the
    dual (n x n). ``prior``: vectors of the topics the user configured, the cold start, each
    counted as one mild "more"."""
    rows = list(examples)
    ys = [float(y) for y in labels]
    dims = {e.vector.size for e in rows} | {p.size for p in prior}
    dim = max(dims) if dims else 0
    prior_rows = [Example(key=f"topic:{i}", named={}, vector=p) for i, p in enumerate(prior)]
    rows += prior_rows
    ys += [0.5] * len(prior_rows)
    if not rows:
        return InterestModel()
    names = sorted({f for e in rows for f in e.named})
    index = {f: i for i, f in enumerate(names)}
    x = np.zeros((len(rows), len(names) + dim), dtype=np.float64)
    for r, e in enumerate(rows):
        for f, v in _scaled(e.named).items():
            x[r, index[f]] = v
        if e.vector.size == dim:
            x[r, len(names) :] = e.vector
    y = np.asarray(ys)
    # Balance: readers say "less" far more often than "more" (most of a feed is not for them);
    # unweighted, the fit would learn "everything is unwanted". Each side then weighs the same,
    # and centring the features is the intercept (it moves every score alike, so ranking ignores
    # it).
    pos, neg = float((y > 0).sum()), float((y < 0).sum())
    weights = np.where(y > 0, (pos + neg) / (2 * pos) if pos else 1.0, 1.0)
    weights = np.where(y < 0, (pos + neg) / (2 * neg) if neg else 1.0, weights)
    x = x - (weights[:, None] * x).sum(axis=0) / weights.sum()
    gram = x @ x.T
    alpha = np.linalg.solve(gram + RIDGE * np.diag(1.0 / weights), y)
    w = x.T @ alpha
    named = {f: round(float(w[i]), 5) for f, i in index.items() if abs(w[i]) >= 1e-4}
    vector = w[len(names) :].astype(np.float32) if dim else None
    return InterestModel(named=named, vector=vector, signals=len(examples))


def _scaled(named: Mapping[str, float]) -> dict[str, float]:
    """Named features scaled so an item with many of them does not outweigh its embedding."""
    if not named:
        return {}
    k = NAMED_SCALE / np.sqrt(len(named))
    return {f: v * k for f, v in named.items()}


def describe(
    model: InterestModel, top: int = 6
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The named features the reader wants more of and less of, strongest first."""
    ranked = sorted(model.named.items(), key=lambda kv: -kv[1])
    more = [(f, w) for f, w in ranked if w > 0.02][:top]
    less = [(f, w) for f, w in reversed(ranked) if w < -0.02][:top]
    return more, less
