"""The configured topics as the learner's prior: where they fail, and their constants. Dev only.

    .venv/bin/python bench/learn_prior.py --home .demo-home   # bench/out/learn_prior.md

bench/learn_quality.py's dev protocol with topics (the dev half and the earlier weeks, each in
abreast's order and 12 shuffled ones, and the classifier-unseen items of one earlier week at a
time, 13 orders; the test half is never read here), asked three things:

- which (week, reader) cells of the unseen items rank below the baselines, with topics and
  without (13 orders each: at 0 signals they are one cell 13 times);
- at 0 signals, why: the items the topics lift above the reader's, each with the prior's theme
  part and embedding part of its score, its hand themes and the understand stage's;
- the prior's constants (learn/model.py PRIOR_STRENGTH, the topics' named part against their
  embedding, the cold start's size; learn/personal.py PRIOR_SIGNALS): per variant, per dev set
  and signal count, the cells below the better baseline (below no personalisation at 0
  signals) and the mean NDCG@10, every variant on the same signals and baselines. Rows without
  topics are left out: no variant here touches them.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import statistics
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import learn_failures as lf  # noqa: E402
import learn_quality as lq  # noqa: E402
from abreast.learn import model as M  # noqa: E402
from abreast.learn import personal as P  # noqa: E402
from abreast.learn.model import fit  # noqa: E402
from abreast.learn.personal import blend, confidence, example, topic_prior  # noqa: E402
from abreast.store import Store  # noqa: E402
from abreast.store import learn as sql  # noqa: E402

WEIGHT = 10.0
COUNTS = (0, 10, 50)
# name -> (PRIOR_STRENGTH, PRIOR_SIGNALS, named part x, embedding part x, cold start as the
# prior's own size, the named part fading as 1 / (1 + signals / this))
SHIPPED = (M.PRIOR_STRENGTH, P.PRIOR_SIGNALS, 1.0, 1.0, False, None)
VARIANTS: dict[str, tuple] = {"shipped": SHIPPED}
VARIANTS["cold start at the prior's own size (before)"] = (*SHIPPED[:4], True, None)
for _s in (0.25, 0.5, 0.75, 1.5, 2.0):
    VARIANTS[f"strength {_s}"] = (_s, *SHIPPED[1:])
for _p in (3, 8, 10):
    VARIANTS[f"topics count as {_p} signals"] = (SHIPPED[0], _p, *SHIPPED[2:])
for _k in (0.25, 0.5, 0.75):
    VARIANTS[f"named part x{_k}"] = (*SHIPPED[:2], _k, *SHIPPED[3:])
for _k in (0.0, 0.5, 2.0, 4.0):
    VARIANTS[f"embedding part x{_k}"] = (*SHIPPED[:3], _k, *SHIPPED[4:])
for _d in (10, 25):
    VARIANTS[f"named part fading, half at {_d} signals"] = (*SHIPPED[:5], _d)


@contextmanager
def variant(spec: tuple, signals: int):
    """The learner as ``spec`` says, for a fit on ``signals`` signals."""
    strength, prior_signals, named_k, vector_k, own_size, fade = spec
    saved = (M.PRIOR_STRENGTH, P.PRIOR_SIGNALS, M.Prior.weights, M.Prior.own_score)
    weights = M.Prior.weights
    if fade:
        named_k = named_k / (1.0 + signals / fade)

    def scaled(self, scale, dim):
        named, vector = weights(self, scale, dim)
        named = {f: v * named_k for f, v in named.items()}
        return named, None if vector is None else (vector * vector_k).astype(np.float32)

    M.PRIOR_STRENGTH, P.PRIOR_SIGNALS, M.Prior.weights = strength, prior_signals, scaled
    if own_size:
        M.Prior.own_score = lambda self, named, vector, scale: 1.0
    try:
        yield
    finally:
        M.PRIOR_STRENGTH, P.PRIOR_SIGNALS, M.Prior.weights, M.Prior.own_score = saved


def main(argv: list[str]) -> list[str]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(lq.ROOT / ".demo-home"))
    args = ap.parse_args(argv)
    store = Store.open(Path(args.home) / "abreast.db")
    pool, base, text = lq.load_pool(store)
    embedder = sql.embedding_model(store.conn)
    facts = {f.key: f for f in sql.item_facts(store.conn, [p["key"] for p in pool], embedder)}
    pool = [p for p in pool if p["key"] in facts and facts[p["key"]].vector.size]
    ex = {p["key"]: example(facts[p["key"]]) for p in pool}
    priors = {r: topic_prior(t, embedder, None) for r, t in lq.READER_TOPICS.items()}
    sets = lf.dev_sets(pool, base)
    weeks = sorted(  # the unseen items' weeks, in lf.dev_sets's order
        {dt.date.fromisoformat(p["day"]).isocalendar()[1] for p in pool if p["day"] < lq.SPLIT_DAY}
    )

    tfidf = lq.sanity_words(pool, text)
    svm_cache: dict = {}

    def svm(given, ys, judged, relevant, default) -> float:
        key = (tuple(p["key"] for p in given), tuple(ys), tuple(p["key"] for p in judged))
        if key not in svm_cache:
            order = lq.sanity_order(tfidf, text, given, ys, judged, default)
            svm_cache[key] = lq.ndcg10(order, relevant)
        return svm_cache[key]

    def ranked(model, judged) -> list[dict]:
        final = blend(
            [base[p["key"]] for p in judged],
            model.scores([ex[p["key"]] for p in judged]),
            WEIGHT * confidence(model),
        )
        return [
            p
            for _, p in sorted(zip(final, judged, strict=True), key=lambda x: (-x[0], x[1]["key"]))
        ]

    def run(spec: tuple | None) -> dict:
        """(set, run, reader, signals) -> (abreast, the better baseline); ``spec`` None: no
        topics."""
        cells = {}
        for name, runs in sets.items():
            for i, (sig, judged) in enumerate(runs):
                default = [
                    p["key"] for p in sorted(judged, key=lambda p: (-base[p["key"]], p["key"]))
                ]
                for reader, wanted in lq.READERS.items():
                    relevant = {p["key"] for p in judged if p["themes"] & wanted}
                    none = lq.ndcg10(default, relevant)
                    for n in COUNTS if spec else COUNTS[1:]:
                        given = sig[:n]
                        ys = [1.0 if p["themes"] & wanted else -1.0 for p in given]
                        exs = [ex[p["key"]] for p in given]
                        if spec is None:
                            order = ranked(fit(exs, ys), judged)
                        else:  # the blend's weight too: PRIOR_SIGNALS
                            with variant(spec, n):
                                order = ranked(fit(exs, ys, priors[reader]), judged)
                        ours = lq.ndcg10([p["key"] for p in order], relevant)
                        better = max(svm(given, ys, judged, relevant, default), none) if n else none
                        cells[(name, i, reader, n)] = (ours, better)
        return cells

    results = {name: run(spec) for name, spec in VARIANTS.items()}
    without = run(None)
    ship = results["shipped"]

    lines = [
        "# Learn: the configured topics as the prior (dev protocol with topics)",
        "",
        "`bench/learn_prior.py --home .demo-home`: bench/learn_quality.py's dev protocol with "
        f"topics ({', '.join(f'{k}: {len(v) * 5} cells' for k, v in sets.items())} per signal "
        "count; the test half is not read).",
        "",
        "Unseen items, per week and reader (13 orders each), the shipped learner: cells below "
        "the better baseline (at 0 signals: below no personalisation) with topics / without "
        "topics, and abreast's mean NDCG@10 with topics; only the rows with a cell below.",
        "",
        "| week | reader | " + " | ".join(f"{n} signals" for n in COUNTS) + " |",
        "|---|---|" + "---|" * len(COUNTS),
    ]
    per = collections.defaultdict(lambda: {n: [0, 0, []] for n in COUNTS})
    for (name, i, reader, n), (ours, better) in ship.items():
        if name == "unseen items":
            cell = per[(weeks[i // (lq.SHUFFLES + 1)], reader)][n]
            cell[0] += ours < better
            other = without.get((name, i, reader, n))
            cell[1] += other is not None and other[0] < other[1]
            cell[2].append(ours)
    for (week, reader), by_n in sorted(per.items()):
        if any(c[0] or c[1] for c in by_n.values()):
            lines.append(
                f"| {week} | {reader} | "
                + " | ".join(
                    f"{c[0]} / {c[1] if n else '-'} ({statistics.mean(c[2]):.2f})"
                    for n, c in by_n.items()
                )
                + " |"
            )

    # Why at 0 signals: the judged items above the reader's lowest-placed relevant one.
    lines += [
        "",
        "At 0 signals, the unseen-item cells below no personalisation: each judged item above "
        "the reader's last relevant one, in the order abreast gives (R: relevant; its place "
        "without personalisation; the prior's theme part and embedding part of its score "
        "before tanh; the hand themes / the understand stage's).",
        "",
    ]
    for w, (_sig, judged) in enumerate(sets["unseen items"][:: lq.SHUFFLES + 1]):
        for reader, wanted in lq.READERS.items():
            ours, better = ship[("unseen items", w * (lq.SHUFFLES + 1), reader, 0)]
            if ours >= better:
                continue
            relevant = {p["key"] for p in judged if p["themes"] & wanted}
            model = fit([], [], priors[reader])
            order = ranked(model, judged)
            default = sorted(judged, key=lambda p: (-base[p["key"]], p["key"]))
            last = max(i for i, p in enumerate(order) if p["key"] in relevant)
            lines.append(
                f"- week {weeks[w]}, {reader} ({ours:.3f} against {better:.3f}; topics: "
                + "; ".join(lq.READER_TOPICS[reader])
                + "):"
            )
            for p in order[: last + 1]:
                e = ex[p["key"]]
                nm = M.normalised(e.named)
                theme = model.named_scale * sum(
                    model.named.get(f, 0.0) * v for f, v in nm.items() if f.startswith("theme:")
                )
                meaning = float(e.vector @ model.vector) if model.vector is not None else 0.0
                lines.append(
                    f"  - {'R ' if p['key'] in relevant else ''}{default.index(p) + 1}: themes "
                    f"{theme:+.2f}, embedding {meaning:+.2f}; "
                    f"{', '.join(sorted(p['themes']))} / "
                    f"{', '.join(facts[p['key']].themes) or '-'}; "
                    f"{text[p['key']].splitlines()[0][:60]!r}"
                )

    lines += [
        "",
        "The prior's constants: per dev set, at 0 / 10 / 50 signals, the cells below the better "
        "baseline (at 0 signals: below no personalisation) and abreast's mean NDCG@10; then all "
        "cells below, of "
        f"{sum(len(v) * 5 for v in sets.values()) * len(COUNTS)}.",
        "",
        "| variant | dev half | earlier weeks | unseen items | all below |",
        "|---|---|---|---|---|",
    ]
    for name, cells in results.items():
        row, total = [name], 0
        for s in sets:
            parts = []
            for n in COUNTS:
                cs = [v for k, v in cells.items() if k[0] == s and k[3] == n]
                below = sum(o < b for o, b in cs)
                total += below
                parts.append(f"{below} ({statistics.mean(o for o, _ in cs):.3f})")
            row.append(" / ".join(parts))
        lines.append("| " + " | ".join(row) + f" | {total} |")
    lq.OUT.mkdir(parents=True, exist_ok=True)
    (lq.OUT / "learn_prior.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return lines


if __name__ == "__main__":
    main(sys.argv[1:])
