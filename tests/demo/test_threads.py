"""The replay serves the recorded Reddit comment trees in Reddit's shape, and the discussion reader
stores them as comments with author, score and permalink (recorded data, no synthetic threads)."""

from __future__ import annotations

import json

import httpx

from abreast.collect.discussion import parse_reddit_thread, read_discussions, thread_url
from abreast.collect.fetcher import Fetcher
from abreast.demo.recording import Recording
from abreast.demo.replay import ReplayServer
from abreast.store import Store
from abreast.store.reading import TopItem
from abreast.types import Item

LLAMA_33 = "1h85tt4"  # "Meta releases Llama3.3 70B", r/LocalLLaMA, 2024-12-06


def test_recorded_threads_are_served_like_reddit_and_unrecorded_ones_are_not_found():
    with ReplayServer() as server:
        base = f"{server.url}/www.reddit.com"
        url = thread_url("reddit", f"reddit:{LLAMA_33}", base)
        answer = httpx.get(url)
        assert answer.status_code == 200
        post, comments = answer.json()
        assert post["data"]["children"][0]["data"]["title"] == "Meta releases Llama3.3 70B"
        assert comments["kind"] == "Listing" and comments["data"]["children"][0]["kind"] == "t1"
        # without raw_json=1 Reddit escapes &, <, >; the reader always asks for raw JSON
        escaped = httpx.get(f"{base}/comments/{LLAMA_33}.json").text
        assert "raw_json=1" in url and escaped != answer.text
        assert httpx.get(f"{base}/comments/zzzzzz.json").status_code == 404
        # Hacker News threads are not recorded: the items API says so rather than inventing one
        assert httpx.get(f"{server.url}/hn.algolia.com/api/v1/items/42388783").status_code == 404


def test_a_recorded_thread_becomes_comments_with_authors_scores_and_permalinks(tmp_path):
    raw = Recording().reddit_threads[LLAMA_33]
    comments = parse_reddit_thread(json.dumps(raw).encode(), f"reddit:{LLAMA_33}")
    assert 20 <= len(comments) <= 200
    top = [c for c in comments if c.depth == 0]
    replies = [c for c in comments if c.depth > 0]
    assert top and replies
    recorded_ids = set()

    def walk(listing):
        for child in listing["data"]["children"] if isinstance(listing, dict) else []:
            recorded_ids.add(f"reddit:{child['data']['id']}")
            walk(child["data"].get("replies"))

    walk(raw[1])
    # every reply names the recorded comment it answers (a deleted one is not kept, its replies are)
    assert all(c.parent_id in recorded_ids for c in replies)
    assert sum(c.parent_id in {x.id for x in comments} for c in replies) > 0.8 * len(replies)
    assert all(
        c.author and c.text and c.url.startswith("https://www.reddit.com/r/LocalLLaMA/")
        for c in comments
    )
    assert all(isinstance(c.score, int) for c in comments)

    with ReplayServer() as server:
        st = Store.open(tmp_path / "a.db")
        src = st.add_source("r-localllama", "reddit", f"{server.url}/www.reddit.com")
        st.upsert_items(
            [
                Item(
                    f"reddit:{LLAMA_33}",
                    "reddit",
                    "Meta releases Llama3.3 70B",
                    signals={"comments": 241},
                )
            ],
            source_id=src.id,
        )
        top_item = TopItem(
            key=f"reddit:{LLAMA_33}",
            kind="reddit",
            url=None,
            has_text=False,
            text_source=None,
            teaser=False,
            text_note=None,
            signals={"comments": 241},
            extra={},
            source_url=src.url,
            source_config={},
            story_id="s",
            week="2024-W49",
            rank=1,
        )
        with Fetcher({"allow_private": ["127.0.0.1"], "politeness": False}) as f:
            report = read_discussions(st.conn, f, [top_item])
    stored = st.comments_for([f"reddit:{LLAMA_33}"])
    assert report.threads == 1 and [c.id for c in stored] == [c.id for c in comments]


def test_a_thread_the_demo_snapshot_lacks_says_so_not_that_it_does_not_exist(tmp_path):
    from abreast.collect.discussion import NOTE_THREAD_NOT_RECORDED
    from abreast.store.discussions import discussion_fetches

    with ReplayServer() as server:
        st = Store.open(tmp_path / "a.db")
        # the real source URL: the replay stands in for the live site, as in the demo
        src = st.add_source("hn", "hn", "https://hn.algolia.com")
        st.upsert_items(
            [Item("hn:42473321", "hn", "OpenAI O3", signals={"comments": 1024})], source_id=src.id
        )
        top_item = TopItem(
            key="hn:42473321",
            kind="hn",
            url=None,
            has_text=False,
            text_source=None,
            teaser=False,
            text_note=None,
            signals={"comments": 1024},
            extra={},
            source_url=src.url,
            source_config={},
            story_id="s",
            week="2024-W51",
            rank=1,
        )
        settings = {"allow_private": ["127.0.0.1"], "politeness": False, "replay": server.url}
        with Fetcher(settings) as f:
            report = read_discussions(st.conn, f, [top_item])
    seen = discussion_fetches(st.conn, ["hn:42473321"])["hn:42473321"]
    assert report.threads == 0 and seen["status"] == "gone"
    assert seen["error"] == NOTE_THREAD_NOT_RECORDED
