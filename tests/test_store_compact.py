"""Compact storage (issue 20): vectors as int8, explanations deflated; an older store converts in
one migration and loses nothing."""

import json
import sqlite3

import numpy as np

from abreast.store import open_db
from abreast.store.annotations import save, vectors_for, why
from abreast.store.compact import decode_vector, decode_why, encode_vector, encode_why
from abreast.store.items import canonical_url
from abreast.store.migrations import MIGRATIONS
from abreast.types import Annotation

WHY = {
    "relevance": {
        "score": 0.93,
        "threshold": 0.5,
        "contributions": {"domain_ai": 5.042, "lex_strong": -1.483},
        "matched": ["llama 3.3 70b", "fine-tuning"],
        "domain": "ai.meta.com",
        "nearest_topics": [["a topic nobody wrote into the dictionary", 0.41]],
    },
    "themes": {"probabilities": {"open-models": 0.8}},
}


def _unit(seed: int, dim: int = 256) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_a_stored_vector_keeps_its_cosines_and_costs_a_quarter():
    a, b = _unit(1), _unit(2)
    qa, qb = (decode_vector(encode_vector(v), 256) for v in (a, b))
    assert len(encode_vector(a)) == 256 + 4
    assert abs(float(qa @ qb) - float(a @ b)) < 0.005
    assert abs(float(qa @ a) - 1.0) < 0.005
    # a float32 row written before the migration (or by hand) is read as it is
    assert np.array_equal(decode_vector(a.astype("<f4").tobytes(), 256), a)
    assert decode_vector(b"\x00" * 7, 256) is None


def test_an_explanation_comes_back_exactly_and_small():
    blob = encode_why(WHY)
    assert decode_why(blob) == WHY
    assert len(blob) < len(json.dumps(WHY)) / 2
    assert decode_why(json.dumps(WHY)) == WHY  # JSON text (rows written by hand) is read too


def test_an_older_store_converts_in_one_migration_and_loses_nothing(tmp_path):
    db = tmp_path / "old.db"
    before = [m for m in MIGRATIONS if m[0] < "0015"]
    conn = open_db(db, before)
    conn.execute(
        "INSERT INTO items(key, kind, title, fetched_at, content_hash) "
        "VALUES ('hn:1', 'hn', 'Llama 3.3', 'now', 'h')"
    )
    vec = _unit(3)
    conn.execute(
        "INSERT INTO embeddings VALUES (1, 'm', 256, ?, 'h')", (vec.astype("<f4").tobytes(),)
    )
    conn.execute(
        "INSERT INTO annotations(item_id, relevance, is_ai, why_json, content_hash, annotated_at) "
        "VALUES (1, 0.93, 1, ?, 'h', 'now')",
        (json.dumps(WHY),),
    )
    conn.close()

    conn = open_db(db)  # applies 0015_compact_storage
    assert why(conn, "hn:1")["why"] == WHY
    stored, h = vectors_for(conn, [1], "m")[1]
    assert h == "h" and abs(float(stored @ vec) - 1.0) < 0.005
    assert conn.execute("SELECT length(vector) FROM embeddings").fetchone()[0] == 260
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # deleting the item still takes its vector and annotation with it
    conn.execute("DELETE FROM items WHERE id = 1")
    assert conn.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0


def test_new_annotations_are_stored_compactly_and_read_back(tmp_path):
    conn = open_db(tmp_path / "new.db")
    conn.execute(
        "INSERT INTO items(key, kind, title, fetched_at, content_hash) "
        "VALUES ('arxiv:1', 'arxiv', 'A paper', 'now', 'h')"
    )
    ann = Annotation(key="arxiv:1", relevance=0.9, is_ai=True, themes=["research"], why=WHY)
    save(conn, "m", [(1, _unit(4), "h")], [(1, ann, None, "h")])
    assert why(conn, "arxiv:1")["why"] == WHY
    assert conn.execute("SELECT length(vector) FROM embeddings").fetchone()[0] == 260


def test_vacuum_gives_the_space_of_deleted_rows_back(tmp_path):
    from abreast.store.db import vacuum

    conn = open_db(tmp_path / "v.db")
    conn.executemany(
        "INSERT INTO items(key, kind, title, text, fetched_at, content_hash) "
        "VALUES (?, 'hn', 't', ?, 'now', 'h')",
        [(f"hn:{i}", "words " * 200) for i in range(8000)],
    )
    conn.execute("DELETE FROM items")
    before, after = vacuum(conn)
    assert after < before / 4
    assert (tmp_path / "v.db").stat().st_size == after


def test_a_store_uses_pages_of_16_kib_and_vacuum_moves_an_older_one_to_them(tmp_path):
    from abreast.store.db import APPLICATION_ID, PAGE_SIZE, page_size, vacuum

    assert page_size(open_db(tmp_path / "new.db")) == PAGE_SIZE == 16384
    db = tmp_path / "old.db"
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA page_size=4096")  # as every store made before
    raw.execute(f"PRAGMA application_id={APPLICATION_ID}")
    raw.execute("CREATE TABLE written_before (x)")
    raw.close()
    conn = open_db(db)
    assert page_size(conn) == 4096
    rows = [(f"hn:{i}", f"a story of {i} " * 40) for i in range(3000)]
    conn.executemany(
        "INSERT INTO items(key, kind, title, text, fetched_at, content_hash) "
        "VALUES (?, 'hn', 't', ?, 'now', 'h')",
        rows,
    )
    # another process reading: the page size cannot change, the vacuum still runs
    other = sqlite3.connect(db)
    other.execute("SELECT count(*) FROM items").fetchone()
    vacuum(conn)
    assert page_size(conn) == 4096
    other.close()
    vacuum(conn)
    assert page_size(conn) == PAGE_SIZE
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [tuple(r) for r in conn.execute("SELECT key, text FROM items ORDER BY id")] == rows
    assert conn.execute("SELECT count(*) FROM item_fts WHERE item_fts MATCH 'story'").fetchone()[
        0
    ] == len(rows)


def test_an_items_extra_facts_are_stored_deflated_and_read_back_the_same(tmp_path):
    from abreast.store import Store
    from abreast.types import Item

    extra = {
        "arxiv_id": "2412.19834",
        "version": "v1",
        "authors": ["Aryaman Shaan", "Garvit Banga", "Raghav Mantri"],
        "categories": ["cs.AI"],
        "updated_at": "2024-12-22T00:00:00+00:00",
        "pdf_url": "http://arxiv.org/pdf/2412.19834v1",
    }
    # a store written before migration 0022: JSON text
    db = tmp_path / "old.db"
    conn = open_db(db, [m for m in MIGRATIONS if m[0] < "0022"])
    conn.execute(
        "INSERT INTO items(key, kind, title, fetched_at, content_hash, extra_json) "
        "VALUES ('arxiv:1', 'arxiv', 'A paper', 'now', 'h', ?), "
        "('hn:1', 'hn', 'A post', 'now', 'h', '{}')",
        (json.dumps(extra),),
    )
    conn.close()
    store = Store.open(db)  # migrates
    stored = store.conn.execute("SELECT extra_json FROM items WHERE key = 'arxiv:1'").fetchone()[0]
    assert isinstance(stored, bytes) and len(stored) < len(json.dumps(extra)) / 2
    assert store.item("arxiv:1").extra == extra
    assert (
        store.conn.execute("SELECT extra_json FROM items WHERE key = 'hn:1'").fetchone()[0] == "{}"
    )
    # an item written now: deflated too, read back equal, and unchanged when fetched again
    src = store.add_source("arxiv", "arxiv", "https://export.arxiv.org/api/query")
    item = Item("arxiv:2", "arxiv", "Another paper", url="https://arxiv.org/abs/2", extra=extra)
    store.upsert_items([item], source_id=src.id)
    assert store.item("arxiv:2").extra == extra
    assert store.upsert_items([item], source_id=src.id).unchanged == 1


def test_stories_keep_their_scores_and_summaries_through_the_migration(tmp_path):
    from abreast.store.stories import load_story

    db = tmp_path / "old.db"
    conn = open_db(db, [m for m in MIGRATIONS if m[0] < "0018"])
    conn.execute(
        "INSERT INTO items(key, kind, title, fetched_at, content_hash) "
        "VALUES ('hn:1', 'hn', 'Llama 3.3', 'now', 'h')"
    )
    parts = {"attention": {"value": 0.5, "why": "120 points on HN", "weight": 0.3}}
    summary = {"method": "extractive", "sentences": [{"text": "Llama 3.3 is out.", "cite": 1}]}
    conn.execute(
        "INSERT INTO stories(id, week, title, score, score_json, summary_json, updated_at) "
        "VALUES ('2024-W50-a', '2024-W50', 'Llama 3.3', 0.7, ?, ?, 'now')",
        (json.dumps(parts), json.dumps(summary)),
    )
    conn.execute("INSERT INTO story_items VALUES ('2024-W50-a', 1, 'lead')")
    conn.close()

    conn = open_db(db)  # applies 0018_compact_stories_unused_index
    story = load_story(conn, "2024-W50-a")
    assert story.score_parts == parts and story.summary == summary
    assert [m.key for m in story.members] == ["hn:1"]
    stored = conn.execute("SELECT score_json, summary_json FROM stories").fetchone()
    assert all(isinstance(v, bytes) for v in stored)


def test_hashes_and_canonical_urls_shrink_in_one_migration_and_read_back_the_same(tmp_path):
    """0019: content hashes as 16 bytes, a canonical URL only where it differs from the URL, story
    members without a rowid; the store reads every value back as before, and the rewrite queues
    nothing for `process` (no week changes)."""
    from abreast.store import Store
    from abreast.store.annotations import annotated_hashes
    from abreast.store.stories import load_story
    from abreast.types import Item

    db = tmp_path / "old.db"
    conn = open_db(db, [m for m in MIGRATIONS if m[0] < "0019"])
    plain = Item("hn:1", "hn", "Llama 3.3", "https://ai.meta.com/blog/llama-3-3", "words", None)
    tracked = Item("hn:2", "hn", "Qwen", "https://www.qwenlm.ai/blog/qwen?utm_source=x", "w", None)
    for i, it in enumerate((plain, tracked), start=1):
        conn.execute(
            "INSERT INTO items(key, kind, title, url, canonical_url, text, week, fetched_at, "
            "content_hash) VALUES (?, 'hn', ?, ?, ?, ?, '2024-W50', 'now', ?)",
            (it.key, it.title, it.url, canonical_url(it.url), it.text, it.content_hash()),
        )
        conn.execute(
            "INSERT INTO embeddings VALUES (?, 'm', 256, ?, ?)",
            (i, encode_vector(_unit(i)), it.content_hash()),
        )
        conn.execute(
            "INSERT INTO annotations(item_id, relevance, is_ai, why, content_hash, annotated_at) "
            "VALUES (?, 0.9, 1, NULL, ?, 'now')",
            (i, it.content_hash()),
        )
    conn.execute(
        "INSERT INTO stories(id, week, title, updated_at) VALUES ('s', '2024-W50', 'L', 'now')"
    )
    conn.execute("INSERT INTO story_items VALUES ('s', 1, 'lead'), ('s', 2, 'member')")
    state = "SELECT (SELECT count(*) FROM understand_queue), group_concat(version) FROM week_stats"
    before = conn.execute(state).fetchone()
    assert canonical_url(tracked.url) != tracked.url and canonical_url(plain.url) == plain.url
    conn.close()

    store = Store.open(db)  # applies 0019
    conn = store.conn
    assert conn.execute(state).fetchone() == before  # nothing to understand or rebuild
    for it in (plain, tracked):
        assert store.item(it.key).stored_hash == it.content_hash()
        assert store.item(it.key).canonical_url == canonical_url(it.url)
    assert annotated_hashes(conn) == {1: plain.content_hash(), 2: tracked.content_hash()}
    assert vectors_for(conn, [1], "m")[1][1] == plain.content_hash()
    assert {m.key for m in load_story(conn, "s").members} == {"hn:1", "hn:2"}
    stored = conn.execute("SELECT content_hash, canonical_url FROM items ORDER BY id").fetchall()
    assert [len(r[0]) for r in stored] == [16, 16]
    assert [r[1] for r in stored] == [None, canonical_url(tracked.url)]
    # the same item fetched again is unchanged; a changed one is queued, its annotation clears it
    assert store.upsert_items([plain]).unchanged == 1
    changed = Item(plain.key, "hn", plain.title, plain.url, "new words", None)
    assert store.upsert_items([changed]).updated == 1
    assert [r[0] for r in conn.execute("SELECT item_id FROM understand_queue")] == [1]
    ann = Annotation(key="hn:1", relevance=0.9, is_ai=True, why=WHY)
    save(
        conn, "m", [(1, _unit(1), changed.content_hash())], [(1, ann, None, changed.content_hash())]
    )
    assert conn.execute("SELECT count(*) FROM understand_queue").fetchone()[0] == 0
    # deleting an item still removes its story membership
    store.delete_item("hn:2")
    assert [m.key for m in load_story(conn, "s").members] == ["hn:1"]


def test_the_model_repos_are_read_through_their_own_index(tmp_path):
    """The registry reads every Hugging Face item in date order: through index items_hf, not a
    walk over every item (at 1M items that walk is the whole table)."""
    conn = open_db(tmp_path / "s.db")
    plan = " ".join(
        str(r[3])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT key FROM items WHERE kind = 'hf' ORDER BY published_at, id"
        )
    )
    assert "items_hf" in plan
    sql = dict(MIGRATIONS)["0019_compact_hashes_and_indexes"]
    assert "{" not in sql and "CREATE TRIGGER annotations_state_au" in sql
