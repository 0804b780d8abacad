"""Golden tests: every fixture response is parsed and compared with its recorded expected result,
plus explicit checks of the behaviour a reader would notice (no script survives, identities hold,
mojibake is repaired, a broken feed fails with a clear message).

Regenerate the expected files after an intended change with:
    ABREAST_UPDATE_GOLDEN=1 .venv/bin/pytest tests/collect/test_connectors.py
and review the diff before committing.
"""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from abreast.collect.base import SourceSpec
from abreast.collect.fetcher import Fetcher
from abreast.collect.sources._util import ParseError
from abreast.collect.sources.arxiv import Arxiv, parse_arxiv
from abreast.collect.sources.feed import Feed, parse_feed
from abreast.collect.sources.hf import HuggingFace, parse_models
from abreast.collect.sources.hn import HackerNews, fetch_hn_item, parse_algolia, parse_firebase_item
from abreast.collect.sources.reddit import Reddit, parse_listing

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("ABREAST_UPDATE_GOLDEN") == "1"

# What the HTTP layer would have said about these responses; the wrong-charset fixture lies in the
# header too, as misconfigured servers do.
CONTENT_TYPES = {
    "feed/quirk_wrong_charset.xml": "application/rss+xml; charset=ISO-8859-1",
    "feed/hf_blog_jsonfeed.json": "application/feed+json",
    "feed/not_a_feed.html": "text/html; charset=utf-8",
}


def parse_fixture(rel: str) -> dict:
    body = (FIXTURES / rel).read_bytes()
    try:
        if rel.startswith("feed/"):
            parsed = parse_feed(body, source_name="fixture", content_type=CONTENT_TYPES.get(rel))
            return {
                "feed_title": parsed.title,
                "items": [i.to_dict() for i in parsed.items],
                "warnings": parsed.warnings,
            }
        if rel.startswith("hn/firebase") or rel.startswith("hn/quirk_firebase"):
            item = parse_firebase_item(body)
            return {"item": item.to_dict() if item else None}
        if rel.startswith("hn/"):
            items, nb_pages, warnings = parse_algolia(body)
            return {
                "items": [i.to_dict() for i in items],
                "nb_pages": nb_pages,
                "warnings": warnings,
            }
        if rel.startswith("arxiv/"):
            page = parse_arxiv(body)
            return {
                "items": [i.to_dict() for i in page.items],
                "total": page.total,
                "warnings": page.warnings,
            }
        if rel.startswith("reddit/"):
            items, after, warnings = parse_listing(body)
            return {"items": [i.to_dict() for i in items], "after": after, "warnings": warnings}
        if rel.startswith("hf/"):
            items, warnings = parse_models(body)
            return {"items": [i.to_dict() for i in items], "warnings": warnings}
    except ParseError as exc:
        return {"error": f"ParseError: {exc}"}
    raise AssertionError(f"no parser for fixture {rel}")


def all_fixtures() -> list[str]:
    return sorted(
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.glob("*/*")
        if p.suffix in (".xml", ".json", ".html") and not p.name.endswith(".expected.json")
    )


@pytest.mark.parametrize("rel", all_fixtures())
def test_golden(rel):
    got = parse_fixture(rel)
    expected_path = FIXTURES / f"{rel}.expected.json"
    if UPDATE:
        expected_path.write_text(
            json.dumps(got, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )
    assert expected_path.exists(), (
        f"no golden file for {rel}; run with ABREAST_UPDATE_GOLDEN=1 and review it"
    )
    assert got == json.loads(expected_path.read_text(encoding="utf-8"))


def test_every_fixture_has_a_golden_file_and_no_golden_is_orphaned():
    inputs = {f"{rel}.expected.json" for rel in all_fixtures()}
    goldens = {str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*.expected.json")}
    assert goldens == inputs


# --- behaviour, stated explicitly --------------------------------------------------------------


def items_of(rel: str) -> list[dict]:
    return parse_fixture(rel)["items"]


def test_recorded_openai_feed_keys_titles_dates():
    items = items_of("feed/openai_rss.xml")
    assert [i["key"] for i in items] == [
        "feed:https://openai.com/index/deliberative-alignment",
        "feed:https://openai.com/index/o1-and-new-tools-for-developers",
        "feed:https://openai.com/index/elon-musk-wanted-an-openai-for-profit",
    ]
    assert items[0]["published_at"] == "2024-12-20T10:00:00+00:00"
    assert items[0]["extra"]["categories"] == ["Safety & Alignment"]


def test_no_executable_content_survives_in_any_feed_fixture():
    for rel in all_fixtures():
        if not rel.startswith("feed/"):
            continue
        for item in parse_fixture(rel).get("items", []):
            blob = json.dumps(item).lower()
            for bad in (
                "<script",
                "alert(",
                "onerror",
                "javascript:",
                "<iframe",
                "display:none",
                "onload",
            ):
                assert bad not in blob, (rel, bad, item["key"])


def test_hostile_html_keeps_the_readable_text():
    first, second = items_of("feed/quirk_script_html.xml")
    assert first["title"] == "Deliberative alignment & safety"
    assert "Introducing our new alignment strategy." in first["text"]
    assert "click me" in first["text"]
    assert "Second paragraph with AT&T and 5 < 6." in first["text"]
    assert "inside iframe" not in first["text"]
    assert second["url"] is None  # a javascript: link is not a link
    assert second["key"] == "feed:fixture#escaped-1"
    assert "Escaped bold" in second["text"] and "data link" in second["text"]


def test_identity_rules_for_feeds():
    keys = [i["key"] for i in items_of("feed/quirk_guid_collision.xml")]
    assert keys == [
        # same GUID, different links: the link tells them apart
        "feed:https://www.anthropic.com/research/building-effective-agents",
        "feed:https://www.anthropic.com/engineering/building-effective-agents",
        # same link, different GUIDs (changelog style): both kept, keyed by link + GUID
        "feed:https://example.org/changelog#changelog-2024-12-10",
        "feed:https://example.org/changelog#changelog-2024-12-17",
        # an exact repeat is kept once
        "feed:https://www.anthropic.com/research/clio",
        # no link and a shared GUID: GUID + content hash
        *[k for k in keys if k.startswith("feed:fixture#nolink sha256:")],
    ]
    assert len([k for k in keys if k.startswith("feed:fixture#nolink sha256:")]) == 2
    parsed = parse_fixture("feed/quirk_guid_collision.xml")
    assert parsed["warnings"] == [
        "duplicate entry feed:https://www.anthropic.com/research/clio in the same feed; "
        "kept the first"
    ]


def test_entries_without_guid_or_link():
    items = items_of("feed/quirk_no_guid_no_link.xml")
    assert items[0]["key"] == "feed:https://openai.com/index/o1-and-new-tools-for-developers"
    assert items[1]["key"].startswith("feed:fixture#sha256:")  # no GUID, no link: content hash
    assert items[2]["title"].startswith("An entry with neither title nor link")
    assert len(items) == 3  # the empty entry is skipped, with a warning
    assert any(
        "entry 4 skipped" in w for w in parse_fixture("feed/quirk_no_guid_no_link.xml")["warnings"]
    )


def test_valid_utf8_wins_over_a_wrong_declared_charset():
    item = items_of("feed/quirk_wrong_charset.xml")[0]
    assert item["title"] == "DeepSeek-V2.5-1210 发布 2024/12/10"
    assert item["text"] == "Elon Musk’s latest legal filing — café"


def test_real_latin1_still_decodes():
    item = items_of("feed/quirk_latin1.xml")[0]
    assert item["title"] == "Café naïve résumé"
    assert item["text"] == "Grüße aus München © 2024"


def test_truncated_feed_keeps_complete_entries_and_says_so():
    parsed = parse_fixture("feed/quirk_truncated.xml")
    assert [i["title"] for i in parsed["items"]][:2] == [
        "Deliberative alignment: reasoning enables safer language models",
        "OpenAI o1 and new tools for developers",
    ]
    assert len(parsed["items"]) == 2  # the cut-off third entry waits for a complete fetch
    assert (
        "not well-formed" in parsed["warnings"][0]
        and "ends inside an entry" in parsed["warnings"][1]
    )


def test_missing_closing_tags_alone_lose_no_entry():
    body = (FIXTURES / "feed/openai_rss.xml").read_bytes()
    assert len(parse_feed(body[: body.rindex(b"</channel>")], source_name="f").items) == 3
    cut_in_entry = parse_feed(body[: body.rindex(b"</item>")], source_name="f")
    assert len(cut_in_entry.items) == 2 and "ends inside an entry" in cut_in_entry.warnings[-1]


def test_unreadable_responses_fail_with_a_clear_message():
    assert "not an RSS, Atom or JSON feed" in parse_fixture("feed/not_a_feed.html")["error"]
    assert "malformed" in parse_fixture("feed/quirk_truncated_header.xml")["error"]
    assert "max_results must be non-negative" in parse_fixture("arxiv/quirk_api_error.xml")["error"]


def test_other_feed_formats():
    assert items_of("feed/quirk_rss091.xml")[0]["title"].startswith("FACTS Grounding")
    rdf = items_of("feed/quirk_rss10_rdf.xml")[0]
    assert (rdf["author"], rdf["published_at"]) == ("Simon Willison", "2024-12-11T20:52:40+00:00")
    rel = items_of("feed/quirk_relative_links.xml")
    assert rel[0]["url"] == "https://www.anthropic.com/research/alignment-faking"
    assert rel[1]["published_at"] == "2024-12-11T23:00:00+00:00"  # +01:00 converted to UTC
    blog = items_of("feed/hf_blog_jsonfeed.json")
    assert (
        blog[1]["url"] == "https://huggingface.co/blog/arena-atla"
    )  # relative JSON Feed url resolved
    quirks = parse_fixture("feed/jsonfeed_quirks.json")
    assert quirks["items"][0]["text"] == "Plain text with <b>not a tag</b>\nand a second line."
    assert (
        quirks["items"][1]["text"] == "Hello world" and quirks["items"][1]["published_at"] is None
    )
    assert quirks["items"][2]["url"] is None and quirks["items"][2]["key"].startswith(
        "feed:fixture#sha256:"
    )


def test_hn_hits():
    items = items_of("hn/algolia_search_by_date.json")
    ask = next(i for i in items if i["key"] == "hn:33369800")
    assert (
        ask["url"]
        == ask["extra"]["discussion_url"]
        == "https://news.ycombinator.com/item?id=33369800"
    )
    assert ask["extra"]["hn_tags"] == ["ask_hn"]
    assert items[0]["signals"] == {"points": 133, "comments": 81}
    quirks = parse_fixture("hn/quirk_hits.json")
    assert [i["key"] for i in quirks["items"]] == ["hn:42330001", "hn:42330002"]
    assert quirks["items"][0]["url"] == "https://news.ycombinator.com/item?id=42330001"
    assert quirks["items"][1]["text"] == "I wonder <b>why</b>:\n\nsecond para"
    assert quirks["nb_pages"] == 3


def test_hn_firebase_items():
    assert parse_fixture("hn/firebase_item.json")["item"]["key"] == "hn:33277989"
    assert parse_fixture("hn/quirk_firebase_dead.json")["item"] is None
    assert parse_fixture("hn/quirk_firebase_comment.json")["item"] is None


def test_arxiv_ids_versions_and_authors():
    items = items_of("arxiv/api_query.xml")
    assert [(i["key"], i["extra"]["version"]) for i in items] == [
        ("arxiv:2412.15115", "v2"),
        ("arxiv:2412.14093", "v2"),
        ("arxiv:2412.12997", "v3"),
    ]
    assert items[0]["url"] == "https://arxiv.org/abs/2412.15115"
    assert "\n" not in items[0]["text"] and items[0]["text"].startswith(
        "In this report, we introduce Qwen2.5"
    )
    quirks = parse_fixture("arxiv/quirk_ids.xml")
    assert [i["key"] for i in quirks["items"]] == ["arxiv:hep-th/9901001", "arxiv:2412.13663"]
    assert quirks["items"][1][
        "author"
    ] == "Benjamin Warner, Antoine Chaffin, Benjamin Clavié et.al.".replace("et.al.", "et al.")
    assert quirks["total"] == 250 and "entry 3 skipped" in quirks["warnings"][0]


def test_arxiv_garbled_prolog_falls_back_to_the_tolerant_reader():  # found by the fuzz test
    body = (
        (FIXTURES / "arxiv/api_query.xml")
        .read_bytes()
        .replace(b'encoding="UTF-8"', b'encoding="aUTF-8"', 1)
    )
    page = parse_arxiv(body)
    assert [i.key for i in page.items] == [
        "arxiv:2412.15115",
        "arxiv:2412.14093",
        "arxiv:2412.12997",
    ]
    assert "not well-formed" in page.warnings[0]


def test_reddit_posts():
    parsed = parse_fixture("reddit/new_listing.json")
    first = parsed["items"][0]
    assert first["key"] == "reddit:18n3ar3"
    assert first["signals"] == {"score": 1739, "comments": 112}
    assert (
        first["extra"]["permalink"]
        == "https://www.reddit.com/r/LocalLLaMA/comments/18n3ar3/karpathy_on_llm_evals/"
    )
    assert first["url"] == "https://i.redd.it/8g0zoors6i7c1.jpeg"
    assert parsed["after"] == f"t3_{parsed['items'][-1]['key'].split(':')[1]}"
    quirks = parse_fixture("reddit/quirk_posts.json")
    assert quirks["items"][0]["text"] == ""  # "[removed]" is not content
    assert (
        quirks["items"][1]["url"]
        == "https://www.reddit.com/r/LocalLLaMA/comments/1hzz001/removed_self_post/"
    )
    assert len(quirks["warnings"]) == 2


def test_hf_models_only_recorded_facts():
    items = items_of("hf/api_models.json")
    assert items[0]["key"] == "hf:Goekdeniz-Guelmez/Josiefied-Qwen2.5-0.5B-Instruct-abliterated-v1"
    assert (
        items[0]["text"]
        == "Model, 630M parameters, license apache-2.0, based on Qwen/Qwen2.5-0.5B."
    )
    assert (
        items[2]["text"] == "Model, 14.8B parameters."
    )  # no license, no base model recorded: none claimed
    quirks = items_of("hf/quirk_tags_only.json")
    assert quirks[0]["extra"]["base_model"] == ["example-org/tiny-ft"]
    assert quirks[0]["extra"]["base_model_relation"] == "quantized"
    assert quirks[0]["text"] == (
        "text-generation model (gguf), license mit, quantized from example-org/tiny-ft."
    )
    assert quirks[1]["text"] == "Model, license other, merged from org-a/model-a, org-b/model-b."
    assert quirks[0]["signals"] == {"likes": 12, "downloads": 3400, "trending": 31}


# --- collect(): each connector through the real Fetcher against a local server
# ---------------------
# The server answers under /<real host>/<real path>, exactly like the demo's replay server, so these
# tests also pin down which URLs each connector asks for.


class Replay(ThreadingHTTPServer):
    """routes: {path: handler(query: dict, headers: dict) -> (status, content_type, body, extra
    headers)}."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ReplayHandler)
        self.routes: dict = {}
        self.requests: list[tuple[str, dict, dict]] = []  # (path, query, headers)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ReplayHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        query = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(parts.query).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.requests.append((parts.path, query, headers))
        route = self.server.routes.get(parts.path)
        status, ctype, body, extra = (
            route(query, headers) if route else (404, "text/plain", b"no route", {})
        )
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def replay_server():
    server = Replay()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def replay(replay_server):
    replay_server.routes.clear()
    replay_server.requests.clear()
    return replay_server


@pytest.fixture
def fetcher():
    with Fetcher({"allow_private": ["127.0.0.1"], "politeness": False, "deadline": 10.0}) as f:
        yield f


def fixture_bytes(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


def test_feed_collect_uses_and_returns_validators(replay, fetcher):
    body = fixture_bytes("feed/openai_rss.xml")

    def news(query, headers):
        if headers.get("if-none-match") == '"v1"':
            return 304, "application/rss+xml", b"", {"ETag": '"v1"'}
        return (
            200,
            "application/rss+xml",
            body,
            {"ETag": '"v1"', "Last-Modified": "Fri, 20 Dec 2024 10:00:00 GMT"},
        )

    replay.routes["/openai.com/news/rss.xml"] = news
    source = SourceSpec(
        name="OpenAI News", kind="feed", url=f"{replay.base}/openai.com/news/rss.xml"
    )
    first = Feed().collect(source, fetcher)
    assert [i.key for i in first.items][0] == "feed:https://openai.com/index/deliberative-alignment"
    assert (first.etag, first.last_modified, first.http_status) == (
        '"v1"',
        "Fri, 20 Dec 2024 10:00:00 GMT",
        200,
    )
    assert "application/atom+xml" in replay.requests[0][2]["accept"]
    source.etag, source.last_modified = first.etag, first.last_modified
    second = Feed().collect(source, fetcher)
    assert second.not_modified and second.items == [] and second.etag == '"v1"'
    assert replay.requests[1][2]["if-modified-since"] == "Fri, 20 Dec 2024 10:00:00 GMT"


def test_feed_collect_applies_since_and_fails_clearly_on_html(replay, fetcher):
    replay.routes["/openai.com/news/rss.xml"] = lambda q, h: (
        200,
        "application/rss+xml",
        fixture_bytes("feed/openai_rss.xml"),
        {},
    )
    replay.routes["/openai.com/news"] = lambda q, h: (
        200,
        "text/html",
        fixture_bytes("feed/not_a_feed.html"),
        {},
    )
    source = SourceSpec(name="o", kind="feed", url=f"{replay.base}/openai.com/news/rss.xml")
    recent = Feed().collect(source, fetcher, since=datetime(2024, 12, 18, tzinfo=UTC))
    assert [i.published_at for i in recent.items] == ["2024-12-20T10:00:00+00:00"]
    with pytest.raises(ParseError, match="not an RSS, Atom or JSON feed"):
        Feed().collect(
            SourceSpec(name="o", kind="feed", url=f"{replay.base}/openai.com/news"), fetcher
        )


def test_feed_collect_repairs_a_lying_charset_header(replay, fetcher):
    replay.routes["/x/feed"] = lambda q, h: (
        200,
        "application/rss+xml; charset=ISO-8859-1",
        fixture_bytes("feed/quirk_wrong_charset.xml"),
        {},
    )
    result = Feed().collect(SourceSpec(name="x", kind="feed", url=f"{replay.base}/x/feed"), fetcher)
    assert result.items[0].title == "DeepSeek-V2.5-1210 发布 2024/12/10"


def test_hn_collect_pages_through_the_window(replay, fetcher):
    hits = json.loads(fixture_bytes("hn/algolia_search_by_date.json"))["hits"]

    def search(query, headers):
        page = int(query["page"])
        chunk = hits[:3] if page == 0 else hits[2:]  # page 1 repeats a hit, as date paging can
        return (
            200,
            "application/json",
            json.dumps({"hits": chunk, "page": page, "nbPages": 2}).encode(),
            {},
        )

    replay.routes["/hn.algolia.com/api/v1/search_by_date"] = search
    source = SourceSpec(
        name="hn:AI",
        kind="hn",
        url=f"{replay.base}/hn.algolia.com",
        config={"query": "AI", "points": 20},
    )
    since = datetime(2022, 10, 20, tzinfo=UTC)
    result = HackerNews().collect(source, fetcher, since=since)
    assert [i.key for i in result.items] == [
        "hn:33277989",
        "hn:33318687",
        "hn:33369800",
        "hn:33377795",
    ]
    asked = [q for path, q, _ in replay.requests]
    assert [q["page"] for q in asked] == ["0", "1"]
    assert asked[0]["tags"] == "story" and asked[0]["query"] == "AI"
    filters = asked[0]["numericFilters"].split(",")
    assert f"created_at_i>={int(since.timestamp())}" in filters and "points>=20" in filters
    assert any(re.fullmatch(r"created_at_i<=\d+", f) for f in filters)


def test_hn_single_item_from_firebase(replay, fetcher):
    replay.routes["/hacker-news.firebaseio.com/v0/item/33277989.json"] = lambda q, h: (
        200,
        "application/json",
        fixture_bytes("hn/firebase_item.json"),
        {},
    )
    item = fetch_hn_item(fetcher, 33277989, base_url=f"{replay.base}/hacker-news.firebaseio.com")
    assert item.key == "hn:33277989" and item.signals == {"points": 133, "comments": 81}


def test_arxiv_collect_pages_newest_first_until_older_than_since(replay, fetcher):
    text = fixture_bytes("arxiv/api_query.xml").decode()
    head, *entries = text.split("  <entry>")
    entries[-1] = entries[-1].replace("</feed>\n", "")

    def query(q, headers):
        start, size = int(q["start"]), int(q["max_results"])
        page = "".join("  <entry>" + e for e in entries[start : start + size])
        return 200, "application/atom+xml", (head + page + "</feed>\n").encode(), {}

    replay.routes["/export.arxiv.org/api/query"] = query
    source = SourceSpec(
        name="arxiv",
        kind="arxiv",
        url=f"{replay.base}/export.arxiv.org",
        config={"categories": ["cs.CL", "cs.LG", "cs.AI"], "page_size": 2},
    )
    result = Arxiv().collect(source, fetcher, since=datetime(2024, 12, 18, tzinfo=UTC))
    assert [i.key for i in result.items] == [
        "arxiv:2412.15115",
        "arxiv:2412.14093",
    ]  # 2412.12997 is older
    asked = [q for _, q, _ in replay.requests]
    assert [q["start"] for q in asked] == ["0", "2"]
    assert asked[0]["search_query"] == "cat:cs.CL OR cat:cs.LG OR cat:cs.AI"
    assert (asked[0]["sortBy"], asked[0]["sortOrder"]) == ("submittedDate", "descending")


def test_reddit_collect_follows_after_until_older_than_since(replay, fetcher):
    listing = json.loads(fixture_bytes("reddit/new_listing.json"))
    posts = sorted(
        listing["data"]["children"], key=lambda c: -c["data"]["created_utc"]
    )  # /new order

    def new(q, headers):
        page = posts[:2] if "after" not in q else posts[2:]
        after = page[-1]["data"]["name"] if "after" not in q else None
        return (
            200,
            "application/json",
            json.dumps({"kind": "Listing", "data": {"after": after, "children": page}}).encode(),
            {},
        )

    replay.routes["/www.reddit.com/r/LocalLLaMA/new.json"] = new
    source = SourceSpec(
        name="r/LocalLLaMA",
        kind="reddit",
        url=f"{replay.base}/www.reddit.com",
        config={"subreddit": "LocalLLaMA"},
    )
    result = Reddit().collect(source, fetcher, since=datetime(2024, 1, 1, tzinfo=UTC))
    assert [i.key for i in result.items] == ["reddit:1efya2r", "reddit:1bqmuto"]
    asked = [q for _, q, _ in replay.requests]
    assert len(asked) == 2 and asked[1]["after"] == "t3_1bqmuto" and asked[0]["raw_json"] == "1"


def test_hf_collect_asks_for_trending_with_the_metadata_it_describes(replay, fetcher):
    replay.routes["/huggingface.co/api/models"] = lambda q, h: (
        200,
        "application/json",
        fixture_bytes("hf/api_models.json"),
        {},
    )
    source = SourceSpec(
        name="hf-trending",
        kind="hf",
        url=f"{replay.base}/huggingface.co",
        config={"sort": "trending"},
    )
    result = HuggingFace().collect(source, fetcher, since=datetime(2024, 12, 1, tzinfo=UTC))
    assert len(result.items) == 3  # trending is "now", not a date window: nothing dropped by since
    q = replay.requests[0][1]
    assert q["sort"] == "trendingScore" and {"cardData", "safetensors", "tags", "createdAt"} <= set(
        q["expand"]
    )


def test_targets_map_to_sources():
    assert Reddit().source_from_target("https://www.reddit.com/r/LocalLLaMA/")["config"] == {
        "subreddit": "LocalLLaMA"
    }
    assert Arxiv().source_from_target("cs.CL, cs.LG")["config"] == {
        "categories": ["cs.CL", "cs.LG"]
    }
    assert (
        Arxiv().source_from_target('abs:"small language model"')["config"]["query"]
        == 'abs:"small language model"'
    )
    assert HackerNews().source_from_target("LLM")["config"] == {"query": "LLM"}
    with pytest.raises(ParseError):
        Feed().source_from_target("file:///etc/passwd")
    with pytest.raises(ParseError):
        HuggingFace().source_from_target("random")


def test_default_sources_are_real_endpoints_each_connector_accepts():
    from abreast.collect.base import connectors
    from abreast.collect.defaults import DEFAULT_SOURCES
    from abreast.collect.sources.arxiv import search_query
    from abreast.collect.sources.reddit import subreddit_of

    names = [s["name"] for s in DEFAULT_SOURCES]
    assert len(names) == len(set(names))
    assert (
        {s["kind"] for s in DEFAULT_SOURCES}
        == {"hn", "arxiv", "feed", "reddit", "hf"}
        <= set(connectors())
    )
    for s in DEFAULT_SOURCES:
        assert s["url"].startswith("https://"), s
        spec = SourceSpec(name=s["name"], kind=s["kind"], url=s["url"], config=s["config"])
        if s["kind"] == "reddit":
            assert subreddit_of(spec) in ("LocalLLaMA", "MachineLearning")
        if s["kind"] == "arxiv":
            assert search_query(s["config"]["categories"]) == "cat:cs.CL OR cat:cs.LG OR cat:cs.AI"


def test_an_aggregators_metadata_is_not_article_text():
    """Issue 12: the Anthropic and DeepSeek feeds of the demo put labelled fields or the title where
    the summary belongs; counted as text, they hid the article (its page was never read) and the
    card had nothing to say."""
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Anthropic News</title><id>x</id>
<updated>2024-12-20T00:00:00Z</updated>
<entry><title>Building effective agents</title><id>a</id>
<link href="https://www.anthropic.com/research/building-effective-agents"/>
<updated>2024-12-19T21:14:00+00:00</updated>
<summary>Organization: Anthropic | Source: Anthropic (research)</summary></entry>
<entry><title>DeepSeek-V2.5-1210 2024/12/10</title><id>b</id>
<link href="https://api-docs.deepseek.com/news/news1210"/>
<updated>2024-12-10T00:00:00+00:00</updated>
<summary>DeepSeek news: DeepSeek-V2.5-1210 2024/12/10</summary></entry>
<entry><title>Clio</title><id>c</id><link href="https://www.anthropic.com/research/clio"/>
<updated>2024-12-12T00:00:00+00:00</updated>
<summary>Note: Clio reads conversations in aggregate. It keeps no names | privacy: kept</summary>
</entry></feed>"""
    items = parse_feed(body, source_name="anthropic-news").items
    assert [i.text for i in items[:2]] == ["", ""]
    assert [i.source_of_text() for i in items[:2]] == [None, None]
    # Real sentences with a colon and a bar are the article's words: kept.
    assert items[2].text.startswith("Note: Clio reads conversations in aggregate.")
