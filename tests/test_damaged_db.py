"""A damaged, read-only or full database (issue 18): one line each, no writes into a damaged file,
and what can be read is salvaged."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from abreast.store import Store, repair
from abreast.types import Item

N_ITEMS = 1500


def _make_damaged(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    db = home / "abreast.db"
    st = Store.open(db)
    src = st.add_source("blog", "feed", "https://blog.example/feed")
    st.upsert_items(
        [
            Item(
                f"feed:{i}",
                "feed",
                f"Llama note {i}",
                url=f"https://blog.example/{i}",
                text=f"word{i} " * 200,
                published_at="2024-12-18T10:00:00+00:00",
            )
            for i in range(N_ITEMS)
        ],
        source_id=src.id,
    )
    st.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = st.conn.execute("PRAGMA page_size").fetchone()[0]
    # pages of item rows, in the middle of the table
    leaves = [
        r[0]
        for r in st.conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'items' AND pagetype = 'leaf' ORDER BY pageno"
        )
    ]
    st.close()
    middle = leaves[len(leaves) // 2 - 2 : len(leaves) // 2 + 2]
    with open(db, "r+b") as f:  # a few pages of garbage, as a bad sector would leave
        for page in middle:
            f.seek((page - 1) * size)
            f.write(bytes((page * 7 + i) % 251 for i in range(size)))
    return db


@pytest.fixture
def damaged(tmp_path):
    home = tmp_path / "home"
    return home, _make_damaged(home)


def _run(home: Path, *args, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABREAST_")}
    env["ABREAST_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "abreast", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def _one_line(res) -> str:
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_a_malformed_error_checks_the_file_and_stops_all_writes(damaged):
    home, db = damaged
    line = _one_line(_run(home, "process"))  # reading every item hits the damaged pages
    assert "is damaged" in line and "abreast db recover" in line
    assert repair.is_damaged(db)  # quick_check ran and found the damage
    sources = _count(db, "SELECT count(*) FROM sources")
    line = _one_line(_run(home, "sources", "add", "feed", "https://new.example/feed"))
    assert "is damaged" in line and "will not write" in line
    assert _count(db, "SELECT count(*) FROM sources") == sources  # nothing written (was before)
    assert "is damaged" in _one_line(_run(home, "fetch"))


def test_db_check_finds_the_damage_and_clears_the_mark_once_healthy(damaged, tmp_path):
    home, db = damaged
    res = _run(home, "db", "check")
    assert "is damaged" in _one_line(res)
    assert repair.is_damaged(db)
    healthy = tmp_path / "ok"
    healthy.mkdir()
    Store.open(healthy / "abreast.db").close()
    (healthy / "abreast.db.damaged").write_text("stale mark\n")
    res = _run(healthy, "db", "check")
    assert res.returncode == 0 and "ok" in res.stdout
    assert not repair.is_damaged(healthy / "abreast.db")


def test_db_info_and_backup_work_from_a_damaged_file(damaged, tmp_path):
    home, db = damaged
    res = _run(home, "db", "info")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert "items" in res.stdout
    out = tmp_path / "backup.db"
    res = _run(home, "db", "backup", str(out))
    assert res.returncode == 0, res.stderr  # a traceback before
    assert "damaged" in res.stdout and "could be read" in res.stdout
    assert repair.quick_check(out) == ["ok"]
    assert _count(out, "SELECT count(*) FROM items") >= 0.9 * N_ITEMS


def test_db_recover_salvages_a_working_database(damaged, tmp_path):
    home, db = damaged
    out = tmp_path / "recovered.db"
    res = _run(home, "db", "recover", str(out))
    assert res.returncode == 0, res.stderr
    assert "Recovered" in res.stdout and (
        "table-by-table" in res.stdout or ".recover" in res.stdout
    )
    assert repair.quick_check(out) == ["ok"]
    st = Store.open(out)  # an abreast database of the current schema, FTS index rebuilt
    try:
        n = st.conn.execute("SELECT count(*) FROM items").fetchone()[0]
        assert 0.9 * N_ITEMS <= n < N_ITEMS  # the damaged pages' rows are lost, the rest kept
        assert st.search('"word7"', limit=5)
        assert st.source("blog").url == "https://blog.example/feed"
    finally:
        st.close()


def test_recovery_without_the_sqlite3_shell_reads_around_damaged_pages(damaged, tmp_path):
    home, db = damaged
    result = repair.recover(db, tmp_path / "r.db", use_shell=False)
    assert result["method"] == "table-by-table copy"
    assert 0.9 * N_ITEMS <= result["tables"]["items"] < N_ITEMS


def test_recovery_without_the_shell_keeps_tables_without_rowid(tmp_path):
    """Vectors and story members live in WITHOUT ROWID tables: a table-by-table copy, which pages
    by rowid elsewhere, still brings them over."""
    db = tmp_path / "ok.db"
    st = Store.open(db)
    st.upsert_items([Item(f"hn:{i}", "hn", f"Llama {i}", text="words") for i in (1, 2)])
    st.conn.execute(
        "INSERT INTO stories(id, week, title, updated_at) VALUES ('s', '2024-W50', 'L', 'now')"
    )
    st.conn.execute("INSERT INTO story_items VALUES ('s', 1, 'lead'), ('s', 2, 'member')")
    st.conn.execute("INSERT INTO embeddings VALUES (1, 'm', 4, x'0000803f01020304', 'h')")
    st.close()
    result = repair.recover(db, tmp_path / "r.db", use_shell=False)
    assert result["tables"]["story_items"] == 2 and result["tables"]["embeddings"] == 1


def test_a_read_only_database_is_one_line(tmp_path):
    db = tmp_path / "abreast.db"
    Store.open(db).close()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as e:
        conn.execute(
            "INSERT INTO sources(name, kind, url, config_json, created_at) "
            "VALUES ('a','feed','https://a.example','{}','x')"
        )
    conn.close()
    msg = str(repair.explain(e.value, db))
    assert "is read-only" in msg and "permissions" in msg


def test_a_full_disk_is_one_line_and_an_opml_import_is_all_or_nothing(tmp_path):
    from abreast.collect.sourcelist import import_opml

    db = tmp_path / "abreast.db"
    st = Store.open(db)
    pages = st.conn.execute("PRAGMA page_count").fetchone()[0]
    st.conn.execute(f"PRAGMA max_page_count = {pages + 8}")  # a real SQLITE_FULL, soon
    outlines = "\n".join(
        f'<outline type="rss" text="Feed {i}" xmlUrl="https://f{i}.example/feed.xml"/>'
        for i in range(2106)
    )
    opml = f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()
    with pytest.raises(sqlite3.OperationalError) as e:
        import_opml(st, opml)
    assert st.sources() == []  # 411 of 2,106 were committed before
    msg = str(repair.explain(e.value, db))
    assert "is full" in msg and "free some space" in msg
    st.close()


def test_the_web_app_over_a_damaged_database_reads_and_refuses_writes_in_one_line(damaged):
    from fastapi.testclient import TestClient

    from abreast import config
    from abreast.web.app import create_app

    home, db = damaged
    repair.mark_damaged(db)
    settings = config.load(home, environ={"ABREAST_HOME": str(home)})
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1:8421", raise_server_exceptions=False) as c:
        # counting one source's items reads every item row, the damaged pages among them: one
        # line, not a 500 (the per-source counts of /sources read only an index now, issue 20)
        page = c.get("/items?source=blog")
        assert page.status_code == 503 and "is damaged" in page.text
        token = c.get("/api/csrf").json()["csrf_token"]
        r = c.post(
            "/api/feedback",
            json={"signal": "more", "item_key": "feed:1"},
            headers={"X-CSRF-Token": token},
        )
    assert r.status_code == 503, r.text
    assert "is damaged" in r.json()["detail"] and "db recover" in r.json()["detail"]
    assert "content-security-policy" in r.headers
