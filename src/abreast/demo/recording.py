"""The bundled recorded snapshot: load it once, hand out records and feed documents.

The snapshot is written by ``scripts/build_snapshot.py``; ``manifest.json`` lists every file with
its record count and checksum. Files are gzip-compressed on disk to keep the package small.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files
from pathlib import Path

SNAPSHOT_DIR = Path(str(files("abreast.demo"))) / "snapshot"


@dataclass(frozen=True)
class FeedRoute:
    """A recorded feed and the real URL path it is served at (host + path, no scheme)."""

    name: str
    path: str
    file: str
    content_type: str
    # Where its records come from, for a feed the snapshot built because none exists upstream
    # (the sources page shows it; "https://" + path is the address of every other feed).
    origin: str = ""


# Real URLs of the recorded feeds. Two of them have no upstream feed and are built by the snapshot
# from an index (marked so in PROVENANCE.md): the HF blog index and the llm-paper-daily table.
FEEDS = [
    FeedRoute(
        "openai-news",
        "openai.com/news/rss.xml",
        "feeds/openai-news.rss.xml.gz",
        "application/rss+xml; charset=utf-8",
    ),
    FeedRoute(
        "deepmind-blog",
        "deepmind.google/blog/rss.xml",
        "feeds/deepmind-blog.rss.xml.gz",
        "application/rss+xml; charset=utf-8",
    ),
    FeedRoute(
        "anthropic-news",
        "raw.githubusercontent.com/mibuhand/AI-News-Direct/main/feeds/anthropic_aggregated.xml",
        "feeds/anthropic-news.atom.xml.gz",
        "application/atom+xml; charset=utf-8",
    ),
    FeedRoute(
        "deepseek-news",
        "raw.githubusercontent.com/mibuhand/AI-News-Direct/main/feeds/deepseek_news.xml",
        "feeds/deepseek-news.atom.xml.gz",
        "application/atom+xml; charset=utf-8",
    ),
    FeedRoute(
        "simonw-newsletter",
        "simonw.substack.com/feed",
        "feeds/simonw-newsletter.rss.xml.gz",
        "application/rss+xml; charset=utf-8",
    ),
    FeedRoute(
        "hf-blog",
        "huggingface.co/blog/feed.xml",
        "feeds/hf-blog.rss.xml.gz",
        "application/rss+xml; charset=utf-8",
    ),
    FeedRoute(
        "llm-paper-daily",
        "github.com/xianshang33/llm-paper-daily/feed.rss",
        "feeds/llm-paper-daily.rss.xml.gz",
        "application/rss+xml; charset=utf-8",
        origin="https://github.com/xianshang33/llm-paper-daily",
    ),
]


class Recording:
    """Read-only access to the snapshot; each file is decompressed on first use and kept."""

    def __init__(self, root: Path = SNAPSHOT_DIR):
        self.root = root

    @cached_property
    def manifest(self) -> dict:
        return json.loads((self.root / "manifest.json").read_text(encoding="utf-8"))

    def raw(self, rel: str) -> bytes:
        return gzip.decompress((self.root / rel).read_bytes())

    def _records(self, rel: str) -> list[dict]:
        return json.loads(self.raw(rel))

    @cached_property
    def hn_hits(self) -> list[dict]:
        return self._records("hn/hits.json.gz")

    @cached_property
    def arxiv_entries(self) -> list[dict]:
        return self._records("arxiv/entries.json.gz")

    @cached_property
    def reddit_posts(self) -> list[dict]:
        return self._records("reddit/posts.json.gz")

    @cached_property
    def reddit_threads(self) -> dict[str, list]:
        """Recorded comment trees by post id: the `/comments/<id>.json` answer of each."""
        return {
            t[0]["data"]["children"][0]["data"]["id"]: t
            for t in self._records("reddit/comments.json.gz")
        }

    @cached_property
    def hf_models(self) -> list[dict]:
        return self._records("hf/models.json.gz")

    @cached_property
    def pages(self) -> dict[str, str]:
        """Recorded article pages by address without scheme ('huggingface.co/blog/modernbert')."""
        if not (self.root / "pages" / "pages.json.gz").exists():
            return {}
        return {
            p["url"].split("://", 1)[-1].rstrip("/"): p["html"]
            for p in self._records("pages/pages.json.gz")
        }

    @cached_property
    def feed_documents(self) -> dict[str, bytes]:
        return {route.path: self.raw(route.file) for route in FEEDS}
