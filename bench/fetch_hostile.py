"""How the fetcher holds up against hostile servers, measured on 127.0.0.1.

    .venv/bin/python bench/fetch_hostile.py

Prints, for a 1 GiB gzip bomb with a 1 MiB cap: time to refusal and peak Python-traced memory, for
our fetcher and for plain httpx streaming (`iter_bytes`, stopping at the same cap) for comparison;
how closely a byte-dripping server is cut at the total deadline; and keep-alive requests per second
on a small feed (politeness off), i.e. the cost of the address check and the capped streaming.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from abreast.collect.fetcher import Fetcher, FetchError  # noqa: E402
from collect.hostile_server import HostileServer, gzip_bomb  # noqa: E402

CAP = 1024 * 1024
SETTINGS = {
    "allow_private": ["127.0.0.1"],
    "max_bytes": CAP,
    "politeness": False,
    "read_timeout": 5.0,
    "deadline": 2.0,
}


def measure(fn) -> tuple[float, float, str]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = fn()
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak / 2**20, outcome


def ours(url: str) -> str:
    with Fetcher(SETTINGS) as f:
        try:
            f.get(url)
        except FetchError as e:
            return type(e).__name__
    return "accepted"


def plain_httpx(url: str) -> str:
    total = 0
    with httpx.stream("GET", url) as response:
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > CAP:
                return "stopped at cap"
    return "accepted"


def main() -> None:
    gzip_bomb()
    with HostileServer() as server:
        bomb = server.url("/gzip-bomb")
        print(
            f"gzip bomb: {len(gzip_bomb()) / 2**20:.2f} MiB on the wire, 1024 MiB inflated, cap "
            f"{CAP // 2**20} MiB"
        )
        for name, fn in (("abreast Fetcher", ours), ("plain httpx iter_bytes", plain_httpx)):
            elapsed, peak, outcome = measure(lambda fn=fn: fn(bomb))
            print(
                f"  {name:24s} {outcome:16s} {elapsed * 1000:7.1f} ms   peak traced memory "
                f"{peak:7.1f} MiB"
            )

        started = time.perf_counter()
        outcome = ours(server.url("/drip?every=0.05"))
        print(
            f"drip (1 byte / 50 ms), deadline {SETTINGS['deadline']} s: {outcome} after "
            f"{time.perf_counter() - started:.2f} s"
        )

        with Fetcher(SETTINGS) as f:
            f.get(server.url("/ok"))
            n, started = 300, time.perf_counter()
            for _ in range(n):
                f.get(server.url("/ok"))
            rate = n / (time.perf_counter() - started)
        print(f"keep-alive small feed: {rate:.0f} requests/s ({n} requests)")
        with httpx.Client() as client:
            started = time.perf_counter()
            for _ in range(n):
                client.get(server.url("/ok")).raise_for_status()
            plain = n / (time.perf_counter() - started)
        print(f"  same with plain httpx.Client (no checks): {plain:.0f} requests/s")


if __name__ == "__main__":
    main()
