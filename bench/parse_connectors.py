"""Parse throughput of each connector's pure parser on the golden fixtures, replicated to a
realistic page size (no network, no store): items per second and peak Python memory per parser.

Rerun: .venv/bin/python bench/parse_connectors.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from pathlib import Path

from abreast.collect.sources.arxiv import parse_arxiv
from abreast.collect.sources.feed import parse_feed
from abreast.collect.sources.hf import parse_models
from abreast.collect.sources.hn import parse_algolia
from abreast.collect.sources.reddit import parse_listing

FIX = Path(__file__).resolve().parent.parent / "tests" / "collect" / "fixtures"


def arxiv_page(copies: int) -> bytes:
    """The 3-paper API response grown to copies*3 entries (distinct ids), like a 100-result page."""
    text = (FIX / "arxiv/api_query.xml").read_text()
    head, *entries = text.split("  <entry>")
    entries[-1] = entries[-1].replace("</feed>\n", "")
    body = "".join(
        "  <entry>" + e.replace("2412.", f"24{n % 10}{n // 10 % 10}.")
        for n in range(copies)
        for e in entries
    )
    return (head + body + "</feed>\n").encode()


def hn_page(copies: int) -> bytes:
    hits = json.loads((FIX / "hn/algolia_search_by_date.json").read_text())["hits"]
    many = [dict(h, objectID=str(int(h["objectID"]) + n)) for n in range(copies) for h in hits]
    return json.dumps({"hits": many, "nbPages": 1}).encode()


def reddit_page(copies: int) -> bytes:
    listing = json.loads((FIX / "reddit/new_listing.json").read_text())
    kids = listing["data"]["children"]
    listing["data"]["children"] = [
        {"kind": "t3", "data": dict(k["data"], id=f"{k['data']['id']}{n}")}
        for n in range(copies)
        for k in kids
    ]
    return json.dumps(listing).encode()


def hf_page(copies: int) -> bytes:
    models = json.loads((FIX / "hf/api_models.json").read_text())
    return json.dumps(
        [dict(m, id=f"{m['id']}-{n}") for n in range(copies) for m in models]
    ).encode()


CASES = {
    "feed (OpenAI RSS, 3 items)": (
        lambda: (FIX / "feed/openai_rss.xml").read_bytes(),
        lambda b: parse_feed(b, source_name="b").items,
    ),
    "feed (Simon Willison newsletter, 1 long item)": (
        lambda: (FIX / "feed/simonw_substack_rss.xml").read_bytes(),
        lambda b: parse_feed(b, source_name="b").items,
    ),
    "arxiv (99 entries)": (lambda: arxiv_page(33), lambda b: parse_arxiv(b).items),
    "hn (100 hits)": (lambda: hn_page(25), lambda b: parse_algolia(b)[0]),
    "reddit (99 posts)": (lambda: reddit_page(33), lambda b: parse_listing(b)[0]),
    "hf (99 models)": (lambda: hf_page(33), lambda b: parse_models(b)[0]),
}


def measure(make, parse, seconds: float) -> tuple[float, float]:
    body = make()
    tracemalloc.start()
    parse(body)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    items, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        items += len(parse(body))
    return items / (time.perf_counter() - start), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per parser")
    args = parser.parse_args()
    print(f"{'parser':48} {'items/s':>9} {'peak MiB':>9}")
    for name, (make, parse) in CASES.items():
        rate, peak = measure(make, parse, args.seconds)
        print(f"{name:48} {rate:9.0f} {peak:9.1f}")


if __name__ == "__main__":
    main()
