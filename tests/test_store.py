import sqlite3

import pytest

from abreast.errors import StoreError
from abreast.store import Store, backup, open_db
from abreast.store.migrations import MIGRATIONS
from abreast.types import Item


def _item(key="hn:1", title="Llama 3.3 70B released", **kw):
    return Item(
        key=key,
        kind="hn",
        title=title,
        url="https://ai.meta.com/blog/llama-3-3/?utm_source=hn",
        published_at="2024-12-06T18:00:00+00:00",
        signals={"points": 10},
        **kw,
    )


def test_new_database_has_every_migration_and_our_application_id(tmp_path):
    conn = open_db(tmp_path / "a.db")
    assert [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY name")] == [
        n for n, _ in MIGRATIONS
    ]
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x61627273
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_database_from_a_newer_abreast_is_refused(tmp_path):
    conn = open_db(tmp_path / "a.db")
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer abreast"):
        open_db(tmp_path / "a.db")


def test_foreign_sqlite_database_is_refused(tmp_path):
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t(x)")
    other.commit()
    other.close()
    with pytest.raises(StoreError, match="not an abreast one"):
        open_db(tmp_path / "other.db")


def test_failed_migration_leaves_database_exactly_as_it_was(tmp_path):
    path = tmp_path / "a.db"
    Store.open(path).upsert_items([_item()])
    before = sqlite3.connect(path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    broken = [
        *MIGRATIONS,
        ("0099_broken", "CREATE TABLE extra(x INTEGER); INSERT INTO nosuchtable VALUES (1);"),
    ]
    with pytest.raises(StoreError, match="0099_broken failed and was rolled back"):
        open_db(path, broken)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
    assert "0099_broken" not in {r[0] for r in conn.execute("SELECT name FROM migrations")}
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 1


def test_upsert_is_idempotent_and_detects_content_changes(tmp_path):
    st = Store.open(tmp_path / "a.db")
    assert st.upsert_items([_item()]).new == 1
    again = st.upsert_items([_item()])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    changed = st.upsert_items([_item(title="Llama 3.3 70B released with a new license")])
    assert changed.updated == 1
    row = st.item("hn:1")
    assert row.title.endswith("new license")
    assert row.canonical_url == "https://ai.meta.com/blog/llama-3-3"
    assert row.week == "2024-W49"


def test_points_refresh_without_counting_as_an_update(tmp_path):
    st = Store.open(tmp_path / "a.db")
    st.upsert_items([_item()])
    it = _item()
    it.signals = {"points": 250}
    c = st.upsert_items([it])
    assert c.unchanged == 1 and c.updated == 0
    assert st.item("hn:1").signals["points"] == 250


def test_churning_item_stops_updating_after_the_cap(tmp_path):
    from abreast.store.items import MAX_UPDATES

    st = Store.open(tmp_path / "a.db")
    for i in range(MAX_UPDATES + 5):
        st.upsert_items([_item(title=f"rewritten {i}")])
    assert st.item("hn:1").update_count == MAX_UPDATES


def test_deleted_items_are_not_ingested_again(tmp_path):
    st = Store.open(tmp_path / "a.db")
    st.upsert_items([_item()])
    st.delete_item("hn:1")
    assert st.upsert_items([_item()]).new == 0
    assert st.items(keys=["hn:1"]) == []


def test_full_text_search_follows_updates(tmp_path):
    st = Store.open(tmp_path / "a.db")
    st.upsert_items([_item()])
    assert [h.item.key for h in st.search("llama")] == ["hn:1"]
    st.upsert_items([_item(title="Mistral ships Pixtral Large")])
    assert st.search("llama") == []
    assert [h.item.key for h in st.search("pixtral")] == ["hn:1"]


def test_backup_is_a_readable_copy(tmp_path):
    st = Store.open(tmp_path / "a.db")
    st.upsert_items([_item()])
    backup(st.conn, tmp_path / "b.db")
    assert Store.open(tmp_path / "b.db").item("hn:1").title == "Llama 3.3 70B released"
    with pytest.raises(StoreError, match="already exists"):
        backup(st.conn, tmp_path / "b.db")


def test_schema_doc_matches_the_migrations():
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "scripts"))
    from gen_schema_docs import render

    assert (root / "docs" / "schema.md").read_text().strip() == render().strip(), "run `make docs`"
