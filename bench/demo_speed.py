"""Speed of `abreast fetch` + `abreast process` on the demo (`abreast demo run --no-drafts`: the
bundled snapshot fetched from the replay server on 127.0.0.1 through the real connectors, then the
whole pipeline), for this checkout and for a baseline commit, in the same run on the same machine.

    .venv/bin/python bench/demo_speed.py [--before 22017ec] [--rounds 1]

Each run gets a fresh ABREAST_HOME; the baseline's sources come from `git archive <commit> src`.
Writes bench/out/demo_speed_bench.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def src_of(commit: str, into: Path) -> Path:
    """``commit``'s ``src/`` unpacked into ``into`` (git archive): a baseline's sources, for the
    benches that time an earlier revision beside this one (demo_speed, retrieval_quality,
    search_speed, scale)."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True
    ).stdout
    tarfile.open(fileobj=BytesIO(tar)).extractall(into, filter="data")
    return into / "src"


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(src: Path, home: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the run; less sensitive than wall time to
    other work on a shared machine), and the output."""
    env = {**os.environ, "PYTHONPATH": str(src), "ABREAST_HOME": str(home), "COLUMNS": "120"}
    cpu_before = _cpu_children()
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "abreast", "demo", "run", "--no-drafts"],
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - started
    cpu = _cpu_children() - cpu_before
    if proc.returncode != 0:
        raise SystemExit(
            f"demo run with {src} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    return took, cpu, proc.stdout


def _counts(db: Path) -> dict[str, int]:
    sys.path.insert(0, str(ROOT / "src"))
    from abreast.store.compact import decode_extra

    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def one(sql: str) -> int:
        return conn.execute(sql).fetchone()[0]

    return {
        "items": one("SELECT count(*) FROM items"),
        "items without a week": one("SELECT count(*) FROM items WHERE week IS NULL"),
        # (extra_json deflated since migration 0022, JSON text before: read through the store's
        # own decoder, which reads both)
        "newsletter sections": sum(
            "section_of" in decode_extra(v) for (v,) in conn.execute("SELECT extra_json FROM items")
        ),
        "stories": one("SELECT count(*) FROM stories"),
        "discussion comments": one("SELECT count(*) FROM discussion_comments")
        if "discussion_comments" in tables
        else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="22017ec", help="baseline commit")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--keep", type=Path, help="copy each run's database here (<label>-<round>.db) to compare"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        runs = {
            f"before ({args.before})": src_of(args.before, tmp / "before"),
            "after": ROOT / "src",
        }
        times: dict[str, list[float]] = {k: [] for k in runs}
        cpus: dict[str, list[float]] = {k: [] for k in runs}
        counts: dict[str, dict] = {}
        for r in range(args.rounds):
            for label, src in runs.items():  # interleaved, so both see the same machine load
                home = tmp / f"home-{label[:5]}-{r}"
                took, cpu, _ = _run(src, home)
                times[label].append(took)
                cpus[label].append(cpu)
                counts[label] = _counts(home / "abreast.db")
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    with sqlite3.connect(home / "abreast.db") as db:
                        db.execute("VACUUM INTO ?", (str(args.keep / f"{label[:6]}-{r}.db"),))
                print(f"{label}: {took:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    rows = [
        "# Demo fetch + process (bench/demo_speed.py)",
        "",
        "`abreast demo run --no-drafts` (fetch the bundled snapshot from the replay server, then "
        f"the whole pipeline) in a fresh home, {args.rounds} round(s), before and after in the "
        "same run on the same machine. The after checkout's reading stage reads the top 25 "
        "stories of every demo week: their article pages through the replay (the recorded ones "
        "served, 404 for the rest; robots.txt asked per site) and their discussions.",
        "",
    ]
    keys = list(counts["after"])
    rows += [
        "| checkout | wall s (median) | CPU s (median) | " + " | ".join(keys) + " |",
        "|---|---|---|" + "---|" * len(keys),
    ]
    for label in runs:
        cells = [f"{counts[label][k]:,}" for k in keys]
        rows.append(
            f"| {label} | {statistics.median(times[label]):.1f} | "
            f"{statistics.median(cpus[label]):.1f} | " + " | ".join(cells) + " |"
        )
    before, after = (statistics.median(t) for t in times.values())
    cpu_before, cpu_after = (statistics.median(t) for t in cpus.values())
    load = os.getloadavg()[0]
    rows += [
        "",
        f"After / before: {after / before:.2f}x the wall time, {cpu_after / cpu_before:.2f}x the "
        f"CPU time (load average {load:.1f} on {os.cpu_count()} cores at the end of the run).",
    ]
    text = "\n".join(rows) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "demo_speed_bench.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
