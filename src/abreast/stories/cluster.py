"""Which items of a week are about the same thing: pure clustering over members + embeddings.

The pairwise similarity of two items is their embedding cosine, adjusted by hard signals:
  * the same canonical URL makes them one story, always (distance 0);
  * sharing a specific model entity (``model:o3``) adds ``model_boost``; sharing only an
    organisation (``org:openai``) adds the much smaller ``org_boost`` (OpenAI ships many things a week);
  * items published far apart inside the week lose ``time_penalty`` per day beyond ``time_grace_days``;
  * two different arXiv papers are two publications, so their cosine is lowered by ``paper_penalty``
    (topically close papers otherwise swallow each other).

Clustering is average linkage with a similarity threshold, which does not chain the way
connected components do. To stay fast on 20,000 items we never build the full n x n matrix:
blocked k-nearest-neighbour search gives a sparse candidate graph, its connected components at the
threshold are an upper bound of the average-linkage clusters, and linkage runs densely inside each
component only. A story needs no second source: a lone arXiv paper is a story of one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .model import Member


@dataclass(frozen=True)
class ClusterParams:
    threshold: float = 0.62           # average adjusted similarity needed to be one story
    model_boost: float = 0.20
    org_boost: float = 0.03
    time_grace_days: float = 2.0
    time_penalty: float = 0.03        # per day beyond the grace
    paper_penalty: float = 0.25
    neighbours: int = 15              # candidate edges per item in the sparse graph
    block: int = 2048                 # rows per matmul block
    max_component: int = 3000         # larger components are split by raising the threshold
    max_entity_group: int = 60        # entities shared by more items than this add no candidate edges


@dataclass
class Signals:
    """The hard signals of n items, in the arrays the clustering needs."""

    urls: list[str | None]
    days: np.ndarray                  # published time in days (nan when unknown)
    is_paper: np.ndarray              # bool: kind == arxiv
    models: list[frozenset[str]]
    orgs: list[frozenset[str]]


def signals_of(members: Sequence[Member], canonical_urls: Sequence[str | None] | None = None) -> Signals:
    urls = list(canonical_urls) if canonical_urls is not None else [m.url for m in members]
    return Signals(
        urls=[u or None for u in urls],
        days=np.array([_days(m.published_at) for m in members], dtype=np.float64),
        is_paper=np.array([m.kind == "arxiv" for m in members], dtype=bool),
        models=[frozenset(e for e in m.entities if e.startswith("model:")) for m in members],
        orgs=[frozenset(e for e in m.entities if e.startswith("org:")) for m in members],
    )


def _days(published_at: str | None) -> float:
    if not published_at:
        return float("nan")
    try:
        return datetime.fromisoformat(published_at.replace("Z", "+00:00")).timestamp() / 86400.0
    except ValueError:
        return float("nan")


def normalise(vectors: np.ndarray) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def cluster(members: Sequence[Member], vectors: np.ndarray, params: ClusterParams | None = None,
            canonical_urls: Sequence[str | None] | None = None) -> list[list[int]]:
    """Group members into stories. Returns lists of member indices; every index appears exactly once.
    Clusters are ordered by their first index, members inside a cluster ascending (deterministic)."""
    p = params or ClusterParams()
    n = len(members)
    if n == 0:
        return []
    x = normalise(vectors)
    sig = signals_of(members, canonical_urls)
    rows, cols = _candidate_edges(x, sig, p)
    sims = adjusted_similarity(x, sig, p, rows, cols)
    keep = sims >= p.threshold
    groups = _components(n, rows[keep], cols[keep])
    out: list[list[int]] = []
    for g in groups:
        out.extend(_split(g, x, sig, p, p.threshold))
    return sorted((sorted(c) for c in out), key=lambda c: c[0])


# --- candidate graph -------------------------------------------------------------------------

def _candidate_edges(x: np.ndarray, sig: Signals, p: ClusterParams) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) worth scoring: each item's nearest neighbours plus pairs tied by a URL or model."""
    n = len(x)
    k = min(p.neighbours, n - 1)
    pairs: list[np.ndarray] = []
    if k > 0:
        floor = p.threshold - p.model_boost - p.org_boost  # below this no boost can lift a pair
        for start in range(0, n, p.block):
            sims = x[start:start + p.block] @ x.T
            idx = np.argpartition(-sims, k, axis=1)[:, :k + 1]
            top = np.take_along_axis(sims, idx, axis=1)
            r = np.repeat(np.arange(start, start + len(sims)), idx.shape[1])
            c = idx.ravel()
            ok = (top.ravel() >= floor) & (r != c)
            pairs.append(np.stack([r[ok], c[ok]], axis=1))
    for group in _tied_groups(sig, p.max_entity_group):
        g = np.asarray(group)
        a, b = np.triu_indices(len(g), 1)
        pairs.append(np.stack([g[a], g[b]], axis=1))
    if not pairs:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    allp = np.concatenate(pairs).astype(np.int64)
    allp.sort(axis=1)
    allp = np.unique(allp, axis=0)
    return allp[:, 0], allp[:, 1]


def _tied_groups(sig: Signals, max_group: int) -> list[list[int]]:
    by: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(sig.urls):
        if u:
            by["url:" + u].append(i)
    for i, ms in enumerate(sig.models):
        for m in ms:
            by[m].append(i)
    return [g for key, g in by.items() if 1 < len(g) <= (max_group if not key.startswith("url:") else 10**9)]


# --- similarity ------------------------------------------------------------------------------

def adjusted_similarity(x: np.ndarray, sig: Signals, p: ClusterParams,
                        rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine of each (row, col) pair adjusted by the hard signals (see module docstring)."""
    if len(rows) == 0:
        return np.empty(0, dtype=np.float64)
    cos = np.einsum("ij,ij->i", x[rows], x[cols]).astype(np.float64)
    bonus = np.array([_entity_bonus(sig, i, j, p) for i, j in zip(rows.tolist(), cols.tolist(), strict=True)])
    dt = np.abs(sig.days[rows] - sig.days[cols])
    late = np.nan_to_num(np.maximum(dt - p.time_grace_days, 0.0), nan=0.0)
    papers = sig.is_paper[rows] & sig.is_paper[cols]
    sim = cos + bonus - p.time_penalty * late - p.paper_penalty * papers
    same_url = np.array([sig.urls[i] is not None and sig.urls[i] == sig.urls[j]
                         for i, j in zip(rows.tolist(), cols.tolist(), strict=True)], dtype=bool)
    return np.where(same_url, 1.0, sim)


def _entity_bonus(sig: Signals, i: int, j: int, p: ClusterParams) -> float:
    if sig.models[i] & sig.models[j]:
        return p.model_boost
    if sig.orgs[i] & sig.orgs[j]:
        return p.org_boost
    return 0.0


def dense_similarity(idx: Sequence[int], x: np.ndarray, sig: Signals, p: ClusterParams) -> np.ndarray:
    """Adjusted similarity of every pair inside one component (small: the component's size squared)."""
    g = np.asarray(idx)
    sim = (x[g] @ x[g].T).astype(np.float64)
    m = len(g)
    model_m = _shares(g, sig.models)
    org_m = _shares(g, sig.orgs)
    sim += np.where(model_m, p.model_boost, np.where(org_m, p.org_boost, 0.0))
    d = sig.days[g]
    late = np.nan_to_num(np.maximum(np.abs(d[:, None] - d[None, :]) - p.time_grace_days, 0.0), nan=0.0)
    sim -= p.time_penalty * late
    pap = sig.is_paper[g]
    sim -= p.paper_penalty * (pap[:, None] & pap[None, :])
    urls = [sig.urls[i] for i in g]
    for a in range(m):
        if urls[a] is None:
            continue
        for b in range(a + 1, m):
            if urls[a] == urls[b]:
                sim[a, b] = sim[b, a] = 1.0
    np.fill_diagonal(sim, 1.0)
    return sim


def _shares(g: np.ndarray, sets: list[frozenset[str]]) -> np.ndarray:
    """Boolean matrix: items a and b of the group share at least one element of their sets."""
    vocab: dict[str, int] = {}
    for i in g:
        for e in sets[i]:
            vocab.setdefault(e, len(vocab))
    if not vocab:
        return np.zeros((len(g), len(g)), dtype=bool)
    inc = np.zeros((len(g), len(vocab)), dtype=np.float32)
    for a, i in enumerate(g):
        for e in sets[i]:
            inc[a, vocab[e]] = 1.0
    return (inc @ inc.T) > 0


# --- components and linkage ------------------------------------------------------------------

def _components(n: int, rows: np.ndarray, cols: np.ndarray) -> list[list[int]]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels.tolist()):
        groups[lab].append(i)
    return list(groups.values())


def _split(group: list[int], x: np.ndarray, sig: Signals, p: ClusterParams, level: float) -> list[list[int]]:
    """Average-linkage clusters of one component at ``p.threshold``."""
    if len(group) == 1:
        return [group]
    if len(group) > p.max_component:
        # Too big to link densely: cut it at a stricter single-linkage level first.
        return _tighten(group, x, sig, p, level + 0.05)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = np.clip(1.0 - dense_similarity(group, x, sig, p), 0.0, None)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - p.threshold, criterion="distance")
    out: dict[int, list[int]] = defaultdict(list)
    for i, lab in zip(group, labels.tolist(), strict=True):
        out[lab].append(i)
    return list(out.values())


def _tighten(group: list[int], x: np.ndarray, sig: Signals, p: ClusterParams, level: float) -> list[list[int]]:
    sub = ClusterParams(**{**p.__dict__, "threshold": level})
    g = np.asarray(group)
    local_sig = Signals(urls=[sig.urls[i] for i in g], days=sig.days[g], is_paper=sig.is_paper[g],
                        models=[sig.models[i] for i in g], orgs=[sig.orgs[i] for i in g])
    rows, cols = _candidate_edges(x[g], local_sig, sub)
    sims = adjusted_similarity(x[g], local_sig, sub, rows, cols)
    keep = sims >= level
    out: list[list[int]] = []
    for comp in _components(len(g), rows[keep], cols[keep]):
        members = [group[i] for i in comp]
        if len(comp) == len(group):  # nothing left to cut at this level: link what we can afford
            out.extend(_chunks(members, p.max_component, x, sig, p))
        else:
            out.extend(_split(members, x, sig, p, level))
    return out


def _chunks(members: list[int], size: int, x: np.ndarray, sig: Signals, p: ClusterParams) -> list[list[int]]:
    out: list[list[int]] = []
    for s in range(0, len(members), size):
        out.extend(_split(members[s:s + size], x, sig, p, 1.0))
    return out
