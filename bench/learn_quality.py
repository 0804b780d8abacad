"""Does the ranking learn what a reader cares about? Simulated readers on the demo store.

    .venv/bin/python bench/learn_quality.py --home .demo-home   # writes bench/out/learn_quality.md
                                                                # and bench/out/learn_bench.md
    .venv/bin/python bench/learn_quality.py --split dev         # what choices are tuned on: the
                                                                # dev half plus the dev protocol

Readers are rules over the HAND labels of bench/data/devset.jsonl (themes given by a person, not by
abreast's classifier, so the learner cannot win by reading its own features back):

  open-models-local   model releases or running models (themes open-models, deployment)
  safety-policy       safety, alignment, policy, lawsuits (safety-alignment)
  papers-only         research papers and explainers (research)
  builders            fine-tuning, agents and AI applications (fine-tuning-agents, applications)
  business            companies, money, the market (business)

Pool: the hand-labelled AI items of the demo store, dated 2024-11-18 .. 2024-12-22. Feedback is
given on the items published before 2024-12-09, in the order abreast shows them without
personalisation (a reader reacts to what is on top): "more" when the reader's rule says yes, "less"
otherwise, for the first N items. Ranking is judged on the items published from 2024-12-09 on:
NDCG@10 with the
reader's rule as relevance. Three rankers on the same signals: none (abreast's own order: the score
of each item's story), abreast's interest model blended in at the default weight
(learn/personal.py, exactly what `abreast week` does), and arXiv-sanity's recipe (TF-IDF of title
and text, a linear SVM trained on the signals, C=0.1; with one class only it cannot train and keeps
the default order).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from abreast.config import LearnSettings
from abreast.learn.model import fit
from abreast.learn.personal import blend, confidence, example, topic_prior
from abreast.store import Store
from abreast.store import learn as sql

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SPLIT_DAY = "2024-12-09"
EARLIER_DAY = "2024-12-02"  # the dev protocol's own split of the earlier weeks
READERS = {
    "open-models-local": {"open-models", "deployment"},
    "safety-policy": {"safety-alignment"},
    "papers-only": {"research"},
    "builders": {"fine-tuning-agents", "applications"},
    "business": {"business"},
}
SIGNAL_COUNTS = (0, 10, 50)
# What each reader would write as `topics` in the config: their rule in plain words, written with
# the rules above (before any run), not chosen by what scores.
READER_TOPICS = {
    "open-models-local": ["open-weight model releases", "running language models locally"],
    "safety-policy": ["AI safety, alignment and regulation"],
    "papers-only": ["research papers"],
    "builders": ["fine-tuning models", "building agents and AI applications"],
    "business": ["AI companies, funding and the market"],
}
SHUFFLES = 12  # shuffled signal orders per judged set (seeds 1..12), beside abreast's own order


def _half(key: str) -> str:
    """dev or test: the judged items are split by a hash of their key; dev chose the defaults."""
    import hashlib

    return "dev" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 2 == 0 else "test"


def ndcg10(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, k in enumerate(ranked[:10]) if k in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal if ideal else 0.0


def sanity_words(pool: list[dict], text: dict[str, str]):
    """arXiv-sanity's TF-IDF of title and text (word 1-2-grams), fitted on the pool's texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(max_features=20000, ngram_range=(1, 2), sublinear_tf=True)
    tfidf.fit([text[p["key"]] for p in pool])
    return tfidf


def sanity_order(
    tfidf,
    text: dict[str, str],
    given: list[dict],
    ys: list[float],
    judged: list[dict],
    default: list[str],
) -> list[str]:
    """The judged keys as arXiv-sanity's recipe ranks them: a linear SVM (C=0.1, classes
    balanced) on the TF-IDF of the signalled items. With one class only it cannot train and
    keeps ``default``. Seeded: liblinear shuffles its coordinates, so an unseeded SVM scores a
    cell differently from run to run (and with whatever ran before it)."""
    if len(set(ys)) < 2:
        return default
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=0.1, class_weight="balanced", random_state=0)
    svm.fit(tfidf.transform([text[p["key"]] for p in given]), ys)
    dec = svm.decision_function(tfidf.transform([text[p["key"]] for p in judged]))
    return [judged[i]["key"] for i in np.argsort(-dec, kind="stable")]


def load_pool(store: Store) -> tuple[list[dict], dict[str, float], dict[str, str]]:
    labels = {}
    for line in (ROOT / "bench" / "data" / "devset.jsonl").read_text(encoding="utf-8").splitlines():
        o = json.loads(line)
        if o["is_ai"]:
            labels[o["key"]] = o
    rows = store.conn.execute(
        "SELECT i.key, i.title, coalesce(i.text, ''), substr(i.published_at, 1, 10), "
        "(SELECT max(s.score) FROM story_items si JOIN stories s ON s.id = si.story_id "
        " WHERE si.item_id = i.id) FROM items i WHERE i.published_at >= '2024-11-18' "
        "AND i.published_at < '2024-12-23'"
    ).fetchall()
    pool, base, text = [], {}, {}
    for key, title, body, day, score in rows:
        if key in labels:
            pool.append({"key": key, "day": day, "themes": set(labels[key]["themes"])})
            base[key] = float(score or 0.0)
            text[key] = f"{title}\n{body}"
    return pool, base, text


def dev_protocol(
    pool: list[dict], early: list[dict], base: dict[str, float], three, facts: dict, priors: dict
) -> list[str]:
    """More dev evidence than one order of one half (``--split dev`` only; never the test half).

    The dev half alone is small (55 items) and the signals come in one order, so a choice made
    on it can ride on one item. Here each choice also meets: the same half with the signals in
    six shuffled orders (a reader need not start at the top), and earlier weeks: signals from
    the items before EARLIER_DAY, judged on the week from EARLIER_DAY to SPLIT_DAY (items no
    test cell judges), in the default order and six shuffled ones. Per group and signal count:
    mean NDCG@10 (abreast / arXiv-sanity / none) and the cells where abreast is below the
    better baseline."""
    import random
    import statistics

    def order(ps: list[dict]) -> list[dict]:
        return sorted(ps, key=lambda p: (-base[p["key"]], p["key"]))

    half = [p for p in pool if p["day"] >= SPLIT_DAY and _half(p["key"]) == "dev"]
    before = order([p for p in pool if p["day"] < EARLIER_DAY])
    judged_week = [p for p in pool if EARLIER_DAY <= p["day"] < SPLIT_DAY]

    def shuffled(ps: list[dict], seed: int) -> list[dict]:
        out = list(ps)
        random.Random(seed).shuffle(out)
        return out

    groups = {
        "dev half, default order": [(early, half)],
        f"dev half, {SHUFFLES} shuffled orders": [
            (shuffled(early, s), half) for s in range(1, SHUFFLES + 1)
        ],
        "earlier weeks, default order": [(before, judged_week)],
        f"earlier weeks, {SHUFFLES} shuffled orders": [
            (shuffled(before, s), judged_week) for s in range(1, SHUFFLES + 1)
        ],
    }
    # Judged only on items the theme classifier never saw: each earlier week in turn, its
    # test-hash items judged, the signals from the other earlier weeks (later ones included), in
    # abreast's order and the shuffled ones. Small (10 to 14 items a week), but the one dev set
    # where the understand stage's themes are as good as on the test half.
    import datetime as dt

    def week_of(p: dict) -> tuple[int, int]:
        return dt.date.fromisoformat(p["day"]).isocalendar()[:2]

    earlier = [p for p in pool if p["day"] < SPLIT_DAY]
    unseen = []
    for w in sorted({week_of(p) for p in earlier}):
        sig = order([p for p in earlier if week_of(p) != w])
        judged = [p for p in earlier if week_of(p) == w and _half(p["key"]) == "test"]
        unseen += [(sig, judged)] + [(shuffled(sig, s), judged) for s in range(1, SHUFFLES + 1)]
    groups[f"earlier weeks one at a time, unseen items, {SHUFFLES + 1} orders"] = unseen
    lines = [
        f"Dev protocol (earlier weeks: signals from the {len(before)} items before {EARLIER_DAY}, "
        f"judged on the {len(judged_week)} from then to the day before {SPLIT_DAY}; the dev half: "
        f"{len(half)} items; every ranker gets the same signals in the same order; with topics: "
        "each reader's READER_TOPICS as the cold start, and at 0 signals compared with no "
        "personalisation only):",
        "",
        "| dev set | topics | signals | abreast / arXiv-sanity / none (mean NDCG@10) | abreast "
        "below the better baseline | worst margin |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in groups.items():
        for with_topics in (False, True):
            for n in (0, 10, 50) if with_topics else (10, 50):
                cells = [
                    three(sig[:n], judged, w, priors[r] if with_topics else None)[:3]
                    for sig, judged in runs
                    for r, w in READERS.items()
                ]
                means = [statistics.mean(c[i] for c in cells) for i in range(3)]
                margins = [o - (max(s, no) if n else no) for o, s, no in cells]
                lines.append(
                    f"| {name} | {'yes' if with_topics else 'no'} | {n} | {means[0]:.3f} / "
                    f"{means[1]:.3f} / {means[2]:.3f} | {sum(m < 0 for m in margins)} of "
                    f"{len(cells)} | {min(margins):+.3f} |"
                )
    # Why the dev half flatters named features: the understand stage's theme classifier was
    # trained on the dev-split items of bench/data/devset.jsonl, the same hash that halves the
    # judged items here, so on the dev half its themes agree with the readers' labels more often.
    themes = sorted({t for w in READERS.values() for t in w})
    agree = {}
    for h in ("dev", "test"):
        ps = [p for p in pool if _half(p["key"]) == h]
        hits = sum((t in facts[p["key"]].themes) == (t in p["themes"]) for p in ps for t in themes)
        agree[h] = hits / (len(ps) * len(themes))
    lines += [
        "",
        "The understand stage's themes agree with the hand labels on "
        f"{agree['dev']:.0%} of (item, theme) pairs on dev-split items and {agree['test']:.0%} "
        "on test-split items (its classifier was trained on the dev split, the same hash), so the "
        "dev half flatters the named features.",
    ]
    return [*lines, ""]


def main(argv: list[str], personal=None) -> list[str]:
    """Run the bench; returns the quality section's lines. ``personal`` (bench/learn_selftune.py)
    replaces abreast's item scores in every cell: ``personal(given, ys, judged, prior, model,
    context)`` -> one score per judged item, blended exactly as abreast's own; with it nothing is
    written to bench/out/ and speed is not measured (a variant, not the shipped learner)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(ROOT / ".demo-home"))
    ap.add_argument("--split", default="test", choices=("dev", "test", "all"))
    ap.add_argument("--weight", type=float, default=None)
    args = ap.parse_args(argv)
    store = Store.open(Path(args.home) / "abreast.db")
    pool, base, text = load_pool(store)
    embedder = sql.embedding_model(store.conn)
    facts = {f.key: f for f in sql.item_facts(store.conn, [p["key"] for p in pool], embedder)}
    pool = [p for p in pool if p["key"] in facts and facts[p["key"]].vector.size]
    early = sorted(
        (p for p in pool if p["day"] < SPLIT_DAY), key=lambda p: (-base[p["key"]], p["key"])
    )
    late = [p for p in pool if p["day"] >= SPLIT_DAY and args.split in ("all", _half(p["key"]))]
    weight = LearnSettings().weight if args.weight is None else args.weight

    tfidf = sanity_words(pool, text)

    context = {"facts": facts, "text": text, "tfidf": tfidf, "pool": pool}

    def three(given: list[dict], judged: list[dict], wanted: set[str], prior=None):
        """NDCG@10 of abreast, arXiv-sanity and no personalisation on the same signals, and
        abreast's model (started from ``prior``, a reader's topics, when given). Every ranker
        sees exactly ``given``; ``judged`` is ranked."""
        relevant = {p["key"] for p in judged if p["themes"] & wanted}
        default = [p["key"] for p in sorted(judged, key=lambda p: (-base[p["key"]], p["key"]))]
        ys = [1.0 if p["themes"] & wanted else -1.0 for p in given]
        none = ndcg10(default, relevant)
        # abreast
        t = time.perf_counter()
        model = fit([example(facts[p["key"]]) for p in given], ys, prior)
        fit_ms.append((len(given), (time.perf_counter() - t) * 1000))
        if personal is None:
            mine_scores = [model.score(example(facts[p["key"]])) for p in judged]
        else:
            context["reader"] = next(r for r, w in READERS.items() if w == wanted)
            mine_scores = personal(given, ys, judged, prior, model, context)
        final = blend([base[p["key"]] for p in judged], mine_scores, weight * confidence(model))
        mine = [
            p
            for _, p in sorted(zip(final, judged, strict=True), key=lambda x: (-x[0], x[1]["key"]))
        ]
        ours = ndcg10([p["key"] for p in mine], relevant)
        order = sanity_order(tfidf, text, given, ys, judged, default)
        return ours, ndcg10(order, relevant), none, model

    table = []
    worst_margin = {n: math.inf for n in SIGNAL_COUNTS}
    fit_ms, learnt = [], {}
    for reader, wanted in READERS.items():
        relevant = {p["key"] for p in late if p["themes"] & wanted}
        cells = []
        for n in SIGNAL_COUNTS:
            ours, sanity, none, model = three(early[:n], late, wanted)
            if n:
                worst_margin[n] = min(worst_margin[n], ours - max(none, sanity))
            else:
                worst_margin[n] = min(worst_margin[n], ours - none)
            cells.append(f"{ours:.2f} / {sanity:.2f} / {none:.2f}")
            if n == 50:
                from abreast.learn.personal import in_words

                more, less = in_words(model, top=4)
                learnt[reader] = ("; ".join(more) or "-", "; ".join(less) or "-")
        table.append(f"| {reader} ({len(relevant)} of {len(late)}) | " + " | ".join(cells) + " |")

    priors = {r: topic_prior(t, embedder, None) for r, t in READER_TOPICS.items()}

    def shuffled(ps: list[dict], seed: int) -> list[dict]:
        import random

        out = list(ps)
        random.Random(seed).shuffle(out)
        return out

    orders = [early] + [shuffled(early, s) for s in range(1, SHUFFLES + 1)]

    def robust(with_topics: bool) -> list[str]:
        """Per reader and signal count, over abreast's own order and SHUFFLES shuffled ones:
        mean NDCG@10 of the three rankers, the worst margin of abreast over the better baseline
        (over no personalisation at 0 signals) and in how many orders it is below."""
        rows = []
        for reader, wanted in READERS.items():
            prior = priors[reader] if with_topics else None
            cells = []
            for n in (0, 10, 50) if with_topics else (10, 50):
                runs = [three(o[:n], late, wanted, prior)[:3] for o in orders]
                means = [sum(r[i] for r in runs) / len(runs) for i in range(3)]
                margins = [a - (max(b, c) if n else c) for a, b, c in runs]
                worst_robust[(with_topics, n)] = min(
                    worst_robust.get((with_topics, n), math.inf), min(margins)
                )
                cells.append(
                    f"{means[0]:.2f} / {means[1]:.2f} / {means[2]:.2f}, worst {min(margins):+.2f}"
                    f", below in {sum(m < 0 for m in margins)}"
                )
            rows.append(f"| {reader} | " + " | ".join(cells) + " |")
        return rows

    worst_robust: dict = {}
    robust_rows = robust(False)
    topic_table, topic_learnt = [], {}
    for reader, wanted in READERS.items():
        cells = []
        for n in SIGNAL_COUNTS:
            ours, sanity, none, model = three(early[:n], late, wanted, priors[reader])
            cells.append(f"{ours:.2f} / {sanity:.2f} / {none:.2f}")
            if n == 0:
                from abreast.learn.personal import in_words

                topic_learnt[reader] = "; ".join(in_words(model, top=4)[0]) or "-"
        topic_table.append(f"| {reader} | " + " | ".join(cells) + " |")
    topic_robust_rows = robust(True)

    dev_lines = dev_protocol(pool, early, base, three, facts, priors) if args.split == "dev" else []

    quality = [
        "# Learn: does the ranking learn a reader's taste?",
        "",
        f"`bench/learn_quality.py` on the demo store: {len(pool)} hand-labelled AI items; feedback "
        f"on the {len(early)} published before {SPLIT_DAY} (in abreast's default order), NDCG@10 "
        "on "
        f"the {len(late)} published from then on. Each cell: **abreast** / arXiv-sanity (TF-IDF + "
        f"SVM) / no personalisation, at the default weight {weight}.",
        "",
        "| reader (relevant items) | 0 signals | 10 signals | 50 signals |",
        "|---|---|---|---|",
        *table,
        "",
        "Smallest margin of abreast over the better baseline: "
        + ", ".join(f"{n} signals {worst_margin[n]:+.3f}" for n in SIGNAL_COUNTS)
        + " (at 0 signals: against no personalisation).",
        "",
        f"The same {args.split} half with the signals in abreast's order and {SHUFFLES} shuffled "
        "ones (a reader need not start at the top): per cell the mean NDCG@10 over the "
        f"{SHUFFLES + 1} orders (abreast / arXiv-sanity / none), abreast's worst margin over the "
        "better baseline and in how many orders it is below it.",
        "",
        "| reader | 10 signals | 50 signals |",
        "|---|---|---|",
        *robust_rows,
        "",
        "Worst margin over all readers and orders: "
        + ", ".join(f"{n} signals {worst_robust[(False, n)]:+.3f}" for n in (10, 50))
        + ".",
        "",
        "**With configured topics** (the cold start): each reader's `topics` as they would write "
        "them ("
        + "; ".join(f"{r}: " + ", ".join(f'"{t}"' for t in ts) for r, ts in READER_TOPICS.items())
        + "). abreast's order of signals, then all orders as above (at 0 signals against no "
        "personalisation; arXiv-sanity has no use for topics and is the same as without).",
        "",
        "| reader | 0 signals | 10 signals | 50 signals |",
        "|---|---|---|---|",
        *topic_table,
        "",
        "| reader (all orders) | 0 signals | 10 signals | 50 signals |",
        "|---|---|---|---|",
        *topic_robust_rows,
        "",
        "Worst margin with topics over all readers and orders: "
        + ", ".join(f"{n} signals {worst_robust[(True, n)]:+.3f}" for n in SIGNAL_COUNTS)
        + ".",
        "",
        "What `abreast interests` says from the topics alone (0 signals), per reader: "
        + "; ".join(f"{r}: *{w}*" for r, w in topic_learnt.items())
        + ".",
        "",
        "What each simulated reader's model learnt after 50 signals, in the words "
        "`abreast interests` prints:",
        "",
        "| reader | more | less |",
        "|---|---|---|",
        *[f"| {r} | {m} | {le} |" for r, (m, le) in learnt.items()],
        "",
        f"Split: {args.split}. The judged items are halved by a hash of their key; the default "
        "weight (10, from 0.5/1/2/4/10) and the class balancing were chosen on the dev half, "
        "which was looked at; the share of each kind of named feature (themes x2 against "
        "sources and sites, entities, terms; from x1/1.5/2/3/4) and the blend's MIN_SPREAD on "
        "the dev protocol (`--split dev`: the dev half in seven signal orders and the earlier "
        "weeks); the named features' scale (1.0 falling from 2.0 over the first 30 signals; "
        "from 0.5/0.75/1/1.25/1.5/2/3 and early x1/x2/x3) on the whole dev protocol (13 orders, "
        "with its classifier-unseen set), the topic prior's strength (1.0, from "
        "0.25/0.5/0.75/1/1.5/2; its named part also at x0.25/0.5/0.75 and its embedding at "
        "x0/0.5/2/4, both x1 kept), the cold start sized as one signal, a topic's themes read "
        "from its own words and nearest theme description (the item classifier had added "
        "research to three topics: read on the topics themselves, then checked on the dev "
        "protocol), and what topics count "
        "as in the blend (5 signals, from 3/5/8/10) on the dev protocol with topics "
        "(bench/learn_prior.py); "
        "the test half is reported as measured. One labeller wrote the themes (see "
        "bench/data/LABELLING.md).",
        "",
        *dev_lines,
    ]
    if personal is not None:
        return quality
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "learn_quality.md").write_text("\n".join(quality), encoding="utf-8")

    # Speed: what a reader waits for after pressing a button (store the signal, update the model,
    # save it), on a copy of the store, 500 signals in a row; wall time and this process's CPU
    # time (the CPU time does not count other programs on a busy machine); and scoring plus
    # sorting a 20,000-item week.
    import shutil
    import statistics
    import tempfile

    from abreast.learn.personal import give_feedback

    keys = [
        r[0]
        for r in store.conn.execute(
            "SELECT i.key FROM items i JOIN embeddings e ON e.item_id = i.id AND e.model = ? "
            "ORDER BY i.id LIMIT 500",
            (embedder,),
        )
    ]
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(Path(args.home) / "abreast.db", Path(tmp) / "abreast.db")
        scratch = Store.open(Path(tmp) / "abreast.db")
        wall, cpu = [], []
        for i, key in enumerate(keys):
            t, c = time.perf_counter(), time.process_time()
            give_feedback(scratch, "more" if i % 3 else "less", item_key=key)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        scratch.close()

    def row(lo: int, hi: int) -> str:
        w = sorted(wall[lo:hi])
        p95 = w[min(len(w) - 1, int(0.95 * len(w)))]
        return (
            f"| one signal, signals {lo + 1}-{hi} | {statistics.median(w):.1f} ms | "
            f"{p95:.1f} ms | {statistics.median(cpu[lo:hi]):.1f} ms |"
        )

    many = [example(facts[p["key"]]) for p in pool]
    model = fit(many[:50], [1.0 if i % 3 else -1.0 for i in range(50)])
    week = (many * (20000 // len(many) + 1))[:20000]
    t = time.perf_counter()
    scores = [model.score(e) for e in week]
    order = np.argsort(-np.asarray(scores), kind="stable")
    rerank_s = time.perf_counter() - t
    # The same end to end, as `abreast week` and the web app do it: every story of every demo week
    # as one list, the members' vectors read from SQLite (what the understand stage said about
    # them came with the loaded week), scored, the stories blended and sorted, with a 50-signal
    # model saved in a copy of the store; and the whole `abreast week` path, loading the weeks
    # included. The demo holds fewer than 20,000 items, so the 20,000-item figures are scaled from
    # the time per item.
    from abreast.learn.personal import for_reader
    from abreast.store.stories import load_week

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(Path(args.home) / "abreast.db", Path(tmp) / "abreast.db")
        scratch = Store.open(Path(tmp) / "abreast.db")
        for i, key in enumerate(keys[:50]):
            give_feedback(scratch, "more" if i % 3 else "less", item_key=key)
        weeks = [r[0] for r in scratch.conn.execute("SELECT DISTINCT week FROM stories")]
        stories = [s for w in weeks for s in load_week(scratch.conn, w)]
        members = sum(len(s.members) for s in stories)
        runs, loaded = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            for_reader(scratch, stories, LearnSettings().weight)
            runs.append((time.perf_counter() - t, time.process_time() - c))
            t, c = time.perf_counter(), time.process_time()
            for_reader(scratch, [s for w in weeks for s in load_week(scratch.conn, w)], 10.0)
            loaded.append((time.perf_counter() - t, time.process_time() - c))
        scratch.close()
    e2e_wall, e2e_cpu = sorted(runs)[1]
    load_wall, load_cpu = sorted(loaded)[1]
    per_20k = 20000 / members

    bench = [
        "# Learn speed",
        "",
        "`bench/learn_quality.py`: one feedback signal as the reader gives it (stored, the model "
        "updated from its saved rows, saved) on a copy of the demo store, "
        f"{len(keys)} signals in a row; "
        "scoring plus sorting a synthetic week of 20,000 items (real demo items repeated, the "
        "model's part alone); the whole re-rank as `abreast week` does it (the members' vectors "
        "read from SQLite), over every demo week's stories at once, and the same with loading "
        "those weeks (the median of 3 runs each).",
        "",
        "| measure | median | p95 | CPU (median) |",
        "|---|---|---|---|",
        row(0, 50),
        row(150, 200),
        row(450, 500) if len(keys) >= 500 else "",
        f"| re-rank 20,000 items | {rerank_s * 1000:.0f} ms ({len(order):,} sorted) | | |",
        f"| re-rank a week end to end ({members:,} items, {len(stories):,} stories) | "
        f"{e2e_wall * 1000:.0f} ms | | {e2e_cpu * 1000:.0f} ms |",
        f"| the same scaled to 20,000 items | {e2e_wall * per_20k * 1000:.0f} ms | | "
        f"{e2e_cpu * per_20k * 1000:.0f} ms |",
        f"| loading the weeks from SQLite and re-ranking them (all of `abreast week`'s path) | "
        f"{load_wall * 1000:.0f} ms | | {load_cpu * 1000:.0f} ms |",
        f"| the same scaled to 20,000 items | {load_wall * per_20k * 1000:.0f} ms | | "
        f"{load_cpu * per_20k * 1000:.0f} ms |",
        "",
    ]
    (OUT / "learn_bench.md").write_text("\n".join(bench), encoding="utf-8")
    print("\n".join(quality + bench))
    return quality


if __name__ == "__main__":
    main(sys.argv[1:])
