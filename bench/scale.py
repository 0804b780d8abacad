"""How abreast's costs grow with history: a COPY of the demo store grown to N items, measured.

    .venv/bin/python bench/scale.py --home .demo-home             # 7.6k (the demo) and 100k
    .venv/bin/python bench/scale.py --home .demo-home --n 1000000 # make bench: and 1M

The store is grown from the demo's real items through the store's own ingest path
(Store.upsert_items): each round copies every dated demo item under a new key and a URL of its own,
published 2 weeks earlier per round, so history grows backwards like a reader's store does over
years (~200k items a year at 100k per 26 weeks of extra history). Embedding 100k items with
wordllama on 2 cores takes longer than a benchmark should, so the grown copies get the demo items'
own annotations and embeddings (same title and text => the same vectors the understand stage would
compute). The week added afterwards ("process after a new week") is NOT pre-annotated: understand,
stories, summaries, trends and registry run on it for real.

Writes bench/out/scale_bench.md (BENCHMARKS.md via bench/report.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

OUT = Path(__file__).parent / "out" / "scale_bench.md"
ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["llama", "agent", "openai", "reasoning model", "diffusion", "benchmark", "rag", "gpu",
           "fine-tuning", "mixture of experts", "gemini", "safety"]  # fmt: skip
SHIFT_WEEKS = 2  # per growth round


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def copy_home(src: Path, dst: Path) -> None:
    """The demo home with its database copied through SQLite's backup API (WAL included)."""
    dst.mkdir(parents=True)
    for name in ("abreast.toml",):
        if (src / name).exists():
            shutil.copy(src / name, dst / name)
    with sqlite3.connect(src / "abreast.db") as a, sqlite3.connect(dst / "abreast.db") as b:
        a.backup(b)


# The command's own peak RSS (VmHWM is per address space, so unlike ru_maxrss it does not inherit
# the bench process's size through fork).
_PEAK = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('PEAK ' + line.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "sys.argv = ['abreast', *sys.argv[1:]]\n"
    "runpy.run_module('abreast', run_name='__main__')\n"
)


def run_cli(home: Path, *args: str) -> tuple[float, float]:
    """(seconds, peak RSS MB) of one `abreast` command in its own process; fails loudly."""
    env = dict(os.environ, ABREAST_HOME=str(home), PYTHONPATH=str(ROOT / "src"))
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, *args], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    secs = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"abreast {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK ")]
    return secs, int(peak[-1].split()[1]) / 1024


def demo_rows(conn: sqlite3.Connection, week: str | None = None) -> list[sqlite3.Row]:
    sql = "SELECT * FROM items WHERE key NOT LIKE '%~%' AND published_at IS NOT NULL"
    args: tuple = ()
    if week:
        sql += " AND week = ?"
        args = (week,)
    return conn.execute(sql + " ORDER BY id", args).fetchall()


def copies(rows, tag: str, shift: timedelta):
    """Demo rows as new Items: key and URL of their own, published ``shift`` later."""
    import json

    from abreast.types import Item

    out = []
    for r in rows:
        url = r["url"]
        if url:
            url += ("&" if "?" in url else "?") + f"abreast_scale={tag}"
        pub = (datetime.fromisoformat(r["published_at"]) + shift).isoformat()
        out.append(
            Item(
                key=f"{r['key']}~{tag}",
                kind=r["kind"],
                title=r["title"],
                url=url,
                text=r["text"],
                author=r["author"],
                published_at=pub,
                signals=json.loads(r["score_json"]),
                extra=json.loads(r["extra_json"]),
                text_source=r["text_source"],
            )
        )
    return out


def copy_understanding(conn: sqlite3.Connection, tag: str) -> None:
    """The demo items' annotations and embeddings onto their copies tagged ``tag`` (duplicates
    point at the copy of what the original pointed at)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS idmap(old INTEGER PRIMARY KEY, new INTEGER)")
    conn.execute("DELETE FROM idmap")
    conn.execute(
        "INSERT INTO idmap SELECT o.id, n.id FROM items o JOIN items n ON n.key = o.key || ?",
        (f"~{tag}",),
    )
    conn.execute(
        "INSERT INTO annotations(item_id, relevance, is_ai, themes_json, entities_json, "
        "jargon_json, duplicate_of, why, content_hash, annotated_at) "
        "SELECT m.new, a.relevance, a.is_ai, a.themes_json, a.entities_json, a.jargon_json, "
        "d.new, a.why, n.content_hash, a.annotated_at FROM annotations a "
        "JOIN idmap m ON m.old = a.item_id JOIN items n ON n.id = m.new "
        "LEFT JOIN idmap d ON d.old = a.duplicate_of"
    )
    conn.execute(
        "INSERT INTO embeddings(item_id, model, dim, vector, content_hash) "
        "SELECT m.new, e.model, e.dim, e.vector, n.content_hash FROM embeddings e "
        "JOIN idmap m ON m.old = e.item_id JOIN items n ON n.id = m.new"
    )
    conn.commit()


def grow(db: Path, n: int) -> tuple[int, float]:
    """Grow the store at ``db`` to about ``n`` items; (items added, ingest items/s)."""
    from abreast.store import Store

    store = Store.open(db)
    conn = store.conn
    base = demo_rows(conn)
    source_ids = {r["source_id"] for r in base}
    total = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    added, ingest_s, rnd = 0, 0.0, 0
    while total < n:
        rnd += 1
        batch = copies(base[: n - total], f"s{rnd}", timedelta(weeks=-SHIFT_WEEKS * rnd))
        t = time.perf_counter()
        for sid in source_ids:  # one upsert per source, as a fetch does
            store.upsert_items(
                [it for it, r in zip(batch, base, strict=False) if r["source_id"] == sid], sid
            )
        ingest_s += time.perf_counter() - t
        copy_understanding(conn, f"s{rnd}")
        added += len(batch)
        total += len(batch)
        print(f"  grown to {total} items", file=sys.stderr)
    store.close()
    return added, (added / ingest_s if ingest_s else 0.0)


def add_new_week(db: Path, n_new: int) -> tuple[int, float, str]:
    """One new week after the last: the demo's busiest week's items (up to n_new), un-annotated."""
    from abreast.store import Store

    store = Store.open(db)
    conn = store.conn
    busiest = conn.execute(
        "SELECT week FROM items WHERE key NOT LIKE '%~%' GROUP BY week ORDER BY count(*) DESC"
    ).fetchone()[0]
    last = conn.execute("SELECT max(week) FROM items").fetchone()[0]
    y1, w1 = map(int, busiest.split("-W"))
    y2, w2 = map(int, last.split("-W"))
    gap = (datetime.fromisocalendar(y2, w2, 1) - datetime.fromisocalendar(y1, w1, 1)).days // 7
    rows = demo_rows(conn, busiest)[:n_new]
    items = copies(rows, "new", timedelta(weeks=gap + 1))
    t = time.perf_counter()
    for sid in {r["source_id"] for r in rows}:
        store.upsert_items(
            [it for it, r in zip(items, rows, strict=True) if r["source_id"] == sid], sid
        )
    secs = time.perf_counter() - t
    new_week = conn.execute("SELECT max(week) FROM items").fetchone()[0]
    store.close()
    return len(items), len(items) / secs, new_week


def time_calls(fn, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return pct(times, 50), pct(times, 99)


def measure_reads(home: Path, rounds: int) -> dict[str, tuple[float, float]]:
    """p50/p99 ms of searches and every web page, one client, in this process."""

    from abreast import config

    settings = config.load(home, environ={})
    from abreast.store.migrations import MIGRATIONS

    with sqlite3.connect(settings.paths.db) as c:  # an older revision (--before) reads it too
        version = c.execute("PRAGMA user_version").fetchone()[0]
        c.execute(f"PRAGMA user_version = {min(version, len(MIGRATIONS))}")
    try:
        return _reads(settings, rounds)
    finally:
        with sqlite3.connect(settings.paths.db) as c:
            c.execute(f"PRAGMA user_version = {version}")


def _reads(settings, rounds: int) -> dict[str, tuple[float, float]]:
    from fastapi.testclient import TestClient

    from abreast.retrieve.query import search as retrieve
    from abreast.store import Store
    from abreast.store.items import fts_query
    from abreast.web.app import create_app

    store = Store.open(settings.paths.db)
    out: dict[str, tuple[float, float]] = {}
    qs = iter(QUERIES * rounds)
    out["Store.search (FTS, top 20)"] = time_calls(
        lambda: store.search(fts_query(next(qs).split()), limit=20), len(QUERIES) * rounds
    )
    retrieve(store, QUERIES[0])  # loads the embedder once: not part of a query's time
    qs = iter(QUERIES * 2)
    out["retrieve.query.search (fused, top 10)"] = time_calls(
        lambda: retrieve(store, next(qs)), len(QUERIES) * 2
    )
    week = store.conn.execute(
        "SELECT week FROM stories GROUP BY week ORDER BY week DESC LIMIT 1"
    ).fetchone()[0]
    story = store.conn.execute(
        "SELECT id FROM stories WHERE week = ? ORDER BY score DESC LIMIT 1", (week,)
    ).fetchone()[0]
    term = store.conn.execute(
        "SELECT term FROM trends WHERE week = ? ORDER BY burst DESC LIMIT 1", (week,)
    ).fetchone()
    store.close()
    pages = [
        "/",
        f"/week/{week}",
        f"/story/{story}",
        "/items",
        "/items?q=llama",
        "/api/items?q=agent",
        f"/trends?week={week}",
        f"/trends/chart.svg?week={week}&term={term[0]}" if term else None,
        "/models",
        f"/draft?week={week}",
        "/sources",
        "/api/weeks",
        f"/api/weeks/{week}/stories",
    ]
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8421") as client:
        for path in filter(None, pages):

            def get(path=path):
                r = client.get(path)
                if r.status_code != 200:
                    raise SystemExit(f"GET {path}: {r.status_code}")

            get()  # warm: templates compiled, caches of the process filled once
            out[f"GET {path}"] = time_calls(get, rounds)
    return out


def reads_with(home: Path, rounds: int, src: Path) -> dict[str, tuple[float, float]]:
    """measure_reads in a fresh process importing abreast from ``src`` (this tree or --before)."""
    import json

    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.run(
        [sys.executable, __file__, "--reads", str(home), "--rounds", str(rounds)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"reads with {src} failed:\n{proc.stderr[-2000:]}")
    return {k: tuple(v) for k, v in json.loads(proc.stdout.splitlines()[-1]).items()}


def measure(home: Path, rounds: int, n_new: int, full: bool, before: Path | None) -> dict:
    """Everything for the store in ``home`` (already grown): a dict of label -> value."""
    db = home / "abreast.db"
    res: dict = {}
    if full:
        res["process (first run after growth: every new week built)"] = run_cli(home, "process")
    res["process, nothing new"] = run_cli(home, "process")
    added, rate, week = add_new_week(db, n_new)
    res["new week"] = (week, added, rate)
    res["process after one new week"] = run_cli(home, "process")
    res["process, nothing new (again)"] = run_cli(home, "process")
    res["week"] = run_cli(home, "week", week)
    res["draft"] = run_cli(home, "draft", "--week", week)
    res["reads"] = reads_with(home, rounds, ROOT / "src")
    if before:
        res["reads before"] = reads_with(home, rounds, before)
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        res["items"] = c.execute("SELECT count(*) FROM items").fetchone()[0]
    res["bytes"] = db.stat().st_size
    return res


def report(
    results: list[tuple[str, dict, tuple[int, float] | None]], skipped: str | None, before: str
) -> str:
    cols = [label for label, _r, _g in results]
    lines = [
        "# Scale: costs as history grows (bench/scale.py)",
        "",
        "A copy of the demo store grown from its real items through `Store.upsert_items` "
        f"(new keys and URLs, published {SHIFT_WEEKS} weeks earlier per round); grown copies "
        "reuse the demo items' annotations and embeddings (same content, same vectors). "
        "The new week is understood for real. Times in seconds unless marked; web pages with "
        "one client (FastAPI TestClient over `create_app`), after one warm-up request.",
        "",
        "| measure | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
    ]

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    row("items", [f"{r['items']:,}" for _l, r, _g in results])
    row("ingest rate while growing (items/s)", [f"{g[1]:,.0f}" if g else "-" for *_x, g in results])
    row(
        "ingest of the new week (items/s)",
        [f"{r['new week'][2]:,.0f} ({r['new week'][1]} items)" for _l, r, _g in results],
    )
    for key in (
        "process (first run after growth: every new week built)",
        "process, nothing new",
        "process after one new week",
        "process, nothing new (again)",
        "week",
        "draft",
    ):
        row(
            f"`{key}` s (peak RSS MB)",
            [f"{r[key][0]:.1f} ({r[key][1]:.0f})" if key in r else "-" for _l, r, _g in results],
        )

    row("database MB", [f"{r['bytes'] / 1e6:.0f}" for _l, r, _g in results])
    row("bytes per item", [f"{r['bytes'] / r['items']:,.0f}" for _l, r, _g in results])

    def cell(r: dict, name: str) -> str:
        now = r["reads"].get(name)
        was = r.get("reads before", {}).get(name)
        text = f"{now[0]:.1f} / {now[1]:.1f}" if now else "-"
        return f"{was[0]:.1f} / {was[1]:.1f} -> {text}" if was else text

    if "reads before" in results[0][1]:
        lines += [
            "",
            f"Reads: before ({before}) -> after, measured in the same run on the same store files "
            "(which carry this revision's indexes, so `before` gains from them too).",
            "",
        ]
        lines += ["| read | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for name in results[0][1]["reads"]:
        row(f"{name} p50 / p99 ms", [cell(r, name) for _l, r, _g in results])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += ["", f"Peak RSS of the bench process itself (reads, growth): {peak:.0f} MB."]
    if skipped:
        lines += ["", skipped]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=ROOT / ".demo-home", help="a built demo home")
    ap.add_argument("--n", type=int, nargs="*", default=[100_000], help="grown sizes")
    ap.add_argument("--rounds", type=int, default=20, help="requests per page")
    ap.add_argument("--new-week", type=int, default=1000, help="items in the new week")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--before", help="a git revision whose reads are measured too, same stores")
    ap.add_argument("--reads", type=Path, help=argparse.SUPPRESS)  # internal: one home's reads
    args = ap.parse_args()
    if args.reads:
        import json

        print(json.dumps(measure_reads(args.reads, args.rounds)))
        return
    if not (args.home / "abreast.db").exists():
        raise SystemExit(f"no demo store in {args.home}: run `abreast demo run` first")
    sys.path.insert(0, str(ROOT / "src"))
    results = []
    with tempfile.TemporaryDirectory(prefix="abreast-scale-") as tmp:
        before = None
        if args.before:  # that revision's sources, to import from in a subprocess
            before = Path(tmp) / "before"
            before.mkdir()
            tar = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.before, "src"], capture_output=True,
                check=True,
            ).stdout  # fmt: skip
            subprocess.run(["tar", "-x", "-C", str(before)], input=tar, check=True)
            before = before / "src"
        base = Path(tmp) / "demo"
        copy_home(args.home, base)
        print("measuring the demo-sized copy", file=sys.stderr)
        results.append(("demo", measure(base, args.rounds, args.new_week, True, before), None))
        shutil.rmtree(base)
        for n in args.n:
            home = Path(tmp) / f"n{n}"
            copy_home(args.home, home)
            print(f"growing to {n:,}", file=sys.stderr)
            grown = grow(home / "abreast.db", n)
            results.append(
                (f"{n:,}", measure(home, args.rounds, args.new_week, True, before), grown)
            )
            shutil.rmtree(home)
    skipped = (
        None
        if any(n >= 1_000_000 for n in args.n)
        else (
            "1M not measured in this run (it takes too long for one session on 2 shared cores): "
            "`bench/scale.py --n 100000 1000000`."
        )
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, skipped, args.before or ""))
    print(args.out.read_text())


if __name__ == "__main__":
    main()
