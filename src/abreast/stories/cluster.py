"""Which items of a week are about the same thing: pure clustering over members + embeddings.

The pairwise similarity of two items is their embedding cosine, adjusted by hard signals:
  * the same canonical URL makes them one story, always (similarity 1);
  * the TF-IDF cosine of their titles adds up to ``title_weight``: a rare name both titles use
    ("Bamba", "Falcon 3") says more than any embedding of a short title;
  * sharing a model entity (``model:o3``) adds ``model_boost``; sharing only an organisation
    (``org:openai``) adds the much smaller ``org_boost`` (OpenAI ships many things a week); neither
    applies between a paper and a news item (an HN post about 1-800-ChatGPT and a paper that studies
    ChatGPT are two stories); a model the news named every recent week ("ChatGPT") counts as an
    organisation (``background_models``);
  * items published far apart inside the week lose ``time_penalty`` per day beyond
  ``time_grace_days``;
  * two different arXiv papers are two publications: their similarity drops by ``paper_penalty``
    (topically close papers otherwise swallow each other);
  * a paper and a news item are one story only when the news names the paper: the same URL, or
    titles overlapping by at least ``mixed_min_title`` (TF-IDF cosine); below that the pair drops
    by ``paper_penalty`` too. An embedding cannot tell "a paper on LLM compilers" from "a book on
    LLM pitfalls": both read as "LLMs", and a card would quote the paper under the book's title.

Clustering is average linkage with a similarity threshold, which does not chain the way connected
components do. To stay fast on 20,000 items we never build the full n x n matrix: a
nearest-neighbour search (exact in blocks for ordinary weeks, an inverted-file index over k-means
cells for big ones) gives a sparse candidate graph; its connected components at the threshold are an
upper bound of the average-linkage clusters, and linkage runs densely inside each component only. A
story needs no second source: a lone arXiv paper is a story of one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from ..config import StoriesSettings
from ..types import Member
from .text import count_matrix, tfidf_rows

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

_USER = StoriesSettings()  # the three parameters a user may set have their defaults in config


@dataclass(frozen=True)
class ClusterParams:
    threshold: float = _USER.threshold  # average adjusted similarity needed to be one story
    title_weight: float = _USER.title_weight
    model_boost: float = _USER.model_boost
    org_boost: float = 0.03
    time_grace_days: float = 2.0
    time_penalty: float = 0.03  # per day beyond the grace
    paper_penalty: float = 0.50
    mixed_min_title: float = 0.30  # title cosine a paper and a non-paper need (chosen on dev)
    min_title_overlap: float = (
        0.30  # title cosine from which a pair is a candidate on its words alone
    )
    max_title_df: int = 60  # words in more titles than this are too common to propose pairs
    block: int = 1024  # rows per matmul block
    exact_up_to: int = 4000  # above this many items, search neighbours in k-means cells
    max_component: int = 3000  # larger components are first cut at a stricter level
    max_entity_group: int = 60  # an entity shared by more items adds no candidate edges


@dataclass
class PairSignals:
    """The hard signals of n items as arrays: everything pairwise scoring needs, computed once."""

    url_ids: np.ndarray  # int: equal ids = same canonical URL; -1 = no URL
    days: np.ndarray  # published time in days (nan when unknown)
    is_paper: np.ndarray  # bool: kind == arxiv
    titles: csr_matrix  # L2-normalised TF-IDF of the titles
    models: csr_matrix  # 0/1: item x model entity
    orgs: csr_matrix  # 0/1: item x organisation entity

    def subset(self, g: np.ndarray) -> PairSignals:
        return PairSignals(
            self.url_ids[g],
            self.days[g],
            self.is_paper[g],
            self.titles[g],
            self.models[g],
            self.orgs[g],
        )


def signals_of(
    members: Sequence[Member],
    canonical_urls: Sequence[str | None] | None = None,
    background: Collection[str] = (),
) -> PairSignals:
    """``background``: model entities the news named every recent week (``background_models``);
    they weigh like an organisation."""
    urls = list(canonical_urls) if canonical_urls is not None else [m.url for m in members]
    ids: dict[str, int] = {}
    url_ids = np.array([ids.setdefault(u, len(ids)) if u else -1 for u in urls], dtype=np.int64)
    bg = set(background)

    def marks_event(e: str) -> bool:
        return e.startswith("model:") and e not in bg

    models, _ = count_matrix([[e for e in m.entities if marks_event(e)] for m in members])
    orgs, _ = count_matrix(
        [
            [e for e in m.entities if e.startswith(("org:", "model:")) and not marks_event(e)]
            for m in members
        ]
    )
    models.data[:] = 1.0
    orgs.data[:] = 1.0
    return PairSignals(
        url_ids=url_ids,
        days=np.array([_days(m.published_at) for m in members], dtype=np.float64),
        is_paper=np.array([m.kind == "arxiv" for m in members], dtype=bool),
        titles=tfidf_rows([m.title for m in members]),
        models=models.tocsr(),
        orgs=orgs.tocsr(),
    )


def background_models(earlier: Sequence[set[str]]) -> frozenset[str]:
    """The model entities the news named nearly every recent week (``earlier``: the model entities
    of each week with items among the 4 before this one; named in all but one of them, and in at
    least 2): a name used all the time ("ChatGPT": 19 items of 2024-W50 were a Canvas feature, an
    outage, a maths blunder and a price comparison) marks no single event, so two items naming it
    are no likelier one story than two items naming OpenAI. A release named for the first time,
    or only some weeks (Sora, QwQ, LTX-Video), still ties its items. All but one, not all: a week
    recorded in part (a source added midweek) must not make every name look new."""
    if len(earlier) < 2:
        return frozenset()
    need = max(2, len(earlier) - 1)
    counts = Counter(e for week in earlier for e in set(week))
    return frozenset(e for e, n in counts.items() if n >= need)


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


def cluster(
    members: Sequence[Member],
    vectors: np.ndarray,
    params: ClusterParams | None = None,
    canonical_urls: Sequence[str | None] | None = None,
    background: Collection[str] = (),
) -> list[list[int]]:
    """Group members into stories. Returns lists of member indices; every index appears exactly
    once. Clusters are ordered by their first index, members inside a cluster ascending
    (deterministic)."""
    p = params or ClusterParams()
    if len(members) == 0:
        return []
    x = normalise(vectors)
    sig = signals_of(members, canonical_urls, background)
    with _one_blas_thread():
        out = _cluster_at(np.arange(len(members)), x, sig, p, p.threshold)
    return sorted((sorted(c) for c in out), key=lambda c: c[0])


def _one_blas_thread() -> AbstractContextManager[object]:
    """Many small matrix products: BLAS threads spinning up for each cost more than they save,
    several times over on a busy 2-core machine (measured: 3.4 s vs 0.7 s for the neighbour
    search)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        from contextlib import nullcontext

        return nullcontext()
    limits: AbstractContextManager[object] = threadpool_limits(1)  # untyped library
    return limits


def _cluster_at(
    g: np.ndarray, x: np.ndarray, sig: PairSignals, p: ClusterParams, level: float
) -> list[list[int]]:
    """Components of the candidate graph at `level`, each split by average linkage at
    p.threshold."""
    xs, ss = x[g], sig.subset(g)
    rows, cols = _candidate_edges(xs, ss, p)
    sims = pair_similarity(xs, ss, p, rows, cols)
    keep = sims >= level
    out: list[list[int]] = []
    to_link: list[np.ndarray] = []
    for comp in _components(len(g), rows[keep], cols[keep]):
        members = np.asarray(comp)
        if len(comp) <= 2:  # average linkage of two items is their edge, already above the level
            out.append(g[members].tolist())
        elif len(comp) > p.max_component and level < p.threshold + 0.3:
            out.extend(_cluster_at(g[members], x, sig, p, level + 0.05))
        elif len(comp) > p.max_component:  # cannot be cut further: link it in affordable pieces
            to_link.extend(
                members[s : s + p.max_component] for s in range(0, len(members), p.max_component)
            )
        else:
            to_link.append(members)
    for part, labels in zip(to_link, _link_all(to_link, xs, ss, p), strict=True):
        groups: dict[int, list[int]] = defaultdict(list)
        for i, lab in zip(g[part].tolist(), labels, strict=True):
            groups[lab].append(i)
        out.extend(groups.values())
    return out


# --- candidate graph -------------------------------------------------------------------------


def _candidate_edges(
    x: np.ndarray, sig: PairSignals, p: ClusterParams
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) that can reach the threshold, from three exact generators: embedding neighbours
    close enough to need no help, pairs whose titles share rare words, pairs tied by a URL or
    model."""
    n = len(x)
    floor = p.threshold - p.org_boost - p.title_weight * p.min_title_overlap
    pairs = [_embedding_pairs(x, floor, p), _title_pairs(sig, p)] if n > 1 else []
    for group in _tied_groups(sig, p.max_entity_group):
        a, b = np.triu_indices(len(group), 1)
        pairs.append(np.stack([group[a], group[b]], axis=1))
    pairs = [q for q in pairs if len(q)]
    if not pairs:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    allp = np.concatenate(pairs).astype(np.int64)
    lo, hi = allp.min(axis=1), allp.max(axis=1)
    code = np.unique(
        (lo * n + hi)[lo != hi]
    )  # one int per pair: 1-D unique is far faster than axis=0
    return code // n, code % n


def _embedding_pairs(x: np.ndarray, floor: float, p: ClusterParams) -> np.ndarray:
    if len(x) <= p.exact_up_to:
        idx = np.arange(len(x))
        return _pairs_above(x, idx, idx, floor, p.block)
    return _pairs_ivf(x, floor, p)


def _pairs_above(
    x: np.ndarray, queries: np.ndarray, pool: np.ndarray, floor: float, block: int
) -> np.ndarray:
    """(query, pool item) pairs with cosine >= floor, computed in row blocks."""
    out = []
    xp = x[pool]
    for s in range(0, len(queries), block):
        q = queries[s : s + block]
        r, c = np.nonzero((x[q] @ xp.T) >= floor)
        out.append(np.stack([q[r], pool[c]], axis=1))
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)


def _pairs_ivf(x: np.ndarray, floor: float, p: ClusterParams, probes: int = 3) -> np.ndarray:
    """The same pairs, approximately, for big weeks: items are put in k-means cells (a few seeded
    Lloyd steps on the centred vectors, so the direction every AI item shares does not lump them all
    into one cell) and each cell is searched against its `probes` nearest cells. Items of one story
    are close to each other, so they sit in the same or adjacent cells."""
    from scipy.sparse import csr_matrix

    n = len(x)
    xc = normalise(x - x.mean(axis=0))
    cells = max(8, n // 100)
    centroids = xc[np.random.default_rng(0).choice(n, cells, replace=False)]
    for _ in range(5):
        assign = np.argmax(xc @ centroids.T, axis=1)
        onehot = csr_matrix(
            (np.ones(n, dtype=np.float32), (assign, np.arange(n))), shape=(cells, n)
        )
        sums = np.asarray(onehot @ xc)
        empty = np.asarray(onehot.sum(axis=1)).ravel() == 0
        centroids = normalise(np.where(empty[:, None], centroids, sums))
    assign = np.argmax(xc @ centroids.T, axis=1)
    order = np.argsort(assign, kind="stable")
    bounds = np.searchsorted(assign[order], np.arange(cells + 1))
    members = [order[bounds[c] : bounds[c + 1]] for c in range(cells)]
    near = np.argsort(-(centroids @ centroids.T), axis=1)[:, :probes]
    out = [
        _pairs_above(x, members[c], np.concatenate([members[d] for d in near[c]]), floor, p.block)
        for c in range(cells)
        if len(members[c])
    ]
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)


def _title_pairs(sig: PairSignals, p: ClusterParams) -> np.ndarray:
    """Pairs whose titles share words rare in this week enough to reach min_title_overlap."""
    t = sig.titles.tocsc()
    df = np.diff(t.indptr)
    rare = np.flatnonzero((df > 1) & (df <= p.max_title_df))
    if len(rare) == 0:
        return np.empty((0, 2), dtype=np.int64)
    sub = t[:, rare].tocsr()
    prod = (sub @ sub.T).tocoo()
    ok = (prod.row < prod.col) & (prod.data >= p.min_title_overlap)
    return np.stack([prod.row[ok], prod.col[ok]], axis=1).astype(np.int64)


def _tied_groups(sig: PairSignals, max_group: int) -> list[np.ndarray]:
    groups = []
    order = np.argsort(sig.url_ids, kind="stable")
    ids = sig.url_ids[order]
    for start, end in _runs(ids):
        if ids[start] >= 0 and end - start > 1:
            groups.append(order[start:end])
    models = sig.models.tocsc()
    for j in range(models.shape[1]):
        rows = models.indices[models.indptr[j] : models.indptr[j + 1]]
        if 1 < len(rows) <= max_group:
            groups.append(np.sort(rows))
    return groups


def _runs(sorted_ids: np.ndarray) -> Iterator[tuple[int, int]]:
    if len(sorted_ids) == 0:
        return
    cuts = np.flatnonzero(np.diff(sorted_ids)) + 1
    bounds = np.concatenate([[0], cuts, [len(sorted_ids)]])
    yield from zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)


# --- similarity ------------------------------------------------------------------------------


def pair_similarity(
    x: np.ndarray, sig: PairSignals, p: ClusterParams, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """Adjusted similarity of each (row, col) pair (see module docstring)."""
    if len(rows) == 0:
        return np.empty(0, dtype=np.float64)
    cos = np.concatenate(
        [
            np.einsum("ij,ij->i", x[rows[s : s + 20000]], x[cols[s : s + 20000]])
            for s in range(0, len(rows), 20000)
        ]
    ).astype(np.float64)  # chunks: no n x dim copy
    lex = _rowwise(sig.titles, rows, cols)
    model = _rowwise(sig.models, rows, cols) > 0
    org = _rowwise(sig.orgs, rows, cols) > 0
    # A paper and a news item both naming ChatGPT are rarely one story; a shared URL or title still
    # joins them (and without a shared title they are kept apart, below).
    mixed = sig.is_paper[rows] != sig.is_paper[cols]
    bonus = np.where(mixed, 0.0, np.where(model, p.model_boost, np.where(org, p.org_boost, 0.0)))
    late = np.nan_to_num(
        np.maximum(np.abs(sig.days[rows] - sig.days[cols]) - p.time_grace_days, 0.0), nan=0.0
    )
    papers = sig.is_paper[rows] & sig.is_paper[cols]
    apart = papers | (mixed & (lex < p.mixed_min_title))  # two publications, or unnamed paper
    sim = cos + p.title_weight * lex + bonus - p.time_penalty * late - p.paper_penalty * apart
    same_url = (sig.url_ids[rows] >= 0) & (sig.url_ids[rows] == sig.url_ids[cols])
    return np.where(same_url, 1.0, sim)


def _rowwise(m: csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return np.asarray(m[rows].multiply(m[cols]).sum(axis=1)).ravel()


def cross_similarity(
    a: Sequence[int], b: Sequence[int], x: np.ndarray, sig: PairSignals, p: ClusterParams
) -> np.ndarray:
    """Adjusted similarity of every item of `a` with every item of `b`, as a len(a) x len(b)
    matrix."""
    ga, gb = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    sim = (x[ga] @ x[gb].T).astype(np.float64)
    lex = (sig.titles[ga] @ sig.titles[gb].T).toarray()
    sim += p.title_weight * lex
    model = (sig.models[ga] @ sig.models[gb].T).toarray() > 0
    org = (sig.orgs[ga] @ sig.orgs[gb].T).toarray() > 0
    mixed = sig.is_paper[ga][:, None] != sig.is_paper[gb][None, :]
    sim += np.where(mixed, 0.0, np.where(model, p.model_boost, np.where(org, p.org_boost, 0.0)))
    da, db = sig.days[ga], sig.days[gb]
    late = np.nan_to_num(
        np.maximum(np.abs(da[:, None] - db[None, :]) - p.time_grace_days, 0.0), nan=0.0
    )
    sim -= p.time_penalty * late
    papers = sig.is_paper[ga][:, None] & sig.is_paper[gb][None, :]
    sim -= p.paper_penalty * (papers | (mixed & (lex < p.mixed_min_title)))
    ua, ub = sig.url_ids[ga], sig.url_ids[gb]
    same_url = (ua[:, None] >= 0) & (ua[:, None] == ub[None, :])
    return np.where(same_url, 1.0, sim)


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


def _link_all(
    comps: list[np.ndarray], x: np.ndarray, sig: PairSignals, p: ClusterParams
) -> list[list[int]]:
    """Average-linkage labels for each component. The pairs of all components are scored in one
    vectorised pass (thousands of small components would otherwise pay per-call overhead)."""
    if not comps:
        return []
    tri = [np.triu_indices(len(c), 1) for c in comps]
    rows = np.concatenate([c[a] for c, (a, _) in zip(comps, tri, strict=True)])
    cols = np.concatenate([c[b] for c, (_, b) in zip(comps, tri, strict=True)])
    dist = np.clip(1.0 - pair_similarity(x, sig, p, rows, cols), 0.0, None)
    out, start = [], 0
    for c, (a, _) in zip(comps, tri, strict=True):
        out.append(_average_linkage_cut(dist[start : start + len(a)], len(c), 1.0 - p.threshold))
        start += len(a)
    return out


def _average_linkage_cut(condensed: np.ndarray, m: int, cut: float) -> list[int]:
    """Flat cluster labels of average linkage (UPGMA) cut at distance `cut`, from condensed
    distances."""
    if m <= 24:  # most components are small; scipy's per-call overhead would dominate
        return _small_average_linkage(condensed, m, cut)
    from scipy.cluster.hierarchy import linkage

    tree = linkage(condensed, method="average")
    parent = list(range(2 * m - 1))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for k, (a, b, d, _) in enumerate(tree.tolist()):
        if d > cut:  # average linkage merges at non-decreasing distances: the rest are above too
            break
        parent[find(int(a))] = m + k
        parent[find(int(b))] = m + k
    roots: dict[int, int] = {}
    return [roots.setdefault(find(i), len(roots)) for i in range(m)]


def _small_average_linkage(condensed: np.ndarray, m: int, cut: float) -> list[int]:
    from scipy.spatial.distance import squareform

    d = squareform(condensed, checks=False).astype(np.float64)
    np.fill_diagonal(d, np.inf)
    size = np.ones(m)
    label = list(range(m))
    alive = np.ones(m, dtype=bool)
    while alive.sum() > 1:
        flat = int(np.argmin(d))
        a, b = divmod(flat, m)
        if d[a, b] > cut:
            break
        # UPGMA: the merged cluster's distance to k is the size-weighted mean of its parts'
        # distances.
        merged = (size[a] * d[a] + size[b] * d[b]) / (size[a] + size[b])
        d[a], d[:, a] = merged, merged
        d[a, a] = np.inf
        d[b], d[:, b] = np.inf, np.inf
        size[a] += size[b]
        alive[b] = False
        label = [a if lab == b else lab for lab in label]
    roots: dict[int, int] = {}
    return [roots.setdefault(lab, len(roots)) for lab in label]
