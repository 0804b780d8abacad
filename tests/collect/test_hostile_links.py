"""Hostile links in a real feed, fetched over HTTP from the hostile server, stored and drafted:
every stored URL is normalised at the store's door and no draft gets a live script (issue 18)."""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

from abreast import config
from abreast.collect.run import fetch_sources
from abreast.store import Store
from abreast.stories.model import Member, Story
from abreast.write.compose import compose
from abreast.write.material import WeekMaterial

from .hostile_server import HostileServer

LINKS = {
    "script": 'https://x.example/?q="><script>alert(1)</script>',
    "idn": "https://bücher.example/neu",
    "creds": "https://trusted.example@evil.example/login",
    "js": "javascript:alert(document.cookie)",
}


def _feed() -> bytes:
    items = "".join(
        f"<item><title>{escape(name + ' {{< youtube x >}}')}</title><link>{escape(url)}</link>"
        f"<guid>{name}</guid><pubDate>Wed, 18 Dec 2024 10:00:00 GMT</pubDate></item>"
        for name, url in LINKS.items()
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    ).encode()


def test_hostile_feed_links_are_normalised_when_stored_and_inert_in_drafts(tmp_path, monkeypatch):
    monkeypatch.setenv("ABREAST_FETCH_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("ABREAST_FETCH_POLITENESS", "false")
    with HostileServer() as srv:
        srv.add_static("/feed.xml", _feed(), content_type="application/rss+xml")
        store = Store.open(tmp_path / "a.db")
        store.add_source("evil", "feed", srv.url("/feed.xml"))
        [report] = fetch_sources(store, config.load())
    assert report.status == "ok", report.note
    rows = {r["title"].split()[0]: r for r in store.item_rows()}
    urls = {name: rows[name]["url"] for name in rows}
    assert urls["script"] == "https://x.example/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
    assert urls["idn"] == "https://xn--bcher-kva.example/neu"
    assert urls["creds"] == "https://evil.example/login"
    assert urls.get("js") is None  # no link at all (the feed parser may also drop the entry)
    members = [
        Member(r["key"], "feed", "evil", r["title"], r["url"], role="lead" if i == 0 else "member")
        for i, r in enumerate(rows.values())
    ]
    story = Story("s", "2024-W51", members[0].title, members, themes=["research"])
    text = compose(WeekMaterial("2024-W51", [story]), {}, {}, "hugo")
    assert "<script" not in MarkdownIt("commonmark").render(text).lower()
    assert "{{" not in text
    store.close()
