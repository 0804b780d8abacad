"""Stories of the demo store as a reader sees them: what a card quotes belongs to its story."""

from __future__ import annotations

import sqlite3


def _story_keys(db, key: str) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT i2.key FROM items i JOIN story_items s ON s.item_id = i.id "
            "JOIN story_items s2 ON s2.story_id = s.story_id JOIN items i2 ON i2.id = s2.item_id "
            "WHERE i.key = ?",
            (key,),
        ).fetchall()
    finally:
        conn.close()
    return {r[0] for r in rows}


def test_the_taming_llms_book_is_not_told_with_an_unrelated_compiler_paper(demo_db):
    # The HN link to the "Taming LLMs" book has no text of its own; joined to the compiler paper,
    # its card quoted that paper's abstract under the book's title.
    keys = _story_keys(demo_db, "hn:42404202")
    assert "hn:42404202" in keys  # it is a story of the demo
    assert "arxiv:2412.12163" not in keys
    # Moxin 7B (2024-W51) and a paper on VLM classification with LLM descriptions: the same kind
    # of join, on the words "LLM" alone.
    assert "arxiv:2412.11917" not in _story_keys(demo_db, "reddit:1hh067r")


def _ranked(db, week):
    from abreast.store.stories import load_week

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return sorted(load_week(conn, week), key=lambda s: -s.score)
    finally:
        conn.close()


def test_a_labs_guide_is_not_ranked_as_a_release_and_the_weeks_launches_stay_high(demo_db):
    # "Long context prompting for Claude 2.1", Anthropic's guide to a two-week-old model, ranked
    # 4th of 2023-W49 as Claude 2.1's release, above Mistral's $2B round and the Grok thread
    w49 = _ranked(demo_db, "2023-W49")
    guide = next(i for i, s in enumerate(w49, 1) if s.title.startswith("Long context prompting"))
    assert guide > 10
    assert w49[guide - 1].score_parts["release"]["value"] == 0.0
    assert w49[0].title.startswith("Introducing Gemini")
    # the releases of 2024-W51 keep their places: o3 first, o1 in the top 10
    w51 = _ranked(demo_db, "2024-W51")
    assert "O3" in w51[0].title
    assert w51[0].score_parts["release"]["why"].startswith("o3 announced on the lab's own page")
    top10 = [s.title for s in w51[:10]]
    assert "OpenAI o1 and new tools for developers" in top10
    bamba = next(s for s in w51 if s.title.startswith("Bamba:"))
    assert bamba.score_parts["release"]["why"].startswith("Bamba, built on Mamba 2, released")


def test_a_launch_is_headed_by_the_page_that_releases_it_not_its_system_card(demo_db):
    # 2024-W50's Sora story was headed "Sora System Card"; OpenAI's launch post is "Sora is here"
    w50 = _ranked(demo_db, "2024-W50")
    sora = next(s for s in w50[:5] if "Sora" in s.title)
    assert sora.title == "Sora is here"
    assert {m.title for m in sora.members} >= {"Sora is here", "Sora System Card"}
