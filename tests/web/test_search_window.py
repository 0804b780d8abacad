"""Search reads the most recently collected items by default, so its cost stops growing with
history (issue 20); "all time" and a period reach every item."""

from __future__ import annotations

import pytest

from abreast import config
from abreast.store import Store
from abreast.store import items as store_items
from abreast.store.items import fts_query
from abreast.types import Item


@pytest.fixture
def settings(abreast_home):
    abreast_home.mkdir(parents=True, exist_ok=True)
    s = config.load(abreast_home, environ={"ABREAST_HOME": str(abreast_home)})
    s.paths.ensure()
    return s


def _collect(store: Store) -> None:
    """Six llama posts collected one after another: the oldest published first."""
    for i in range(6):
        store.upsert_items(
            [
                Item(
                    key=f"feed:https://example.org/{i}",
                    kind="feed",
                    title=f"llama post {i}",
                    url=f"https://example.org/{i}",
                    text="llama " * (1 + i),
                    published_at=f"2024-12-{10 + i:02d}T12:00:00+00:00",
                )
            ]
        )


def _keys(hits) -> set[str]:
    return {h.item.key.rsplit("/", 1)[1] for h in hits}


def test_search_reads_the_recent_window_unless_asked_for_all_time(settings, monkeypatch):
    store = Store.open(settings.paths.db)
    _collect(store)
    q = fts_query(["llama"])
    assert _keys(store.search(q)) == {"0", "1", "2", "3", "4", "5"}  # within the window: all
    monkeypatch.setattr(store_items, "RECENT_ITEMS", 2)
    assert _keys(store.search(q)) == {"4", "5"}
    assert _keys(store.search(q, all_time=True)) == {"0", "1", "2", "3", "4", "5"}
    # a period asked for is searched in full
    assert _keys(store.search(q, since="2024-12-11", until="2024-12-13")) == {"1", "2"}


def test_the_items_page_says_what_it_searched_and_links_to_all_time(settings, monkeypatch):
    from fastapi.testclient import TestClient

    from abreast.web.app import create_app

    store = Store.open(settings.paths.db)
    _collect(store)
    monkeypatch.setattr(store_items, "RECENT_ITEMS", 3)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8421") as client:
        api = client.get("/api/items?q=llama").json()
        assert {it["key"][-1] for it in api["items"]} == {"3", "4", "5"}
        every = client.get("/api/items?q=llama&all_time=true").json()
        assert len(every["items"]) == 6
        page = client.get("/items?q=llama").text
        assert "3 matches" in page and "collected most recently" in page
        assert "all=true" in page  # the link that searches all time
        page = client.get("/items?q=llama&all=true").text
        assert "6 matches" in page and "collected most recently" not in page
