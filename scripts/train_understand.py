"""Train the relevance and theme classifiers on the DEV half of bench/data/devset.jsonl and write
their weights as JSON into src/abreast/understand/data/. The test half is never read here.

    .venv/bin/python scripts/train_understand.py

Hyper-parameters (regularisation C, weight of the hashed n-grams) are picked by 5-fold
cross-validation on the dev half; the decision cut-off is the one that maximises F1 on the
out-of-fold predictions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import devset  # noqa: E402
from abreast.understand import relevance as rel  # noqa: E402
from abreast.understand import themes as th  # noqa: E402
from abreast.understand.embed import get_embedder  # noqa: E402
from abreast.understand.pipeline import embed_text  # noqa: E402

SEED = 13
REPEATS = 3


def featurize(items, embedder_name="wordllama"):
    """Dense relevance signals, hashes and theme features for items, exactly as annotate() computes
    them."""
    emb = get_embedder(embedder_name)
    vecs = emb.embed_batch([embed_text(it) for it in items])
    topics = rel.TopicIndex(emb)
    tindex = th.ThemeIndex(emb)
    sim_ai, sim_other, _ = topics.similarities(vecs)
    tsims = tindex.similarities(vecs)
    sigs, tfeats = [], []
    for i, it in enumerate(items):
        s = rel.signals(it, float(sim_ai[i]), float(sim_other[i]), [])
        sigs.append(s)
        hits = th.keyword_hits(it, tindex.keywords)
        tfeats.append(
            th.dense_features(it, hits, [float(x) for x in tsims[i]], s.dense, tindex.ids)
        )
    return sigs, np.array(tfeats, dtype=np.float64), tindex


def design(dense: np.ndarray, hashes: list[list[int]], mean, scale, alpha: float):
    from scipy import sparse

    z = (dense - mean) / scale
    rows = [i for i, hs in enumerate(hashes) for _ in hs]
    cols = [h for hs in hashes for h in hs]
    hx = sparse.csr_matrix(
        (np.full(len(cols), alpha), (rows, cols)), shape=(len(hashes), rel.HASH_BUCKETS)
    )
    return sparse.hstack([sparse.csr_matrix(z), hx]).tocsr()


def best_cutoff(y, p):
    best = (0.0, 0.5)
    for t in np.linspace(0.05, 0.95, 91):
        pred = p >= t
        tp = float((pred & y).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum() + y.sum()))
        if f1 > best[0] + 1e-9:
            best = (f1, float(t))
    return best


def fit_cv(dense, hashes, y, grid_c=(0.03, 0.1, 0.3, 1.0, 3.0), grid_alpha=(0.0, 0.5, 1.0)):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    mean, scale = dense.mean(axis=0), dense.std(axis=0)
    scale[scale == 0] = 1.0
    best = None
    for c in grid_c:
        for alpha in grid_alpha:
            X = design(dense, hashes, mean, scale, alpha)
            # Three differently shuffled 5-fold runs: with a few hundred labels one split is too
            # noisy
            # to choose hyper-parameters by.
            f1s, cuts = [], []
            for rep in range(REPEATS):
                oof = np.zeros(len(y))
                for tr, te in StratifiedKFold(
                    n_splits=5, shuffle=True, random_state=SEED + rep
                ).split(X, y):
                    m = LogisticRegression(
                        C=c, solver="liblinear", max_iter=2000, class_weight="balanced"
                    ).fit(X[tr], y[tr])
                    oof[te] = m.predict_proba(X[te])[:, 1]
                f1, cut = best_cutoff(y, oof)
                f1s.append(f1)
                cuts.append(cut)
            f1, cut = float(np.mean(f1s)), float(np.median(cuts))
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, c, alpha, cut)
    f1, c, alpha, cut = best
    X = design(dense, hashes, mean, scale, alpha)
    m = LogisticRegression(C=c, solver="liblinear", max_iter=2000, class_weight="balanced").fit(
        X, y
    )
    n = dense.shape[1]
    hash_coef = (
        {int(j): float(m.coef_[0, n + j] * alpha) for j in np.nonzero(m.coef_[0, n:])[0]}
        if alpha
        else {}
    )
    return {
        "coef": m.coef_[0, :n].tolist(),
        "intercept": float(m.intercept_[0]),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "hash_coef": hash_coef,
        "cutoff": cut,
        "cv_f1": f1,
        "C": c,
        "alpha": alpha,
    }


def main() -> None:
    dev = devset.load("dev")
    items = [d.item for d in dev]
    sigs, tfeats, tindex = featurize(items)
    dense = np.array([[s.dense[f] for f in rel.DENSE] for s in sigs])
    hashes = [s.hashes for s in sigs]
    y = np.array([d.is_ai for d in dev])
    r = fit_cv(dense, hashes, y)
    model = rel.RelevanceModel(
        coef=dict(zip(rel.DENSE, r["coef"], strict=True)),
        mean=dict(zip(rel.DENSE, r["mean"], strict=True)),
        scale=dict(zip(rel.DENSE, r["scale"], strict=True)),
        intercept=r["intercept"],
        hash_coef=r["hash_coef"],
        cutoff=r["cutoff"],
        meta={
            "trained_on": "bench/data/devset.jsonl split=dev",
            "n": len(y),
            "positives": int(y.sum()),
            "cv_f1": round(r["cv_f1"], 4),
            "C": r["C"],
            "hash_weight": r["alpha"],
            "embedder": "wordllama",
        },
    )
    rel.MODEL_FILE.write_text(json.dumps(model.to_json()) + "\n", encoding="utf-8")
    print(
        f"relevance: cv F1 {r['cv_f1']:.3f} C={r['C']} alpha={r['alpha']} cutoff={r['cutoff']:.2f}"
    )

    ai = [i for i, d in enumerate(dev) if d.is_ai]
    tdense = tfeats[ai]
    thashes = [hashes[i] for i in ai]
    mean, scale = tdense.mean(axis=0), tdense.std(axis=0)
    scale[scale == 0] = 1.0
    per = {}
    for t in tindex.ids:
        yt = np.array([t in dev[i].themes for i in ai])
        fit = fit_cv(tdense, thashes, yt, grid_c=(0.1, 0.3, 1.0), grid_alpha=(0.0, 0.5))
        # fit_cv standardises with its own mean/scale (same data, same values), so coefficients
        # transfer.
        per[t] = {
            "coef": fit["coef"],
            "intercept": fit["intercept"],
            "hash_coef": fit["hash_coef"],
            "threshold": fit["cutoff"],
            "cv_f1": round(fit["cv_f1"], 4),
            "positives": int(yt.sum()),
        }
        print(f"theme {t}: {int(yt.sum())} positives, cv F1 {fit['cv_f1']:.3f}")
    tm = th.ThemeModel(
        features=th.feature_names(tindex.ids),
        mean=mean.tolist(),
        scale=scale.tolist(),
        per_theme=per,
    )
    th.MODEL_FILE.write_text(json.dumps(tm.to_json()) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
