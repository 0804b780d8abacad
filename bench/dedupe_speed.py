"""Items/s of find_duplicates on recorded items, and on a synthetic corpus scaled from them.

    .venv/bin/python bench/dedupe_speed.py [--scale 20]

Recorded: HN daily top 30, r/LocalLLaMA via AINews, the arXiv listing and the arXiv abstracts (with
text), Nov-Dec 2024, from ../shared/data. Scaled: every recorded item copied ``--scale`` times under
new keys and URLs, with a per-copy word appended to titles and texts so that copies are near- but
not exact duplicates (the worst case for the MinHash stage: every band bucket is full).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from abreast.item import Item
from abreast.understand.dedupe import find_duplicates

DATA = Path(__file__).resolve().parents[2] / "shared/data"


def recorded() -> list[Item]:
    def jsonl(rel):
        return [json.loads(line) for line in (DATA / rel).open(encoding="utf-8")]

    items = {}
    for r in jsonl("hn-daily-top30-2024-12/hn_daily_top30_2024-11-18_2024-12-22.jsonl"):
        items[f"hn:{r['hn_id']}"] = Item(
            f"hn:{r['hn_id']}",
            "hn",
            r["title"],
            url=r["url"],
            published_at=f"{r['date']}T06:00:00+00:00",
        )
    for r in jsonl("reddit-via-ainews-2024-12/reddit_ai_posts_2024-11-15_2024-12-23.jsonl"):
        items.setdefault(
            f"reddit:{r['post_id']}",
            Item(
                f"reddit:{r['post_id']}",
                "reddit",
                r["title"],
                url=r["link_url"] or r["permalink"],
                published_at=r["ainews_sent_utc"][:19] + "+00:00",
            ),
        )
    for r in jsonl("arxiv-nlp-llm-listing-2024-11-12/arxiv_nlp_llm_2024-11-18_2024-12-22.jsonl"):
        items[f"arxiv:{r['arxiv_id']}"] = Item(
            f"arxiv:{r['arxiv_id']}",
            "arxiv",
            r["title"],
            url=f"https://arxiv.org/abs/{r['arxiv_id']}",
            published_at=f"{r['date']}T00:00:00+00:00",
        )
    for r in jsonl(
        "arxiv-abstracts-cs-cl-ai-ir-2024-12-18_20/"
        "arxiv_cs_CL_AI_IR_with_abstracts_2024-12-18_2024-12-20.jsonl"
    ):
        items[f"arxiv:{r['arxiv_id']}"] = Item(
            f"arxiv:{r['arxiv_id']}",
            "arxiv",
            r["title"],
            url=r["link"],
            text=r["abstract"],
            published_at="2024-12-18T00:00:00+00:00",
        )
    return list(items.values())


def scaled(items: list[Item], scale: int) -> list[Item]:
    out = []
    for n in range(scale):
        for it in items:
            out.append(
                Item(
                    f"{it.key}#{n}",
                    it.kind,
                    f"{it.title} copy{n}",
                    url=f"https://example.org/{it.key}/{n}",
                    text=f"{it.text} copy{n}" if it.text else "",
                    published_at=it.published_at,
                )
            )
    return out


def measure(name: str, items: list[Item]) -> None:
    t = time.perf_counter()
    dupes = find_duplicates(items)
    dt = time.perf_counter() - t
    print(
        f"{name}: {len(items)} items, {len(dupes)} duplicates, {dt:.2f} s, {len(items) / dt:,.0f} "
        "items/s"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=20)
    args = ap.parse_args()
    items = recorded()
    measure("recorded", items)
    measure(f"scaled x{args.scale}", scaled(items, args.scale))


if __name__ == "__main__":
    main()
