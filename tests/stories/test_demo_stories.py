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
