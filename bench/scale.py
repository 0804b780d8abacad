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

from demo_speed import src_of  # bench/: a baseline revision's sources

OUT = Path(__file__).parent / "out" / "scale_bench.md"
ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["llama", "agent", "openai", "reasoning model", "diffusion", "benchmark", "rag", "gpu",
           "fine-tuning", "mixture of experts", "gemini", "safety"]  # fmt: skip
SHIFT_WEEKS = 2  # per growth round
NEW_WEEK_LOAD = "load before the new week's process"


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


def run_cli(home: Path, *args: str) -> tuple[float, float, float]:
    """(seconds, peak RSS MB, CPU seconds) of one `abreast` command in its own process; fails
    loudly. CPU time (user + system) is what a shared machine's load does not stretch."""
    env = dict(os.environ, ABREAST_HOME=str(home), PYTHONPATH=str(ROOT / "src"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, *args], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    secs = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"abreast {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK ")]
    return secs, int(peak[-1].split()[1]) / 1024, cpu


def demo_rows(conn: sqlite3.Connection, week: str | None = None) -> list[sqlite3.Row]:
    sql = "SELECT * FROM items WHERE key NOT LIKE '%~%' AND published_at IS NOT NULL"
    args: tuple = ()
    if week:
        sql += " AND week = ?"
        args = (week,)
    return conn.execute(sql + " ORDER BY id", args).fetchall()


def _scaled_url(url: str | None, tag: str) -> str | None:
    """The same site, a page of its own: a path segment per copy (a query parameter would not
    do: arXiv addresses canonicalize to the paper id, and every copy would be one paper)."""
    if not url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    return f"{scheme}://{host}/scale-{tag}/{path}"


def copies(rows, tag: str, shift: timedelta):
    """Demo rows as new Items: key and URL of their own, published ``shift`` later, the body's
    words shuffled per copy (the same words for search and a bag-of-words embedding, but not a
    near-duplicate text: a real year of news is not 100 copies of one week, and duplicate
    detection must not see it as that). Titles are kept: 2 weeks apart, outside the window in
    which equal titles are duplicates."""
    import json

    from abreast.store.compact import decode_extra
    from abreast.types import Item

    out = []
    for r in rows:
        pub = (datetime.fromisoformat(r["published_at"]) + shift).isoformat()
        extra = decode_extra(r["extra_json"])
        if extra.get("link_url"):
            extra["link_url"] = _scaled_url(extra["link_url"], tag)
        out.append(
            Item(
                key=f"{r['key']}~{tag}",
                kind=r["kind"],
                title=r["title"],
                url=_scaled_url(r["url"], tag),
                text=_shuffled(r["text"], f"{r['key']}~{tag}"),
                author=r["author"],
                published_at=pub,
                signals=json.loads(r["score_json"]),
                extra=extra,
                text_source=r["text_source"],
            )
        )
    return out


def _shuffled(text: str, seed: str) -> str:
    import random

    words = text.split()
    random.Random(seed).shuffle(words)
    if seed.endswith("~new"):
        # The new week is new content: a marker every two words puts it in every word 3-gram,
        # so no text of the grown history is a near-duplicate of it (a shuffle alone leaves
        # short, repetitive texts such as a model card's metadata close to their copies).
        words = [w for i, x in enumerate(words) for w in ((x, "zq") if i % 2 else (x,))]
    return " ".join(words)


def shift_week(week: str, weeks: int) -> str:
    y, w = map(int, week.split("-W"))
    d = datetime.fromisocalendar(y, w, 1) + timedelta(weeks=weeks)
    iy, iw, _ = d.isocalendar()
    return f"{iy}-W{iw:02d}"


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


def copy_weeks(conn: sqlite3.Connection, rnd: int, weeks: list[str]) -> None:
    """The demo weeks' stories (members mapped to the copies of round ``rnd``) and trend counts,
    into the weeks the copies fall in: a grown week carries what the store's own code built for
    the week it copies (counts add up where rounds meet in one week)."""
    tag, shift = f"s{rnd}", -SHIFT_WEEKS * rnd
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS weekmap(old TEXT PRIMARY KEY, new TEXT)")
    conn.execute("DELETE FROM weekmap")
    conn.executemany(
        "INSERT INTO weekmap VALUES (?, ?)", [(w, shift_week(w, shift)) for w in weeks]
    )
    conn.execute(
        "INSERT OR IGNORE INTO stories(id, week, title, keywords_json, entities_json, "
        "themes_json, score, score_json, rank, is_new, related_json, summary_json, updated_at) "
        "SELECT m.new || substr(s.id, 9) || '-' || ?, m.new, s.title, s.keywords_json, "
        "s.entities_json, s.themes_json, s.score, s.score_json, s.rank, s.is_new, '[]', "
        "s.summary_json, s.updated_at FROM stories s JOIN weekmap m ON m.old = s.week "
        "WHERE s.id NOT LIKE '%-s%'",
        (tag,),
    )
    conn.execute(
        "INSERT OR IGNORE INTO story_items(story_id, item_id, role) "
        "SELECT m.new || substr(si.story_id, 9) || '-' || ?, n.id, si.role FROM story_items si "
        "JOIN stories s ON s.id = si.story_id JOIN weekmap m ON m.old = s.week "
        "JOIN items o ON o.id = si.item_id JOIN items n ON n.key = o.key || ? "
        "WHERE s.id NOT LIKE '%-s%'",
        (tag, f"~{tag}"),
    )
    conn.execute(
        "INSERT INTO trends(week, term, count, burst) SELECT m.new, t.term, t.count, t.burst "
        "FROM trends t JOIN weekmap m ON m.old = t.week WHERE true "
        "ON CONFLICT(week, term) DO UPDATE SET count = count + excluded.count"
    )
    conn.commit()


def index_for_dedupe(conn: sqlite3.Connection, ids: list[int]) -> None:
    """File items in duplicate detection's persistent index with the store's own code."""
    from abreast.store import dedupe as sd
    from abreast.understand.dedupe import index_keys

    for start in range(0, len(ids), 5000):
        its = sd.items_by_id(conn, ids[start : start + 5000])
        sd.add_keys(conn, ((h, it.id) for it in its for h in index_keys(it)))


def index_store(home: Path) -> None:
    """Every stored item filed in the dedupe index, as `process` does once on a store made
    before the index (so that no measured run pays that one-time pass)."""
    from abreast.store import Store, progress
    from abreast.store import dedupe as sd

    store = Store.open(home / "abreast.db")
    index_for_dedupe(store.conn, [r[0] for r in store.conn.execute("SELECT id FROM items")])
    progress.mark_built(store.conn, sd.INDEX_STAGE, {"*": "1"})
    store.close()


def mark_built(home: Path) -> None:
    """Every week's stories, summaries and trends marked as built from the store as it is (what
    `process` records after building them), and the model registry built from it: the registry
    a weekly `process` would have kept, so the new week's run updates it as it would a reader's
    (marking it built without building it left the demo's 2,689 models in a store of 55,568)."""
    from abreast import config
    from abreast.landscape.registry import build_registry
    from abreast.pipeline import stale_weeks
    from abreast.store import Store, progress

    settings = config.load(home, environ={})
    store = Store.open(settings.paths.db)
    conn = store.conn
    build_registry(conn)
    weeks = progress.weeks_with_ai_items(conn)
    _, wanted = stale_weeks(weeks, progress.week_inputs(conn), {}, repr(settings.stories))
    model = settings.explain.model or None
    progress.mark_built(conn, "stories", wanted)
    progress.mark_built(
        conn, "summaries", {w: f"{fp}|{model or 'extractive'}" for w, fp in wanted.items()}
    )
    progress.mark_built(conn, "trends", {"*": wanted[weeks[-1]]})
    progress.mark_built(conn, "registry", {"*": progress.store_inputs(conn)})
    store.close()


def grow(home: Path, n: int) -> tuple[int, float]:
    """Grow the store in ``home`` to about ``n`` items; (items added, ingest items/s). Each round
    copies the demo items (Store.upsert_items), their annotations and embeddings, the demo weeks'
    stories and trends, and files the copies in the dedupe index; then every week is marked as
    built from the store as it is."""
    from abreast.store import Store

    db = home / "abreast.db"
    store = Store.open(db)
    conn = store.conn
    base = demo_rows(conn)
    weeks = [r[0] for r in conn.execute("SELECT DISTINCT week FROM stories")]
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
        copy_weeks(conn, rnd, weeks)
        index_for_dedupe(conn, [r[0] for r in conn.execute("SELECT new FROM idmap")])
        added += len(batch)
        total += len(batch)
        print(f"  grown to {total} items", file=sys.stderr)
    store.close()
    mark_built(home)
    return added, (added / ingest_s if ingest_s else 0.0)


def add_new_week(db: Path, n_new: int) -> tuple[int, float, str]:
    """One new week after the last: ``n_new`` demo items, un-annotated, from the demo's busiest
    weeks (the last one left out: its titles would fall within duplicate detection's window),
    each moved into the new week at the same weekday and hour."""
    from abreast.store import Store

    store = Store.open(db)
    conn = store.conn
    last = conn.execute("SELECT max(week) FROM week_stats").fetchone()[0]
    new_week = shift_week(last, 1)
    y, w = map(int, new_week.split("-W"))
    monday = datetime.fromisocalendar(y, w, 1)
    rows = []
    for (week,) in conn.execute(
        "SELECT week FROM items WHERE key NOT LIKE '%~%' AND week < ? GROUP BY week "
        "ORDER BY count(*) DESC",
        (last,),
    ).fetchall():
        rows += demo_rows(conn, week)
        if len(rows) >= n_new:
            break
    rows = rows[:n_new]
    items = []
    for r in rows:
        pub = datetime.fromisoformat(r["published_at"])
        y0, w0 = map(int, r["week"].split("-W"))
        start = datetime.fromisocalendar(y0, w0, 1).replace(tzinfo=pub.tzinfo)
        items += copies([r], "new", monday.replace(tzinfo=pub.tzinfo) - start)
    t = time.perf_counter()
    for sid in {r["source_id"] for r in rows}:
        store.upsert_items(
            [it for it, r in zip(items, rows, strict=True) if r["source_id"] == sid], sid
        )
    secs = time.perf_counter() - t
    got = conn.execute("SELECT max(week) FROM week_stats").fetchone()[0]
    store.close()
    if got != new_week:
        raise SystemExit(f"the new week landed in {got}, not {new_week}")
    return len(items), len(items) / secs, new_week


def generic(label: str, week: str, story: str, term: str | None) -> str:
    """A page's label without the ids of one store ("GET /story/{story}"), so the same page of
    stores of different sizes is one row of the report."""
    out = label.replace(story, "{story}").replace(week, "{week}")
    return out.replace(term, "{term}") if term else out


def time_calls(fn, rounds: int) -> tuple[float, float, float, float]:
    """(p50, p99 wall ms, p50, p99 CPU ms): the CPU time is this process's, all threads (the web
    app's handler runs in a worker thread), which other sessions' load does not stretch."""
    times, cpus = [], []
    for _ in range(rounds):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    return pct(times, 50), pct(times, 99), pct(cpus, 50), pct(cpus, 99)


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
            out[generic(f"GET {path}", week, story, term[0] if term else None)] = time_calls(
                get, rounds
            )
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
    # Migrations this checkout adds run once, before anything is timed (a grown store kept from
    # an earlier run may predate them).
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    subprocess.run(
        [sys.executable, "-c", f"from abreast.store import Store; Store.open({str(db)!r}).close()"],
        env=env, check=True,
    )  # fmt: skip
    if not full:
        # Grown weeks marked as built by this checkout (its settings are part of what a week is
        # built from): a store grown by an earlier revision is not rebuilt week by week here.
        subprocess.run(
            [sys.executable, __file__, "--mark", str(home)], env=env, check=True
        )  # fmt: skip
    if full:
        res["full process (every week built)"] = run_cli(home, "process", "--full")
    res["process, nothing new"] = run_cli(home, "process")
    added, rate, week = add_new_week(db, n_new)
    res["new week"] = (week, added, rate)
    res[NEW_WEEK_LOAD] = os.getloadavg()[0]
    res["process after one new week"] = run_cli(home, "process")
    res["process, nothing new (again)"] = run_cli(home, "process")
    res["reads"] = reads_with(home, rounds, ROOT / "src")
    res["week"] = run_cli(home, "week", week)
    res["draft"] = run_cli(home, "draft", "--week", week)
    if before:
        res["reads before"] = reads_with(home, rounds, before)
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        res["items"] = c.execute("SELECT count(*) FROM items").fetchone()[0]
    res["bytes"] = db.stat().st_size
    # ... and after `abreast db vacuum` (retention, docs/design.md): free pages given back and the
    # store moved to pages of store.db.PAGE_SIZE (a copy grown by an older revision keeps 4 KiB).
    res["bytes vacuumed"] = run_vacuum(db)
    return res


def run_vacuum(db: Path) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    code = (
        "import sys; from abreast.store import Store; from abreast.store.db import vacuum; "
        "s = Store.open(sys.argv[1]); print(vacuum(s.conn)[1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db)], env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.split()[-1])


def report(
    results: list[tuple[str, dict, tuple[int, float] | None]], skipped: str | None, before: str
) -> str:
    cols = [label for label, _r, _g in results]
    lines = [
        "# Scale: costs as history grows (bench/scale.py)",
        "",
        "A copy of the demo store grown from its real items through `Store.upsert_items`: "
        f"each round copies every dated demo item under a new key and URL, published "
        f"{SHIFT_WEEKS} weeks earlier, its body's words shuffled per copy (same words for "
        "search; not a near-duplicate of the other copies, which duplicate detection would "
        "otherwise rightly merge), with the demo items' annotations and embeddings, the demo "
        "weeks' stories and trend counts moved into the weeks the copies fall in, and the "
        "copies filed in the dedupe index by the store's own code; every grown week is then "
        "marked as built from what it holds and the model registry built from it (so a full "
        "`process` over grown weeks is not "
        "measured at grown sizes: it would rebuild every copied week, ~90 min at 1M). The new "
        "week (NEW items moved from the demo's busiest weeks into the week after the last, "
        "un-annotated) is understood, deduplicated, clustered, summarized and charted for real. "
        "Times in seconds unless marked; web pages with one client (FastAPI TestClient over "
        "`create_app`), after one warm-up request. LOAD",
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
        "full process (every week built)",
        "process, nothing new",
        "process after one new week",
        "process, nothing new (again)",
        "week",
        "draft",
    ):
        row(
            f"`{key}` s (CPU s, peak RSS MB)",
            [
                (
                    f"{r[key][0]:.1f} ({r[key][2]:.1f}, {r[key][1]:.0f})"
                    if len(r[key]) > 2
                    else f"{r[key][0]:.1f} (-, {r[key][1]:.0f})"
                )
                if key in r
                else "-"
                for _l, r, _g in results
            ],
        )

    row(
        "load average (1 min) as the new week's `process` started",
        [f"{r[NEW_WEEK_LOAD]:.1f}" if NEW_WEEK_LOAD in r else "-" for _l, r, _g in results],
    )
    row("database MB", [f"{r['bytes'] / 1e6:.0f}" for _l, r, _g in results])
    row("bytes per item", [f"{r['bytes'] / r['items']:,.0f}" for _l, r, _g in results])
    row(
        "bytes per item after `abreast db vacuum`",
        [
            f"{r['bytes vacuumed'] / r['items']:,.0f}" if "bytes vacuumed" in r else "-"
            for _l, r, _g in results
        ],
    )

    def cell(r: dict, name: str) -> str:
        now = r["reads"].get(name)
        was = r.get("reads before", {}).get(name)

        def fmt(v) -> str:
            cpu = f" (CPU {v[3]:.1f})" if len(v) > 3 else ""
            return f"{v[0]:.1f} / {v[1]:.1f}{cpu}"

        text = fmt(now) if now else "-"
        return f"{fmt(was)} -> {text}" if was else text

    if "reads before" in results[0][1]:
        lines += [
            "",
            f"Reads: before ({before}) -> after, measured in the same run on the same store files "
            "(which carry this revision's indexes, so `before` gains from them too).",
            "",
        ]
        lines += ["| read | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    names = list(dict.fromkeys(n for _l, r, _g in results for n in r["reads"]))
    for name in names:
        row(f"{name} p50 / p99 ms (CPU p99)", [cell(r, name) for _l, r, _g in results])
    new = {r["new week"][1] for _l, r, _g in results}
    lines[2] = lines[2].replace("NEW", "/".join(f"{n:,}" for n in sorted(new)))
    load = os.getloadavg()
    lines[2] = lines[2].replace(
        "LOAD",
        f"2 cores shared with other sessions: load average {load[1]:.1f} (5 min) at the end.",
    )
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
    ap.add_argument("--new-week", type=int, default=5000, help="items in the new week")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--before", help="a git revision whose reads are measured too, same stores")
    ap.add_argument(
        "--workdir", type=Path, help="where the grown stores go (default: a temporary folder)"
    )
    ap.add_argument(
        "--keep", action="store_true",
        help="keep each grown store in WORKDIR/grown-N and reuse it on the next run",
    )  # fmt: skip
    ap.add_argument("--no-demo", action="store_true", help="measure the grown sizes only")
    ap.add_argument("--reads", type=Path, help=argparse.SUPPRESS)  # internal: one home's reads
    ap.add_argument("--mark", type=Path, help=argparse.SUPPRESS)  # internal: mark_built(home)
    ap.add_argument(
        "--report", type=Path, help="only write the report from a run's saved results (.json)"
    )
    args = ap.parse_args()
    if args.report:
        import json

        saved = [
            (lb, r, tuple(g) if g else None) for lb, r, g in json.loads(args.report.read_text())
        ]
        args.out.write_text(report(saved, None, args.before or ""))
        print(args.out.read_text())
        return
    if args.mark:
        mark_built(args.mark)
        return
    if args.reads:
        import json

        print(json.dumps(measure_reads(args.reads, args.rounds)))
        return
    import json

    if not (args.home / "abreast.db").exists():
        raise SystemExit(f"no demo store in {args.home}: run `abreast demo run` first")
    sys.path.insert(0, str(ROOT / "src"))
    results = []
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="abreast-scale-", dir=args.workdir) as tmp:
        before = None
        if args.before:  # that revision's sources, to import from in a subprocess
            before = src_of(args.before, Path(tmp) / "before")
        if not args.no_demo:
            base = Path(tmp) / "demo"
            copy_home(args.home, base)
            index_store(base)
            print("measuring the demo-sized copy", file=sys.stderr)
            results.append(("demo", measure(base, args.rounds, args.new_week, True, before), None))
            shutil.rmtree(base)
        for n in args.n:
            home = Path(tmp) / f"n{n}"
            kept = (args.workdir or Path(tmp)) / f"grown-{n}"
            if args.keep and (kept / "grown.json").exists():
                print(f"reusing the store grown to {n:,} in {kept}", file=sys.stderr)
                copy_home(kept, home)
                grown = tuple(json.loads((kept / "grown.json").read_text()))
            else:
                copy_home(args.home, home)
                index_store(home)
                print(f"growing to {n:,}", file=sys.stderr)
                grown = grow(home, n)
                if args.keep:
                    shutil.rmtree(kept, ignore_errors=True)
                    copy_home(home, kept)
                    (kept / "grown.json").write_text(json.dumps(grown))
            results.append(
                (f"{n:,}", measure(home, args.rounds, args.new_week, False, before), grown)
            )
            # What is measured so far, in case a later, larger size does not finish.
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.with_suffix(".json").write_text(json.dumps(results))
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
    args.out.with_suffix(".json").write_text(json.dumps(results))
    args.out.write_text(report(results, skipped, args.before or ""))
    print(args.out.read_text())


if __name__ == "__main__":
    main()
