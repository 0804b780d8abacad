"""Is the week's top worth the reader's time? The ranking against hand labels (issue: memes and
venting in the top 25 of 2024-W50).

    .venv/bin/python -m abreast demo run                       # with ABREAST_HOME=.demo-home
    .venv/bin/python bench/week_ranking.py --home .demo-home    # -> bench/out/week_ranking.md

bench/data/week_ranking.jsonl labels, per demo week, the top 40 stories of the ranking before the
substance part plus the stories a reader would want in the top 25 (a lab's post, a paper), as
must-read / fine / noise (bench/data/LABELLING.md). A label is kept with the story's member keys, so
it finds its story again when story ids change: a story takes the label of the labelled entry it
shares the most members with.

Both rankings are computed in this run from the same stories: "before" scores them with the six
parts and weights the ranking had before the substance part (substance weighs 0), "now" with
stories.rank.WEIGHTS. Per week: noise and must-read stories in the top 10 and the top 25, and
NDCG@25 (gain: must-read 2, fine 1, noise 0; a story no label reaches counts as fine, and the
number of those is shown). Dev weeks (tuned on): 2024-W50, 2023-W49; test weeks: 2024-W49,
2024-W51.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "out"
LABELS = HERE / "data" / "week_ranking.jsonl"
DEV = ["2024-W50", "2023-W49"]
TEST = ["2024-W49", "2024-W51"]
GAIN = {"must-read": 2, "fine": 1, "noise": 0}
BEFORE = {
    "attention": 0.27,
    "breadth": 0.17,
    "authority": 0.20,
    "recency": 0.08,
    "novelty": 0.13,
    "release": 0.15,
    "substance": 0.0,
}


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def label_of(members: set[str], labels: list[dict]) -> str | None:
    """The label of the labelled entry sharing the most members with the story; None if none."""
    best, label = 0, None
    for row in labels:
        shared = len(members & set(row["members"]))
        if shared > best:
            best, label = shared, row["label"]
    return label


def dcg(gains: list[int]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def measure(ranked: list[list[str] | None], labels: list[dict], top: int = 25) -> dict:
    """ranked: the labels of the stories, best first (None: no label reaches the story)."""
    gains = [GAIN[lab or "fine"] for lab in ranked[:top]]
    ideal = sorted((GAIN[r["label"]] for r in labels), reverse=True)[:top]
    return {
        "noise10": sum(lab == "noise" for lab in ranked[:10]),
        "noise25": sum(lab == "noise" for lab in ranked[:top]),
        "must10": sum(lab == "must-read" for lab in ranked[:10]),
        "must25": sum(lab == "must-read" for lab in ranked[:top]),
        "ndcg": dcg(gains) / dcg(ideal) if ideal else 0.0,
        "unlabelled": sum(lab is None for lab in ranked[:top]),
    }


def rank_week(store, week: str, weights: dict[str, float]) -> list:
    from abreast.store.stories import load_week, week_signals
    from abreast.stories.rank import NEW_VERSION, AttentionScale, rank_stories

    stories = load_week(store.conn, week)
    for s in stories:
        # What a story continues by model line (o3 follows o1) is found when the week is built and
        # not stored; its stored novelty part says it.
        novelty = s.score_parts.get("novelty", {})
        if not s.is_new and novelty.get("value") == NEW_VERSION:
            s.continues = [novelty["why"]]
    rank_stories(stories, AttentionScale.of(week_signals(store.conn, week)), weights)
    return sorted(stories, key=lambda s: s.rank)


def evaluate(store, weeks: list[str], labels: list[dict], weights: dict[str, float]) -> dict:
    out = {}
    for week in weeks:
        mine = [r for r in labels if r["week"] == week]
        stories = rank_week(store, week, weights)
        ranked = [label_of({m.key for m in s.members}, mine) for s in stories]
        out[week] = measure(ranked, mine) | {"stories": stories, "labels": ranked}
    return out


def report(before: dict, now: dict, labels: list[dict]) -> str:
    lines = [
        "# The week's ranking: worth the reader's time",
        "",
        f"{len(labels)} hand-labelled stories of four demo weeks (bench/data/week_ranking.jsonl: "
        + ", ".join(
            f"{lab} {sum(r['label'] == lab for r in labels)}"
            for lab in ("must-read", "fine", "noise")
        )
        + "). Before: the six parts without substance; now: stories.rank.WEIGHTS, both ranked in "
        "this run from the same stories. NDCG@25 with must-read 2, fine 1, noise 0.",
        "",
        "| split | week | noise top 10 | noise top 25 | must-read top 10 | must-read top 25 "
        "| NDCG@25 | unlabelled in top 25 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for split, weeks in (("dev", DEV), ("test", TEST)):
        for w in weeks:
            b, n = before[w], now[w]

            def cell(key: str, fmt: str = "{}", b: dict = b, n: dict = n) -> str:
                return f"{fmt.format(b[key])} → {fmt.format(n[key])}"

            lines.append(
                f"| {split} | {w} | {cell('noise10')} | {cell('noise25')} | {cell('must10')} "
                f"| {cell('must25')} | {cell('ndcg', '{:.3f}')} | {cell('unlabelled')} |"
            )
    for split, weeks in (("dev", DEV), ("test", TEST)):
        mb = sum(before[w]["ndcg"] for w in weeks) / len(weeks)
        mn = sum(now[w]["ndcg"] for w in weeks) / len(weeks)
        nb = sum(before[w]["noise25"] for w in weeks)
        nn = sum(now[w]["noise25"] for w in weeks)
        lines.append("")
        lines.append(f"{split}: mean NDCG@25 {mb:.3f} → {mn:.3f}; noise in the top 25 {nb} → {nn}")
    lines += ["", "Noise still in a top 25 now (the title, its rank before → now):", ""]
    for w in DEV + TEST:
        rank_before = {s.id: s.rank for s in before[w]["stories"]}
        for s, lab in zip(now[w]["stories"][:25], now[w]["labels"][:25], strict=True):
            if lab == "noise":
                lines.append(f"- {w}: “{s.title[:90]}” #{rank_before[s.id]} → #{s.rank}")
    lines += ["", "Must-read out of the top 25 now (the title, its rank before → now):", ""]
    for w in DEV + TEST:
        rank_before = {s.id: s.rank for s in before[w]["stories"]}
        for s, lab in zip(now[w]["stories"][25:], now[w]["labels"][25:], strict=True):
            if lab == "must-read":
                lines.append(f"- {w}: “{s.title[:90]}” #{rank_before[s.id]} → #{s.rank}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--home", default=".demo-home", help="ABREAST_HOME of a finished demo run")
    args = ap.parse_args(argv)
    from abreast.store import Store
    from abreast.stories.rank import WEIGHTS

    db = Path(args.home) / "abreast.db"
    if not db.exists():
        sys.exit(f"no demo store at {db}: run `ABREAST_HOME={args.home} abreast demo run` first")
    labels = load_labels()
    store = Store.open(db)
    try:
        before = evaluate(store, DEV + TEST, labels, BEFORE)
        now = evaluate(store, DEV + TEST, labels, WEIGHTS)
    finally:
        store.close()
    text = report(before, now, labels)
    OUT.mkdir(exist_ok=True)
    (OUT / "week_ranking.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
