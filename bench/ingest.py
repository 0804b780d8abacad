"""Ingest throughput: the recorded snapshot replayed over HTTP on 127.0.0.1, fetched through the
real connectors and stored, in a loop (politeness disabled for the replay host).

Baseline in the same run: the same HTTP requests with a bare httpx client and no parsing or storing,
so the ratio shows what parse + normalize + store cost on top of moving the bytes.

    .venv/bin/python bench/ingest.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from abreast import config
from abreast.collect.fetcher import Fetcher
from abreast.collect.run import fetch_sources
from abreast.demo.sources import DEMO_FETCH, DEMO_WINDOWS, demo_sources
from abreast.store import Store

CPU: list[float] = []  # CPU seconds of the ingesting process per round: our work, not the server's


class RecordingFetcher(Fetcher):
    """Our fetcher, remembering each URL asked for, so the baseline can replay the same requests."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.urls: list[str] = []

    def get(self, url, **kw):
        self.urls.append(url)
        return super().get(url, **kw)


def one_round(server_url: str, settings) -> tuple[int, float, list[str]]:
    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "a.db")
        for s in demo_sources(server_url):
            store.add_source(s["name"], s["kind"], s["url"], s.get("config"))
        fetcher = RecordingFetcher(settings.fetch)
        t, cpu = time.perf_counter(), time.process_time()
        fetch_sources(
            store, settings, since=date.fromisoformat(DEMO_WINDOWS[0][0]), fetcher=fetcher
        )
        elapsed = time.perf_counter() - t
        CPU.append(time.process_time() - cpu)
        n = store.conn.execute("SELECT count(*) FROM items").fetchone()[0]
        store.close()
        fetcher.close()
    return n, elapsed, fetcher.urls


def baseline(urls: list[str]) -> float:
    import httpx

    t = time.perf_counter()
    with httpx.Client(timeout=30) as c:
        for u in urls:
            c.get(u).read()
    return time.perf_counter() - t


def _wait_for(url: str) -> None:
    import httpx

    for _ in range(100):
        try:
            httpx.get(url + "/", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("replay server did not start")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("bench/out/ingest_bench.md"))
    args = ap.parse_args()
    settings = config.load(overrides={"fetch": DEMO_FETCH})
    rates, base_times, times = [], [], []
    # The replay server runs in its own process so it does not share our GIL: what is timed is ours.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "abreast.demo.replay", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url)
        one_round(url, settings)  # warm-up: imports, the server's decompression caches
        for _ in range(args.rounds):
            n, elapsed, urls = one_round(url, settings)
            rates.append(n / elapsed)
            times.append(elapsed)
            base_times.append(baseline(urls))
    finally:
        server.terminate()
        server.wait()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = statistics.median(rates)
    lines = [
        "## Ingest (bench/ingest.py)",
        "",
        f"Recorded snapshot replayed on 127.0.0.1 through the real connectors into a fresh store, "
        f"{args.rounds} rounds after a warm-up; {n} items and {len(urls)} HTTP requests per round.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| items/s end to end, waiting on the replay server included (median) | {rate:,.0f} |",
        f"| seconds per round (median) | {statistics.median(times):.2f} |",
        f"| items per CPU second of the ingesting process: parse + normalize + store (median) | "
        f"{n / statistics.median(CPU[1:]):,.0f} |",
        "| baseline: same requests, bare httpx, no parsing (median s) | "
        f"{statistics.median(base_times):.2f} |",
        "| ratio to the baseline | "
        f"{statistics.median(times) / statistics.median(base_times):.1f}x |",
        f"| peak resident memory of the ingesting process | {peak:.0f} MiB |",
        "",
        "Target: at least 2,000 items/s. Rerun: `.venv/bin/python bench/ingest.py --rounds "
        f"{args.rounds}`.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
