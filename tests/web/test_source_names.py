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
