"""Collect every demo source through the real connectors from the replay server; print what arrived.

Shows per source: items, seconds, items per month of published_at ('none' = the recording has no
date), and the connector's warnings. Rerun: .venv/bin/python bench/replay_collect.py [--since
2023-11-20]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import UTC, datetime

from abreast.collect.base import SourceSpec, get_connector
from abreast.collect.fetcher import Fetcher
from abreast.demo.replay import ReplayServer
from abreast.demo.sources import DEMO_FETCH, DEMO_WINDOWS, demo_sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--since", default=DEMO_WINDOWS[0][0], help="collect items published on/after this day"
    )
    args = parser.parse_args()
    since = datetime.fromisoformat(args.since).replace(tzinfo=UTC)
    fetcher = Fetcher(DEMO_FETCH)
    total_start = time.perf_counter()
    with ReplayServer() as server:
        for src in demo_sources(server.url):
            start = time.perf_counter()
            spec = SourceSpec(src["name"], src["kind"], src["url"], src["config"])
            result = get_connector(src["kind"]).collect(spec, fetcher, since)
            months = Counter((it.published_at or "none")[:7] for it in result.items)
            print(
                f"{src['name']:18} {len(result.items):5} items {time.perf_counter() - start:5.1f}s "
                f"{dict(sorted(months.items()))}"
            )
            for warning in result.warnings[:3]:
                print(f"{'':18} warning: {warning}")
    fetcher.close()
    print(f"total {time.perf_counter() - total_start:.1f}s")


if __name__ == "__main__":
    main()
