"""Reads that stay fast as history grows (issue 20): search takes its top k from FTS5's own rank
order (same order as sorting every match by bm25), and /trends reads the trends table `process`
keeps instead of recounting every AI title per request."""

from __future__ import annotations

import pytest

from abreast import config
from abreast.store import Store
from abreast.store import web as sql
from abreast.store.db import transaction
from abreast.store.items import fts_query
from abreast.types import Item


@pytest.fixture
def settings(abreast_home):
    abreast_home.mkdir(parents=True, exist_ok=True)
    s = config.load(abreast_home, environ={"ABREAST_HOME": str(abreast_home)})
    s.paths.ensure()
    return s


def _many_matches(store: Store, n: int = 300) -> None:
    """``n`` items that mention llama, each with its own bm25 score (term count and length
    differ), over two weeks, among 3n that do not."""
    items = [
        Item(
            key=f"feed:https://example.org/{i}",
            kind="feed",
            title=("llama " * (i % 3)) + f"post {i}",
            url=f"https://example.org/{i}",
            text=("llama " * (1 + i % 5)) + " ".join(f"w{j}" for j in range(i)),
            published_at=f"2024-12-{10 + i % 10:02d}T12:00:00+00:00",
        )
        for i in range(n)
    ]
    items += [  # and items that do not match, so the term's IDF is what a real store gives it
        Item(key=f"feed:https://example.org/other/{i}", kind="feed", title=f"other {i}",
             url=f"https://example.org/other/{i}", text="mistral news",
             published_at="2024-12-12T12:00:00+00:00")
        for i in range(3 * n)
    ]  # fmt: skip
    store.upsert_items(items)


def _reference(store: Store, where: str = "", args: tuple = ()) -> list[tuple[str, float]]:
    """Every match sorted by bm25 (title 3x): what search returned before issue 20."""
    return [
        (r[0], r[1])
        for r in store.conn.execute(
            "SELECT items.key, bm25(item_fts, 3.0, 1.0) AS rank FROM item_fts JOIN items ON "
            f"items.id = item_fts.rowid WHERE item_fts MATCH ? {where} ORDER BY rank",
            ('"llama"', *args),
        )
    ]


def test_search_top_k_is_the_bm25_order_over_all_matches(settings):
    store = Store.open(settings.paths.db)
    _many_matches(store)
    ref = _reference(store)
    assert len(ref) == 300
    assert len({score for _k, score in ref[:21]}) == 21  # distinct scores: the order is defined
    got = [(h.item.key, h.rank) for h in store.search(fts_query(["llama"]), limit=20)]
    assert [k for k, _s in got] == [k for k, _s in ref[:20]]
    assert [s for _k, s in got] == pytest.approx([s for _k, s in ref[:20]])
    # with a filter (the items page's week): the first k matches that pass, still best first
    ref_week = _reference(store, "AND items.week = ?", ("2024-W51",))
    got_week = sql.item_search(store.conn, fts_query(["llama"], "AND"), "2024-W51", limit=15)
    assert [r.key for r in got_week] == [k for k, _s in ref_week[:15]]
    store.close()


def test_trends_page_reads_the_trends_table(settings):
    from fastapi.testclient import TestClient

    from abreast.web.app import create_app

    store = Store.open(settings.paths.db)
    _many_matches(store, 20)
    # A term no title contains: only a page that reads the table (not one that recounts the
    # titles) can show it.
    with transaction(store.conn):
        store.conn.executemany(
            "INSERT INTO trends(week, term, count, burst) VALUES (?,?,?,?)",
            [
                ("2024-W50", "term:zebra-attention", 1, 0.0),
                ("2024-W51", "term:zebra-attention", 9, 5.5),
            ],
        )
    store.close()
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8421") as client:
        page = client.get("/trends?week=2024-W51")
        assert page.status_code == 200
        assert "zebra-attention" in page.text
        assert "named in 9 items this week" in page.text
        chart = client.get("/trends/chart.svg?week=2024-W51&term=term:zebra-attention")
        assert chart.status_code == 200 and b"<svg" in chart.content
        assert client.get("/trends/chart.svg?week=2024-W51&term=term:nothing").status_code == 404


def test_what_a_routes_first_request_built_is_left_out_of_later_collections(tmp_path):
    """The first request of a route settles what it built (web/app.py SettleAfterFirstUse): a
    full collection, then gc.freeze(), so later full collections do not walk the caches again
    (their pauses were a page's p99 at 1M items). A second request of the route freezes
    nothing more (frozen objects freed by reference counting leave the count)."""
    import gc

    from fastapi.testclient import TestClient

    from abreast import config
    from abreast.web.app import create_app

    settings = config.load(tmp_path, environ={})
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8421") as client:
        gc.unfreeze()
        assert client.get("/sources").status_code == 200
        frozen = gc.get_freeze_count()
        assert frozen > 0
        for _ in range(3):
            assert client.get("/sources").status_code == 200
        assert gc.get_freeze_count() <= frozen
        assert client.get("/api/weeks").status_code == 200  # another route's first request
        assert gc.get_freeze_count() > frozen
    gc.unfreeze()
