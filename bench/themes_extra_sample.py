"""Draw the items of bench/data/themes_extra.tsv (more theme labels), before any model runs on them.

    .venv/bin/python bench/themes_extra_sample.py --store .demo-home/abreast.db > /tmp/extra.tsv

Prints one candidate a line: key, source, title and the start of the text, for a person to label
by reading. Nothing here runs or reads the theme classifier: the only model output used is the
relevance stage's AI flag (the items a reader of abreast sees themes on), and the labeller judges
AI-ness again and skips what is not AI.

Pool: the demo store's items that the relevance stage calls AI, not in bench/data/devset.jsonl and
in no duplicate group with a devset item (so no copy of a held-out test item is trained on), less
the Hugging Face model listings (kind ``hf``: repository cards, not news items; the dev set has
none). Per source, the first QUOTA[source] items by SHA-1 of the key (as build_devset.py samples),
a mix like the dev set's: lab and newsletter feeds, Reddit, Hacker News, a few arXiv papers, and
every Hugging Face blog and lab post of the demo weeks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
from pathlib import Path

DEVSET = Path(__file__).parent / "data" / "devset.jsonl"

# Source name (the demo's sources table) -> how many items to draw; None = all of them.
QUOTA: dict[str, int | None] = {
    "hf-blog": None,
    "openai-news": None,
    "anthropic-news": None,
    "deepmind-blog": None,
    "deepseek-news": None,
    "simonw-newsletter": 40,
    "llm-paper-daily": 10,
    "hn": 40,
    "r-localllama": 40,
    "r-openai": 20,
    "r-chatgpt": 12,
    "r-claudeai": 8,
    "r-stablediffusion": 8,
    "r-machinelearning": None,
    "arxiv": 20,
}


def draw(store: str) -> list[tuple[str, str, str, str]]:
    dev_keys = {json.loads(line)["key"] for line in DEVSET.read_text(encoding="utf-8").splitlines()}
    db = sqlite3.connect(store)
    rows = db.execute(
        "SELECT i.id, i.key, s.name, i.title, i.text, a.duplicate_of FROM items i "
        "JOIN annotations a ON a.item_id = i.id LEFT JOIN sources s ON s.id = i.source_id "
        "WHERE a.is_ai = 1 AND i.kind != 'hf'"
    ).fetchall()
    all_rows = db.execute(
        "SELECT i.id, i.key, a.duplicate_of FROM items i JOIN annotations a ON a.item_id = i.id"
    ).fetchall()
    # A duplicate group is named by its canonical item (duplicate_of, else the item itself).
    group = {iid: dup or iid for iid, _, dup in all_rows}
    dev_groups = {group[iid] for iid, key, _ in all_rows if key in dev_keys}
    out = []
    for source, n in QUOTA.items():
        cands = [
            r
            for r in rows
            if r[2] == source and r[1] not in dev_keys and group[r[0]] not in dev_groups
        ]
        cands.sort(key=lambda r: hashlib.sha1(r[1].encode()).hexdigest())
        for _, key, src, title, text, _ in cands[: n if n is not None else len(cands)]:
            out.append((key, src, title, " ".join((text or "").split())[:400]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default=".demo-home/abreast.db")
    args = ap.parse_args()
    for row in draw(args.store):
        print("\t".join(row))


if __name__ == "__main__":
    main()
