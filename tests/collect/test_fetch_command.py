"""`abreast fetch` and `abreast sources` as a user runs them, over real HTTP on 127.0.0.1."""

import pytest
from typer.testing import CliRunner

from abreast.cli import context
from abreast.cli.main import app
from abreast.demo.replay import ReplayServer
from abreast.demo.sources import demo_sources

from .hostile_server import HostileServer

runner = CliRunner()


@pytest.fixture
def loopback(monkeypatch):
    monkeypatch.setenv("ABREAST_FETCH_ALLOW_PRIVATE", "127.0.0.1")
    monkeypatch.setenv("ABREAST_FETCH_POLITENESS", "false")
    context.reset()


def _run(*args):
    context.reset()
    context.console.width = 400  # one table row per line, so assertions can read it
    return runner.invoke(app, list(args))


def test_fetching_twice_creates_no_duplicates(loopback):
    with ReplayServer() as server:
        wanted = {"hn", "openai-news", "r-localllama"}
        for s in demo_sources(server.url):
            if s["name"] in wanted:
                context.store().add_source(s["name"], s["kind"], s["url"], s.get("config"))
        first = _run("fetch", "--since", "2023-11-20")
        assert first.exit_code == 0, first.output
        n = context.store().conn.execute("SELECT count(*) FROM items").fetchone()[0]
        second = _run("fetch", "--since", "2023-11-20")
        assert second.exit_code == 0, second.output
        assert context.store().conn.execute("SELECT count(*) FROM items").fetchone()[0] == n > 1000
    assert (
        "fetch results" in second.output and "not_modified" in second.output
    )  # conditional GET on feeds


def test_a_failing_source_pauses_visibly_and_retry_resumes_it_without_touching_others(loopback):
    with HostileServer() as bad, ReplayServer() as good:
        bad.add_static("/feed.xml", b"oops", status=500, content_type="text/plain")
        _run("sources", "add", "feed", bad.url("/feed.xml"), "--name", "broken")
        _run("sources", "add", "feed", good.url + "/openai.com/news/rss.xml", "--name", "openai")
        for _ in range(3):
            _run("fetch")
        listing = _run("sources", "list").output
        assert "paused after 3 failures" in listing and "sources retry broken" in listing
        assert context.store().conn.execute("SELECT count(*) FROM items").fetchone()[0] > 0
        res = _run("fetch")
        assert "paused" in res.output and bad.hits["/feed.xml"] == 3  # paused: not requested again
        assert _run("sources", "retry", "broken").exit_code == 0
        _run("fetch", "--source", "broken")
        assert bad.hits["/feed.xml"] == 4


def test_opml_round_trip_through_the_cli(tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Miniflux</title></head><body>
<outline text="AI"><outline title="Simon Willison" text="Simon Willison" xmlUrl="https://simonwillison.net/atom/everything/"
 htmlUrl="https://simonwillison.net/" type="rss"/></outline></body></opml>""")
    assert _run("sources", "import", str(opml)).exit_code == 0
    out = _run("sources", "export").output
    assert 'xmlUrl="https://simonwillison.net/atom/everything/"' in out and 'text="AI"' in out


def test_unknown_source_kind_is_one_clear_error():
    res = _run("sources", "add", "myspace", "https://example.com")
    assert res.exit_code == 1 and "no connector 'myspace'" in res.output


FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A new open model</title><link>https://example.com/a</link></item></channel></rss>"""


@pytest.mark.parametrize(
    "bad", ["read_timeout = 0", "max_bytes = -1", 'host_delay = "abc"', "max_redirects = -2"]
)
def test_a_bad_fetch_setting_fails_before_any_source_is_touched(loopback, abreast_home, bad):
    """A nonsense setting used to become one failure per source, pausing healthy sources that
    stayed paused after the setting was fixed."""
    with HostileServer() as server:
        server.add_static("/feed.xml", FEED)
        for name in ("one", "two", "three"):
            assert (
                _run("sources", "add", "feed", server.url("/feed.xml"), "--name", name).exit_code
                == 0
            )
        (abreast_home / "abreast.toml").write_text(f"[fetch]\n{bad}\n")
        for _ in range(3):
            res = _run("fetch")
            assert res.exit_code == 1
            assert f"[fetch] {bad} is not allowed" in res.output and "Traceback" not in res.output
        assert server.hits.get("/feed.xml", 0) == 0
        (abreast_home / "abreast.toml").unlink()
        _run("fetch")  # the setting fixed: every source works at once
        conn = context.store().conn
        rows = conn.execute("SELECT error_count, paused FROM sources").fetchall()
        assert [tuple(r) for r in rows] == [(0, 0)] * 3
        assert (
            conn.execute("SELECT count(*) FROM fetches WHERE status = 'error'").fetchone()[0] == 0
        )
        assert server.hits["/feed.xml"] == 3


def test_a_full_database_stops_the_fetch_and_is_not_counted_against_the_source(tmp_path):
    """The database refusing writes is abreast's trouble, not the source's: it used to count as a
    failure of every source and pause them."""
    from datetime import date

    from abreast import config
    from abreast.collect.run import fetch_sources
    from abreast.demo.sources import DEMO_FETCH
    from abreast.errors import StoreError
    from abreast.store import Store

    st = Store.open(tmp_path / "full.db")
    with ReplayServer() as server:
        hn = next(s for s in demo_sources(server.url) if s["name"] == "hn")
        st.add_source(hn["name"], hn["kind"], hn["url"], hn.get("config"))
        pages = st.conn.execute("PRAGMA page_count").fetchone()[0]
        st.conn.execute(f"PRAGMA max_page_count = {pages + 4}")  # a real SQLITE_FULL, soon
        settings = config.load(tmp_path, environ={}, overrides={"fetch": DEMO_FETCH})
        with pytest.raises(StoreError, match="full.*nothing was counted against the source"):
            fetch_sources(st, settings, since=date(2024, 11, 18))
    src = st.source("hn")
    assert src.error_count == 0 and not src.paused
    st.close()
