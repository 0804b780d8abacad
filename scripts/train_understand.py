"""Train the relevance and theme classifiers and write their weights as JSON into
src/abreast/understand/data/. The test half of bench/data/devset.jsonl is never read here.

    .venv/bin/python scripts/train_understand.py [--store .demo-home/abreast.db] [--compare]

Relevance is trained on the DEV half of devset.jsonl. Themes are trained on its dev half's AI items
plus the theme labels of bench/data/themes_extra.tsv (more AI items of the demo store, whose text
is read from --store: a store built by ``abreast demo run``). Hyper-parameters (regularisation C,
weight of the hashed n-grams) are picked by 5-fold cross-validation; the decision cut-off is the
one that maximises F1 on the out-of-fold predictions. ``--compare`` prints, without writing
anything, the theme cross-validation scored on the devset dev items alone with and without the
extra labels in training (the question: do the extra labels help on items like the dev set's?).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import devset  # noqa: E402
from abreast.store import Store  # noqa: E402
from abreast.understand import relevance as rel  # noqa: E402
from abreast.understand import themes as th  # noqa: E402
from abreast.understand.embed import get_embedder  # noqa: E402
from abreast.understand.pipeline import embed_text  # noqa: E402

SEED = 13
REPEATS = 3
EXTRA = ROOT / "bench" / "data" / "themes_extra.tsv"
THEME_GRID_C = (0.1, 0.3, 1.0, 3.0, 10.0)
THEME_GRID_ALPHA = (0.0, 0.5, 1.0, 2.0, 4.0)


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
            f1s, cuts, oofs = [], [], []
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
                oofs.append(oof)
            f1, cut = float(np.mean(f1s)), float(np.median(cuts))
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, c, alpha, cut, oofs)
    f1, c, alpha, cut, oofs = best
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
        "oof": oofs,  # out-of-fold probabilities per repeat, at the chosen C and alpha
    }


def load_extra(store_path: Path) -> tuple[list, list[list[str]]]:
    """The AI items of themes_extra.tsv (codes given; `0` = not AI and `?` = unjudgeable are left
    out) with their text as the store holds it, and their themes."""
    from build_devset import CODES

    labels: dict[str, list[str]] = {}
    for line in EXTRA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, codes, _title = line.split("\t")
        if codes not in ("0", "?"):
            labels[key] = [CODES[c] for c in codes.split()]
    stored = {it.key: it for it in Store.open(store_path).items(keys=list(labels))}
    missing = sorted(set(labels) - set(stored))
    if missing:
        raise SystemExit(
            f"{len(missing)} labelled items are not in {store_path} (e.g. {missing[0]}): "
            "build it with `abreast demo run`"
        )
    keys = sorted(labels)
    return [stored[k] for k in keys], [labels[k] for k in keys]


def train_relevance(dev, sigs) -> None:
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


def fit_themes(tdense, thashes, themes: list[list[str]], ids: list[str]) -> dict[str, dict]:
    """One cross-validated logistic regression per theme over the same features."""
    return {
        t: fit_cv(
            tdense,
            thashes,
            np.array([t in ts for ts in themes]),
            grid_c=THEME_GRID_C,
            grid_alpha=THEME_GRID_ALPHA,
        )
        for t in ids
    }


def scored_on(fits: dict[str, dict], themes: list[list[str]], rows: list[int]) -> dict[str, float]:
    """Micro and macro F1 (mean over the repeats) of the out-of-fold predictions on `rows`, each
    theme cut at its chosen cut-off."""
    micro, macro = [], []
    for rep in range(REPEATS):
        tp = fp = fn = 0
        per = []
        for t, f in fits.items():
            pred = f["oof"][rep][rows] >= f["cutoff"]
            y = np.array([t in themes[i] for i in rows])
            a, b, c = int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum())
            tp, fp, fn = tp + a, fp + b, fn + c
            per.append(2 * a / max(1, 2 * a + b + c))
        micro.append(2 * tp / max(1, 2 * tp + fp + fn))
        macro.append(float(np.mean(per)))
    return {"micro": float(np.mean(micro)), "macro": float(np.mean(macro))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default=str(ROOT / ".demo-home" / "abreast.db"))
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    dev = devset.load("dev")
    extra_items, extra_themes = load_extra(Path(args.store))
    items = [d.item for d in dev]
    sigs, tfeats, tindex = featurize(items + extra_items)
    ai = [i for i, d in enumerate(dev) if d.is_ai]
    n_dev = len(ai)
    rows = ai + list(range(len(dev), len(dev) + len(extra_items)))
    themes = [dev[i].themes for i in ai] + extra_themes
    tdense = tfeats[rows]
    thashes = [sigs[i].hashes for i in rows]
    dev_rows = list(range(n_dev))

    if args.compare:
        base = fit_themes(tdense[:n_dev], thashes[:n_dev], themes[:n_dev], tindex.ids)
        more = fit_themes(tdense, thashes, themes, tindex.ids)
        for name, fits in (("dev only", base), ("dev + extra", more)):
            s = scored_on(fits, themes, dev_rows)
            per = " ".join(f"{t}={f['cv_f1']:.3f}" for t, f in fits.items())
            print(
                f"{name}: on the {n_dev} dev AI items micro F1 {s['micro']:.3f} "
                f"macro F1 {s['macro']:.3f}; own cv F1 per theme {per}"
            )
        return

    train_relevance(dev, sigs[: len(dev)])
    # fit_cv standardises with its own mean/scale (same data, same values), so coefficients
    # transfer.
    mean, scale = tdense.mean(axis=0), tdense.std(axis=0)
    scale[scale == 0] = 1.0
    fits = fit_themes(tdense, thashes, themes, tindex.ids)
    per = {}
    for t, fit in fits.items():
        positives = sum(t in ts for ts in themes)
        per[t] = {
            "coef": fit["coef"],
            "intercept": fit["intercept"],
            "hash_coef": fit["hash_coef"],
            "threshold": fit["cutoff"],
            "cv_f1": round(fit["cv_f1"], 4),
            "positives": positives,
        }
        print(f"theme {t}: {positives} positives, cv F1 {fit['cv_f1']:.3f}")
    s = scored_on(fits, themes, dev_rows)
    print(
        f"themes: {len(rows)} items ({n_dev} devset dev + {len(extra_items)} extra); out-of-fold "
        f"on the devset dev items micro F1 {s['micro']:.3f} macro F1 {s['macro']:.3f}"
    )
    tm = th.ThemeModel(
        features=th.feature_names(tindex.ids),
        mean=mean.tolist(),
        scale=scale.tolist(),
        per_theme=per,
    )
    th.MODEL_FILE.write_text(json.dumps(tm.to_json()) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
