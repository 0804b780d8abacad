"""The replay server answers real HTTP in the real services' shapes, from the bundled snapshot."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import httpx
import pytest

from abreast.demo.recording import FEEDS, SNAPSHOT_DIR
from abreast.demo.replay import ReplayServer
from abreast.demo.sources import DEMO_WINDOWS, demo_sources

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
HNRSS_2023 = REPO / "scripts" / "recorded" / "hn-frontpage-ai-2023-12-04_10"
KEPT = [("2023-11-01", "2023-12-31"), ("2024-11-10", "2024-12-31")]


def epoch(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def server():
    with ReplayServer() as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


# ---------------------------------------------------------------- Hacker News


def hn_search(client, **params):
    r = client.get("/hn.algolia.com/api/v1/search_by_date", params={"tags": "story", **params})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    return r.json()


def test_hn_window_filter_pages_newest_first_without_gaps(client):
    lo, hi = epoch("2024-12-09"), epoch("2024-12-16")
    filters = f"created_at_i>={lo},created_at_i<{hi}"
    first = hn_search(client, numericFilters=filters, hitsPerPage=50, page=0)
    assert first["nbHits"] == 7 * 30  # seven recorded days of the daily top 30
    assert first["nbPages"] == 5 and first["hitsPerPage"] == 50 and first["page"] == 0
    seen = []
    for page in range(first["nbPages"]):
        seen += hn_search(client, numericFilters=filters, hitsPerPage=50, page=page)["hits"]
    assert len(seen) == len({h["objectID"] for h in seen}) == 210
    stamps = [h["created_at_i"] for h in seen]
    assert stamps == sorted(stamps, reverse=True) and lo <= min(stamps) and max(stamps) < hi
    hit = seen[0]
    assert {
        "objectID",
        "title",
        "created_at",
        "created_at_i",
        "points",
        "story_id",
        "_tags",
    } <= set(hit)
    assert "author" not in hit  # not recorded, so not served
    assert hit["created_at"] == datetime.fromtimestamp(hit["created_at_i"], UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


def test_hn_points_filter_and_unrecorded_points(client):
    dec2023 = f"created_at_i>={epoch('2023-12-01')},created_at_i<{epoch('2023-12-08')}"
    hnrss = [
        json.loads(line)
        for line in (HNRSS_2023 / "hn_frontpage_ai_2023-12-04_10.jsonl").read_text().splitlines()
    ]
    early = [r for r in hnrss if r["date_published"] < "2023-12-08"]
    # 28 stories recorded without points (signalkite) + the hnrss front-page rows of those days
    assert hn_search(client, numericFilters=dec2023)["nbHits"] == 28 + len(early)
    # records lacking points never match a numeric filter on points (as on Algolia)
    with_points = [r for r in early if r["points"] is not None and r["points"] >= 1]
    assert hn_search(client, numericFilters=dec2023 + ",points>=1")["nbHits"] == len(with_points)
    strong = hn_search(client, numericFilters="points>=1000", hitsPerPage=1000)
    assert strong["nbHits"] > 0 and all(h["points"] >= 1000 for h in strong["hits"])


def test_hn_algolia_stops_at_1000_hits_and_rejects_bad_filters(client):
    everything = hn_search(client, hitsPerPage=100, page=0)
    assert everything["nbHits"] == 1126 and everything["nbPages"] == 10
    assert hn_search(client, hitsPerPage=100, page=10)["hits"] == []
    bad = client.get(
        "/hn.algolia.com/api/v1/search_by_date", params={"numericFilters": "points>>3"}
    )
    assert bad.status_code == 400 and "numericFilters" in bad.json()["message"]


def test_hn_front_page_search_ranks_by_points_and_tags_or(client):
    r = client.get(
        "/hn.algolia.com/api/v1/search", params={"tags": "front_page", "hitsPerPage": 20}
    ).json()
    points = [h["points"] for h in r["hits"]]
    assert points == sorted(points, reverse=True) and r["nbHits"] == 1050 + 48  # 2024 + 2023
    either = client.get(
        "/hn.algolia.com/api/v1/search", params={"tags": "story,(ask_hn,show_hn)"}
    ).json()
    assert either["nbHits"] > 0
    assert all({"ask_hn", "show_hn"} & set(h["_tags"]) for h in either["hits"])
    assert all("url" not in h for h in either["hits"] if "ask_hn" in h["_tags"])


def test_hn_firebase_item_and_unknown_item(client):
    item = client.get("/hacker-news.firebaseio.com/v0/item/42166030.json").json()
    assert item == {
        "id": 42166030,
        "type": "story",
        "score": 375,
        "descendants": 472,
        "time": epoch("2024-11-18"),
        "url": item["url"],
        "title": item["title"],
    }
    assert item["url"].startswith("https://www.lancaster.ac.uk/")
    unknown = client.get("/hacker-news.firebaseio.com/v0/item/1.json")
    assert unknown.status_code == 200 and unknown.json() is None


# ---------------------------------------------------------------- arXiv


def arxiv(client, **params) -> ET.Element:
    r = client.get("/export.arxiv.org/api/query", params=params)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(r.content)


def entries_of(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def test_arxiv_category_query_pages_by_submitted_date(client):
    query = {
        "search_query": "cat:cs.CL OR cat:cs.LG",
        "sortBy": "submittedDate",
        "sortOrder": "descending",
    }
    first = arxiv(client, start=0, max_results=50, **query)
    total = int(first.find(f"{OPENSEARCH}totalResults").text)
    assert total > 5000
    assert first.find(f"{OPENSEARCH}itemsPerPage").text == "50"
    second = arxiv(client, start=50, max_results=50, **query)
    assert second.find(f"{OPENSEARCH}startIndex").text == "50"
    ids = [e.find(f"{ATOM}id").text for e in entries_of(first) + entries_of(second)]
    assert len(set(ids)) == 100 and all(
        re.fullmatch(r"http://arxiv\.org/abs/\d{4}\.\d{5}(v\d+)?", i) for i in ids
    )
    published = [e.find(f"{ATOM}published").text for e in entries_of(first) + entries_of(second)]
    assert published == sorted(published, reverse=True)
    # The same query sent pre-encoded (`+OR+`, as many clients write it) gives the same answer.
    raw = client.get(
        "/export.arxiv.org/api/query?search_query=cat:cs.CL+OR+cat:cs.LG"
        "&sortBy=submittedDate&sortOrder=descending&start=0&max_results=50"
    )
    assert ET.fromstring(raw.content).find(f"{OPENSEARCH}totalResults").text == str(total)


def test_arxiv_entries_carry_abstracts_authors_categories_links(client):
    feed = arxiv(
        client, id_list="2412.14093"
    )  # Alignment faking: in the listing and the abstracts file
    (entry,) = entries_of(feed)
    assert entry.find(f"{ATOM}title").text == "Alignment faking in large language models"
    assert "alignment faking" in entry.find(f"{ATOM}summary").text
    assert len(entry.findall(f"{ATOM}author")) > 5
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} <= {"cs.CL", "cs.AI", "cs.IR"}
    links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
    assert links["alternate"].startswith("http://arxiv.org/abs/2412.14093")
    assert links["related"].startswith("http://arxiv.org/pdf/2412.14093")


def test_arxiv_category_match_and_unrecorded_categories(client):
    feed = arxiv(client, search_query="cat:cs.IR", max_results=2000)
    cats = [{c.get("term") for c in e.findall(f"{ATOM}category")} for e in entries_of(feed)]
    assert any("cs.IR" in c for c in cats)
    assert all(not c or "cs.IR" in c for c in cats)  # recorded categories must match; none = any
    only_cl = arxiv(client, search_query="cat:cs.CL ANDNOT cat:cs.IR", max_results=2000)
    assert all(
        "cs.IR" not in {c.get("term") for c in e.findall(f"{ATOM}category")}
        for e in entries_of(only_cl)
    )


def test_arxiv_submitted_date_range_and_errors(client):
    feed = arxiv(
        client,
        search_query="cat:cs.CL AND submittedDate:[202312040000 TO 202312052359]",
        max_results=500,
    )
    days = {e.find(f"{ATOM}published").text[:10] for e in entries_of(feed)}
    assert days == {"2023-12-04", "2023-12-05"}
    bad = client.get("/export.arxiv.org/api/query", params={"search_query": "cat:cs.CL AND ("})
    assert bad.status_code == 400 and b"<title>Error</title>" in bad.content


# ---------------------------------------------------------------- Reddit


def test_reddit_listing_pages_newest_first_with_after_cursor(client):
    names, after = [], None
    while True:
        params = {"limit": 40, "raw_json": 1, **({"after": after} if after else {})}
        r = client.get("/www.reddit.com/r/LocalLLaMA/new.json", params=params)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        body = r.json()
        assert body["kind"] == "Listing" and body["data"]["dist"] == len(body["data"]["children"])
        for child in body["data"]["children"]:
            post = child["data"]
            assert (
                child["kind"] == "t3"
                and post["name"] == f"t3_{post['id']}"
                and post["subreddit"] == "LocalLLaMA"
            )
            assert post["permalink"].startswith("/r/LocalLLaMA/comments/")
            names.append(post["name"])
        after = body["data"]["after"]
        if after is None:
            break
    ids = [int(n[3:], 36) for n in names]
    assert len(names) == len(set(names)) > 100 and ids == sorted(ids, reverse=True)


def test_reddit_recorded_fields_only_and_legacy_escaping(client):
    posts = [
        c["data"]
        for c in client.get(
            "/www.reddit.com/r/LocalLLaMA/new.json", params={"limit": 100, "raw_json": 1}
        ).json()["data"]["children"]
    ]
    karpathy_era = [p for p in posts if "created_utc" in p]
    assert karpathy_era and all("author" in p for p in karpathy_era)
    assert any("created_utc" not in p and "author" not in p for p in posts)  # AINews-only posts
    raw = client.get(
        "/www.reddit.com/r/LocalLLaMA/new.json", params={"limit": 100, "raw_json": 1}
    ).text
    legacy = client.get("/www.reddit.com/r/LocalLLaMA/new.json", params={"limit": 100}).text
    assert "fits on <41GB VRAM" in raw and "fits on &lt;41GB VRAM" in legacy
    assert "context length & Apache" in raw and "context length &amp; Apache" in legacy
    assert client.get("/www.reddit.com/r/NoSuchSubHere/new.json").status_code == 404


# ---------------------------------------------------------------- Hugging Face


def test_hf_models_list_sorts_limits_and_carries_lineage(client):
    newest = client.get(
        "/huggingface.co/api/models", params={"sort": "createdAt", "direction": -1, "limit": 30}
    )
    assert newest.headers["content-type"] == "application/json; charset=utf-8"
    models = newest.json()
    created = [m["createdAt"] for m in models]
    assert len(models) == 30 and created == sorted(created, reverse=True)
    trending = client.get(
        "/huggingface.co/api/models", params={"sort": "trendingScore", "limit": 10}
    ).json()
    likes = [m["likes"] for m in trending]
    assert likes == sorted(likes, reverse=True)
    assert all("downloads" not in m and "trendingScore" not in m for m in trending)  # not recorded
    qwq = client.get("/huggingface.co/api/models/Qwen/QwQ-32B-Preview").json()
    assert qwq["author"] == "Qwen" and "base_model:Qwen/Qwen2.5-32B" in qwq["tags"]
    assert qwq["cardData"] == {"base_model": "Qwen/Qwen2.5-32B", "license": "apache-2.0"}
    assert client.get("/huggingface.co/api/models/nobody/nothing").status_code == 404


# ---------------------------------------------------------------- feeds and demo sources


@pytest.mark.parametrize("route", FEEDS, ids=[f.name for f in FEEDS])
def test_feeds_parse_and_stay_inside_the_kept_ranges(client, route):
    r = client.get("/" + route.path)
    assert r.status_code == 200 and r.headers["content-type"] == route.content_type
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo and parsed.entries
    for entry in parsed.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        day = datetime(*stamp[:3]).date().isoformat()
        assert any(lo <= day <= hi for lo, hi in KEPT), (route.name, day)


def test_demo_sources_all_answer(client, server):
    sources = demo_sources(server.url)
    assert len({s["name"] for s in sources}) == len(sources)
    assert {s["kind"] for s in sources} == {"hn", "arxiv", "feed", "reddit", "hf"}
    probes = {
        "hn": "/api/v1/search_by_date?tags=story",
        "arxiv": "/api/query?search_query=cat:cs.CL",
        "hf": "/api/models?limit=1",
        "feed": "",
    }
    for s in sources:
        assert s["url"].startswith(server.url + "/")
        tail = (
            f"/r/{s['config']['subreddit']}/new.json"
            if s["kind"] == "reddit"
            else probes[s["kind"]]
        )
        assert client.get(s["url"] + tail).status_code == 200, s["name"]
    assert DEMO_WINDOWS == [("2023-11-20", "2023-12-17"), ("2024-11-18", "2024-12-22")]


# ---------------------------------------------------------------- HTTP behaviour


def test_conditional_get_round_trip_and_gzip(client):
    url = "/openai.com/news/rss.xml"
    first = client.get(url)
    assert (
        first.headers["content-encoding"] == "gzip"
    )  # httpx asks for it, like the real hosts serve it
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert (
        modified == "Fri, 27 Dec 2024 00:00:00 GMT"
    )  # the newest recorded item, not the build time
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert (
        client.get(url, headers={"If-Modified-Since": "Thu, 26 Dec 2024 00:00:00 GMT"}).status_code
        == 200
    )
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == first.content
    assert plain.headers["etag"] == '"' + hashlib.sha256(plain.content).hexdigest()[:32] + '"'
    head = client.head(url, headers={"Accept-Encoding": "identity"})
    assert (
        head.status_code == 200
        and head.content == b""
        and head.headers["etag"] == plain.headers["etag"]
    )
    assert client.get("/example.com/nothing").status_code == 404


def test_cli_serves_until_stopped():
    proc = subprocess.Popen(
        [sys.executable, "-m", "abreast.demo.replay", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline()).group(0)
        assert httpx.get(url + "/deepmind.google/blog/rss.xml", timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---------------------------------------------------------------- the snapshot itself


def snapshot_files() -> list[str]:
    return sorted(
        p.relative_to(SNAPSHOT_DIR).as_posix() for p in SNAPSHOT_DIR.rglob("*") if p.is_file()
    )


def test_snapshot_is_small_checksummed_and_fully_documented():
    files = snapshot_files()
    assert sum((SNAPSHOT_DIR / f).stat().st_size for f in files) < 8 * 1024 * 1024
    manifest = json.loads((SNAPSHOT_DIR / "manifest.json").read_text())
    assert sorted([*manifest["files"], "manifest.json"]) == files
    for rel, info in manifest["files"].items():
        assert (
            hashlib.sha256(gzip.decompress((SNAPSHOT_DIR / rel).read_bytes())).hexdigest()
            == info["sha256"]
        )
    provenance = (SNAPSHOT_DIR.parent / "PROVENANCE.md").read_text()
    documented = set(re.findall(r"^## `snapshot/([^`]+)`", provenance, re.M))
    assert documented == set(files)


@pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="the recorded data (../shared/data) is not here"
)
def test_snapshot_build_is_deterministic(tmp_path):
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_snapshot.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    rebuilt = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert rebuilt == snapshot_files()
    for rel in rebuilt:
        assert (tmp_path / rel).read_bytes() == (SNAPSHOT_DIR / rel).read_bytes(), rel


def test_recorded_article_pages_are_read_at_their_own_url_through_the_replay(server):
    """The demo's reading stage reads a recorded article (the HF blog post's opening, rendered from
    the huggingface/blog markdown) at its real URL, through the real fetcher and trafilatura;
    an article the snapshot does not record is answered 404, never fetched from the real site."""
    from abreast.collect.fetcher import Fetcher
    from abreast.collect.pagetext import PageReader

    recorded = REPO / "scripts/recorded/hf-blog-openings-2024-12/hf_blog_openings_2024-12.jsonl"
    rows = [json.loads(line) for line in recorded.read_text(encoding="utf-8").splitlines()]
    assert {r["url"] for r in rows} >= {
        "https://huggingface.co/blog/modernbert",
        "https://huggingface.co/blog/falcon3",
    }
    settings = {"allow_private": ["127.0.0.1"], "politeness": False, "replay": server.url}
    with Fetcher(settings) as f:
        assert f.via_replay("https://huggingface.co/blog/falcon3?x=1") == (
            f"{server.url}/huggingface.co/blog/falcon3?x=1"
        )
        report = PageReader(f, budget=10).read(
            [
                ("feed:modernbert", "https://huggingface.co/blog/modernbert"),
                ("hn:1", "https://www.anthropic.com/news/elections-ai-2024"),
            ]
        )
    got = {r.key: r for r in report.results}
    text = got["feed:modernbert"].text
    assert "This blog post introduces ModernBERT, a family of state-of-the-art encoder-only" in text
    assert "(395M params) model size." in text and "<" not in text
    # The reader is told the demo snapshot lacks the page, not that the publisher removed it.
    assert not got["hn:1"].text and "no recorded copy" in got["hn:1"].note
    assert "gone" not in got["hn:1"].note


def test_window_papers_announced_after_the_window_carry_their_recorded_abstract():
    """Deliberative Alignment (2412.16339, a 2024-W51 top story whose OpenAI feed entry is one
    teaser sentence) was announced on 2024-12-24: its abstract comes from the same source's later
    listing day, verbatim, and is what the arXiv API of the replay serves as its summary."""
    from abreast.demo.recording import Recording

    recorded = (
        REPO / "scripts/recorded/arxiv-abstracts-2024-12-23_31/arxiv_abstracts_2024-12-23_31.jsonl"
    )
    rows = {
        r["arxiv_id"]: r for r in map(json.loads, recorded.read_text(encoding="utf-8").splitlines())
    }
    entries = {e["id"]: e for e in Recording().arxiv_entries}
    assert len(rows) == 252 and all(entries[i]["summary"] == r["abstract"] for i, r in rows.items())
    assert entries["2412.16339"]["summary"].startswith(
        "As large-scale language models increasingly impact safety-critical domains"
    )
    # Only papers of the listing got one: no entry was added from those later days.
    assert all(not entries[i].get("published_is_listing_date") for i in rows)


def test_top_stories_without_text_get_their_recorded_pages_and_abstracts(server):
    """Top stories whose sources gave one teaser sentence or none: two OpenAI posts, the ARC Prize
    post on o3 and Anthropic's Clio post are read at their own URL (without openai.com's
    screen-reader label "(opens in a new window)"), and three papers carry their recorded abstract
    as the arXiv API's summary, with the full author list only where the copy gave it."""
    from abreast.collect.fetcher import Fetcher
    from abreast.collect.pagetext import PageReader
    from abreast.demo.recording import Recording

    settings = {"allow_private": ["127.0.0.1"], "politeness": False, "replay": server.url}
    with Fetcher(settings) as f:
        report = PageReader(f, budget=10).read(
            [
                ("feed:zalando", "https://openai.com/index/zalando"),
                ("feed:o1", "https://openai.com/index/o1-and-new-tools-for-developers"),
                ("hn:42473321", "https://arcprize.org/blog/oai-o3-pub-breakthrough"),
                ("feed:clio", "https://www.anthropic.com/research/clio"),
            ]
        )
    got = {r.key: r.text for r in report.results}
    assert "serves over 50 million customers in 25 countries." in got["feed:zalando"]
    assert "OpenAI o1 in the API, with support for function calling" in got["feed:o1"]
    assert (
        "has scored a breakthrough 75.7% on the Semi-Private Evaluation set" in got["hn:42473321"]
    )
    assert "Clio is an automated analysis tool that enables privacy-preserving" in got["feed:clio"]
    assert not any("opens in a new window" in t for t in got.values())

    recorded = (
        REPO / "scripts/recorded/arxiv-abstracts-top-stories/arxiv_abstracts_top_stories.jsonl"
    )
    rows = [json.loads(line) for line in recorded.read_text(encoding="utf-8").splitlines()]
    entries = {e["id"]: e for e in Recording().arxiv_entries}
    assert {r["arxiv_id"] for r in rows} == {"2312.05488", "2312.05688", "2412.06769"}
    for r in rows:
        assert entries[r["arxiv_id"]]["summary"] == r["abstract"]
        if r.get("authors"):
            assert entries[r["arxiv_id"]]["authors"] == r["authors"].split(", ")
        else:  # the listing's first author only, still marked incomplete
            assert entries[r["arxiv_id"]]["authors_complete"] is False
    assert entries["2312.05688"]["summary"].startswith("Artificial Intelligence (AI) has witnessed")
