"""Undated items belong to the week they were first seen, never to no week (issue 12, item 5)."""

from __future__ import annotations

import httpx

from abreast.collect.sources.hf import model_to_item
from abreast.collect.sources.reddit import post_to_item
from abreast.demo.replay import ReplayServer
from abreast.item import Item, iso_week
from abreast.store import Store
from abreast.store.reading import undated_count


def test_a_post_without_a_creation_time_goes_to_the_week_it_was_first_seen(tmp_path):
    # 2024-12-17T03:10:00Z, a Tuesday of 2024-W51: when a newsletter listed the post
    post = {
        "id": "1hfzz",
        "subreddit": "LocalLLaMA",
        "title": "QVQ is out",
        "permalink": "/r/LocalLLaMA/comments/1hfzz/qvq/",
        "first_seen_utc": 1734405000,
    }
    item = post_to_item(post)
    assert item.published_at is None  # no date is invented
    model = model_to_item({"id": "Qwen/QVQ-72B-Preview", "firstSeenAt": "2024-12-19T00:00:00.000Z"})
    assert model.published_at is None
    st = Store.open(tmp_path / "a.db")
    st.upsert_items([item, model])
    weeks = dict(st.conn.execute("SELECT key, week FROM items").fetchall())
    assert weeks == {"reddit:1hfzz": "2024-W51", "hf:Qwen/QVQ-72B-Preview": "2024-W51"}
    assert undated_count(st.conn, "2024-W51") == 2


def test_a_real_creation_time_wins_over_the_first_sighting():
    post = {
        "id": "1h85tt4",
        "subreddit": "LocalLLaMA",
        "title": "Llama 3.3",
        "permalink": "/r/LocalLLaMA/comments/1h85tt4/x/",
        "created_utc": 1733503932,
        "first_seen_utc": 1734405000,
    }
    item = post_to_item(post)
    assert iso_week(item.published_at) == "2024-W49" and "first_seen" not in item.extra


def test_without_any_date_the_fetch_week_is_kept_across_refetches(tmp_path):
    st = Store.open(tmp_path / "a.db")
    undated = Item("feed:x", "feed", "An undated post", "https://x.org/p")
    st.upsert_items([undated])
    first = st.item("feed:x")["week"]
    assert first == iso_week(st.item("feed:x")["fetched_at"])
    st.conn.execute("UPDATE items SET week = '2024-W51' WHERE key = 'feed:x'")
    st.upsert_items([Item("feed:x", "feed", "An undated post, retitled", "https://x.org/p")])
    assert st.item("feed:x")["week"] == "2024-W51"  # an update never moves an item's week


def test_the_replay_serves_the_recordings_own_observation_times():
    with ReplayServer() as server:
        listing = httpx.get(
            f"{server.url}/www.reddit.com/r/LocalLLaMA/new.json", params={"limit": 100}
        ).json()
        models = httpx.get(f"{server.url}/huggingface.co/api/models", params={"limit": 1000}).json()
    posts = [c["data"] for c in listing["data"]["children"]]
    undated = [p for p in posts if "created_utc" not in p]
    assert undated and all(isinstance(p["first_seen_utc"], int) for p in undated)
    # AINews issues of the window were sent between 2024-11-19 and 2024-12-24
    assert all(1731974400 <= p["first_seen_utc"] <= 1735084800 for p in undated)
    assert all("first_seen_utc" not in p for p in posts if "created_utc" in p)
    no_created = [m for m in models if "createdAt" not in m]
    assert no_created and all(m["firstSeenAt"] >= "2024-11-18" for m in no_created)


def test_abreast_week_and_the_web_week_say_how_many_undated_items_a_week_has(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from abreast.cli import context as ctx
    from abreast.cli.main import app

    monkeypatch.setenv("ABREAST_HOME", str(tmp_path))
    ctx.reset()
    st = Store.open(tmp_path / "abreast.db")
    seen = 1734405000  # 2024-W51
    st.upsert_items(
        [
            post_to_item(
                {
                    "id": f"p{i}",
                    "subreddit": "LocalLLaMA",
                    "title": f"Post {i}",
                    "permalink": f"/r/LocalLLaMA/comments/p{i}/x/",
                    "first_seen_utc": seen,
                }
            )
            for i in range(3)
        ]
        + [Item("hn:1", "hn", "Dated", "https://x.org", published_at="2024-12-18T10:00:00+00:00")]
    )
    with st.conn:
        st.conn.execute(
            "INSERT INTO stories(id, week, title, rank, updated_at) "
            "VALUES ('2024-W51-a', '2024-W51', 'Dated', 1, 'now')"
        )
        st.conn.execute(
            "INSERT INTO story_items(story_id, item_id, role) "
            "SELECT '2024-W51-a', id, 'lead' FROM items WHERE key = 'hn:1'"
        )
    st.close()
    res = CliRunner().invoke(app, ["week", "2024-W51"], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "3 items of 2024-W51 carry no date of their own" in res.output

    from abreast import config
    from abreast.web.app import create_app

    with TestClient(create_app(config.load()), base_url="http://127.0.0.1:8421") as client:
        page = client.get("/", params={"week": "2024-W51"})
    assert page.status_code == 200
    assert "3 items of 2024-W51 carry no date of their own" in page.text
