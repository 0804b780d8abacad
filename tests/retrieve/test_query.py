"""The retrieval core on the demo store: fused full-text and embedding search, one item per story,
within a time window, each hit with a reason."""

import pytest

from abreast.retrieve.query import Request, known_names, search

pytestmark = pytest.mark.slow


def test_hits_stay_in_the_window_and_give_one_item_per_story(demo_store):
    hits = search(
        demo_store,
        "reasoning models and test-time compute",
        since="2024-12-01",
        until="2024-12-23",
        limit=10,
    )
    assert len(hits) == 10
    assert all("2024-12-01" <= h.published_at[:10] < "2024-12-23" for h in hits)
    stories = [h.story_id for h in hits if h.story_id]
    assert len(stories) == len(set(stories))
    assert all(h.reason and h.published_at[:10] in h.reason for h in hits)


def test_the_o3_announcement_is_found_for_a_question_about_it(demo_store):
    hits = search(
        demo_store,
        "OpenAI o3 reasoning model on ARC-AGI",
        since="2024-12-15",
        until="2024-12-25",
        limit=5,
    )
    assert any("o3" in h.title.lower() for h in hits), [h.title for h in hits]


def test_fusion_finds_what_each_retriever_alone_finds(demo_store):
    q = Request(
        "Some references about alignment.",
        "We should worry about alignment and all the things that could go wrong with AI.",
    )
    window = dict(since="2023-10-12", until="2023-12-21", limit=10)
    fused = {h.key for h in search(demo_store, q, **window)}
    fts = {h.key for h in search(demo_store, q, mode="fts", **window)}
    emb = {h.key for h in search(demo_store, q, mode="embed", **window)}
    assert fused & fts and fused & emb
    assert fused != fts and fused != emb


def test_names_nothing_mentions_are_reported(demo_store):
    known, unknown = known_names(demo_store, "Fixie.ai and Llama agents")
    assert unknown == ["Fixie.ai"]
    assert known == ["Llama"]


def test_unknown_mode_is_refused(demo_store):
    with pytest.raises(ValueError):
        search(demo_store, "x", mode="bm25")


def test_a_blank_request_finds_nothing_and_fts_syntax_is_only_words(demo_store):
    assert search(demo_store, Request("   ", "")) == []
    hits = search(demo_store, '"quotes" AND OR NEAR( * alignment', limit=5)
    assert hits  # operators are quoted as words, never parsed


def test_a_search_reads_the_recent_window_and_all_time_reaches_the_rest(demo_store, monkeypatch):
    from abreast.store import items as store_items

    newest = demo_store.conn.execute("SELECT max(id) FROM items").fetchone()[0]
    monkeypatch.setattr(store_items, "RECENT_ITEMS", 3000)
    recent = search(demo_store, "open models", limit=20)
    ids = dict(demo_store.conn.execute("SELECT key, id FROM items").fetchall())
    assert recent and all(ids[h.key] > newest - 3000 for h in recent)
    every = search(demo_store, "open models", limit=20, all_time=True)
    assert any(ids[h.key] <= newest - 3000 for h in every)
