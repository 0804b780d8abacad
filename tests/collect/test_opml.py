"""OPML import/export: what Miniflux and FreshRSS write comes in whole, and what we write goes back
out and in again unchanged. Fixture shapes follow Miniflux's internal/reader/opml/serializer.go and
FreshRSS's app/views/helpers/export/opml.phtml."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from abreast.collect.defaults import DEFAULT_SOURCES
from abreast.collect.sources._util import ParseError
from abreast.collect.sources.opml import MAX_OPML_BYTES, export_opml, parse_opml

FIXTURES = Path(__file__).parent / "fixtures" / "opml"


def feeds(name: str) -> list[dict]:
    return parse_opml((FIXTURES / name).read_bytes())


def test_miniflux_export_is_read_with_categories():
    got = feeds("miniflux_export.opml")
    assert [(f["name"], f["url"], f["category"]) for f in got] == [
        ("Google DeepMind Blog", "https://deepmind.google/blog/rss.xml", "AI labs"),
        ("OpenAI News", "https://openai.com/news/rss.xml", "AI labs"),
        ("Simon Willison’s Newsletter", "https://simonw.substack.com/feed", "All"),
    ]
    assert got[0]["html_url"] == "https://deepmind.google/discover/blog/"
    assert {f["kind"] for f in got} == {"feed"}


def test_freshrss_export_is_read_with_entities_decoded():
    got = feeds("freshrss_export.opml")
    assert [(f["name"], f["category"]) for f in got] == [
        ("Hugging Face - Blog", "Uncategorized"),
        ("OpenAI News", "Research & labs"),
        ("Simon Willison's Weblog", "Research & labs"),
    ]


def test_nesting_odd_case_bare_ampersands_duplicates_and_unsafe_urls():
    got = feeds("nested_and_odd.opml")
    assert [(f["name"], f["url"], f["category"]) for f in got] == [
        (
            "arXiv cs.CL",
            "https://rss.arxiv.org/rss/cs.CL",
            "Papers",
        ),  # nearest enclosing outline, as Miniflux
        ("Café feed", "https://example.org/feed?a=1&b=2", "My Feeds"),
        (
            "https://openai.com/news/rss.xml",
            "https://openai.com/news/rss.xml",
            None,
        ),  # no title: the URL
    ]


@pytest.mark.parametrize(
    "name", ["miniflux_export.opml", "freshrss_export.opml", "nested_and_odd.opml"]
)
def test_round_trip_through_our_export(name):
    first = feeds(name)
    again = parse_opml(export_opml(first))
    key = lambda f: (f["category"] or "", f["url"])  # noqa: E731 - export groups by category
    assert sorted(again, key=key) == sorted(first, key=key)


def test_export_has_the_shape_feed_readers_expect():
    body = export_opml(DEFAULT_SOURCES)
    root = ET.fromstring(body)
    assert root.tag == "opml" and root.get("version") == "2.0"
    categories = root.find("body").findall("outline")
    assert all(c.get("text") and c.get("xmlUrl") is None for c in categories)
    feeds_out = [o for c in categories for o in c.findall("outline")]
    expected = [s for s in DEFAULT_SOURCES if s["kind"] == "feed"]
    assert len(feeds_out) == len(expected)  # hn/arxiv/reddit/hf have no OPML form
    assert all(
        o.get("type") == "rss" and o.get("xmlUrl", "").startswith("https://") for o in feeds_out
    )
    assert {o.get("text") for o in feeds_out} == {s["name"] for s in expected}


def test_hostile_documents_are_refused_with_a_reason():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;">]>'
        b'<opml version="2.0"><body><outline text="&lol2;" xmlUrl="https://e.org/"/></body></opml>'
    )
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_opml(bomb)
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&xxe;" xmlUrl="https://e.org/"/></body></opml>'
    )
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_opml(xxe)
    with pytest.raises(ParseError, match="larger than"):
        parse_opml(b"<opml>" + b" " * MAX_OPML_BYTES + b"</opml>")
    with pytest.raises(ParseError, match="not well-formed"):
        parse_opml(b"garbage")
    with pytest.raises(ParseError, match="cannot be decoded"):  # found by the fuzz test
        parse_opml(b'<?xml version="1.0" encoding="aUTF-8"?><opml version="2.0"><body/></opml>')
    with pytest.raises(ParseError, match="not an OPML document"):
        parse_opml(b"<rss version='2.0'><channel/></rss>")
