"""Bounded load test of the web app on loopback: N concurrent clients for T seconds against the week
page and the JSON API, on a real uvicorn server (its own process) over the demo data.

    .venv/bin/python bench/web_load.py                   # builds a small demo store in a temp dir
    .venv/bin/python bench/web_load.py --home .demo-home # or uses the store `make demo` filled

Writes bench/out/web_bench.md (p50/p99 latency per endpoint, requests/s, errors).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

OUT = Path(__file__).parent / "out" / "web_bench.md"
SOURCES = ("hn", "openai-news", "anthropic-news", "simonw-newsletter", "hf-blog")


def fill_demo(home: Path, week: str) -> None:
    """The demo snapshot, fetched over HTTP from the replay server, understood and clustered."""
    from abreast import config
    from abreast.collect.run import fetch_sources
    from abreast.demo.replay import ReplayServer
    from abreast.demo.sources import demo_sources
    from abreast.explain.summarize import summarize_week
    from abreast.store import Store
    from abreast.stories.build import build_week
    from abreast.understand import pipeline

    env = dict(
        os.environ,
        ABREAST_FETCH_ALLOW_PRIVATE="127.0.0.1",
        ABREAST_FETCH_POLITENESS="false",
        ABREAST_FETCH_HOST_DELAY="0",
    )
    settings = config.load(home, environ=env)
    settings.paths.ensure()
    store = Store.open(settings.paths.db)
    with ReplayServer() as server:
        for s in demo_sources(server.url):
            if s["name"] in SOURCES:
                store.add_source(s["name"], s["kind"], s["url"], s.get("config"))
        fetch_sources(store, settings, since=date(2024, 11, 18))
    pipeline.run(store, settings)
    build_week(store, week, settings)
    summarize_week(store.conn, week)
    store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, ABREAST_HOME=str(home))
    env.pop("ABREAST_WEB_TOKEN", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "abreast.web.app:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/weeks", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 30 s")


async def client(
    base: str, paths: list[str], stop_at: float, results: dict, errors: list, offset: int
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        i = offset
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                r = await c.get(path)
                ok = r.status_code == 200
            except httpx.HTTPError as e:
                ok, r = False, e
            ms = (time.perf_counter() - t) * 1000
            results.setdefault(path, []).append(ms)
            if not ok:
                errors.append(f"{path}: {getattr(r, 'status_code', r)}")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


async def run_load(
    base: str, paths: list[str], clients: int, seconds: float
) -> tuple[dict, list, float]:
    results: dict[str, list[float]] = {}
    errors: list[str] = []
    start = time.monotonic()
    await asyncio.gather(
        *(client(base, paths, start + seconds, results, errors, i) for i in range(clients))
    )
    return results, errors, time.monotonic() - start


def report(
    results: dict, errors: list, elapsed: float, clients: int, seconds: float, items: int
) -> str:
    total = sum(len(v) for v in results.values())
    lines = [
        "# Web app load test",
        "",
        f"`bench/web_load.py`: {clients} concurrent clients for {seconds:.0f} s on loopback "
        "against one uvicorn "
        "process (FastAPI, sync routes in its thread pool, one SQLite connection per thread), "
        "over the demo "
        f"store ({items} items), after a 3 s warm-up that is not counted. Machine: "
        f"{os.cpu_count()} CPUs ({platform.machine()}), shared with the "
        "load generator (same machine, separate process).",
        "",
        f"- requests: {total} in {elapsed:.1f} s = {total / elapsed:.0f} requests/s",
        f"- errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""),
        "",
        "| endpoint | requests | p50 ms | p99 ms | max ms | mean ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for path, v in results.items():
        lines.append(
            f"| `{path}` | {len(v)} | {pct(v, 50):.1f} | {pct(v, 99):.1f} | {max(v):.1f} | "
            f"{statistics.fmean(v):.1f} |"
        )
    everything = [x for v in results.values() for x in v]
    lines.append(
        f"| all | {total} | {pct(everything, 50):.1f} | {pct(everything, 99):.1f} | "
        f"{max(everything):.1f} | "
        f"{statistics.fmean(everything):.1f} |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--home", type=Path, help="an ABREAST_HOME with data (default: build a small demo store)"
    )
    ap.add_argument("--week", default="2024-W51")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    tmp = None
    home = args.home
    if home is None:
        tmp = tempfile.TemporaryDirectory()
        home = Path(tmp.name)
        print("building a demo store ...", flush=True)
        fill_demo(home, args.week)
    from abreast.store import Store

    st = Store.open(home / "abreast.db")
    items = st.conn.execute("SELECT count(*) FROM items").fetchone()[0]
    st.close()
    port = free_port()
    proc = start_server(home, port)
    paths = [
        f"/?week={args.week}",
        f"/api/weeks/{args.week}/stories",
        "/api/items?limit=50",
        "/api/weeks",
    ]
    try:
        # Warm-up, not counted: each server thread opens its SQLite connection, imports settle.
        asyncio.run(run_load(f"http://127.0.0.1:{port}", paths, args.clients, 3))
        # One client alone first: the service time of each endpoint without queueing.
        solo, solo_errors, solo_elapsed = asyncio.run(
            run_load(f"http://127.0.0.1:{port}", paths, 1, 5)
        )
        print(f"{args.clients} clients for {args.seconds:.0f} s ...", flush=True)
        results, errors, elapsed = asyncio.run(
            run_load(f"http://127.0.0.1:{port}", paths, args.clients, args.seconds)
        )
        errors += solo_errors
    finally:
        proc.terminate()
        proc.wait(10)
        if tmp:
            tmp.cleanup()
    load = os.getloadavg()[0]
    text = report(results, errors, elapsed, args.clients, args.seconds, items)
    text += f"\nLoad average (1 min) at the end: {load:.1f} on {os.cpu_count()} CPUs.\n\n"
    text += (
        report(solo, solo_errors, solo_elapsed, 1, 5, items)
        .split("\n", 3)[3]
        .replace("- requests", "One client alone (service time, no queueing):\n\n- requests", 1)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
