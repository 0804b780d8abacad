"""Search speed and bytes per item as the store grows: the demo store, and copies of it grown to N
items (issues 17 and 20).

    .venv/bin/python bench/store_scale.py --home .demo-home                       # demo and 100k
    .venv/bin/python bench/store_scale.py --home .demo-home --sizes 100000 1000000 --keep .scale

Growth is bench/scale.py's (the demo's real items through Store.upsert_items, each round published
2 weeks earlier, the demo items' annotations and embeddings copied onto their copies); this script
also copies the demo's stories onto each round (ids and weeks shifted with the round), so that
bytes per item count stories as `process` would build them, without the hour `process` needs to
build 130 rounds of weeks at 1M. Each grown store is opened by this revision (its migrations run)
and vacuumed before it is measured. `--keep DIR` keeps grown stores in DIR and reuses them.

Measured per size: bytes per item (file, and where they go: SQLite's dbstat per table), and p50 /
p99 ms of the four ways to search: Store.search (FTS top 20, `abreast` internals), the fused
retrieval core (retrieve.query.search, what `abreast search`, `ask` and MCP use; its first call
loads the index, reported apart), GET /api/items?q= and GET /items?q= (one client, TestClient over
create_app). The load average is printed with the table: this machine's 2 cores are shared.

Writes bench/out/store_scale_bench.md (BENCHMARKS.md via bench/report.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "store_scale_bench.md"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import scale  # noqa: E402  (bench/scale.py: growth helpers)

logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
logging.getLogger("httpx2").setLevel(logging.WARNING)

QUERIES = scale.QUERIES
GROUPS = {  # dbstat names -> what a reader would call them
    "items": ("items", "sqlite_autoindex_items_1", "items_"),
    "full-text index": ("item_fts",),
    "embeddings": ("embeddings", "sqlite_autoindex_embeddings_1"),
    "annotations": ("annotations",),
    "stories": ("stor", "sqlite_autoindex_stor"),
}


def grow_stories(db: Path) -> int:
    """Copy the demo's stories onto every grown round (``key~sN`` items): same titles, scores and
    summaries, ids ``ID~sN``, weeks shifted as the round's items were; returns stories added."""
    conn = sqlite3.connect(db)
    rounds = [
        int(r[0])
        for r in conn.execute(
            "SELECT DISTINCT substr(key, instr(key, '~s') + 2) FROM items WHERE key LIKE '%~s%'"
        )
        if r[0].isdigit()
    ]
    have = {
        r[0] for r in conn.execute("SELECT DISTINCT substr(id, instr(id, '~s') + 2) FROM stories")
    }
    weeks = [
        r[0] for r in conn.execute("SELECT DISTINCT week FROM stories WHERE id NOT LIKE '%~%'")
    ]
    added = 0
    conn.execute("CREATE TEMP TABLE wk(old TEXT PRIMARY KEY, new TEXT)")
    for rnd in sorted(rounds):
        if str(rnd) in have:
            continue
        tag = f"~s{rnd}"
        shift = timedelta(weeks=-scale.SHIFT_WEEKS * rnd)
        conn.execute("DELETE FROM wk")
        conn.executemany(
            "INSERT INTO wk VALUES (?, ?)",
            [(w, _iso_week(date.fromisocalendar(*_yw(w), 1) + shift)) for w in weeks],
        )
        cur = conn.execute(
            "INSERT INTO stories(id, week, title, keywords_json, entities_json, themes_json, "
            "score, score_json, rank, is_new, related_json, summary_json, updated_at) "
            "SELECT s.id || ?, wk.new, title, keywords_json, entities_json, themes_json, score, "
            "score_json, rank, is_new, '[]', summary_json, updated_at FROM stories s "
            "JOIN wk ON wk.old = s.week WHERE s.id NOT LIKE '%~%'",
            (tag,),
        )
        added += cur.rowcount
        conn.execute(
            "INSERT INTO story_items(story_id, item_id, role) SELECT si.story_id || ?, n.id, "
            "si.role FROM story_items si JOIN items o ON o.id = si.item_id "
            "JOIN items n ON n.key = o.key || ? WHERE si.story_id NOT LIKE '%~%'",
            (tag, tag),
        )
        conn.commit()
    conn.close()
    return added


def _yw(week: str) -> tuple[int, int]:
    y, w = week.split("-W")
    return int(y), int(w)


def _iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def prepare(home: Path, n: int, keep: Path | None, tmp: Path) -> Path:
    """A home with a store of about ``n`` items (the demo itself for n=0), migrated and vacuumed."""
    where = (keep or tmp) / ("demo" if n == 0 else f"n{n}")
    db = where / "abreast.db"
    if not db.exists():
        scale.copy_home(home, where)
        if n:
            print(f"growing to {n:,}", file=sys.stderr)
            scale.grow(db, n)
    if n:
        grow_stories(db)
    from abreast.store import Store
    from abreast.store.db import vacuum

    t = time.perf_counter()
    store = Store.open(db)  # this revision's migrations
    migrated = time.perf_counter() - t
    free = store.conn.execute("PRAGMA freelist_count").fetchone()[0]
    if free > store.conn.execute("PRAGMA page_count").fetchone()[0] // 100:
        vacuum(store.conn)
    store.close()
    print(f"  {where}: opened (migrations) in {migrated:.1f} s, vacuumed", file=sys.stderr)
    return where


def bytes_by_group(db: Path) -> tuple[int, int, dict[str, int]]:
    conn = sqlite3.connect(db)
    items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    total = db.stat().st_size
    groups = dict.fromkeys([*GROUPS, "other"], 0)
    for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        g = next((g for g, pre in GROUPS.items() if name.startswith(pre)), "other")
        groups[g] += size
    conn.close()
    return items, total, groups


def time_calls(fn, args: list) -> tuple[float, float]:
    times = []
    for a in args:
        t = time.perf_counter()
        fn(a)
        times.append((time.perf_counter() - t) * 1000)
    return scale.pct(times, 50), scale.pct(times, 99)


def searches(home: Path, rounds: int) -> dict[str, tuple[float, float]]:
    from fastapi.testclient import TestClient

    from abreast import config
    from abreast.retrieve.query import search as retrieve
    from abreast.store import Store
    from abreast.store.items import fts_query
    from abreast.web.app import create_app

    settings = config.load(home, environ={})
    store = Store.open(settings.paths.db)
    qs = QUERIES * rounds
    out: dict[str, tuple[float, float]] = {}
    out["Store.search (FTS AND, top 20)"] = time_calls(
        lambda q: store.search(fts_query(q.split(), mode="AND"), limit=20), qs
    )
    t = time.perf_counter()
    retrieve(store, QUERIES[0])
    out["fused: first call (loads the index), s"] = (time.perf_counter() - t, 0.0)
    out["retrieve.query.search (fused, top 10)"] = time_calls(lambda q: retrieve(store, q), qs)
    store.close()
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8421") as client:

        def get(path: str) -> None:
            r = client.get(path)
            if r.status_code != 200:
                raise SystemExit(f"GET {path}: {r.status_code}")

        for page in ("/api/items?q=", "/items?q="):
            get(page + QUERIES[0])  # warm: templates compiled once
            out[f"GET {page}"] = time_calls(lambda q, p=page: get(p + q), qs)
    return out


def report(results: list[tuple[str, dict]], load: tuple[str, str]) -> str:
    cols = [label for label, _ in results]
    lines = [
        "# Search and storage as the store grows (bench/store_scale.py)",
        "",
        "The demo store, and copies grown from its real items to N through `Store.upsert_items` "
        "(bench/scale.py's growth; the demo's annotations, embeddings and stories copied onto "
        "each round), opened by this revision (migrations) and vacuumed. Searches: the "
        f"{len(QUERIES)} queries of bench/scale.py, each timed {results[0][1]['rounds']} times "
        "per way, one client, in one process.",
        "",
        "| measure | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
    ]

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    row("items", [f"{r['items']:,}" for _, r in results])
    row("database MB", [f"{r['bytes'] / 1e6:,.0f}" for _, r in results])
    row("bytes per item", [f"{r['bytes'] / r['items']:,.0f}" for _, r in results])
    for g in [*GROUPS, "other"]:
        row(f"... {g}, bytes per item", [f"{r['groups'][g] / r['items']:,.0f}" for _, r in results])
    for name in results[0][1]["search"]:
        if name.endswith(", s"):
            row(name, [f"{r['search'][name][0]:.1f}" for _, r in results])
        else:
            row(
                f"{name} p50 / p99 ms",
                [f"{r['search'][name][0]:.1f} / {r['search'][name][1]:.1f}" for _, r in results],
            )
    lines += [
        "",
        f"Load average (1, 5, 15 min) on this 2-core machine shared with other work: {load[0]} "
        f"before, {load[1]} after.",
    ]
    return "\n".join(lines) + "\n"


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=ROOT / ".demo-home", help="a built demo home")
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000], help="grown sizes")
    ap.add_argument("--rounds", type=int, default=5, help="times each query is timed per way")
    ap.add_argument("--keep", type=Path, help="keep grown stores here and reuse them")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if not (args.home / "abreast.db").exists():
        raise SystemExit(f"no demo store in {args.home}: run `abreast demo run` first")
    load_before = _load()
    results = []
    with tempfile.TemporaryDirectory(prefix="abreast-store-scale-") as tmp:
        for n in [0, *args.sizes]:
            home = prepare(args.home, n, args.keep, Path(tmp))
            items, total, groups = bytes_by_group(home / "abreast.db")
            print(f"  measuring searches at {items:,} items", file=sys.stderr)
            res = {"items": items, "bytes": total, "groups": groups, "rounds": args.rounds}
            res["search"] = searches(home, args.rounds)
            results.append(("demo" if n == 0 else f"{n:,}", res))
            if not args.keep:
                shutil.rmtree(home)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, (load_before, _load())))
    print(args.out.read_text())


if __name__ == "__main__":
    main()
