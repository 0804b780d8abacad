"""This week in models, from the LMArena snapshots and the registry."""

import json

import pytest

from abreast.errors import AbreastError
from abreast.landscape.weekly import compare_snapshots, this_week, to_markdown, week_range


def test_week_range_is_monday_to_monday():
    assert week_range("2024-W51") == ("2024-12-16", "2024-12-23")
    with pytest.raises(AbreastError):
        week_range("last week")


def test_w50_debuts_and_new_models(built):
    w = this_week(built[0].conn, "2024-W50")
    debuts = [m.name for m in w.debuts]
    assert "Llama-3.3-70B-Instruct" in debuts and "QwQ-32B-Preview" in debuts
    assert (w.board_before, w.board_after) == ("2024-12-07", "2024-12-16")
    names = [m.name for m in w.new_models]
    assert "Falcon3-10B-Instruct" in names
    falcon = next(m for m in w.new_models if m.name == "Falcon3-10B-Instruct")
    assert falcon.bases == [("tiiuae/falcon3-10b-base", "finetune")]
    md = to_markdown(w)
    assert (
        "## This week in models (2024-W50)" in md
        and "new: **Llama-3.3-70B-Instruct** at rank 21" in md
    )


def test_moves_are_ranked_by_score_change():
    before = {"a": {"rank": 3, "score": 1200.0}, "b": {"rank": 5, "score": 1190.0}}
    after = {
        "a": {"rank": 4, "score": 1198.0},
        "b": {"rank": 2, "score": 1210.0},
        "c": {"rank": 1, "score": 1300.0},
    }
    debuts, moves = compare_snapshots(before, after, {"c": "C"})
    assert [d.name for d in debuts] == ["C"]
    assert [m.id for m in moves] == ["b", "a"] and moves[0].score_delta == 20.0


def test_stories_that_mention_a_model(built):
    conn = built[0].conn
    conn.execute(
        "INSERT INTO items(key, kind, title, published_at, week, fetched_at, content_hash) "
        "VALUES ('hn:1', 'hn', 'Llama 3.3 70B is out', '2024-12-06', '2024-W49', '2024-12-06', 'h')"
    )
    item_id = conn.execute("SELECT id FROM items WHERE key='hn:1'").fetchone()[0]
    conn.execute(
        "INSERT INTO annotations(item_id, relevance, is_ai, entities_json, content_hash, "
        "annotated_at) "
        "VALUES (?, 1, 1, ?, 'h', 'x')",
        (item_id, json.dumps(["model:llama-3.3-70b", "org:meta"])),
    )
    conn.execute(
        "INSERT INTO stories(id, week, title, updated_at) VALUES ('2024-W49-a', '2024-W49', "
        "'Meta releases Llama 3.3', 'x')"
    )
    conn.execute(
        "INSERT INTO story_items(story_id, item_id, role) VALUES ('2024-W49-a', ?, 'lead')",
        (item_id,),
    )
    w = this_week(conn, "2024-W49")
    assert w.stories["meta-llama/llama-3.3-70b-instruct"] == [
        ("2024-W49-a", "Meta releases Llama 3.3")
    ]
    assert "Meta releases Llama 3.3" in to_markdown(w)


def test_a_model_is_new_in_the_week_the_news_first_mentions_it(tmp_path):
    from abreast.item import Item
    from abreast.landscape.registry import build_registry
    from abreast.store import Store

    store = Store.open(tmp_path / "a.db")
    store.upsert_items(
        [
            Item(
                key="hn:42330000",
                kind="hn",
                title="Llama 3.3 70B",
                published_at="2024-12-06T17:00:00+00:00",
            )
        ]
    )
    item_id = store.conn.execute("SELECT id FROM items").fetchone()[0]
    store.conn.execute(
        "INSERT INTO annotations(item_id, relevance, is_ai, entities_json, content_hash, "
        "annotated_at) VALUES (?, 1, 1, ?, 'h', 'x')",
        (item_id, json.dumps(["model:llama-3.3-70b"])),
    )
    build_registry(store.conn)
    # the repo was created 2024-11-26 (W48) but the model was announced 2024-12-06 (W49)
    w49 = {m.id: m for m in this_week(store.conn, "2024-W49", limit=1000).new_models}
    assert w49["meta-llama/llama-3.3-70b-instruct"].first_seen == "2024-12-06"
    w48 = {m.id for m in this_week(store.conn, "2024-W48", limit=1000).new_models}
    assert "meta-llama/llama-3.3-70b-instruct" not in w48
    assert "qwen/qwq-32b-preview" in w48  # no news item here: its repo date (2024-11-27) counts
    store.close()


def test_a_release_line_named_in_the_news_dates_all_its_official_models(tmp_path):
    from abreast.item import Item
    from abreast.landscape.registry import build_registry
    from abreast.store import Store

    store = Store.open(tmp_path / "a.db")
    store.upsert_items(
        [
            Item(
                key="feed:falcon3",
                kind="feed",
                title="Welcome the Falcon 3 family of open models",
                published_at="2024-12-17T09:00:00+00:00",
            ),
            Item(
                key="hn:gemini",
                kind="hn",
                title="Gemini everywhere",
                published_at="2024-12-17T10:00:00+00:00",
            ),
        ]
    )
    ents = {"feed:falcon3": ["model:falcon-3", "org:tii"], "hn:gemini": ["model:gemini"]}
    for key, e in ents.items():
        item_id = store.conn.execute("SELECT id FROM items WHERE key = ?", (key,)).fetchone()[0]
        store.conn.execute(
            "INSERT INTO annotations(item_id, relevance, is_ai, entities_json, content_hash, "
            "annotated_at) VALUES (?, 1, 1, ?, 'h', 'x')",
            (item_id, json.dumps(e)),
        )
    build_registry(store.conn)
    w51 = {m.id for m in this_week(store.conn, "2024-W51", limit=1000).new_models}
    # repos created 2024-11-21 .. 2024-12-14, announced 2024-12-17
    assert {
        "tiiuae/falcon3-7b-base",
        "tiiuae/falcon3-10b-instruct",
        "tiiuae/falcon3-1b-base",
    } <= w51
    assert "tiiuae/falcon3-7b-base" not in {
        m.id for m in this_week(store.conn, "2024-W47", limit=1000).new_models
    }
    # a bare brand name dates nothing
    assert not any(m.startswith("google/gemini") for m in w51)
    store.close()
