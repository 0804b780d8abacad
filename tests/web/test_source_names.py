"""Sources are named as people say them, by one rule, wherever the web app lists them."""

from __future__ import annotations

from abreast.explain.card import source_display


def test_one_rule_for_source_names():
    assert source_display("hn", "hn") == "Hacker News"
    assert source_display("reddit", "r-localllama", {"subreddit": "LocalLLaMA"}) == "r/LocalLLaMA"
    # A feed is named by what it links to (its own address may be a mirror or a scraper).
    assert source_display("feed", "openai-news", {}, ["https://openai.com/index/o3"]) == "OpenAI"
    assert source_display("feed", "my-blog", {}, ["https://example.org/post"]) == "my-blog"
    # A newsletter links to many publishers: it keeps its own name.
    links = ["https://www.anthropic.com/news/x", "https://openai.com/y", "https://example.org/z"]
    assert source_display("feed", "simonw-newsletter", {}, links) == "simonw-newsletter"


def test_items_page_and_its_filter_show_the_names_people_use(client):
    page = client.get("/items").text
    assert "r/LocalLLaMA" in page and ">r-localllama<" not in page
    assert 'value="r-localllama"' in page, "the filter still sends the source's own name"
    sources = client.get("/sources").text
    assert "r/LocalLLaMA" in sources


def test_the_demos_sources_show_where_their_data_was_recorded(client, store):
    """The demo fetches a replay on 127.0.0.1; the sources page names the real address its data
    was recorded from, and says it is a replayed copy. The store keeps the replay URL."""
    from abreast.demo.sources import recorded_origin

    stored = {s.name: s.url for s in store.sources()}
    assert stored["hn"].startswith("http://127.0.0.1:")
    page = client.get("/sources").text
    for origin in (
        "https://hn.algolia.com",
        "https://openai.com/news/rss.xml",
        "https://github.com/xianshang33/llm-paper-daily",  # a feed the snapshot built from it
    ):
        assert f'<span class="meta url">{origin}</span>' in page
    assert "a recorded copy, replayed from 127.0.0.1:" in page
    assert '<span class="meta url">http://127.0.0.1' not in page
    # Only the replay's own addresses stand for a recorded origin; a user's local feed is itself.
    assert recorded_origin("http://127.0.0.1:8080/feed.xml") is None
    assert recorded_origin("https://hn.algolia.com") is None
