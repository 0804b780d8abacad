"""Train the learned word-sense judgment (retrieve/sense.py's contest) on the word-sense splits
that are dev, and write it to src/abreast/retrieve/data/sense_model.json.

    .venv/bin/python scripts/train_sense.py [--store .demo-home/abreast.db] [--dry-run]

Rows: every labelled (term, item, in sense?) judgment of bench/data/word_sense.jsonl in the
splits of DEV_SPLITS (the demo store's items and the fresh5..fresh10 papers, which are not in the
store). Rows of any other split (a held-out one, such as fresh11) are never read here. Only the
rows the words alone do not decide (sense.read_cues) reach the model; its features are
sense.contest_features.

Model: logistic regression (scikit-learn), standardised features, L2 penalty C chosen by
leave-one-split-out cross-validation: each dev split in turn is predicted by a model trained on
the others, as an unseen split would be. The cut-offs are conservative: per evidence level, for
the terms with a common other sense (RISKY_RATE) and for the rest, the lowest probability of GRID
at least MARGIN above every out-of-fold probability of an other-sense item of that level, so that
none of the dev splits' other-sense items would have been kept by a model that had not seen its
split, with room to spare; in-sense items below it are dropped (precision before recall). For the
risky terms a paper's title or text evidence gets no lower cut-off than no evidence, and a
compound of the sense in a sentence that uses the term meets the compound one (sense.bar_level).
Before the model, a paper that uses a risky term with no word of its sense
in a sentence that uses it is out (sense.unsupported).

``--nested`` says how that choice meets an unseen split: each dev split in turn is judged with
C fixed, the risky terms and the cut-offs chosen from the other splits alone (their own
leave-one-split-out predictions), and the model trained on them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from abreast.retrieve import sense  # noqa: E402
from abreast.retrieve.index import load_index  # noqa: E402
from abreast.store import Store  # noqa: E402
from abreast.store.retrieval import texts  # noqa: E402

DATA = ROOT / "bench" / "data"
OUT = ROOT / "src" / "abreast" / "retrieve" / "data" / "sense_model.json"
DEV_SPLITS = (
    "dev",
    "test",
    "fresh-dev",
    "fresh-test",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
)
# The dev splits' papers outside the demo store (fresh5 on): a held-out split's file is never read.
PAPERS = tuple(
    f"word_sense_{s}_papers.jsonl"
    for s in DEV_SPLITS
    if (DATA / f"word_sense_{s}_papers.jsonl").exists()
)
CS = (0.1, 0.3, 1.0)
# Cut-offs to choose from. The strictest is 0.999: a split's other-sense item the model is surer
# of than that (a label few readers would share, "Aligning Agents like Large Language Models" for
# RL agents) would otherwise drop a whole evidence level's items.
GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999)
# How far a cut-off must stand above the surest out-of-fold other-sense item of its level (GRID's
# last where no cut-off does): an unseen split's other-sense items are not all below the dev
# splits' surest. Nested check over dev..fresh9 with the sentence rule and the bars of
# sense.bar_level: margin 0 keeps 1 of 407 other-sense items and drops 786 of 1,896 in-sense
# ones, 0.02 0 / 894, 0.03 0 / 946. Over dev..fresh10 (the eleventh revision, C 0.3): 0.02 keeps
# 1 of 462 (fresh5's "LLM alignment" with human generalisation, p 0.94 against a compound cut-off
# of 0.9 chosen without fresh5: an unseen split's surest compound stood 0.08 above the others'),
# dropping 1,099 of 2,135; 0.03 1 / 1,134; 0.05 0 / 1,250. That retrained model (C 0.3, margin
# 0.05) was not shipped: it lowered the todo benchmark's test P@5 to 0.775 (QUALITY.md); the
# shipped model is still the tenth revision's, trained on dev..fresh9 at C 1.0 and 0.02.
MARGIN = 0.02
# A term whose other-sense items are at least this share of its dev judgments has a common other
# sense (agents, alignment, inference, ...; not transformer or hallucination): its own cut-offs,
# and in a paper a sentence that uses it must hold a word of its sense (sense.unsupported).
RISKY_RATE = 0.01
# The cut-off for a term with no other-sense dev item at all (world model before fresh8): no dev
# item says how strict to be, and 0.5 kept fresh8's one miss. Nested check over dev..fresh8
# (--floor): 0.5, 0.8 and 0.95 all keep 3 of 361 other-sense items, and drop 513, 523 and 562 of
# 1,643 in-sense ones; 0.8 costs 10 for a bar that an unforeseen other sense must clear.
FLOOR = 0.8


def load(store_path: str):
    """(rows, items, embedder): the dev rows and, per item key, (title, text, vector, paper)."""
    store = Store.open(store_path)
    idx = load_index(store)
    by_key = {r.key: i for i, r in enumerate(idx.rows)}
    rows = [json.loads(line) for line in (DATA / "word_sense.jsonl").open()]
    rows = [r for r in rows if r["split"] in DEV_SPLITS]
    body = texts(
        store.conn,
        [idx.rows[by_key[r["item_key"]]].item_id for r in rows if r["item_key"] in by_key],
    )
    items = {}
    for r in rows:
        if r["item_key"] in by_key:
            i = by_key[r["item_key"]]
            row = idx.rows[i]
            paper = sense.is_paper(row.kind, row.url)
            items[r["item_key"]] = (row.title, body.get(row.item_id, ""), idx.vectors[i], paper)
    papers = [json.loads(line) for name in PAPERS for line in (DATA / name).open()]
    outside = [p for p in papers if p["key"] not in by_key]
    vecs = idx.embedder.embed_batch([f"{p['title']}. {p['text']}" for p in outside])
    for p, v in zip(outside, vecs, strict=True):
        items[p["key"]] = (p["title"], p["text"], v, True)
    rows = [r for r in rows if r["item_key"] in items]
    return rows, items, idx.embedder


def featurize(rows, items, embedder):
    """Per row: the cue verdict (None where the contest decides) and, for rows that reach the
    learned contest (terms with other senses described), (scalars, words, evidence)."""
    by_term = defaultdict(list)
    for n, r in enumerate(rows):
        by_term[r["term"]].append(n)
    cue: list[str | None] = [None] * len(rows)
    feats: dict[int, tuple[np.ndarray, set[str], int]] = {}
    for term, ns in by_term.items():
        its = [items[rows[n]["item_key"]][:3] for n in ns]
        papers = [items[rows[n]["item_key"]][3] for n in ns]
        out, pending = sense.read_cues(term, its, papers)
        sv = sense.sense_vectors(term, embedder)
        if pending and (sv is None or len(sv) == 1):
            # no other sense described: judged by closeness to the gloss, not learned
            sense._contest(term, its, pending, embedder, out)
        elif pending:
            x, words, _ = sense.contest_features(term, its, pending, embedder)
            for (k, _, ev), xi, ws in zip(pending, x, words, strict=True):
                word = sense.sense_word(term, its[k][0], its[k][1])
                feats[ns[k]] = (xi, ws, ev, word)
        for n, o in zip(ns, out, strict=True):
            cue[n] = o
    return cue, feats


def design(feats, ns, vocab=None, mean=None, scale=None):
    """Standardised scalars beside one 0/1 column per word feature (vocab: from these rows)."""
    from scipy import sparse

    x = np.array([feats[n][0] for n in ns])
    if vocab is None:
        vocab = {w: j for j, w in enumerate(sorted({w for n in ns for w in feats[n][1]}))}
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
    cells = [(i, vocab[w]) for i, n in enumerate(ns) for w in feats[n][1] if w in vocab]
    words = sparse.csr_matrix(
        (np.ones(len(cells)), ([i for i, _ in cells], [j for _, j in cells])),
        shape=(len(ns), len(vocab)),
    )
    return sparse.hstack([sparse.csr_matrix((x - mean) / scale), words]).tocsr(), vocab, mean, scale


def fit(feats, ns, y, c):
    from sklearn.linear_model import LogisticRegression

    x, vocab, mean, scale = design(feats, ns)
    lr = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, y)
    return lr, vocab, mean, scale


def out_of_fold(rows, feats, c):
    """Leave-one-split-out probabilities for every contest row: each split predicted by a model
    trained on the other dev splits, as an unseen split would be."""
    ns = np.array(sorted(feats))
    y = np.array([rows[n]["in_sense"] for n in ns], dtype=int)
    split = np.array([rows[n]["split"] for n in ns])
    prob = {}
    for s in DEV_SPLITS:
        test = split == s
        if not test.any():
            continue
        lr, vocab, mean, scale = fit(feats, list(ns[~test]), y[~test], c)
        x, *_ = design(feats, list(ns[test]), vocab, mean, scale)
        prob.update(zip(ns[test], lr.predict_proba(x)[:, 1], strict=True))
    return prob


def risky_terms(rows) -> list[str]:
    """Terms whose other-sense items are at least RISKY_RATE of their judgments."""
    total, other = defaultdict(int), defaultdict(int)
    for r in rows:
        total[r["term"]] += 1
        other[r["term"]] += not r["in_sense"]
    return sorted(t for t in total if other[t] / total[t] >= RISKY_RATE)


def unsupported(rows, feats, risky, n) -> bool:
    """sense.unsupported for a training row: out before the model weighs it."""
    ev, word = feats[n][2], feats[n][3]
    return ev != sense.SOURCE_EVIDENCE and rows[n]["term"] in risky and word is None


def bar(rows, feats, risky, n) -> int:
    """The evidence level whose cut-off the row meets (sense.bar_level for a risky term)."""
    term, ev, word = rows[n]["term"], feats[n][2], feats[n][3]
    return sense.bar_level(term, ev, word) if term in risky else ev


def thresholds(rows, feats, prob, risky):
    """Per evidence level, for the risky terms and for the others, the lowest cut-off of GRID at
    least MARGIN above every out-of-fold other-sense item of that level (GRID's last where none
    is); for the risky terms, by the bar each item meets (sense.bar_level)."""
    cut = {}
    for group in (False, True):
        for ev in range(5):
            others = [
                prob[n]
                for n, f in feats.items()
                if bar(rows, feats, risky, n) == level_of(group, ev)
                and (rows[n]["term"] in risky) == group
                and not rows[n]["in_sense"]
                and not unsupported(rows, feats, risky, n)
            ]
            top = max(others, default=None)
            ok = [t for t in GRID if top is None or t - top >= MARGIN]
            cut[(group, ev)] = ok[0] if ok else GRID[-1]
            if not group:
                cut[(group, ev)] = max(cut[(group, ev)], FLOOR)
    return cut


def level_of(group: bool, ev: int) -> int:
    """The level whose items set a cut-off: a risky term's paper levels share the no-evidence one
    (its TEXT and TITLE cut-offs are written for completeness; sense.bar_level never asks them)."""
    return sense.NO_EVIDENCE if group and ev in sense.PAPER_LEVELS else ev


def keeps(rows, feats, prob, cut, risky, n) -> bool:
    if unsupported(rows, feats, risky, n):
        return False
    return prob[n] >= cut[(rows[n]["term"] in risky, bar(rows, feats, risky, n))]


def tally(rows, cue, feats, prob, cut, risky, split):
    """(judgments, other-sense, other-sense kept, in-sense dropped) of one split: an item the
    learned model weighs is kept by its cut-off, any other by the word rules' verdict."""
    mine = [n for n, r in enumerate(rows) if r["split"] == split]
    kept_other = dropped_in = 0
    for n in mine:
        keep = (
            keeps(rows, feats, prob, cut, risky, n)
            if n in feats
            else not (cue[n] or "in").startswith("out")
        )
        kept_other += keep and not rows[n]["in_sense"]
        if keep and not rows[n]["in_sense"]:
            print(f"    {split}: kept other-sense {rows[n]['term']}: {rows[n]['title'][:80]}")
        dropped_in += (not keep) and rows[n]["in_sense"]
    other = sum(not rows[n]["in_sense"] for n in mine)
    return len(mine), other, kept_other, dropped_in


def score(rows, cue, feats, prob, cut, risky):
    """Per split: (judgments, other-sense, other-sense kept, in-sense dropped)."""
    return {s: tally(rows, cue, feats, prob, cut, risky, s) for s in DEV_SPLITS}


def nested(rows, cue, feats, c):
    """Per split: (judgments, other-sense, other-sense kept, in-sense dropped), each split judged
    as an unseen one: risky terms, cut-offs and model from the other dev splits alone."""
    ns = np.array(sorted(feats))
    y = np.array([rows[n]["in_sense"] for n in ns], dtype=int)
    split = np.array([rows[n]["split"] for n in ns])
    table = {}
    for s in DEV_SPLITS:
        rest = [r if r["split"] != s else {**r, "split": ""} for r in rows]
        risky = risky_terms([r for r in rows if r["split"] != s])
        inner = {}
        for s2 in DEV_SPLITS:
            if s2 == s:
                continue
            train, test = (split != s) & (split != s2), split == s2
            lr, vocab, mean, scale = fit(feats, list(ns[train]), y[train], c)
            x, *_ = design(feats, list(ns[test]), vocab, mean, scale)
            inner.update(zip(ns[test], lr.predict_proba(x)[:, 1], strict=True))
        part = {n: f for n, f in feats.items() if rest[n]["split"]}
        cut = thresholds(rest, part, inner, risky)
        lr, vocab, mean, scale = fit(feats, list(ns[split != s]), y[split != s], c)
        x, *_ = design(feats, list(ns[split == s]), vocab, mean, scale)
        prob = dict(zip(ns[split == s], lr.predict_proba(x)[:, 1], strict=True))
        table[s] = tally(rows, cue, feats, prob, cut, risky, s)
        print(f"  {s}: other-sense kept {table[s][2]} of {table[s][1]}", flush=True)
    return table


def print_table(table) -> None:
    print("| split | judgments | other-sense | other-sense kept | in-sense dropped |")
    print("|---|---|---|---|---|")
    for s, t in table.items():
        print(f"| {s} | {t[0]} | {t[1]} | {t[2]} of {t[1]} | {t[3]} of {t[0] - t[1]} |")
    total = [sum(t[i] for t in table.values()) for i in range(4)]
    kept, dropped = f"{total[2]} of {total[1]}", f"{total[3]} of {total[0] - total[1]}"
    print(f"| all dev | {total[0]} | {total[1]} | {kept} | {dropped} |")


def main() -> None:
    global FLOOR, MARGIN
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / ".demo-home/abreast.db"))
    ap.add_argument("--dry-run", action="store_true", help="print the cross-validation only")
    ap.add_argument("--nested", action="store_true", help="also the nested check (minutes)")
    ap.add_argument("--floor", type=float, help="the floor for terms with no other-sense item")
    ap.add_argument("--margin", type=float, help="this MARGIN instead of the chosen one")
    ap.add_argument("--C", type=float, dest="c", help="this C instead of choosing one among CS")
    args = ap.parse_args()
    if args.floor is not None:
        FLOOR = args.floor
    if args.margin is not None:
        MARGIN = args.margin
    rows, items, embedder = load(args.store)
    cue, feats = featurize(rows, items, embedder)
    print(f"{len(rows)} dev judgments, {len(feats)} reach the learned contest")
    risky = risky_terms(rows)
    print(f"terms with a common other sense: {', '.join(risky)}")
    best = None
    for c in (args.c,) if args.c is not None else CS:
        prob = out_of_fold(rows, feats, c)
        cut = thresholds(rows, feats, prob, risky)
        table = score(rows, cue, feats, prob, cut, risky)
        kept, dropped = sum(t[2] for t in table.values()), sum(t[3] for t in table.values())
        print(f"C={c}: out of fold, other-sense kept {kept}, in-sense dropped {dropped}; cut {cut}")
        if best is None or (kept, dropped) < best[0]:
            best = ((kept, dropped), c, prob, cut, table)
    assert best is not None
    _, c, prob, cut, table = best
    print(f"\nchosen C={c}; each split predicted by a model trained on the others:")
    print_table(table)
    if args.nested:
        print(f"\nnested (C={c}): each split judged with cut-offs chosen on the others alone:")
        print_table(nested(rows, cue, feats, c))
    if args.dry_run:
        return
    ns = sorted(feats)
    y = np.array([rows[n]["in_sense"] for n in ns], dtype=int)
    lr, vocab, mean, scale = fit(feats, ns, y, c)
    coef = lr.coef_[0]
    k = len(mean)
    words = {w: round(float(coef[k + j]), 4) for w, j in vocab.items() if abs(coef[k + j]) >= 0.005}
    OUT.write_text(
        json.dumps(
            {
                "about": "retrieve/sense.py's learned contest, written by scripts/train_sense.py",
                "trained_on": list(DEV_SPLITS),
                "rows": len(ns),
                "C": c,
                "scalars": list(sense.SCALARS),
                "risky": risky,
                "threshold": {str(ev): t for (group, ev), t in cut.items() if not group},
                "threshold_risky": {str(ev): t for (group, ev), t in cut.items() if group},
                "intercept": round(float(lr.intercept_[0]), 6),
                "mean": [round(float(v), 6) for v in mean],
                "scale": [round(float(v), 6) for v in scale],
                "coef": [round(float(v), 6) for v in coef[:k]],
                "words": dict(sorted(words.items())),
            },
            indent=0,
        )
        + "\n"
    )
    print(f"wrote {OUT.relative_to(ROOT)} ({len(words)} word features)")


if __name__ == "__main__":
    main()
