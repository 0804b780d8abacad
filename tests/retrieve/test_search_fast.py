"""The fast search path returns exactly what the plain one does (issue 17: p99 at 1M items).

Fast: the window's vectors read as stored int8 with only the rows that can be among the best scored
exactly (retrieve/vectors.py), and word sense judged only for the candidates the walk down the
scores reaches (retrieve/query.py's _Sense). Plain: every row scored exactly, every one of the 150
candidates judged before anything is dropped."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from abreast.retrieve import query as Q
from abreast.retrieve.vectors import StoredVectors
from abreast.retrieve.verdicts import KeptVerdicts
from abreast.store import retrieval as sql
from abreast.store.compact import decode_vector, decode_vectors, encode_vector, stored_matrix

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def plain_nearest(vectors: StoredVectors, qvec: np.ndarray, mask: np.ndarray, n: int) -> list[int]:
    """Every row within ``mask`` scored exactly; best first, equal scores the later row first."""
    if not qvec.any() or not mask.any():
        return []
    rows = np.flatnonzero(mask)
    sims = vectors.exact(rows, qvec)
    return [int(rows[k]) for k in sorted(range(len(rows)), key=lambda k: (-sims[k], -rows[k]))[:n]]


def stored(rng: np.random.Generator, n: int, dim: int, copies: int) -> StoredVectors:
    """``n`` unit vectors stored as the store stores them, ``copies`` of them repeated (the same
    text collected twice has the same vector: ties) and as many again a last bit apart (closer than
    a float32 product can tell)."""
    x = rng.standard_normal((n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    codes, scales = stored_matrix([encode_vector(v) for v in x], dim)
    assert scales is not None
    for k in range(2):
        to, src = rng.integers(0, n, copies), rng.integers(0, n, copies)
        codes[to], scales[to] = codes[src], scales[src]
        if k:
            scales[to] = np.nextafter(scales[to], np.float32(1))
    return StoredVectors(codes, scales)


@pytest.mark.parametrize("seed", range(6))
def test_nearest_rows_are_those_of_scoring_every_row(seed):
    rng = np.random.default_rng(seed)
    vectors = stored(rng, 5000 + 997 * seed, 64, copies=400)
    for _ in range(5):
        q = rng.standard_normal(64).astype(np.float32)
        q /= np.linalg.norm(q)
        # a query close to a stored vector: its neighbours are near-ties of each other
        if seed % 2:
            q = vectors[int(rng.integers(len(vectors)))] + 1e-4 * q
        mask = rng.random(len(vectors)) < (0.2 if seed % 3 == 0 else 1.0)
        for n in (1, 150, int(mask.sum()) + 5):
            assert vectors.nearest(q, mask, n) == plain_nearest(vectors, q, mask, n)


def test_any_error_within_the_fast_pass_bound_leaves_the_ranking_alone(monkeypatch):
    rng = np.random.default_rng(11)
    vectors = stored(rng, 4000, 64, copies=300)
    # 400 rows of one vector, their scales a few last bits apart: closer than the bound, and the
    # query's 150 best among them
    near = rng.choice(len(vectors), 400, replace=False)
    vectors.codes[near] = vectors.codes[17]
    steps = rng.integers(0, 40, 400).astype(np.float32)
    vectors.scales[near] = vectors.scales[17] * (1 + steps * np.finfo(np.float32).eps)
    q = vectors[17] + 1e-3 * rng.standard_normal(64).astype(np.float32)
    rows = np.arange(len(vectors))
    exact, bound = vectors.exact(rows, q), vectors._error(q)
    assert np.abs(vectors._approx(q) - exact).max() <= bound
    everything = np.ones(len(vectors), dtype=bool)
    want = plain_nearest(vectors, q, everything, 150)
    # the worst a fast pass within the bound may do: lift every row just outside, lower every row
    # just inside
    inside = np.zeros(len(vectors), dtype=bool)
    inside[want] = True
    worst = exact + np.where(inside, -bound, bound)
    monkeypatch.setattr(StoredVectors, "_approx", lambda self, q: worst.copy())
    assert vectors.nearest(q, everything, 150) == want


def test_nearest_reads_float32_vectors_too_and_refuses_nothing():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3000, 32)).astype(np.float32)
    vectors = StoredVectors(*stored_matrix([v.astype("<f4").tobytes() for v in x], 32))
    assert vectors.scales is None
    q = rng.standard_normal(32).astype(np.float32)
    everything = np.ones(len(vectors), dtype=bool)
    assert vectors.nearest(q, everything, 40) == plain_nearest(vectors, q, everything, 40)
    assert vectors.nearest(np.zeros(32, dtype=np.float32), everything, 40) == []
    assert vectors.nearest(q, np.zeros(len(vectors), dtype=bool), 40) == []


def test_rows_decode_as_the_store_decodes_them():
    rng = np.random.default_rng(3)
    blobs = [encode_vector(v) for v in rng.standard_normal((50, 16)).astype(np.float32)]
    vectors = StoredVectors(*stored_matrix(blobs, 16))
    whole = decode_vectors(blobs, 16)
    assert vectors[np.arange(50)].tobytes() == whole.tobytes()
    assert vectors[[4, 2, 4]].tobytes() == whole[[4, 2, 4]].tobytes()
    assert vectors[7].tobytes() == decode_vector(blobs[7], 16).tobytes()
    assert vectors.shape == (50, 16)


def _requests() -> list[tuple[Q.Request, dict]]:
    out = []
    for r in map(json.loads, (DATA / "todo_requests.jsonl").open()):
        out.append(
            (Q.Request(r["request"], r["context"]), {"since": r["since"], "until": r["until"]})
        )
        out.append((Q.Request(r["request"], r["context"]), {}))
    for q in map(json.loads, (DATA / "questions.jsonl").open()):
        out.append((Q.Request(q["question"]), {}))
    # glossary terms whose other senses the demo holds ("label alignment", a game's agents)
    out += [(Q.Request(t), {}) for t in ("agent", "alignment", "diffusion", "quantization")]
    return out


def test_fast_search_returns_what_the_plain_path_returns_on_the_demo(demo_store, monkeypatch):
    requests = _requests()
    judged: list[int] = []
    real_judge = Q._Sense._judge

    def counting(self, rows):
        judged.append(len(rows))
        real_judge(self, rows)

    monkeypatch.setattr(Q._Sense, "_judge", counting)
    fast = [Q.search(demo_store, req, limit=10, **kw) for req, kw in requests]
    fast_judged = sum(judged)

    real_of = Q._Sense.of

    def judge_all(store, idx, req, cand):
        sense = real_of(store, idx, req, cand)
        if sense is not None:
            real_judge(sense, list(sense.head))
            judged.append(len(sense.head))
        return sense

    judged.clear()
    # plain: nothing read from the verdicts kept beside the store (the fast pass kept its own)
    monkeypatch.setattr(KeptVerdicts, "get", lambda self, term, hashes: {})
    monkeypatch.setattr(KeptVerdicts, "put", lambda self, term, judged: None)
    monkeypatch.setattr(Q._Sense, "of", staticmethod(judge_all))
    monkeypatch.setattr(StoredVectors, "nearest", plain_nearest)
    plain = [Q.search(demo_store, req, limit=10, **kw) for req, kw in requests]

    assert sum(map(len, fast)) > 5 * len(requests)
    for (req, kw), a, b in zip(requests, fast, plain, strict=True):
        assert a == b, (req.text, kw)
    # the fast path is fast because it judges fewer: most glossary requests stop at MMR's pool
    assert 0 < fast_judged < 0.8 * sum(judged)


def test_full_text_ranking_is_fts5s_own_rank_order_ties_included(demo_store):
    """store.items.RANKED computes bm25 once per match: the same rows in the same order as FTS5's
    `ORDER BY rank` (which computes it twice), equal scores by rowid, for every full-text query the
    labelled requests make, in the window and all time."""
    asked: list[tuple[str, int, int | None]] = []
    real = sql.fts_ranked

    def spy(conn, match, limit=200, floor=None):
        asked.append((match, limit, floor))
        return real(conn, match, limit, floor)

    import abreast.retrieve.query as query_module

    orig = query_module.sql.fts_ranked
    query_module.sql.fts_ranked = spy
    try:
        for req, kw in _requests():
            Q.search(demo_store, req, mode="fts", **kw)
    finally:
        query_module.sql.fts_ranked = orig
    # the demo is one window: ask the same matches with a floor inside it too
    low = demo_store.conn.execute("SELECT min(id) + 2000 FROM items").fetchone()[0]
    ties = 0
    for match, limit, floor in asked + [(m, lim, low) for m, lim, _ in asked]:
        own = demo_store.conn.execute(
            "SELECT rowid, rank FROM item_fts WHERE item_fts MATCH ? AND rowid >= ? "
            "AND rank MATCH 'bm25(3.0, 1.0)' ORDER BY rank LIMIT ?",
            (match, floor or 0, limit),
        ).fetchall()
        got = sql.fts_ranked(demo_store.conn, match, limit, floor)
        assert got == [(r[0], r[1]) for r in own], match
        ties += len(got) - len({s for _, s in got})
    assert len(asked) > 80 and ties > 20  # the ties are there to be put in order
