"""Read the recorded data in ../shared/data straight into Items, in the real key scheme.

Used by the dev set builder and the benchmarks so they do not depend on the collect stage.
Only recorded fields are used; text is cut to an excerpt, as the demo snapshot does.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from abreast.item import Item, utc_iso

DATA = Path(
    os.environ.get("ABREAST_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
EXCERPT = 800
_TAG = re.compile(r"<[^>]+>")


def _plain(s: str | None, limit: int = EXCERPT) -> str:
    text = html.unescape(_TAG.sub(" ", s or ""))
    return " ".join(text.split())[:limit]


def _iso(s: str | None) -> str | None:
    return utc_iso(datetime.fromisoformat(s.replace("Z", "+00:00"))) if s else None


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def hn_daily() -> list[Item]:
    path = DATA / "hn-daily-top30-2024-12" / "hn_daily_top30_2024-11-18_2024-12-22.jsonl"
    seen, out = set(), []
    for r in _jsonl(path):
        if r["hn_id"] in seen:
            continue
        seen.add(r["hn_id"])
        out.append(
            Item(
                key=f"hn:{r['hn_id']}",
                kind="hn",
                title=r["title"],
                url=r["url"],
                published_at=f"{r['date']}T06:00:00+00:00",
                signals={"points": r["points"], "comments": r["comments"]},
                extra={"domain": r["domain"]},
            )
        )
    return out


def hn_rss_snapshot() -> list[Item]:
    """Stories of the raw feed snapshot (daily issues 2024-11-09 .. 2024-12-08), parsed from each
    issue's HTML list; most days overlap hn_daily(), the days before 2024-11-18 are new."""
    import feedparser

    parsed = feedparser.parse(str(DATA / "hn-daily-top30-2024-12" / "rss2_snapshot_2024-12-08.xml"))
    link = re.compile(
        r'<a href="?([^" >]+)"?[^>]*><strong>(.*?)</strong>\s*(?:<code>(.*?)</code>)?</a>.*?'
        r'<a href="?https://news.ycombinator.com/item\?id=(\d+)',
        re.S,
    )
    out = []
    for e in parsed.entries:
        body = (e.get("content") or [{}])[0].get("value", "") or e.get("summary", "")
        when = e.get("published_parsed")
        for url, title, domain, hid in link.findall(body):
            out.append(
                Item(
                    key=f"hn:{hid}",
                    kind="hn",
                    title=html.unescape(title),
                    url=html.unescape(url),
                    published_at=utc_iso(datetime(*when[:6], tzinfo=UTC)) if when else None,
                    extra={"domain": domain},
                )
            )
    return out


def hn_signalkite() -> list[Item]:
    path = DATA / "hn-signalkite-2023-12-04_05" / "hn_stories_2023-12-04_05.jsonl"
    return [
        Item(
            key=f"hn:{r['hn_id']}",
            kind="hn",
            title=r["title_rewritten_by_llm"],
            url=r["url"],
            published_at=f"{r['date']}T12:00:00+00:00",
        )
        for r in _jsonl(path)
    ]


def hn_frontpage_2022() -> list[Item]:
    path = DATA / "hn-frontpage-history-2022-10" / "hn_frontpage_items_2022-10-24_2022-10-30.jsonl"
    out = []
    for r in _jsonl(path):
        hid = r.get("hn_id") or r.get("id")
        if hid and r.get("title"):
            out.append(Item(key=f"hn:{hid}", kind="hn", title=r["title"], url=r.get("url")))
    return out


def arxiv_abstracts() -> list[Item]:
    path = (
        DATA
        / "arxiv-abstracts-cs-cl-ai-ir-2024-12-18_20"
        / "arxiv_cs_CL_AI_IR_with_abstracts_2024-12-18_2024-12-20.jsonl"
    )
    out = []
    for r in _jsonl(path):
        cats = r.get("categories") or r.get("primary_category") or []
        if isinstance(cats, str):
            cats = cats.split()
        out.append(
            Item(
                key=f"arxiv:{r['arxiv_id']}",
                kind="arxiv",
                title=r["title"],
                url=r["link"],
                text=_plain(r.get("abstract")),
                author=r.get("authors"),
                published_at=f"{r['listing_date']}T00:00:00+00:00",
                extra={"categories": cats},
            )
        )
    return out


def reddit_ainews() -> list[Item]:
    path = DATA / "reddit-via-ainews-2024-12" / "reddit_ai_posts_2024-11-15_2024-12-23.jsonl"
    return [
        Item(
            key=f"reddit:{r['post_id']}",
            kind="reddit",
            title=r["title"],
            url=r.get("link_url") or r["permalink"],
            published_at=_iso(r.get("ainews_sent_utc")),
            signals={"score": r.get("score"), "comments": r.get("num_comments")},
            extra={"subreddit": r["subreddit"]},
        )
        for r in _jsonl(path)
    ]


def reddit_localllama() -> list[Item]:
    path = DATA / "reddit-localllama-archive" / "localllama_posts_2023-12_to_2025-08-08.jsonl"
    return [
        Item(
            key=f"reddit:{r['id']}",
            kind="reddit",
            title=r["title"],
            url=r.get("url"),
            text=_plain(r.get("selftext")),
            author=r.get("author"),
            published_at=_iso(r.get("created_iso")),
            signals={"score": r.get("score"), "comments": r.get("num_comments")},
            extra={"subreddit": r["subreddit"]},
        )
        for r in _jsonl(path)
    ]


def hf_blog() -> list[Item]:
    path = DATA / "hf-blog-index-2024-12" / "hf_blog_2024-11-18_2024-12-22.jsonl"
    return [
        Item(
            key=f"feed:{r['url']}",
            kind="feed",
            title=r["title"],
            url=r["url"],
            author=r.get("author"),
            published_at=f"{r['date']}T00:00:00+00:00",
            extra={"feed": "huggingface.co/blog", "tags": r.get("tags", [])},
        )
        for r in _jsonl(path)
    ]


FEEDS = {
    "openai.com": "rss-openai-news-2024-12/openai_news_2024-11-18_2024-12-22.xml",
    "deepmind.google": "rss-deepmind-blog-2024-12/deepmind_blog_2024-11-18_2024-12-22.xml",
    "anthropic.com": (
        "atom-anthropic-deepseek-news-2024-12/anthropic_news_2024-11-18_2024-12-22.atom.xml"
    ),
    "deepseek.com": (
        "atom-anthropic-deepseek-news-2024-12/deepseek_news_2024-11-18_2024-12-22.atom.xml"
    ),
    "simonwillison.substack.com": (
        "rss-simonwillison-newsletter-2024-12/simonw_substack_2024-11-18_2024-12-22.xml"
    ),
    "openai.com/2023": "rss-openai-news/openai_news_2023-10-01_2024-01-31.xml",
    "deepmind.google/2023": "rss-deepmind-blog/deepmind_blog_2023-10-01_2024-01-31.xml",
    "simonwillison.substack.com/2023": (
        "rss-simonwillison-newsletter/simonw_substack_2023-10-01_2023-12-23.xml"
    ),
}


def feed_items(name: str) -> list[Item]:
    import feedparser

    parsed = feedparser.parse(str(DATA / FEEDS[name]))
    out = []
    for e in parsed.entries:
        link = e.get("link")
        if not link:
            continue
        body = e.get("summary") or ""
        if not body and e.get("content"):
            body = e["content"][0].get("value", "")
        when = e.get("published_parsed") or e.get("updated_parsed")
        out.append(
            Item(
                key=f"feed:{link}",
                kind="feed",
                title=_plain(e.get("title"), 300),
                url=link,
                text=_plain(body),
                author=e.get("author"),
                published_at=utc_iso(datetime(*when[:6], tzinfo=UTC)) if when else None,
                extra={"feed": name.split("/")[0]},
            )
        )
    return out


def all_feeds() -> list[Item]:
    return [it for name in FEEDS for it in feed_items(name)]


def demo_items() -> list[Item]:
    """Everything recorded for the demo's five weeks (2024-11-18 .. 2024-12-22), one Item per
    key."""
    items = hn_daily() + arxiv_abstracts() + reddit_ainews() + hf_blog()
    items += [it for n in FEEDS if "/" not in n for it in feed_items(n)]
    seen, out = set(), []
    for it in items:
        if it.key not in seen:
            seen.add(it.key)
            out.append(it)
    return out
