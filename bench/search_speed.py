"""Search latency of the retrieval core (what `abreast search`, `ask`, the web app and MCP use) on
given stores, this revision against an earlier one in the same run (issues 17 and 20).

    .venv/bin/python bench/search_speed.py --home .demo-home --home .scale/n1000000 --before 6975eb1

Queries: 100 distinct requests, the 12 of bench/scale.py, the 42 TODO requests of
bench/data/todo_requests.jsonl (with their paragraph, without their period: the default recent
window, as `abreast search QUERY` runs) and the 46 questions of bench/data/questions.jsonl. Each
revision runs in its own long-lived process per store (as the web server and the MCP server do:
the index is loaded once, its first call timed apart); the two processes take turns, round by
round, so both see the same load on this shared machine. Round 1 is every query asked for the first
time in that process; later rounds ask them again in another order. Per revision: p50 / p99 of wall
time per query (the target: p99 <= 50 ms at 1M items), of the process's CPU time per query, and how
many of the 100 result lists (keys and scores) are identical to the other revision's.
The baseline's sources come from `git archive <commit> src`. A store's query-vector cache (beside
it, cache/) is shared by both processes and kept between runs, as in use.

Writes bench/out/search_speed_bench.md (BENCHMARKS.md via bench/report.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_speed import src_of  # bench/: a baseline revision's sources

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "search_speed_bench.md"
DATA = ROOT / "bench" / "data"
QUERIES = [
    "llama",
    "agent",
    "openai",
    "reasoning model",
    "diffusion",
    "benchmark",
    "rag",
    "gpu",
    "fine-tuning",
    "mixture of experts",
    "gemini",
    "safety",
]  # fmt: skip (bench/scale.py's)


def requests() -> list[tuple[str, str]]:
    """(request, paragraph) for the 100 queries; bench/scale.py's 12 alone with SCALE_ONLY."""
    out = [(q, "") for q in QUERIES]
    if os.environ.get("SEARCH_SPEED_SCALE_ONLY"):
        return out
    out += [(r["request"], r["context"]) for r in _jsonl(DATA / "todo_requests.jsonl")]
    out += [(q["question"], "") for q in _jsonl(DATA / "questions.jsonl")]
    return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open() if line.strip()]


def pct(values: list[float], p: float) -> float:
    """bench/scale.py's percentile: p99 of 300 values is the 4th slowest, of 100 the 2nd."""
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


# --- the worker: one revision, one store, one long-lived process ------------------------------


def worker(home: Path) -> None:
    """Reads "ROUND SEED" lines on stdin, answers one JSON line per round."""
    from abreast import config
    from abreast.retrieve.query import Request, search
    from abreast.store import Store

    store = Store.open(config.load(home, environ={}).paths.db)
    reqs = requests()
    t = time.perf_counter()
    search(store, Request(*reqs[0]))
    first = time.perf_counter() - t
    print(json.dumps({"first_s": first}), flush=True)
    for line in sys.stdin:
        seed = int(line.split()[1])
        order = list(range(len(reqs)))
        random.Random(seed).shuffle(order)
        wall, cpu, digest = [0.0] * len(reqs), [0.0] * len(reqs), [""] * len(reqs)
        for k in order:
            t, c = time.perf_counter(), time.process_time()
            hits = search(store, Request(*reqs[k]))
            wall[k] = (time.perf_counter() - t) * 1000
            cpu[k] = (time.process_time() - c) * 1000
            digest[k] = json.dumps([(h.key, h.score) for h in hits])
        print(json.dumps({"wall": wall, "cpu": cpu, "digest": digest}), flush=True)


# --- the driver ----------------------------------------------------------------------------------


class Worker:
    def __init__(self, src: Path, home: Path):
        env = {**os.environ, "PYTHONPATH": str(src)}
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", str(home)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.first_s = float(self._read()["first_s"])

    def _read(self) -> dict:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"search worker failed (exit {self.proc.wait()})")
        return json.loads(line)

    def round(self, n: int, seed: int) -> dict:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{n} {seed}\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def measure(home: Path, srcs: dict[str, Path], rounds: int) -> dict:
    workers = {name: Worker(src, home) for name, src in srcs.items()}
    res: dict = {name: {"first_s": w.first_s, "rounds": []} for name, w in workers.items()}
    loads = []
    for r in range(rounds):
        loads.append(os.getloadavg()[0])
        # Who goes first alternates: neither always runs right after the other's cache warmed.
        names = list(workers) if r % 2 == 0 else list(reversed(workers))
        for name in names:
            res[name]["rounds"].append(workers[name].round(r, seed=r))
    loads.append(os.getloadavg()[0])
    for w in workers.values():
        w.close()
    res["load"] = loads
    items = _items(home)
    res["items"] = items
    return res


def _items(home: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(home / "abreast.db")
    n = int(conn.execute("SELECT max(id) - min(id) + 1 FROM items").fetchone()[0])
    conn.close()
    return n


def report(results: list[tuple[str, dict]], names: list[str], rounds: int, label: dict) -> str:
    lines = [
        "# Search latency, this revision against an earlier one (bench/search_speed.py)",
        "",
        f"{len(requests())} distinct requests ("
        + (
            "bench/scale.py's 12"
            if os.environ.get("SEARCH_SPEED_SCALE_ONLY")
            else "bench/scale.py's 12, the 42 TODO requests with their paragraph and the 46 "
            "questions of bench/data"
        )
        + ", default recent window), top "
        f"10 fused, in one long-lived process per revision and store; {rounds} rounds, the "
        "two revisions taking turns round by round. Wall and CPU time per query in ms; "
        "'round 1' is each query's first time in the process. "
        + "; ".join(f"{n}: {label[n]}" for n in names)
        + ".",
        "",
        "| store | revision | first call s | round 1 p50 / p99 | all rounds p50 / p99 | "
        "CPU p50 / p99 | max | identical results |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for store, res in results:
        other = {names[0]: names[-1], names[-1]: names[0]}
        for n in names:
            rs = res[n]["rounds"]
            wall1 = rs[0]["wall"]
            wall = [x for r in rs for x in r["wall"]]
            cpu = [x for r in rs for x in r["cpu"]]
            same = sum(
                a == b
                for a, b in zip(rs[0]["digest"], res[other[n]]["rounds"][0]["digest"], strict=True)
            )
            lines.append(
                f"| {store} ({res['items']:,} items) | {n} | {res[n]['first_s']:.1f} | "
                f"{pct(wall1, 50):.1f} / {pct(wall1, 99):.1f} | "
                f"{pct(wall, 50):.1f} / {pct(wall, 99):.1f} | "
                f"{pct(cpu, 50):.1f} / {pct(cpu, 99):.1f} | {max(wall):.1f} | "
                f"{same} of {len(wall1)} |"
            )
    lines += [
        "",
        "Load average (1 min) on this 2-core machine, shared with other work, before each round "
        "and at the end: "
        + "; ".join(f"{s}: " + ", ".join(f"{x:.1f}" for x in r["load"]) for s, r in results)
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(Path(sys.argv[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, action="append", required=True, help="a store's home")
    ap.add_argument("--before", default="HEAD~1", help="the revision to compare with")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--scale-only",
        action="store_true",
        help="bench/scale.py's 12 requests alone (with --rounds 2, 'all rounds' is its p99 of 24)",
    )
    args = ap.parse_args()
    if args.scale_only:
        os.environ["SEARCH_SPEED_SCALE_ONLY"] = "1"  # the workers inherit it
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    results = []
    with tempfile.TemporaryDirectory(prefix="abreast-search-speed-") as tmp:
        srcs = {"before": src_of(args.before, Path(tmp)), "after": ROOT / "src"}
        label = {"before": args.before, "after": f"this tree ({head} + changes, if any)"}
        for home in args.home:
            if not (home / "abreast.db").exists():
                raise SystemExit(f"no store in {home}")
            print(f"measuring {home}", file=sys.stderr)
            results.append((home.name, measure(home, srcs, args.rounds)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, list(srcs), args.rounds, label))
    print(args.out.read_text())


if __name__ == "__main__":
    main()
