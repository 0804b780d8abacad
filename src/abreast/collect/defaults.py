"""The sources a new abreast starts with (`abreast sources add-defaults`): what a busy engineer who
follows AI reads. Each URL is the service's real endpoint; the demo points the same connectors at
its replay server instead. Every feed URL below is the publisher's own, except where noted.

Left out on purpose: Meta AI's blog (ai.meta.com/blog) publishes no RSS/Atom feed; add a third-party
one with `abreast sources add feed URL` if you trust it.
"""

from __future__ import annotations

from typing import Any

from .sources.arxiv import EXPORT_API
from .sources.hf import HUB
from .sources.hn import ALGOLIA
from .sources.reddit import REDDIT

# HN: a handful of AI queries plus well-voted stories (points >= 100 is roughly "made the front
# page";
# Algolia's front_page tag only describes the front page of this minute, useless for a weekly look
# back).
HN_QUERIES = ("LLM", "OpenAI", "Anthropic", "Claude", "Gemini", "Llama", "GPT", "AI model")

DEFAULT_SOURCES: list[dict[str, Any]] = [
    *(
        {
            "name": f"hn:{q}",
            "kind": "hn",
            "url": ALGOLIA,
            "config": {"query": q, "points": 10, "category": "news"},
        }
        for q in HN_QUERIES
    ),
    {
        "name": "hn:front",
        "kind": "hn",
        "url": ALGOLIA,
        "config": {"points": 100, "category": "news"},
    },
    {
        "name": "arxiv:cs.CL+cs.LG+cs.AI",
        "kind": "arxiv",
        "url": EXPORT_API,
        "config": {"categories": ["cs.CL", "cs.LG", "cs.AI"], "category": "papers"},
    },
    {
        "name": "OpenAI News",
        "kind": "feed",
        "url": "https://openai.com/news/rss.xml",
        "config": {"category": "labs"},
    },
    {
        "name": "Google DeepMind Blog",
        "kind": "feed",
        "url": "https://deepmind.google/blog/rss.xml",
        "config": {"category": "labs"},
    },
    # Anthropic and DeepSeek publish no feed; these are scraper-made Atom feeds (mibuhand/AI-News-
    # Direct,
    # GPL-3.0 code) that mirror their news pages. Remove them if you prefer first-party sources
    # only.
    {
        "name": "Anthropic News",
        "kind": "feed",
        "url": "https://raw.githubusercontent.com/mibuhand/AI-News-Direct/main/feeds/anthropic_aggregated.xml",
        "config": {"category": "labs", "via": "third-party scraper"},
    },
    {
        "name": "DeepSeek News",
        "kind": "feed",
        "url": "https://raw.githubusercontent.com/mibuhand/AI-News-Direct/main/feeds/deepseek_news.xml",
        "config": {"category": "labs", "via": "third-party scraper"},
    },
    {
        "name": "Hugging Face Blog",
        "kind": "feed",
        "url": "https://huggingface.co/blog/feed.xml",
        "config": {"category": "labs"},
    },
    {
        "name": "Simon Willison",
        "kind": "feed",
        "url": "https://simonwillison.net/atom/everything/",
        "config": {"category": "blogs"},
    },
    {
        "name": "r/LocalLLaMA",
        "kind": "reddit",
        "url": REDDIT,
        "config": {"subreddit": "LocalLLaMA", "category": "community"},
    },
    {
        "name": "r/MachineLearning",
        "kind": "reddit",
        "url": REDDIT,
        "config": {"subreddit": "MachineLearning", "category": "community"},
    },
    {
        "name": "hf-trending",
        "kind": "hf",
        "url": HUB,
        "config": {"sort": "trending", "limit": 50, "category": "models"},
    },
]
