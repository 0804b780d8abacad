"""The reading stage: the top stories' items get their article text and discussions, politely.

Real HTTP through the real fetcher to a local multi-site server (host names resolved to 127.0.0.1).
"""

from __future__ import annotations

import json
import time

from abreast import config
from abreast.collect import pagetext
from abreast.collect.fetcher import Fetcher
from abreast.collect.pagetext import PageReader
from abreast.collect.run import read_top_stories
from abreast.store import Store
from abreast.types import Item

from .reading_server import PAYWALL, SCRIPT_ONLY, SitesServer, article

ROBOTS = "User-agent: *\nDisallow: /private/\n"
# A site that lets everyone in but us.
CLUB_ROBOTS = "User-agent: abreast\nDisallow: /\n\nUser-agent: *\nAllow: /\n"


def _fetcher(host_delay: float = 0.0) -> Fetcher:
    settings = {
        "allow_private": ["127.0.0.1"],
        "politeness": host_delay > 0,
        "host_delay": host_delay,
        "deadline": 10.0,
    }
    return Fetcher(settings, resolver=SitesServer.resolver)


def _web(srv: SitesServer) -> None:
    srv.add("news.test", "/robots.txt", ROBOTS, "text/plain")
    srv.add("news.test", "/gemini", article("Gemini 2.0 Flash"))
    srv.add("news.test", "/private/memo", article("A memo"))
    srv.add("club.test", "/robots.txt", CLUB_ROBOTS, "text/plain")
    srv.add("club.test", "/members/post", article("Members only"))
    srv.add("news.test", "/paywalled", PAYWALL)
    srv.add("news.test", "/app", SCRIPT_ONLY)
    srv.add("news.test", "/report", b"%PDF-1.7 ...", "application/pdf")
    srv.add("news.test", "/login", "<html>Sign in</html>", status=403)
    # flaky.test cannot serve its robots.txt right now: nothing of it is fetched, all retried later
    srv.add("flaky.test", "/robots.txt", "oops", "text/plain", status=503)
    srv.add("flaky.test", "/post", article("Flaky"))
    # no robots.txt at all (404) allows everything
    srv.add("lab.test", "/blog/o3", article("OpenAI o3"))


def test_articles_get_text_and_every_page_without_one_says_why():
    with SitesServer() as srv, _fetcher() as f:
        _web(srv)
        u = lambda host, path: srv.url(host, path)  # noqa: E731
        targets = [
            ("hn:1", u("news.test", "/gemini")),
            ("hn:2", u("news.test", "/private/memo")),
            ("hn:3", u("club.test", "/members/post")),
            ("hn:4", u("news.test", "/paywalled")),
            ("hn:5", u("news.test", "/app")),
            ("hn:6", u("news.test", "/paper.pdf")),
            ("hn:7", u("news.test", "/report")),
            ("hn:8", u("news.test", "/login")),
            ("hn:9", u("flaky.test", "/post")),
            ("hn:10", u("lab.test", "/blog/o3")),
        ]
        report = PageReader(f, budget=50).read(targets)
    got = {r.key: r for r in report.results}
    assert "Gemini 2.0 Flash was announced this week" in got["hn:1"].text
    assert "track()" not in got["hn:1"].text and "Home | About" not in got["hn:1"].text
    assert "OpenAI o3 was announced" in got["hn:10"].text
    assert got["hn:2"].note == got["hn:3"].note == pagetext.NOTE_ROBOTS
    assert got["hn:4"].note == pagetext.NOTE_PAYWALL
    assert got["hn:5"].note == pagetext.NOTE_SCRIPT
    assert got["hn:6"].note == got["hn:7"].note == pagetext.NOTE_PDF
    assert got["hn:8"].note.startswith(pagetext.NOTE_PAYWALL) and "403" in got["hn:8"].note
    assert got["hn:9"].retry and not got["hn:9"].note and not got["hn:9"].text
    # Pages robots.txt disallows, and PDFs known from their URL, are never requested.
    assert srv.requested("news.test", "/private/memo") == 0
    assert srv.requested("club.test", "/members/post") == 0
    assert srv.requested("news.test", "/paper.pdf") == 0
    assert srv.requested("flaky.test", "/post") == 0
    # robots.txt is read once per site per run.
    assert srv.requested("news.test", "/robots.txt") == 1


def test_the_budget_stops_page_requests_and_leaves_the_rest_for_the_next_run():
    with SitesServer() as srv, _fetcher() as f:
        for i in range(5):
            srv.add("lab.test", f"/p{i}", article(f"Post {i}"))
        targets = [(f"feed:{i}", srv.url("lab.test", f"/p{i}")) for i in range(5)]
        report = PageReader(f, budget=2).read(targets)
        pages = [p for h, p, _ in srv.log if p.startswith("/p")]
    assert report.requests == 2 and len(pages) == 2
    assert report.texts == 2 and report.left_for_next_run == 3
    assert "3 left for the next run" in report.summary()


def test_sites_are_read_concurrently_but_one_request_at_a_time_per_site():
    delay = 0.4
    with SitesServer() as srv, _fetcher(host_delay=delay) as f:
        hosts = ["a.test", "b.test", "c.test", "d.test"]
        targets = []
        for h in hosts:
            srv.add(h, "/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
            for i in range(2):
                srv.add(h, f"/p{i}", article(f"{h} post {i}"))
                targets.append((f"{h}:{i}", srv.url(h, f"/p{i}")))
        started = time.monotonic()
        report = PageReader(f, budget=50, workers=4).read(targets)
        took = time.monotonic() - started
        log = srv.log
    assert report.texts == 8
    # Each site: robots.txt + 2 pages = 3 requests, at least `delay` apart.
    for h in hosts:
        times = sorted(t for host, _, t in log if host == h)
        assert len(times) == 3
        assert all(b - a >= delay * 0.95 for a, b in zip(times, times[1:], strict=False))
    # One site at a time would take 4 sites x 2 gaps x delay = 3.2 s; concurrently about 0.8 s.
    assert took < 4 * 2 * delay * 0.6


# ----------------------------------------------------------------------------- the whole stage


HN_THREAD = {
    "id": 101,
    "type": "story",
    "title": "Gemini 2.0",
    "children": [
        {
            "id": 201,
            "type": "comment",
            "author": "alice",
            "created_at_i": 1733932800,
            "text": "<p>The multimodal live API is the real news here.</p>"
            "<p>Latency is &lt;1s.</p>",
            "children": [
                {
                    "id": 202,
                    "type": "comment",
                    "author": "bob",
                    "created_at_i": 1733933000,
                    "text": "Agreed, <a href='https://x.test'>the demo</a> was impressive.",
                    "children": [],
                }
            ],
        },
        {"id": 203, "type": "comment", "author": None, "text": None, "children": []},
        {
            "id": 204,
            "type": "comment",
            "author": "carol",
            "created_at_i": 1733934000,
            "text": "<script>alert(1)</script>Pricing is unclear.",
            "children": [],
        },
    ],
}


def _reddit_thread(post_id: str) -> list:
    def c(cid, author, body, score, parent, depth, replies=""):
        return {
            "kind": "t1",
            "data": {
                "id": cid,
                "author": author,
                "body": body,
                "score": score,
                "parent_id": parent,
                "depth": depth,
                "created_utc": 1733936000,
                "permalink": f"/r/LocalLLaMA/comments/{post_id}/x/{cid}/",
                "replies": replies,
            },
        }

    reply = {
        "kind": "Listing",
        "data": {"children": [c("c2", "dave", "Works on 24GB.", 12, "t1_c1", 1)]},
    }
    top = [
        c("c1", "erin", "Ran it locally, it beats Qwen on code.", 40, f"t3_{post_id}", 0, reply),
        c("c3", "[deleted]", "[removed]", 1, f"t3_{post_id}", 0),
        {"kind": "more", "data": {"children": ["c9"]}},
    ]
    return [
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": post_id}}]}},
        {"kind": "Listing", "data": {"children": top}},
    ]


def _store_with_top_story(tmp_path, srv: SitesServer) -> Store:
    st = Store.open(tmp_path / "a.db")
    hn = st.add_source("hn", "hn", srv.url("api.test", "/hn.algolia.com"))
    rd = st.add_source("r-local", "reddit", srv.url("api.test", "/www.reddit.com"))
    quiet = st.add_source("quiet", "feed", srv.url("lab.test", "/feed"), {"page_text": False})
    week_day = "2024-12-11T12:00:00+00:00"
    st.upsert_items(
        [
            Item(
                "hn:101",
                "hn",
                "Gemini 2.0",
                srv.url("news.test", "/gemini"),
                published_at=week_day,
                signals={"points": 900, "comments": 4},
            ),
            Item(
                "hn:102",
                "hn",
                "Gemini paywalled",
                srv.url("news.test", "/paywalled"),
                published_at=week_day,
                signals={"points": 100, "comments": 0},
            ),
        ],
        source_id=hn.id,
    )
    st.upsert_items(
        [
            Item(
                "reddit:abc",
                "reddit",
                "Gemini locally",
                None,
                "I tried it.",
                published_at=week_day,
                signals={"comments": 3},
                extra={"permalink": "https://www.reddit.com/r/LocalLLaMA/comments/abc/x/"},
            )
        ],
        source_id=rd.id,
    )
    st.upsert_items(
        [
            Item(
                "feed:q",
                "feed",
                "Gemini, quietly",
                srv.url("lab.test", "/blog/o3"),
                published_at=week_day,
            )
        ],
        source_id=quiet.id,
    )
    ids = dict(st.conn.execute("SELECT key, id FROM items").fetchall())
    with st.conn:
        st.conn.execute(
            "INSERT INTO stories(id, week, title, rank, updated_at) "
            "VALUES ('2024-W50-a', '2024-W50', 'Gemini 2.0', 1, 'now')"
        )
        for key in ids:
            st.conn.execute(
                "INSERT INTO story_items(story_id, item_id) VALUES ('2024-W50-a', ?)", (ids[key],)
            )
    return st


def test_top_stories_get_article_text_reasons_and_discussions(tmp_path, monkeypatch):
    monkeypatch.setenv("ABREAST_FETCH_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("ABREAST_FETCH_POLITENESS", "false")
    with SitesServer() as srv:
        _web(srv)
        srv.add(
            "api.test",
            "/hn.algolia.com/api/v1/items/101",
            json.dumps(HN_THREAD),
            "application/json",
        )
        srv.add(
            "api.test",
            "/www.reddit.com/comments/abc.json",
            json.dumps(_reddit_thread("abc")),
            "application/json",
        )
        st = _store_with_top_story(tmp_path, srv)
        settings = config.load()
        f = Fetcher(settings.fetch, resolver=SitesServer.resolver)
        report = read_top_stories(st, settings, fetcher=f)
        rows = {r.key: r for r in st.items()}
        assert rows["hn:101"].text_source == "page"
        assert "Gemini 2.0 Flash was announced" in rows["hn:101"].text
        assert rows["hn:102"].text == "" and rows["hn:102"].text_note == pagetext.NOTE_PAYWALL
        # The Reddit post keeps its own self-text; the opted-out source's page is never requested.
        assert (
            rows["reddit:abc"].text == "I tried it."
            and rows["reddit:abc"].text_source == "selftext"
        )
        assert srv.requested("lab.test", "/blog/o3") == 0 and rows["feed:q"].text == ""
        assert report.changed_weeks == {"2024-W50"}

        hn = st.comments_for(["hn:101"])
        assert [(c.id, c.author, c.depth, c.parent_id) for c in hn] == [
            ("hn:201", "alice", 0, None),
            ("hn:202", "bob", 1, "hn:201"),
            ("hn:204", "carol", 0, None),
        ]
        assert hn[0].text == "The multimodal live API is the real news here.\n\nLatency is <1s."
        assert hn[0].url == "https://news.ycombinator.com/item?id=201"
        assert "alert" not in hn[2].text and hn[2].posted_at == "2024-12-11T16:20:00+00:00"
        rd = st.comments_for(["reddit:abc"])
        assert [(c.id, c.author, c.score, c.parent_id) for c in rd] == [
            ("reddit:c1", "erin", 40, None),
            ("reddit:c2", "dave", 12, "reddit:c1"),
        ]
        assert rd[1].url == "https://www.reddit.com/r/LocalLLaMA/comments/abc/x/c2/"
        # hn:102 has no comments: its thread is not requested.
        assert srv.requested("api.test", "/hn.algolia.com/api/v1/items/102") == 0
        # A thread the site does not have (404) is recorded as gone and not asked for again.
        st.upsert_items(
            [
                Item(
                    "hn:103",
                    "hn",
                    "Gemini thread gone",
                    srv.url("news.test", "/gemini"),
                    published_at="2024-12-11T12:00:00+00:00",
                    signals={"comments": 9},
                )
            ],
            source_id=st.source("hn").id,
        )
        with st.conn:
            st.conn.execute(
                "INSERT INTO story_items(story_id, item_id) "
                "SELECT '2024-W50-a', id FROM items WHERE key = 'hn:103'"
            )
        gone = read_top_stories(st, settings, fetcher=f)
        assert gone.discussions.failed and "hn:103" in gone.discussions.failed[0]

        # A second run reads nothing again: texts kept, reasons kept, threads unchanged in size,
        # the missing thread not asked for again.
        before = len(srv.log)
        again = read_top_stories(st, settings, fetcher=f)
        assert len(srv.log) == before and not again.changed_weeks
        assert len(st.comments_for(["hn:101", "reddit:abc"])) == 5
        f.close()


def test_reading_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("ABREAST_FETCH_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("ABREAST_TEXT_ENABLED", "false")
    with SitesServer() as srv:
        _web(srv)
        st = _store_with_top_story(tmp_path, srv)
        report = read_top_stories(st, config.load())
        assert srv.log == [] and report.summary() == ""


def test_the_recent_weeks_read_are_full_weeks_and_the_weeks_after_them(tmp_path):
    from abreast.store.reading import recent_story_weeks

    st = Store.open(tmp_path / "a.db")
    sizes = {"2024-W49": 40, "2024-W50": 30, "2024-W51": 25, "2024-W52": 2, "2025-W01": 1}
    with st.conn:
        for week, n in sizes.items():
            for i in range(n):
                st.conn.execute(
                    "INSERT INTO stories(id, week, title, rank, updated_at) "
                    "VALUES (?, ?, 't', ?, 'x')",
                    (f"{week}-{i}", week, i + 1),
                )
    # Two quiet weeks at the end (a straggler, the week under way) do not push W50/W51 out.
    assert recent_story_weeks(st.conn, 2) == ["2024-W50", "2024-W51", "2024-W52", "2025-W01"]
    assert recent_story_weeks(st.conn, 1) == ["2024-W51", "2024-W52", "2025-W01"]


CARD = """---
license: apache-2.0
base_model: Qwen/Qwen2.5-7B
---
# QwQ-Tiny

[![badge](https://img.shields.io/badge/x.svg)](https://example.org)

## Introduction

QwQ-Tiny is a **reasoning** model distilled from [QwQ-32B](https://huggingface.co/Qwen/QwQ-32B),
built to show its work step by step on math and code problems while running on one consumer GPU.

## Quickstart

pip install transformers
"""


def test_a_model_gets_its_cards_first_section_and_keeps_it_across_refetches(tmp_path, monkeypatch):
    from abreast.collect.sources.hf import model_to_item

    monkeypatch.setenv("ABREAST_FETCH_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("ABREAST_FETCH_POLITENESS", "false")
    monkeypatch.setenv("ABREAST_TEXT_DISCUSSIONS", "false")
    with SitesServer() as srv:
        srv.add("hub.test", "/acme/QwQ-Tiny/raw/main/README.md", CARD, "text/plain; charset=utf-8")
        st = Store.open(tmp_path / "a.db")
        hf = st.add_source("hf-models", "hf", srv.url("hub.test", ""))
        model = model_to_item(
            {
                "id": "acme/QwQ-Tiny",
                "createdAt": "2024-12-11T00:00:00.000Z",
                "cardData": {"license": "apache-2.0"},
            }
        )
        st.upsert_items([model], source_id=hf.id)
        assert st.item("hf:acme/QwQ-Tiny").text_source == "metadata"
        with st.conn:
            st.conn.execute(
                "INSERT INTO stories(id, week, title, rank, updated_at) "
                "VALUES ('2024-W50-m', '2024-W50', 'QwQ-Tiny', 1, 'now')"
            )
            st.conn.execute(
                "INSERT INTO story_items(story_id, item_id) "
                "SELECT '2024-W50-m', id FROM items WHERE key = 'hf:acme/QwQ-Tiny'"
            )
        settings = config.load()
        f = Fetcher(settings.fetch, resolver=SitesServer.resolver)
        report = read_top_stories(st, settings, fetcher=f)
        f.close()
        row = st.item("hf:acme/QwQ-Tiny")
        assert row.text_source == "card" and report.changed_weeks == {"2024-W50"}
        assert row.text.startswith("QwQ-Tiny is a reasoning model distilled from QwQ-32B")
        assert "pip install" not in row.text and "license" not in row.text
        # The next fetch of the Hub gives the metadata description again: the card's words stay.
        counts = st.upsert_items([model], source_id=hf.id)
        assert counts.unchanged == 1 and st.item("hf:acme/QwQ-Tiny").text_source == "card"


def test_sources_add_no_page_text_keeps_a_sources_pages_unread(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from abreast.cli import context
    from abreast.cli.main import app

    monkeypatch.setenv("ABREAST_HOME", str(tmp_path))
    context.reset()
    runner = CliRunner()
    quiet = runner.invoke(
        app, ["sources", "add", "feed", "https://quiet.example/feed.xml", "--no-page-text"]
    )
    loud = runner.invoke(app, ["sources", "add", "feed", "https://loud.example/feed.xml"])
    assert quiet.exit_code == 0 and loud.exit_code == 0, quiet.output + loud.output
    configs = {s.url: s.config for s in context.store().sources()}
    assert configs["https://quiet.example/feed.xml"].get("page_text") is False
    assert "page_text" not in configs["https://loud.example/feed.xml"]  # on by default


O1_PAGE = (
    "<html><head><title>o1 for developers</title></head><body><article>"
    "<h1>OpenAI o1 and new tools for developers</h1>"
    "<p>Today we are introducing more capable models and new tools for customization. "
    "The o1 reasoning model is rolling out to developers on usage tier 5 in the API. "
    "Realtime API prices for audio drop by sixty percent with this release. "
    "Preference fine-tuning lets teams tailor models from pairs of preferred answers.</p>"
    "</article></body></html>"
)
TEASER = "Introducing OpenAI o1, Realtime API improvements and more for developers."


def test_a_feed_teaser_gets_its_article_read_beside_it_and_the_card_says_what_happened(
    tmp_path, monkeypatch
):
    """Issue 12: a lab feed gives one teaser sentence; the page is read too, stored apart from the
    teaser (which stays as the source gave it), and the card quotes the article, not the title."""
    from abreast.explain.card import build_card
    from abreast.store.stories import load_story

    monkeypatch.setenv("ABREAST_FETCH_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("ABREAST_FETCH_POLITENESS", "false")
    monkeypatch.setenv("ABREAST_TEXT_DISCUSSIONS", "false")
    with SitesServer() as srv:
        srv.add("lab.test", "/index/o1", O1_PAGE)
        srv.add("lab.test", "/index/full", article("Full post"))
        st = Store.open(tmp_path / "a.db")
        lab = st.add_source("lab-news", "feed", srv.url("lab.test", "/rss.xml"))
        full_text = (
            "The lab published its whole post in the feed. It explains the model in detail. "
            "It also lists the prices for every tier."
        )
        teaser = Item(
            "feed:o1",
            "feed",
            "OpenAI o1 and new tools for developers",
            srv.url("lab.test", "/index/o1"),
            TEASER,
            published_at="2024-12-17T18:00:00+00:00",
        )
        whole = Item(
            "feed:full",
            "feed",
            "Full post",
            srv.url("lab.test", "/index/full"),
            full_text,
            published_at="2024-12-17T18:00:00+00:00",
        )
        st.upsert_items([teaser, whole], source_id=lab.id)
        with st.conn:
            for n, key in enumerate(("feed:o1", "feed:full"), start=1):
                st.conn.execute(
                    "INSERT INTO stories(id, week, title, rank, updated_at) "
                    f"VALUES ('2024-W51-{n}', '2024-W51', 't', {n}, 'now')"
                )
                st.conn.execute(
                    "INSERT INTO story_items(story_id, item_id, role) "
                    f"SELECT '2024-W51-{n}', id, 'lead' FROM items WHERE key = ?",
                    (key,),
                )
        settings = config.load()
        with Fetcher(settings.fetch, resolver=SitesServer.resolver) as f:
            report = read_top_stories(st, settings, fetcher=f)
        # Only the teaser's page is read: a source that gave whole paragraphs is not second-guessed.
        assert srv.requested("lab.test", "/index/o1") == 1
        assert srv.requested("lab.test", "/index/full") == 0
        assert report.changed_weeks == {"2024-W51"}
        row = st.conn.execute(
            "SELECT text, text_source, page_text FROM items WHERE key = 'feed:o1'"
        ).fetchone()
        assert row["text"] == TEASER and row["text_source"] == "feed"
        assert "rolling out to developers on usage tier 5" in row["page_text"]
        # The next fetch of the feed gives the same teaser: unchanged, the article text stays.
        counts = st.upsert_items([teaser], source_id=lab.id)
        assert counts.unchanged == 1
        assert st.item("feed:o1").page_text == row["page_text"]
        # What a reader gets: sentences of the article, verified against the item's text.
        card = build_card(load_story(st.conn, "2024-W51-1"))
        said = [s.text for s in card.happened]
        assert len(said) >= 2 and not card.happened_note
        assert all(s in O1_PAGE for s in said if s != TEASER)
        assert any("usage tier 5" in s or "sixty percent" in s for s in said)
        assert "OpenAI o1 and new tools for developers" not in said
        st.close()
