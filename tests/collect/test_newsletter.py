"""Newsletters are digests of digests: a recorded Simon Willison newsletter splits into sections,
each with its own title, link, words and date, attributed to the newsletter's author."""

from __future__ import annotations

from pathlib import Path

from abreast.collect.newsletter import split_sections
from abreast.collect.sources.feed import parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feed"


def _items():
    body = (FIXTURES / "simonw_substack_rss.xml").read_bytes()
    return parse_feed(body, source_name="simonw").items


def test_a_newsletter_entry_yields_one_item_per_section():
    items = _items()
    parent = items[0]
    sections = [it for it in items if it.extra.get("section_of") == parent.key]
    assert len(sections) == 10
    by_title = {s.title: s for s in sections}
    # A link post is about the page it links to, in the newsletter author's own words.
    sora = by_title["Sora"]
    assert sora.url == "https://sora.com/"
    assert sora.text.startswith("OpenAI's released their long-threatened Sora text-to-video model")
    assert sora.author == parent.author and sora.author
    assert sora.published_at == "2024-12-09T00:00:00+00:00"  # the day the section states
    assert sora.extra["newsletter_url"] == parent.url
    assert "https://openai.com/index/sora-is-here/" in sora.extra["links"]
    # A long post keeps its heading's link and drops the heading's date from its title.
    gemini = sections[0]
    assert gemini.title.startswith("Gemini 2.0 Flash: An outstanding multi-modal LLM")
    assert gemini.url == "https://simonwillison.net/2024/Dec/11/gemini-2/"
    assert "Huge announcment from Google this morning" in gemini.text
    # A quote is attributed to the person quoted.
    assert by_title["Quote from Amanda Askell"].text.startswith(
        "The boring yet crucial secret behind good system prompts"
    )
    # The subscribe box and the table of contents are not sections.
    assert not any("Subscribe" in s.title or "In this newsletter" in s.text for s in sections)
    # Keys are stable and distinct.
    assert len({s.key for s in sections}) == 10 and sections[2].key == parent.key + "#s3"


def test_an_ordinary_article_is_not_split():
    article = (
        "<h3><a href='https://x.org/a'>One long post</a></h3><p>"
        + "Words about one thing. " * 20
        + "</p><h4>A subheading</h4><p>"
        + "More words with <a href='https://y.org'>a link</a>. " * 10
        + "</p><h4>Another</h4><p>"
        + "Still the same post. " * 10
        + "</p>"
    )
    assert split_sections(article, "https://x.org/a") == []
    two = (
        "<h2><a href='https://a.org'>A</a></h2><p>" + "Text of section A. " * 10 + "</p>"
        "<h2><a href='https://b.org'>B</a></h2><p>" + "Text of section B. " * 10 + "</p>"
    )
    assert split_sections(two) == []  # fewer than three sections: one article, not a digest


def test_sections_never_carry_script_or_unsafe_links():
    html = "".join(
        f"<hr><p><strong>Link</strong> 2024-12-1{i} <a href='https://site{i}.org/p'>Post {i}</a>:"
        f"</p><p>Commentary number {i} that explains why this matters a great deal to readers."
        f"<script>alert({i})</script><a href='javascript:evil()'>x</a></p>"
        for i in range(3)
    )
    sections = split_sections(html)
    assert [s.url for s in sections] == [f"https://site{i}.org/p" for i in range(3)]
    assert all("alert" not in s.text and "javascript" not in " ".join(s.links) for s in sections)
    assert [s.day for s in sections] == ["2024-12-10", "2024-12-11", "2024-12-12"]
