"""How good are the references abreast proposes? Writes bench/out/retrieval_quality.md (quality) and
bench/out/retrieval_bench.md (speed).

  .venv/bin/python bench/retrieval_quality.py --store .demo-home/abreast.db

1. bench/data/todo_requests.jsonl: TODO-style requests written from the demo store's two windows
   (the user's December 2023 draft, the demo weeks of late 2024), each with the items a careful
   reader would keep. The same search is run three ways in one run: the fused core, full-text
   (FTS5/BM25) alone and embeddings alone. A hit counts when it is a labelled item or belongs to the
   same story as one (the core returns one item per story).
   precision@5 = relevant hits among the first 5 / min(5, relevant stories);
   recall@10 = relevant stories among the first 10 / min(10, relevant stories).
   (Both are normalised by what is achievable: a request about one announcement has one right
   answer.)
2. bench/data/word_sense.jsonl: (term, item, in sense?) judgments; the sense check
(retrieve/sense.py)
   is scored on each split: precision of "in sense", other-sense items kept, in-sense items dropped.
3. Speed: `abreast todo` on the user's draft (../shared/seed), cold (corpus loaded) and warm.
Dev split tunes, test split reports.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
MODES = ("fused", "fts", "embed")


def _story_map(store) -> dict[str, str]:
    rows = store.conn.execute(
        "SELECT items.key, max(si.story_id) FROM story_items si "
        "JOIN items ON items.id = si.item_id "
        "GROUP BY items.key"
    ).fetchall()
    return {k: s for k, s in rows}


def retrieval(store) -> tuple[list[str], dict]:
    from abreast.retrieve.query import Request, search

    story = _story_map(store)
    reqs = [json.loads(line) for line in (DATA / "todo_requests.jsonl").open()]
    per: dict[tuple[str, str], list[tuple[float, float]]] = {}
    misses: list[str] = []
    for r in reqs:
        units = {story.get(x["key"], x["key"]) for x in r["relevant"]}
        for mode in MODES:
            hits = search(
                store,
                Request(r["request"], r["context"]),
                since=r["since"],
                until=r["until"],
                limit=10,
                mode=mode,
            )
            got = [story.get(h.key, h.key) for h in hits]
            p5 = len({u for u in got[:5] if u in units}) / min(5, len(units))
            r10 = len({u for u in got[:10] if u in units}) / min(10, len(units))
            per.setdefault((r["split"], mode), []).append((p5, r10))
            if mode == "fused" and r["split"] == "test" and p5 < 0.6:
                misses.append(f"{r['id']} (P@5 {p5:.2f})")
    lines = [
        "# Retrieval: references for TODOs",
        "",
        f"{len(reqs)} TODO-style requests (bench/data/todo_requests.jsonl; "
        f"{sum(r['split'] == 'dev' for r in reqs)} dev, "
        f"{sum(r['split'] == 'test' for r in reqs)} test), "
        "each searched three ways in the same run over the demo store. "
        "precision@5 and recall@10 are "
        "normalised by the number of relevant stories (see the script).",
        "",
        "| split | method | precision@5 | recall@10 |",
        "|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        for mode in MODES:
            vals = per.get((split, mode), [])
            if vals:
                p = statistics.mean(v[0] for v in vals)
                rc = statistics.mean(v[1] for v in vals)
                name = {
                    "fused": "fused core (RRF + importance + sense + MMR)",
                    "fts": "FTS5 alone",
                    "embed": "embeddings alone",
                }[mode]
                lines.append(f"| {split} | {name} | {p:.3f} | {rc:.3f} |")
    if misses:
        lines += [
            "",
            "Test requests where the fused core keeps fewer than 3 of 5: " + ", ".join(misses),
        ]
    return lines, per


def word_sense(store) -> list[str]:
    from abreast.retrieve.index import load_index
    from abreast.retrieve.sense import judge
    from abreast.store.retrieval import texts

    idx = load_index(store)
    by_key = {r.key: i for i, r in enumerate(idx.rows)}
    rows = [json.loads(line) for line in (DATA / "word_sense.jsonl").open()]
    ids = [idx.rows[by_key[r["item_key"]]].item_id for r in rows if r["item_key"] in by_key]
    body = texts(store.conn, ids)
    lines = [
        "# Word sense: matches in another sense are dropped",
        "",
        f"{len(rows)} labelled (term, item, in sense?) judgments (bench/data/word_sense.jsonl) for "
        f"{len({r['term'] for r in rows})} ambiguous glossary terms "
        "(how they were drawn and labelled: bench/data/LABELLING.md).",
        "",
        "| split | judgments | other-sense | precision of 'in sense' | other-sense kept | "
        "in-sense dropped |",
        "|---|---|---|---|---|---|",
    ]
    looked = {
        "dev": "dev (tuned on)",
        "test": "test (first held-out half; its errors were read, so looked at)",
        "fresh-dev": "fresh-dev (written later; tuned on)",
        "fresh-test": "fresh-test (written later; held out, never tuned on)",
    }
    for split in looked:
        part = [r for r in rows if r["split"] == split and r["item_key"] in by_key]
        if not part:
            continue
        kept_other = dropped_in = kept = 0
        for r in part:
            i = by_key[r["item_key"]]
            row = idx.rows[i]
            ok = judge(
                r["term"], row.title, body.get(row.item_id, ""), idx.vectors[i], idx.embedder
            )
            keep = ok.startswith("in")
            kept += keep
            kept_other += keep and not r["in_sense"]
            dropped_in += (not keep) and r["in_sense"]
        other = sum(not r["in_sense"] for r in part)
        prec = (kept - kept_other) / kept if kept else 0.0
        lines.append(
            f"| {looked[split]} | {len(part)} | {other} | {prec:.3f} | {kept_other} of {other} | "
            f"{dropped_in} of {len(part) - other} |"
        )
    return lines


def speed(store) -> list[str]:
    from abreast.retrieve import index
    from abreast.write.todos import resolve

    seed = sorted((ROOT.parent / "shared" / "seed").glob("*.txt"))
    if not seed:
        return ["# Speed of `abreast todo`", "", "Not measured: no draft in ../shared/seed."]
    text = seed[0].read_text(encoding="utf-8")
    index._cache.clear()
    t0 = time.perf_counter()
    _, props = resolve(text, store)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(3):
        t0 = time.perf_counter()
        resolve(text, store)
        warm.append(time.perf_counter() - t0)
    n = store.conn.execute("SELECT count(*) FROM items").fetchone()[0]
    return [
        "# Speed of `abreast todo`",
        "",
        f"The user's draft ({len(props)} TODOs) against the whole demo store ({n} items), "
        "in process "
        "(without Python start-up and imports):",
        "",
        "| run | seconds |",
        "|---|---|",
        f"| cold (corpus and vectors loaded from SQLite) | {cold:.2f} |",
        f"| warm (median of 3) | {statistics.median(warm):.2f} |",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / ".demo-home" / "abreast.db"))
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from abreast.store import Store

    if not Path(args.store).exists():
        raise SystemExit(f"no store at {args.store}: run `abreast demo run` first.")
    store = Store.open(args.store)
    quality, _ = retrieval(store)
    quality += [""] + word_sense(store)
    bench = speed(store)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "retrieval_quality.md").write_text("\n".join(quality) + "\n")
    (OUT / "retrieval_bench.md").write_text("\n".join(bench) + "\n")
    print("\n".join(quality + [""] + bench))


if __name__ == "__main__":
    main()
