"""Rebuild bench/data/devset.jsonl from the recorded data and the hand labels in labels_ai.tsv.

The selection is deterministic (sorted by a hash of the key), so anyone can rebuild the same set.
Labels were made by reading each item (see bench/data/LABELLING.md); this script only joins them.

    .venv/bin/python bench/build_devset.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import shared_items as si  # noqa: E402

HERE = Path(__file__).parent / "data"
CODES = {
    "O": "open-models",
    "F": "fine-tuning-agents",
    "A": "applications",
    "D": "deployment",
    "S": "safety-alignment",
    "R": "research",
    "B": "business",
}
# Items whose content cannot be judged from what was recorded (an image post titled "Bro whaaaat?").
UNJUDGEABLE = {"reddit:1hz28ld"}


def key_hash(key: str) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16)


def split_of(key: str) -> str:
    """Half the items tune the model (dev), the other half only measure it (test)."""
    return "dev" if key_hash(key) % 2 == 0 else "test"


def _sample(items, n):
    return sorted(items, key=lambda it: hashlib.sha1(it.key.encode()).hexdigest())[:n]


def selection():
    return (
        si.hn_daily()
        + si.hn_rss_snapshot()
        + si.hn_signalkite()
        + _sample(si.hn_frontpage_2022(), 30)
        + _sample(si.arxiv_abstracts(), 40)
        + _sample(si.reddit_ainews(), 30)
        + _sample(si.reddit_localllama(), 15)
        + _sample(si.hf_blog(), 8)
        + _sample(si.all_feeds(), 32)
    )


def read_labels() -> dict[str, list[str]]:
    labels = {}
    for line in (HERE / "labels_ai.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, codes = line.split("\t")
        labels[key] = [CODES[c] for c in codes.split()]
    return labels


def main() -> None:
    labels = read_labels()
    rows, seen = [], set()
    for it in selection():
        if it.key in seen or it.key in UNJUDGEABLE:
            continue
        seen.add(it.key)
        rows.append(
            {
                "key": it.key,
                "kind": it.kind,
                "title": it.title,
                "url": it.url,
                "text": it.text[:800],
                "author": it.author,
                "published_at": it.published_at,
                "extra": it.extra,
                "is_ai": it.key in labels,
                "themes": labels.get(it.key, []),
                "split": split_of(it.key),
            }
        )
    missing = set(labels) - seen
    if missing:
        raise SystemExit(f"labels for keys not in the selection: {sorted(missing)[:5]}")
    with (HERE / "devset.jsonl").open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_ai = sum(r["is_ai"] for r in rows)
    print(f"{len(rows)} items, {n_ai} AI, dev={sum(r['split'] == 'dev' for r in rows)}")


if __name__ == "__main__":
    main()
