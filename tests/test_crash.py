"""SIGKILL in the middle of writing loses nothing already committed; the next run continues."""

import os
import signal
import subprocess
import sys
import time

from abreast.store import Store
from abreast.types import Item

WRITER = r"""
import sys, time
from abreast.types import Item
from abreast.store import Store
st = Store.open(sys.argv[1])
batch = 0
while True:
    items = [Item(key=f"hn:{batch}-{i}", kind="hn", title=f"item {batch} {i}", text="x" * 2000,
                  published_at="2024-12-18T00:00:00+00:00") for i in range(200)]
    st.upsert_items(items)
    batch += 1
    print(batch, flush=True)
"""


def test_sigkill_mid_write_keeps_committed_batches_and_next_run_continues(tmp_path):
    db = tmp_path / "a.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True
    )
    committed = 0
    deadline = time.time() + 60
    while committed < 5 and time.time() < deadline:
        committed = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    st = Store.open(db)
    n = st.conn.execute("SELECT count(*) FROM items").fetchone()[0]
    # Every batch reported as committed is there, and no batch is there by half.
    assert n >= committed * 200 and n % 200 == 0
    assert st.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The next run continues: re-writing the same keys creates no duplicates, new ones are added.
    c = st.upsert_items(
        [
            Item(
                key="hn:0-0",
                kind="hn",
                title="item 0 0",
                text="x" * 2000,
                published_at="2024-12-18T00:00:00+00:00",
            )
        ]
    )
    assert c.new == 0


def test_a_fetch_killed_mid_way_is_recorded_as_interrupted_on_the_next_run(tmp_path):
    from abreast import config
    from abreast.collect.run import fetch_sources

    st = Store.open(tmp_path / "a.db")
    src = st.add_source("gone-quiet", "feed", "https://example.invalid/feed.xml")
    st.start_fetch(src.id)  # what a killed process leaves behind
    st.update_source(src.id, paused=1, paused_reason="test")  # keep the run offline
    [report] = fetch_sources(st, config.load())
    assert report.status == "skipped"
    assert [r[0] for r in st.conn.execute("SELECT status FROM fetches")] == ["interrupted"]
