"""The labelled evaluation weeks, rebuilt as story Members from the recorded data in ../shared/data.

Keys follow the real scheme (hn:<id>, arxiv:<id>, reddit:<post id>, feed:<entry link>). Times follow
what each recording can tell (see bench/data/STORIES_LABELLING.md):
  * HN daily top 30: the issue of day D ranks the stories of the preceding ~24 h -> D-1 18:00 UTC;
  * Reddit via AINews: creation time is not recorded -> the first day the issue covers, 12:00 UTC;
  * feeds and arXiv: their own dates.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from abreast.types import Member

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
GOLD = Path(__file__).resolve().parent / "data" / "stories_gold.jsonl"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _hn() -> dict[str, Member]:
    out = {}
    for r in _jsonl(DATA / "hn-daily-top30-2024-12" / "hn_daily_top30_2024-11-18_2024-12-22.jsonl"):
        day = datetime.fromisoformat(r["date"]).replace(tzinfo=UTC) - timedelta(hours=6)
        out[f"hn:{r['hn_id']}"] = Member(
            key=f"hn:{r['hn_id']}",
            kind="hn",
            source="hn",
            title=r["title"],
            url=r["url"],
            published_at=_iso(day),
            signals={"points": r["points"] or 0, "comments": r["comments"] or 0},
        )
    for r in _jsonl(DATA / "hn-signalkite-2023-12-04_05" / "hn_stories_2023-12-04_05.jsonl"):
        day = datetime.fromisoformat(r["date"]).replace(tzinfo=UTC) + timedelta(hours=12)
        out[f"hn:{r['hn_id']}"] = Member(
            key=f"hn:{r['hn_id']}",
            kind="hn",
            source="hn",
            title=r["title_rewritten_by_llm"],
            url=r["url"],
            published_at=_iso(day),
        )
    # The demo's 2023-12-04..10 front page (hnrss captures, in this repository; SOURCE.md there),
    # with the original titles: the week's later HN stories, where the demo showed mis-joins.
    front = ROOT / "scripts" / "recorded" / "hn-frontpage-ai-2023-12-04_10"
    for r in _jsonl(front / "hn_frontpage_ai_2023-12-04_10.jsonl"):
        key = f"hn:{r['hn_id']}"
        out.setdefault(
            key,
            Member(
                key=key,
                kind="hn",
                source="hn",
                title=r["title"],
                url=r.get("url") or f"https://news.ycombinator.com/item?id={r['hn_id']}",
                published_at=r["date_published"],
                signals={"points": r["points"] or 0, "comments": r["comments"] or 0},
            ),
        )
    return out


def _reddit() -> dict[str, Member]:
    out = {}
    for r in _jsonl(
        DATA / "reddit-via-ainews-2024-12" / "reddit_ai_posts_2024-11-15_2024-12-23.jsonl"
    ):
        day = datetime.fromisoformat(r["ainews_covers_from"]).replace(tzinfo=UTC) + timedelta(
            hours=12
        )
        out.setdefault(
            f"reddit:{r['post_id']}",
            Member(
                key=f"reddit:{r['post_id']}",
                kind="reddit",
                source=f"r/{r['subreddit']}",
                title=r["title"].replace("\\", ""),
                url=r["link_url"] or r["permalink"],
                published_at=_iso(day),
                signals={"score": r["score"], "comments": r["num_comments"]},
            ),
        )
    return out


def _feeds() -> dict[str, Member]:
    import feedparser

    files = {
        "openai-news": [
            "rss-openai-news-2024-12/openai_news_2024-11-18_2024-12-22.xml",
            "rss-openai-news/openai_news_2023-10-01_2024-01-31.xml",
        ],
        "deepmind-blog": [
            "rss-deepmind-blog-2024-12/deepmind_blog_2024-11-18_2024-12-22.xml",
            "rss-deepmind-blog/deepmind_blog_2023-10-01_2024-01-31.xml",
        ],
        "simonw": [
            "rss-simonwillison-newsletter-2024-12/simonw_substack_2024-11-18_2024-12-22.xml",
            "rss-simonwillison-newsletter/simonw_substack_2023-10-01_2023-12-23.xml",
        ],
        "anthropic-news": [
            "atom-anthropic-deepseek-news-2024-12/anthropic_news_2024-11-18_2024-12-22.atom.xml"
        ],
    }
    out = {}
    for source, paths in files.items():
        for rel in paths:
            for e in feedparser.parse(str(DATA / rel)).entries:
                t = e.get("published_parsed") or e.get("updated_parsed")
                when = datetime(*t[:6], tzinfo=UTC) if t else None
                text = (
                    e.get("summary", "") if source != "anthropic-news" else ""
                )  # anthropic: boilerplate
                out[f"feed:{e.link}"] = Member(
                    key=f"feed:{e.link}",
                    kind="feed",
                    source=source,
                    title=e.title,
                    url=e.link,
                    text=_strip_html(text),
                    published_at=_iso(when) if when else None,
                )
    for r in _jsonl(DATA / "hf-blog-index-2024-12" / "hf_blog_2024-11-18_2024-12-22.jsonl"):
        day = datetime.fromisoformat(r["date"]).replace(tzinfo=UTC) + timedelta(hours=12)
        out[f"feed:{r['url']}"] = Member(
            key=f"feed:{r['url']}",
            kind="feed",
            source="hf-blog",
            title=r["title"],
            url=r["url"],
            text=" ".join(r.get("tags") or []),
            published_at=_iso(day),
        )
    return out


def _strip_html(s: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", s)).strip()


def _arxiv() -> dict[str, Member]:
    out = {}
    for r in _jsonl(
        DATA / "arxiv-nlp-llm-listing-2024-11-12" / "arxiv_nlp_llm_2024-11-18_2024-12-22.jsonl"
    ):
        day = datetime.fromisoformat(r["date"]).replace(tzinfo=UTC) + timedelta(hours=12)
        out[f"arxiv:{r['arxiv_id']}"] = _paper(r["arxiv_id"], r["title"], "", day)
    for r in _jsonl(
        DATA
        / "arxiv-abstracts-cs-cl-ai-ir-2024-12-18_20"
        / "arxiv_cs_CL_AI_IR_with_abstracts_2024-12-18_2024-12-20.jsonl"
    ):
        day = datetime.fromisoformat(r["listing_date"]).replace(tzinfo=UTC) + timedelta(hours=1)
        out[f"arxiv:{r['arxiv_id']}"] = _paper(r["arxiv_id"], r["title"], r["abstract"], day)
    for r in _jsonl(
        DATA / "llm-paper-daily-2023-11-12" / "llm_paper_daily_2023-11-01_2023-12-28.jsonl"
    ):
        aid = _arxiv_id(r.get("arxiv_url") or "")
        if aid:
            day = datetime.fromisoformat(r["date"]).replace(tzinfo=UTC) + timedelta(hours=12)
            out[f"arxiv:{aid}"] = _paper(aid, r["title"], r.get("summary") or "", day)
    return out


def _arxiv_id(url: str) -> str | None:
    import re

    m = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", url)
    return m.group(1) if m else None


def _paper(aid: str, title: str, abstract: str, day: datetime) -> Member:
    url = f"https://arxiv.org/abs/{aid}"
    return Member(
        key=f"arxiv:{aid}",
        kind="arxiv",
        source="arxiv",
        title=title,
        url=url,
        text=abstract,
        published_at=_iso(day),
    )


def all_members() -> dict[str, Member]:
    out: dict[str, Member] = {}
    for part in (_hn(), _reddit(), _feeds(), _arxiv()):
        out.update(part)
    return out


def gold() -> list[dict]:
    return _jsonl(GOLD)


def labelled_weeks() -> dict[str, tuple[list[Member], list[str]]]:
    """week -> (members in publication order, gold story label per member)."""
    pool = all_members()
    weeks: dict[str, list[tuple[Member, str]]] = {}
    for row in gold():
        m = pool.get(row["key"])
        if m is None:
            raise KeyError(f"gold key {row['key']} is not in the recorded data")
        weeks.setdefault(row["week"], []).append((m, row["story"]))
    out = {}
    for week, pairs in weeks.items():
        pairs.sort(key=lambda p: (p[0].published_at or "", p[0].key))
        out[week] = ([m for m, _ in pairs], [s for _, s in pairs])
    return out
