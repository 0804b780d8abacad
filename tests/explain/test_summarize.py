"""A week's summaries in the store: extractive by default, verified abstractive with a model, cached
by hash."""

from __future__ import annotations

import llm

from abreast.explain.summarize import summarize_week
from abreast.item import Item
from abreast.store import Store
from abreast.store.llm_calls import list_calls
from abreast.store.stories import load_week, save_week


def _store_week(db, stories) -> None:
    store = Store(db)
    store.upsert_items(
        [
            Item(
                key=m.key,
                kind=m.kind,
                title=m.title,
                url=m.url,
                text=m.text,
                published_at=m.published_at,
            )
            for s in stories
            for m in s.members
        ]
    )
    ids = {r["key"]: r["id"] for r in db.execute("SELECT id, key FROM items")}
    save_week(db, "2024-W51", stories, ids)


def test_week_summaries_are_saved_and_reused_without_new_model_calls(fakes, real_stories, db):
    week = [s for s in real_stories.values() if s.week == "2024-W51"]
    _store_week(db, week)
    first = summarize_week(db, "2024-W51")
    assert {s.summary["method"] for s in first} == {"extractive"}
    assert [s.summary for s in load_week(db, "2024-W51")] == [s.summary for s in first]

    model = llm.get_model("fake-faithful")
    with_model = summarize_week(db, "2024-W51", model)
    calls = len(list_calls(db))
    assert calls == len(week)  # the model is new, so every story is summarized once
    assert all(s.summary["model"] == "fake-faithful" for s in with_model)
    summarize_week(db, "2024-W51", model)
    assert len(list_calls(db)) == calls  # nothing changed: no model call
