"""The demo's source list: the real connectors, pointed at the replay server instead of the real
hosts."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from .recording import FEEDS

# The weeks the snapshot covers densely: the user's own draft (Dec 2023) and the densest recording.
DEMO_WINDOWS = [("2023-11-20", "2023-12-17"), ("2024-11-18", "2024-12-22")]

# [fetch] settings for the replay: it lives on 127.0.0.1, which the fetcher refuses unless
# explicitly
# allowed, so the demo opts in, for loopback only; politeness delays are for real hosts. Passed to
# config.load(overrides=...), never through the environment.
DEMO_FETCH = {"allow_private": ["127.0.0.1"], "host_delay": 0.0, "politeness": False}

# Every subreddit with recorded posts in the windows.
SUBREDDITS = ["LocalLLaMA", "OpenAI", "ChatGPT", "ClaudeAI", "StableDiffusion", "MachineLearning"]


# The reading stage reads the top stories' article pages through the replay too (`fetch.replay`):
# the snapshot records a few article pages (snapshot/pages, PROVENANCE.md); every other article
# answers 404 there, so the demo never reaches a real site. It reads the top stories of every demo
# week (the default is the two most recent weeks), within a budget sized for a local server.
DEMO_TEXT = {"weeks": 60, "pages_per_run": 2000}


def demo_sources(base_url: str) -> list[dict]:
    """[{name, kind, url, config}] for `abreast sources add` / the demo, all under ``base_url``."""
    base = base_url.rstrip("/")
    sources = [
        # points 0 = no points threshold; 2023 stories were recorded without points (see
        # PROVENANCE.md).
        {"name": "hn", "kind": "hn", "url": f"{base}/hn.algolia.com", "config": {"points": 0}},
        # ~6,100 recorded papers match: big pages (arXiv allows up to 2,000) so both windows are
        # read.
        {
            "name": "arxiv",
            "kind": "arxiv",
            "url": f"{base}/export.arxiv.org",
            "config": {
                "categories": ["cs.CL", "cs.LG", "cs.AI"],
                "page_size": 1000,
                "max_pages": 10,
            },
        },
    ]
    sources += [
        {"name": feed.name, "kind": "feed", "url": f"{base}/{feed.path}", "config": {}}
        for feed in FEEDS
    ]
    sources += [
        {
            "name": f"r-{sub.lower()}",
            "kind": "reddit",
            "url": f"{base}/www.reddit.com",
            "config": {"subreddit": sub},
        }
        for sub in SUBREDDITS
    ]
    sources.append(
        {
            "name": "hf-models",
            "kind": "hf",
            "url": f"{base}/huggingface.co",
            "config": {"sort": "createdAt", "limit": 1000},
        }
    )
    return sources


# Where the replay server listens (`abreast demo serve` can bind another loopback name).
REPLAY_HOSTS = ("127.0.0.1", "localhost", "::1")


def recorded_origin(url: str) -> str | None:
    """Where a demo source's data comes from, for a reader: the real address its replay URL
    stands for ("http://127.0.0.1:8400/hn.algolia.com" -> "https://hn.algolia.com"), or None
    when ``url`` is not the replay's copy of a recorded source. The store keeps the replay URL:
    it is what the connectors fetch."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if host not in REPLAY_HOSTS:
        return None
    return _origins().get(parts.path.strip("/"))


@cache
def _origins() -> dict[str, str]:
    """{replay path of each demo source: its real address}."""
    built = {f.path: f.origin for f in FEEDS if f.origin}
    out = {}
    for s in demo_sources(""):
        path = s["url"].strip("/")
        out[path] = built.get(path) or f"https://{path}"
    return out
