"""Would a reader's model do better if it tuned itself? Dev protocol only (issue 16's follow-up).

    .venv/bin/python bench/learn_selftune.py --home .demo-home   # bench/out/learn_selftune.md

The idea tried here: keep two scorers per reader, abreast's learner (the embedding + named-feature
ridge, with the topic prior) and a word model like arXiv-sanity's (TF-IDF of title and text,
the same balanced ridge, so the two are on one footing), and let each reader's own signals decide
how much the word model counts: a reader whose taste is lexical (builders: the understand stage's
themes disagree with their labels most) would get the words, one whose taste is thematic would keep
the themes, with no global tuning. How a reader's signals judge the two:

- ``loo``: leave-one-out predictions of each scorer on the reader's signals (exact for ridge: the
  residual is alpha_i / (G^-1)_ii), the blend weight beta in {0, 0.25, 0.5} that ranks them best
  (AUC), minus a penalty 0.3 * beta * 10 / (n + 10) that favours the learner while signals are few;
- ``loo-week``: the same, leaving out a whole week of signals at once (items of one week share
  stories, so leaving out one item lets its story-mates vouch for it);
- ``progressive``: each signal predicted by the scorers fitted on the signals before it, in the
  order the reader gave them (progressive validation), penalty 0.1;
- ``fixed-B``: beta B for every reader (the global blend, for comparison); ``shipped``: beta 0.

The word model's scores are put on the learner's scale by the ratio of their held-out spreads, so
beta 0 is the shipped learner exactly. Every variant goes through bench/learn_quality.py's dev
protocol (``--split dev``; the test half is never read here) with the same signals as the shipped
learner and the two baselines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

import numpy as np
from scipy.linalg import cho_factor, cho_solve

sys.path.insert(0, str(Path(__file__).resolve().parent))

import learn_quality as lq  # noqa: E402
from abreast.learn import model as lm  # noqa: E402
from abreast.learn.personal import example  # noqa: E402

GRID = (0.0, 0.25, 0.5)
VARIANTS = {
    "shipped": {"beta": 0.0},
    "fixed-0.15": {"beta": 0.15},
    "fixed-0.25": {"beta": 0.25},
    "fixed-0.5": {"beta": 0.5},
    "loo": {"judge": "loo", "penalty": 0.3},
    "loo-week": {"judge": "week", "penalty": 0.3},
    "progressive": {"judge": "progressive", "penalty": 0.1},
}
PROGRESSIVE_START = 4  # the first signals have no model before them worth judging


def balanced_ridge(k: np.ndarray, y: np.ndarray, labels: np.ndarray, ridge: float):
    """The learner's own fit (learn/model.py TrainingSet.fit) on a Gram matrix ``k``: the
    coefficients and the factor of G = centred K + ridge / w."""
    pos, neg = float((labels > 0).sum()), float((labels < 0).sum())
    w = np.where(labels > 0, (pos + neg) / (2 * pos), (pos + neg) / (2 * neg))
    p = w / w.sum()
    m = k @ p
    g = k - m[:, None] - m[None, :] + float(p @ m)
    g[np.diag_indices_from(g)] += ridge / w
    factor = cho_factor(g)
    alpha = cho_solve(factor, y)
    return alpha - float(alpha.sum()) * p, alpha, factor


def held_out(k, y, labels, ridge, groups):
    """Each signal's prediction by the fit without it (or without its group), in closed form."""
    _, alpha, factor = balanced_ridge(k, y, labels, ridge)
    inv = cho_solve(factor, np.eye(len(y)))
    if groups is None:
        return y - alpha / np.diag(inv)
    out = np.empty_like(y)
    for g in set(groups):
        b = np.array([i for i, x in enumerate(groups) if x == g])
        out[b] = y[b] - np.linalg.solve(inv[np.ix_(b, b)], alpha[b])
    return out


def progressive(k, y, labels, ridge):
    """Each signal from PROGRESSIVE_START on predicted by the fit on the signals before it."""
    preds, seen = [], []
    for t in range(PROGRESSIVE_START, len(y)):
        if len(set(labels[:t])) < 2:
            continue
        coef, _, _ = balanced_ridge(k[:t, :t], y[:t], labels[:t], ridge)
        preds.append(k[t, :t] @ coef)
        seen.append(t)
    return np.asarray(preds), np.asarray(seen, dtype=int)


def auc(s: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = s[labels > 0], s[labels < 0]
    if not len(pos) or not len(neg):
        return 0.5
    d = pos[:, None] - neg[None, :]
    return float(((d > 0) + 0.5 * (d == 0)).mean())


def make_personal(spec: dict, chosen: dict):
    def personal(given, ys, judged, prior, model, ctx):
        facts, text, tfidf = ctx["facts"], ctx["text"], ctx["tfidf"]
        exs = [example(facts[p["key"]]) for p in judged]
        mine = np.array([_raw(model, e) for e in exs])
        labels = np.asarray(ys, dtype=np.float64)
        if len(given) < 2 or len(set(ys)) < 2:
            return list(np.tanh(mine))
        ts = lm.training_set([example(facts[p["key"]]) for p in given], ys, prior)
        scale = lm.named_scale(len(given))
        k_mine = scale * scale * ts.gram_named + ts.gram_vector
        prior_says = np.zeros(len(given))
        if prior is not None:
            w0n, w0v = prior.weights(scale, ts.dim)
            prior_says = np.array(
                [
                    scale * lm._sparse_dot(ts.named[i], w0n)
                    + (float(ts.vectors[i] @ w0v) if w0v is not None else 0.0)
                    for i in range(len(given))
                ]
            )
        xg = tfidf.transform([text[p["key"]] for p in given])
        xj = tfidf.transform([text[p["key"]] for p in judged])
        k_words = (xg @ xg.T).toarray()
        coef_w, _, _ = balanced_ridge(k_words, labels, labels, lm.RIDGE)
        words = np.asarray((xj @ xg.T) @ coef_w).ravel()
        judge = spec.get("judge")
        if judge == "progressive":
            a, seen = progressive(k_mine, labels - prior_says, labels, lm.RIDGE)
            a = a + prior_says[seen] if len(seen) else a
            w, _ = progressive(k_words, labels, labels, lm.RIDGE)
            held_labels = labels[seen] if len(seen) else labels[:0]
        else:
            groups = None
            if judge == "week":
                groups = [dt.date.fromisoformat(p["day"]).isocalendar()[:2] for p in given]
            a = held_out(k_mine, labels - prior_says, labels, lm.RIDGE, groups) + prior_says
            w = held_out(k_words, labels, labels, lm.RIDGE, groups)
            held_labels = labels
        # One footing: the word model's scores stretched to the learner's held-out spread, so
        # beta 0 is the shipped learner and beta only moves weight between the two.
        ratio = (float(np.std(a)) or 1.0) / (float(np.std(w)) or 1.0) if len(a) > 1 else 1.0
        if judge is None:
            beta = spec["beta"]
        elif len(held_labels) < 2 or len(set(held_labels)) < 2:
            beta = 0.0
        else:
            n = len(given)
            best = -np.inf
            beta = 0.0
            for b in GRID:
                val = auc((1 - b) * a + b * ratio * w, held_labels) - spec["penalty"] * b * 10 / (
                    n + 10
                )
                if val > best + 1e-12:
                    best, beta = val, b
        reader = ctx.get("reader", "")
        chosen.setdefault((reader, len(given), prior is not None), []).append(beta)
        return list(np.tanh((1 - beta) * mine + beta * ratio * words))

    return personal


def _raw(model: lm.InterestModel, ex: lm.Example) -> float:
    s = model._named_part(ex.named)
    if model.vector is not None and ex.vector.size == model.vector.size:
        s += float(ex.vector @ model.vector)
    return s


ROW = re.compile(
    r"^\| (.+?) \| (yes|no) \| (\d+) \| ([\d.]+) / ([\d.]+) / ([\d.]+) \| (\d+) of (\d+)"
)


def summary(lines: list[str]) -> dict:
    """Cells below the better baseline and mean NDCG@10 per (topics, signals), over the dev sets;
    the classifier-unseen set also on its own."""
    out: dict = {}
    for line in lines:
        m = ROW.match(line)
        if not m:
            continue
        name, topics, n = m.group(1), m.group(2) == "yes", int(m.group(3))
        for key in [(topics, n, "all")] + ([(topics, n, "unseen")] if "unseen" in name else []):
            below, cells, means = out.get(key, (0, 0, []))
            out[key] = (below + int(m.group(7)), cells + int(m.group(8)), [*means, float(m[4])])
    return out


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(lq.ROOT / ".demo-home"))
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args(argv)
    keys = [(False, 10), (False, 50), (True, 0), (True, 10), (True, 50)]
    head = " | ".join(f"{'topics' if t else 'no topics'}, {n}" for t, n in keys)
    table = [
        f"| variant | {head} | unseen items: no topics 10 / 50 | mean beta at 50 signals "
        "(no topics), per reader |",
        "|---|" + "---|" * (len(keys) + 2),
    ]
    for name in args.variants.split(","):
        chosen: dict = {}
        lines = lq.main(
            ["--home", args.home, "--split", "dev"], make_personal(VARIANTS[name], chosen)
        )
        s = summary(lines)
        cells = []
        for t, n in keys:
            below, total, means = s[(t, n, "all")]
            cells.append(f"{below} of {total} ({np.mean(means):.3f})")
        unseen = " / ".join(f"{s[(False, n, 'unseen')][0]}" for n in (10, 50))
        betas = "; ".join(
            f"{r} {np.mean(v):.2f}" for (r, n, t), v in sorted(chosen.items()) if n == 50 and not t
        )
        table.append(f"| {name} | " + " | ".join(cells) + f" | {unseen} | {betas or '-'} |")
        print(table[-1], flush=True)
    text = [
        "# Learn: would a reader's model tune itself? (dev protocol only)",
        "",
        "`bench/learn_selftune.py`: abreast's learner blended with an arXiv-sanity-like word model "
        "(TF-IDF ridge) at weight beta, chosen per reader from their own signals or fixed; each "
        "variant through bench/learn_quality.py's dev protocol (`--split dev`: the dev half and "
        "the earlier weeks in 13 signal orders, and the classifier-unseen set). Per cell: dev "
        "cells where abreast is below the better baseline, of all, and (in brackets) the mean of "
        "the dev sets' mean NDCG@10.",
        "",
        *table,
        "",
    ]
    lq.OUT.mkdir(parents=True, exist_ok=True)
    (lq.OUT / "learn_selftune.md").write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main(sys.argv[1:])
