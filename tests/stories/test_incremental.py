"""`abreast process` redoes only what changed: a weekly run costs one week, a run with nothing new
costs almost nothing."""

from __future__ import annotations

import shutil

import pytest

from abreast import config
from abreast.pipeline import run_pipeline, stale_weeks
from abreast.store import Store

WEEKS = ["2024-W49", "2024-W50", "2024-W51"]


def test_a_new_week_touches_only_itself():
    digests = {"2024-W49": "a", "2024-W50": "b"}
    stale, built = stale_weeks(WEEKS[:2], digests, {}, salt="s")
    assert stale == WEEKS[:2]
    digests["2024-W51"] = "c"
    stale, _ = stale_weeks(WEEKS, digests, built, salt="s")
    assert stale == ["2024-W51"]


def test_nothing_changed_means_nothing_to_do_and_an_old_change_reaches_later_weeks():
    digests = {"2024-W49": "a", "2024-W50": "b", "2024-W51": "c"}
    _, built = stale_weeks(WEEKS, digests, {}, salt="s")
    assert stale_weeks(WEEKS, digests, built, salt="s")[0] == []
    # A backfilled item in an old week: its stories may now be what later weeks continue.
    assert stale_weeks(WEEKS, {**digests, "2024-W49": "a2"}, built, salt="s")[0] == WEEKS
    # Other clustering settings: every week is grouped anew.
    assert stale_weeks(WEEKS, digests, built, salt="other")[0] == WEEKS


@pytest.fixture
def demo(abreast_home, demo_db):
    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, abreast_home / "abreast.db")
    settings = config.load(abreast_home)
    store = Store.open(settings.paths.db)
    run_pipeline(store, settings)  # records what every stage was built from
    yield store, settings
    store.close()


def test_a_run_with_nothing_new_builds_nothing(demo, monkeypatch):
    store, settings = demo
    import abreast.explain.summarize as summarize
    import abreast.landscape.registry as registry
    import abreast.stories.build as build
    import abreast.stories.trends as trends

    def boom(*_a, **_k):
        raise AssertionError("a stage ran although nothing changed")

    for mod, name in (
        (build, "build_week"),
        (summarize, "summarize_week"),
        (registry, "build_registry"),
        (trends, "chart"),
    ):
        monkeypatch.setattr(mod, name, boom)
    result = run_pipeline(store, settings)
    assert result.stories == {} and result.charts == 0 and result.summaries == 0
    assert result.up_to_date > 0
    assert "unchanged since the last run" in result.summary()


def test_new_points_on_one_item_rebuild_only_its_week(demo):
    store, settings = demo
    key, week = store.conn.execute(
        "SELECT i.key, i.week FROM items i JOIN annotations a ON a.item_id = i.id "
        "WHERE a.is_ai = 1 AND i.kind = 'hn' AND i.week = '2024-W50' LIMIT 1"
    ).fetchone()
    store.conn.execute("UPDATE items SET score_json = '{\"points\": 4242}' WHERE key = ?", (key,))
    store.conn.commit()
    result = run_pipeline(store, settings)
    later = [w for w in result.stories if w > week]
    assert week in result.stories
    assert set(result.stories) == {week, *later}, "only that week and the weeks after it"
    assert not [w for w in result.stories if w < week]


def test_story_counts_per_week_follow_saves_and_deletes(demo_store):
    """The week list's story counts (kept by triggers, migration 0021) equal a count of the
    stories after the migration, a week saved again with fewer stories, and a week emptied."""
    from abreast.store import stories as sql
    from abreast.store.db import transaction

    conn = demo_store.conn

    def recount():
        return dict(conn.execute("SELECT week, count(*) FROM stories GROUP BY week").fetchall())

    before = recount()
    assert sql.story_counts(conn) == before and len(before) > 5
    weeks = sorted(before, key=lambda w: -before[w])
    kept = sql.load_week(conn, weeks[0])[:3]
    ids = {m.key: demo_store.item(m.key).id for s in kept for m in s.members}
    sql.save_week(conn, weeks[0], kept, ids)
    with transaction(conn):
        conn.execute("DELETE FROM stories WHERE week = ?", (weeks[1],))
    after = recount()
    assert after[weeks[0]] == 3 and weeks[1] not in after
    assert sql.story_counts(conn) == after
    assert sql.week_story_counts(conn) == sorted(after.items())


def _join_the_book_and_the_paper(store):
    """Put arXiv 2412.12163 (LLM compiler optimisation) back into the "Taming LLMs" book's story,
    as stores grouped before the paper/news rule have it."""
    conn = store.conn
    book = store.item("hn:42404202").id
    paper = store.item("arxiv:2412.12163").id
    (story,) = conn.execute(
        "SELECT story_id FROM story_items WHERE item_id = ?", (book,)
    ).fetchone()
    conn.execute("UPDATE story_items SET story_id = ? WHERE item_id = ?", (story, paper))
    # new points on the book: its week is rebuilt on the next run
    conn.execute("UPDATE items SET score_json = '{\"points\": 4242}' WHERE id = ?", (book,))
    conn.commit()
    return book, paper


def _together(store, a, b):
    q = "SELECT story_id FROM story_items WHERE item_id = ?"
    return store.conn.execute(q, (a,)).fetchone() == store.conn.execute(q, (b,)).fetchone()


def test_a_store_grouped_under_older_join_rules_regroups_the_weeks_it_rebuilds(demo):
    store, settings = demo
    # Grouped under the current rules: a week's items keep their stories across runs.
    book, paper = _join_the_book_and_the_paper(store)
    run_pipeline(store, settings)
    assert _together(store, book, paper)
    # Grouped before the current rules (no record of them): the rebuilt week is regrouped.
    store.conn.execute("DELETE FROM stage_inputs WHERE stage = 'grouping'")
    store.conn.commit()
    book, paper = _join_the_book_and_the_paper(store)
    result = run_pipeline(store, settings)
    assert "2024-W50" in result.stories and not _together(store, book, paper)
    # Only `process --full` regroups every week; until then the store is not marked as regrouped.
    assert "grouping" not in {r[0] for r in store.conn.execute("SELECT stage FROM stage_inputs")}
