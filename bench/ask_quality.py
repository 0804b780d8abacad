"""Quality and speed of `abreast search` / `abreast ask` on the demo store.

    .venv/bin/python bench/ask_quality.py --home .demo-home     # writes bench/out/ask_quality.md
                                                                # and bench/out/ask_bench.md

Questions: bench/data/questions.jsonl (written by hand from the bundled data: each with the stored
items that answer it; a few that the store cannot answer, with none). Split dev/test by a hash of
the question; dev was used while building `ask`, test is reported separately.

Retrieval is scored per *story* (an item's story, or the item itself when it has none), because the
retrieval core returns one item per story: recall@10 = share of the question's relevant stories
among the first 10 results, MRR = 1 / rank of the first relevant result. Fused, FTS5 alone and
vectors alone run in the same process on the same store.

Answers: every answerable question is asked three ways (extractive; fake "faithful" model; fake
"hallucinating" model through llm's real call path) and each shown sentence is re-checked against
the stored text of the item it cites. The unanswerable questions must get "nothing in your store".
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from abreast.ask.answer import Answer, ask  # noqa: E402
from abreast.explain.citations import quote_in_source  # noqa: E402
from abreast.retrieve.query import search  # noqa: E402
from abreast.store import Store  # noqa: E402
from abreast.store.retrieval import texts_by_key  # noqa: E402
from explain import fake_llm  # noqa: E402  (the test fakes, registered with llm like a plugin)

OUT = ROOT / "bench" / "out"
QUESTIONS = ROOT / "bench" / "data" / "questions.jsonl"


def unit_of(conn, key: str) -> str:
    row = conn.execute(
        "SELECT max(si.story_id) FROM items i LEFT JOIN story_items si ON si.item_id = i.id "
        "WHERE i.key = ?",
        (key,),
    ).fetchone()
    return row[0] if row and row[0] else key


def retrieval(store: Store, qs: list[dict], mode: str) -> tuple[float, float]:
    recalls, rrs = [], []
    for q in qs:
        want = {unit_of(store.conn, k) for k in q["relevant"]}
        got = [
            unit_of(store.conn, h.key) for h in search(store, q["question"], limit=10, mode=mode)
        ]
        recalls.append(len(want & set(got)) / min(len(want), 10))
        first = next((i for i, u in enumerate(got, start=1) if u in want), None)
        rrs.append(1 / first if first else 0.0)
    return statistics.mean(recalls), statistics.mean(rrs)


def verifies(store: Store, ans: Answer) -> bool:
    by_n = {c.n: c for c in ans.citations}
    bodies = texts_by_key(store.conn, [c.key for c in ans.citations])
    for s in ans.sentences:
        c = by_n.get(s.cite)
        if c is None or s.key != c.key:
            return False
        if not quote_in_source(s.quote, f"{c.title}\n\n{bodies.get(c.key, '')}"):
            return False
    return True


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(ROOT / ".demo-home"))
    args = ap.parse_args(argv)
    store = Store.open(Path(args.home) / "abreast.db")
    qs = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    answerable = [q for q in qs if q["relevant"]]
    unanswerable = [q for q in qs if not q["relevant"]]

    rows = []
    for split in ("dev", "test", "all"):
        part = [q for q in answerable if split == "all" or q["split"] == split]
        cells = []
        for mode in ("fused", "fts", "embed"):
            r, m = retrieval(store, part, mode)
            cells.append(f"{r:.2f} / {m:.2f}")
        rows.append(f"| {split} ({len(part)}) | " + " | ".join(cells) + " |")

    models = fake_llm.register_fakes()
    try:
        answers: dict[str, list[tuple[dict, Answer]]] = {
            "extractive": [],
            "faithful": [],
            "hallucinating": [],
        }
        timings = []
        for q in answerable:
            t = time.perf_counter()
            answers["extractive"].append((q, ask(store, q["question"])))
            timings.append(time.perf_counter() - t)
            for mode in ("faithful", "hallucinating"):
                answers[mode].append((q, ask(store, q["question"], model=models[mode])))
        nothing_right = sum(ask(store, q["question"]).knows_nothing for q in unanswerable)
    finally:
        fake_llm.unregister_fakes()

    ans_rows = []
    for how, pairs in answers.items():
        shown = [(q, a) for q, a in pairs if not a.knows_nothing]
        ok = sum(verifies(store, a) for _, a in shown)
        invented = sum(
            any(inv in s.text for inv in fake_llm.INVENTED for s in a.sentences) for _, a in shown
        )
        methods = {}
        for _, a in pairs:
            methods[a.method] = methods.get(a.method, 0) + 1
        dropped = sum(len(a.dropped) for _, a in pairs)
        ans_rows.append(
            f"| {how} | {len(shown)} of {len(pairs)} | {ok / max(len(shown), 1):.0%} | {invented} "
            f"| {dropped} | {', '.join(f'{k} {v}' for k, v in sorted(methods.items()))} |"
        )
    false_nothing = sum(a.knows_nothing for _, a in answers["extractive"])

    quality = [
        "# Ask: retrieval and verified answers",
        "",
        f"`bench/ask_quality.py` on the demo store; {len(answerable)} answerable questions and "
        f"{len(unanswerable)} the store cannot answer (`bench/data/questions.jsonl`, written by "
        "hand from the bundled data). Retrieval is scored per story. Dev was looked at while "
        "building `ask`; test was not tuned on.",
        "",
        "| split | fused: recall@10 / MRR | FTS5 alone | vectors alone |",
        "|---|---|---|---|",
        *rows,
        "",
        "| answer | answered | every sentence verifies | invented sentences shown "
        "| model sentences dropped | method |",
        "|---|---|---|---|---|---|",
        *ans_rows,
        "",
        f'Questions the store cannot answer that got "Nothing in your store on this": '
        f"**{nothing_right} of {len(unanswerable)}**. Answerable questions that wrongly got it: "
        f"{false_nothing} of {len(answerable)}.",
        "",
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ask_quality.md").write_text("\n".join(quality), encoding="utf-8")

    lat = []
    for _ in range(3):
        for q in qs:
            t = time.perf_counter()
            search(store, q["question"], limit=10)
            lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    p50 = lat[len(lat) // 2]
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    items = store.conn.execute("SELECT count(*) FROM items").fetchone()[0]
    timings.sort()
    bench = [
        "# Ask and search speed",
        "",
        f"`bench/ask_quality.py` on the demo store ({items:,} items), warm index, "
        f"{len(lat)} searches.",
        "",
        "| measure | p50 | p99 |",
        "|---|---|---|",
        f"| search (top 10, fused) | {p50:.1f} ms | {p99:.1f} ms |",
        f"| ask, extractive | {timings[len(timings) // 2] * 1000:.0f} ms | "
        f"{timings[-1] * 1000:.0f} ms (max) |",
        "",
    ]
    (OUT / "ask_bench.md").write_text("\n".join(bench), encoding="utf-8")
    print("\n".join(quality + bench))


if __name__ == "__main__":
    main(sys.argv[1:])
