"""Items/s of extract_entities + find_jargon on real title+abstract texts (target >= 5,000 items/s).

    .venv/bin/python bench/entities_speed.py [--repeat 20]

Texts: the arXiv cs.CL/AI/IR listing with abstracts (2024-12-18..20) and the r/LocalLLaMA titles
AINews picked (Nov-Dec 2024), from ../shared/data, repeated to get a stable timing. Compilation of
the regexes is timed separately (it happens once per process).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared/data"


def texts() -> list[tuple[str, str]]:
    rows = []
    arxiv = (
        DATA
        / "arxiv-abstracts-cs-cl-ai-ir-2024-12-18_20"
        / "arxiv_cs_CL_AI_IR_with_abstracts_2024-12-18_2024-12-20.jsonl"
    )
    for line in arxiv.open(encoding="utf-8"):
        r = json.loads(line)
        rows.append((r["title"], r["abstract"]))
    reddit = DATA / "reddit-via-ainews-2024-12/reddit_ai_posts_2024-11-15_2024-12-23.jsonl"
    for line in reddit.open(encoding="utf-8"):
        rows.append((json.loads(line)["title"], ""))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument(
        "--no-ac", action="store_true", help="measure the fallback scanner (no ahocorasick-rs)"
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.no_ac:
        import abreast.understand.entities as entities

        entities.ahocorasick_rs = None
    from abreast.understand.entities import _matcher, extract_entities
    from abreast.understand.jargon import _matcher as jargon_matcher
    from abreast.understand.jargon import find_jargon

    _matcher()
    jargon_matcher()
    compile_s = time.perf_counter() - t0
    rows = texts() * args.repeat
    chars = sum(len(t) + len(x) for t, x in rows) / len(rows)
    t1 = time.perf_counter()
    n_ent = sum(len(extract_entities(t, x)) for t, x in rows)
    t2 = time.perf_counter()
    n_jar = sum(len(find_jargon(f"{t}\n{x}")) for t, x in rows)
    t3 = time.perf_counter()
    arxiv_only = [r for r in rows if r[1]]
    t4 = time.perf_counter()
    for t, x in arxiv_only:
        extract_entities(t, x)
        find_jargon(f"{t}\n{x}")
    t5 = time.perf_counter()
    print(f"items: {len(rows)} (avg {chars:.0f} chars), import+compile: {compile_s:.2f} s")
    print(f"extract_entities: {len(rows) / (t2 - t1):,.0f} items/s ({n_ent} ids)")
    print(f"find_jargon:      {len(rows) / (t3 - t2):,.0f} items/s ({n_jar} ids)")
    print(
        f"both together:    {len(rows) / (t3 - t1):,.0f} items/s on the mix; "
        f"{len(arxiv_only) / (t5 - t4):,.0f} items/s on arXiv title+abstract only "
        f"(avg {sum(len(t) + len(x) for t, x in arxiv_only) / len(arxiv_only):.0f} chars)"
    )


if __name__ == "__main__":
    main()
