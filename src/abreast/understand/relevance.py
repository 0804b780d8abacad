"""AI relevance: a score in [0, 1] and a yes/no per item, with the reasons.

No single signal is good enough on Hacker News titles (short, ambiguous), so several cheap ones are
combined by a small logistic regression whose weights ship in ``data/relevance_model.json`` (trained
by ``scripts/train_understand.py`` on the dev half of bench/data/devset.jsonl; JSON, never pickle):

- lexicon hits (models, labs, products, people, technical terms; ambiguous words count separately),
- the linked domain (openai.com, huggingface.co, a ``.ai`` host; arxiv.org only half-counts),
- source priors (an arXiv cs.CL paper, r/LocalLLaMA, a lab's blog), overridable per source by the
user,
- embedding similarity to AI topic descriptions versus everyday-tech topics (user topics join the
former),
- hashed word n-grams of the title and domain.

The user's negative keywords cap the score; the decision keeps every contribution for ``abreast
why``.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import lexicon as lexmod

if TYPE_CHECKING:
    import numpy as np

    from ..item import Item
    from .embed import Embedder

MODEL_FILE = Path(__file__).parent / "data" / "relevance_model.json"
HASH_BUCKETS = 1 << 14
NEGATIVE_CAP = (
    0.1  # a negative keyword keeps an item visible in `abreast why`, but below any threshold
)

# What "about AI" means to abreast, in plain words; the user's own topics are added to these.
AI_TOPICS = [
    "large language models like GPT, Claude, Gemini and Llama",
    "a new open-weights AI model released on Hugging Face",
    "machine learning research paper about neural networks",
    "AI agents that use tools and automate tasks",
    "fine-tuning, training and evaluating language models",
    "running LLM inference locally on GPUs, quantization, llama.cpp",
    "generative AI images, video, speech and music",
    "AI safety, alignment, regulation and copyright of training data",
    "AI startups, investment and the business of OpenAI and Anthropic",
    "chatbots and AI assistants like ChatGPT and Copilot",
    "self-driving cars, robotics learning and computer vision",
    "prompt engineering, retrieval augmented generation and embeddings",
]
# Everyday technology news the same readers see; similarity here is evidence against.
OTHER_TOPICS = [
    "web development with JavaScript, CSS and HTML frameworks",
    "databases, SQL and storage engines",
    "programming languages, compilers and type systems",
    "operating systems, Linux kernel and command line tools",
    "computer security vulnerabilities and malware",
    "politics, government, law and elections",
    "health, medicine and biology research",
    "space, physics and astronomy",
    "economics, finance, housing and jobs",
    "hardware, CPUs, retro computers and electronics",
    "history, culture, books and art",
    "startups, management and software engineering careers",
    "social media platforms like Bluesky and Mastodon",
    "climate, energy and the environment",
]

AI_SUBREDDITS = {
    "localllama",
    "machinelearning",
    "openai",
    "chatgpt",
    "claudeai",
    "stablediffusion",
    "singularity",
    "artificial",
    "bard",
    "googlegeminiai",
    "ollama",
    "learnmachinelearning",
}
AI_ARXIV = re.compile(r"^(cs\.(cl|ai|lg|cv|ir|ne|ro|ma|hc)|stat\.ml|eess\.(as|iv))$", re.I)

DENSE = [
    "lex_strong",
    "lex_strong_text",
    "lex_ambiguous",
    "lex_ambiguous_text",
    "lex_name",
    "lex_org_person",
    "domain_ai",
    "domain_mixed",
    "domain_dot_ai",
    "source_prior",
    "sim_ai",
    "sim_margin",
    "has_text",
    "glossary_title",
    "model_entity_title",
]


@dataclass
class Signals:
    """Everything relevance looked at for one item, before weighting."""

    dense: dict[str, float]
    hashes: list[int]
    matched: list[str]
    matched_ambiguous: list[str]
    domain: str | None
    nearest_topics: list[tuple[str, float]]
    negative: list[str] = field(default_factory=list)


@dataclass
class Decision:
    relevance: float
    is_ai: bool
    why: dict[str, Any]  # the evidence, stored as JSON and shown by `abreast why`


# --- signals
# ------------------------------------------------------------------------------------------


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower().removeprefix("www.") if host else None


def source_prior(item: Item, trust: dict[str, float] | None = None) -> float:
    """How likely an item from this source is about AI before reading it: 1 = AI-focused source.
    The user's ``source_trust`` (by source name, feed host or kind) wins over the built-in guess."""
    trust = trust or {}
    for k in (
        item.extra.get("source"),
        item.extra.get("feed"),
        item.extra.get("subreddit"),
        item.kind,
    ):
        if k and k in trust:
            return max(0.0, min(1.0, float(trust[k])))
    if item.kind == "arxiv":
        cats = item.extra.get("categories") or []
        return 1.0 if not cats or any(AI_ARXIV.match(c) for c in cats) else 0.3
    if item.kind == "reddit":
        return 1.0 if str(item.extra.get("subreddit", "")).lower() in AI_SUBREDDITS else 0.3
    if item.kind == "hf":
        return 1.0
    if item.kind == "feed":
        m = lexmod.load().domain(item.extra.get("feed") or host_of(item.url))
        return 1.0 if m and not m.ambiguous else 0.5
    return 0.0


def ngram_hashes(title: str, host: str | None) -> list[int]:
    """Stable (crc32, not Python's salted hash) buckets of title words, word pairs and the
    domain."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    if host:
        grams.append(f"domain:{host}")
    return sorted({zlib.crc32(g.encode()) % HASH_BUCKETS for g in grams})


def _jargon(title: str) -> list[str]:
    from .jargon import find_jargon

    return find_jargon(title)


def _entities(title: str) -> list[str]:
    from .entities import extract_entities

    return extract_entities(title)


def signals(
    item: Item,
    sim_ai: float,
    sim_other: float,
    nearest: list[tuple[str, float]],
    trust: dict[str, float] | None = None,
    negative_keywords: list[str] | None = None,
) -> Signals:
    lx = lexmod.load()
    title_hits = lx.match(item.title)
    text_hits = lx.match(item.text[:800]) if item.text else []
    strong = [m for m in title_hits if not m.ambiguous]
    ambiguous = [m for m in title_hits if m.ambiguous]
    host = host_of(item.url)
    dom = lx.domain(host)
    dense = {
        "lex_strong": math.log1p(len(strong)),
        "lex_strong_text": math.log1p(sum(not m.ambiguous for m in text_hits)),
        "lex_ambiguous": math.log1p(len(ambiguous)),
        "lex_ambiguous_text": math.log1p(sum(m.ambiguous for m in text_hits)),
        "lex_name": float(any(m.kind in ("model", "family", "product") for m in strong)),
        "lex_org_person": float(any(m.kind in ("org", "person") for m in strong)),
        "domain_ai": float(bool(dom and not dom.ambiguous)),
        "domain_mixed": float(bool(dom and dom.ambiguous)),
        "domain_dot_ai": float(bool(host and host.endswith(".ai"))),
        "source_prior": source_prior(item, trust),
        "sim_ai": sim_ai,
        "sim_margin": sim_ai - sim_other,
        "has_text": float(bool(item.text)),
        # Our own glossary of AI terms (quantization, agents, RLHF...) and the model names grown
        # from
        # leaderboards and hub metadata: knowledge written independently of the labelled set.
        "glossary_title": math.log1p(len(_jargon(item.title))),
        "model_entity_title": float(any(e.startswith("model:") for e in _entities(item.title))),
    }
    return Signals(
        dense=dense,
        hashes=ngram_hashes(item.title, host),
        matched=[m.term for m in strong] + [m.term for m in text_hits if not m.ambiguous],
        matched_ambiguous=[m.term for m in ambiguous],
        domain=dom.term if dom else None,
        nearest_topics=nearest,
        negative=negative_hits(item, negative_keywords or []),
    )


def negative_hits(item: Item, keywords: list[str]) -> list[str]:
    if not keywords:
        return []
    text = f" {' '.join(lexmod.tokens(item.title + ' ' + item.text[:800]))} "
    return [k for k in keywords if k.strip() and f" {' '.join(lexmod.tokens(k))} " in text]


# --- the model
# ----------------------------------------------------------------------------------------


@dataclass
class RelevanceModel:
    """Logistic regression over the dense signals (standardized) and hashed n-grams."""

    coef: dict[str, float]
    mean: dict[str, float]
    scale: dict[str, float]
    intercept: float
    hash_coef: dict[int, float]
    cutoff: float  # raw probability that maps to a score of 0.5
    meta: dict[str, Any]  # how the model was trained, for the record

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RelevanceModel:
        return cls(
            coef=d["coef"],
            mean=d["mean"],
            scale=d["scale"],
            intercept=d["intercept"],
            hash_coef={int(k): v for k, v in d["hash_coef"].items()},
            cutoff=d["cutoff"],
            meta=d.get("meta", {}),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "coef": self.coef,
            "mean": self.mean,
            "scale": self.scale,
            "intercept": self.intercept,
            "hash_coef": {str(k): round(v, 5) for k, v in sorted(self.hash_coef.items())},
            "cutoff": self.cutoff,
            "meta": self.meta,
        }

    def contributions(self, s: Signals) -> dict[str, float]:
        out = {f: self.coef[f] * (s.dense[f] - self.mean[f]) / self.scale[f] for f in self.coef}
        out["words"] = sum(self.hash_coef.get(h, 0.0) for h in s.hashes)
        return out

    def probability(self, s: Signals) -> float:
        z = self.intercept + sum(self.contributions(s).values())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def score(self, p: float) -> float:
        """Monotone map of probability to a score where the tuned cut-off sits at 0.5, so the
        user's ``relevance_threshold = 0.5`` means "the balance point measured on the dev set"."""
        c = min(max(self.cutoff, 1e-6), 1 - 1e-6)
        return 0.5 * p / c if p <= c else 0.5 + 0.5 * (p - c) / (1 - c)


@lru_cache(maxsize=1)
def load_model() -> RelevanceModel:
    return RelevanceModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


def decide(s: Signals, model: RelevanceModel, threshold: float = 0.5) -> Decision:
    parts = model.contributions(s)
    p = model.probability(s)
    score = model.score(p)
    if s.negative:
        score = min(score, NEGATIVE_CAP)
    score = round(max(0.0, min(1.0, score)), 4)
    top = sorted(parts.items(), key=lambda kv: -abs(kv[1]))
    why = {
        "score": score,
        "threshold": threshold,
        "probability": round(p, 4),
        "contributions": {k: round(v, 3) for k, v in top if abs(v) >= 0.01},
        "signals": {k: round(v, 3) for k, v in s.dense.items()},
        "matched": s.matched,
        "matched_ambiguous": s.matched_ambiguous,
        "domain": s.domain,
        "nearest_topics": [[t, round(v, 3)] for t, v in s.nearest_topics],
        "negative_keywords": s.negative,
    }
    return Decision(relevance=score, is_ai=score >= threshold, why=why)


# --- topic similarity
# ---------------------------------------------------------------------------------


class TopicIndex:
    """Embedded topic descriptions for one embedder; AI topics include the user's own."""

    def __init__(self, embedder: Embedder, user_topics: list[str] | None = None) -> None:
        self.ai_topics = AI_TOPICS + [t for t in (user_topics or []) if t.strip()]
        self.ai = embedder.embed_batch(self.ai_topics)
        self.other = embedder.embed_batch(OTHER_TOPICS)

    def similarities(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(best AI-topic similarity, best other-topic similarity, AI similarity matrix) per row."""
        import numpy as np

        if len(vectors) == 0:
            z = np.zeros(0, dtype=np.float32)
            return z, z, np.zeros((0, len(self.ai_topics)), dtype=np.float32)
        sim_ai = vectors @ self.ai.T
        sim_other = vectors @ self.other.T
        return sim_ai.max(axis=1), sim_other.max(axis=1), sim_ai

    def nearest(self, row: np.ndarray, k: int = 2) -> list[tuple[str, float]]:
        order = row.argsort()[::-1][:k]
        return [(self.ai_topics[i], float(row[i])) for i in order]
