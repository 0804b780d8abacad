"""Themes: multi-label tags from the default taxonomy (the user's own outline, see DESIGN.md).

Each default theme has a plain description (embedded), a keyword list, and a one-vs-rest logistic
regression over those plus hashed title n-grams, trained on the dev half of the labelled dev set and
shipped as JSON (``data/themes_model.json``). A user-defined taxonomy (``[understand] themes``)
works without training: keywords plus the nearest description.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from . import lexicon as lexmod

if TYPE_CHECKING:
    import numpy as np

    from ..item import Item
    from .embed import Embedder

MODEL_FILE = Path(__file__).parent / "data" / "themes_model.json"

THEMES: dict[str, str] = {
    "open-models": "Open & foundation models",
    "fine-tuning-agents": "Fine-tuning, small task-specific models & agents",
    "applications": "Applications & use cases",
    "deployment": "Deployment & infrastructure",
    "safety-alignment": "Safety, alignment & policy",
    "research": "Research papers",
    "business": "Business & industry",
}

DESCRIPTIONS: dict[str, str] = {
    "open-models": "a new AI model release: open weights or foundation models like Llama, Qwen, "
    "Gemini, GPT",
    "fine-tuning-agents": "fine-tuning small task-specific models, training recipes, AI agents "
    "and tool use",
    "applications": "an app or tool built with AI, a use case, chatbot product or AI assistant in "
    "daily work",
    "deployment": "running and serving models: inference speed, GPUs, quantization, local LLMs, "
    "hardware",
    "safety-alignment": "AI safety, alignment, misuse, privacy, copyright lawsuits, regulation "
    "and policy",
    "research": "a research paper or study about machine learning methods, benchmarks and "
    "reasoning",
    "business": "AI companies, investment, pricing, subscriptions, jobs, the AI industry and "
    "market",
}

KEYWORDS: dict[str, list[str]] = {
    "open-models": [
        "release",
        "releases",
        "released",
        "introducing",
        "open-source",
        "open source",
        "open weights",
        "open-weight",
        "weights",
        "foundation model",
        "new model",
        "model card",
        "70b",
        "7b",
        "8b",
        "32b",
        "405b",
        "instruct",
        "vision language model",
        "video generation model",
        "world model",
    ],
    "fine-tuning-agents": [
        "fine-tuning",
        "fine-tune",
        "fine-tuned",
        "finetune",
        "finetuning",
        "lora",
        "qlora",
        "agent",
        "agents",
        "agentic",
        "tool use",
        "function calling",
        "mcp",
        "model context protocol",
        "dspy",
        "distillation",
        "rlhf",
        "dpo",
        "reinforcement",
        "task-specific",
        "small model",
        "small models",
        "tiny models",
        "training toolkit",
        "synthetic data",
        "preference",
        "evals",
        "workflows",
    ],
    "applications": [
        "app",
        "show hn",
        "tool",
        "extension",
        "assistant",
        "built",
        "build",
        "using",
        "chatbot",
        "copilot",
        "summarize",
        "summarizing",
        "art",
        "ad",
        "coding",
        "use case",
        "customer",
        "health",
        "journalism",
        "voice",
        "browser",
        "canvas",
        "users",
        "game",
        "guide",
    ],
    "deployment": [
        "inference",
        "gpu",
        "gpus",
        "tokens s",
        "llama.cpp",
        "ollama",
        "vllm",
        "quantization",
        "quantized",
        "quantisation",
        "serving",
        "hardware",
        "chip",
        "chips",
        "data center",
        "data centers",
        "tpu",
        "vram",
        "locally",
        "local",
        "laptop",
        "raspberry pi",
        "cuda",
        "pytorch",
        "rig",
        "server",
        "supports",
        "runs",
        "run",
        "nvidia",
        "jetson",
        "mac",
        "memory",
        "latency",
    ],
    "safety-alignment": [
        "safety",
        "alignment",
        "risk",
        "risks",
        "regulation",
        "law",
        "lawsuit",
        "copyright",
        "policy",
        "act",
        "privacy",
        "deepfake",
        "misuse",
        "jailbreak",
        "bias",
        "ethics",
        "government",
        "court",
        "ban",
        "election",
        "elections",
        "voice clones",
        "harmful",
        "system card",
        "frontier risk",
        "preparedness",
        "facial recognition",
        "scraping",
        "hallucinations",
        "vulnerability",
        "hijacked",
        "die",
        "kill",
        "governing",
    ],
    "research": [
        "paper",
        "arxiv",
        "research",
        "researchers",
        "study",
        "benchmark",
        "learning",
        "reasoning",
        "transformer",
        "theory",
        "dataset",
        "survey",
        "we propose",
        "neural",
        "scientists",
        "evaluation",
        "prize",
        "technical report",
        "interpretability",
        "pioneers",
    ],
    "business": [
        "billion",
        "invest",
        "investment",
        "funding",
        "valuation",
        "acquisition",
        "price",
        "pricing",
        "subscription",
        "pro",
        "revenue",
        "market",
        "ceo",
        "startup",
        "startups",
        "yc",
        "company",
        "industry",
        "jobs",
        "hiring",
        "layoffs",
        "for-profit",
        "partnership",
        "whistleblower",
        "leadership",
        "enterprise",
        "career",
        "product management",
        "bust",
        "exits",
    ],
}


class ThemeWeights(TypedDict):
    """One theme's classifier in themes_model.json."""

    coef: list[float]
    intercept: float
    hash_coef: dict[int, float]
    threshold: float
    cv_f1: NotRequired[float]  # how it was chosen, kept for the record
    positives: NotRequired[int]


def _weights(v: dict[str, Any]) -> ThemeWeights:
    w = ThemeWeights(
        coef=v["coef"],
        intercept=v["intercept"],
        hash_coef={int(k): x for k, x in v["hash_coef"].items()},  # JSON keys are strings
        threshold=v["threshold"],
    )
    if "cv_f1" in v:
        w["cv_f1"] = v["cv_f1"]
    if "positives" in v:
        w["positives"] = v["positives"]
    return w


@dataclass
class ThemeModel:
    features: list[str]
    mean: list[float]
    scale: list[float]
    per_theme: dict[str, ThemeWeights]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ThemeModel:
        per = {t: _weights(v) for t, v in d["per_theme"].items()}
        return cls(features=d["features"], mean=d["mean"], scale=d["scale"], per_theme=per)

    def to_json(self) -> dict[str, Any]:
        per = {
            t: {**v, "hash_coef": {str(k): round(x, 5) for k, x in sorted(v["hash_coef"].items())}}
            for t, v in self.per_theme.items()
        }
        return {"features": self.features, "mean": self.mean, "scale": self.scale, "per_theme": per}

    def probabilities(self, dense: list[float], hashes: list[int]) -> dict[str, float]:
        """All themes at once: one matrix product for the dense part, one lookup per hashed
        n-gram."""
        import numpy as np

        if not hasattr(self, "_w"):
            self._pack()
        z = self._b + self._w @ ((np.asarray(dense) - self._mean) / self._scale)
        for h in hashes:
            row = self._h.get(h)
            if row is not None:
                z = z + row
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        return dict(zip(self._ids, p.tolist(), strict=True))

    def _pack(self) -> None:
        import numpy as np

        self._ids = list(self.per_theme)
        self._w = np.array([self.per_theme[t]["coef"] for t in self._ids])
        self._b = np.array([self.per_theme[t]["intercept"] for t in self._ids])
        self._mean, self._scale = np.array(self.mean), np.array(self.scale)
        rows: dict[int, np.ndarray] = {}
        for i, t in enumerate(self._ids):
            for h, c in self.per_theme[t]["hash_coef"].items():
                rows.setdefault(h, np.zeros(len(self._ids)))[i] = c
        self._h = rows


@lru_cache(maxsize=1)
def load_model() -> ThemeModel:
    return ThemeModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


class ThemeIndex:
    """Theme descriptions embedded once per embedder; custom taxonomies come from settings."""

    def __init__(self, embedder: Embedder, custom: dict[str, dict[str, Any]] | None = None) -> None:
        self.custom = custom or None
        if self.custom:
            self.ids = list(self.custom)
            descs = [
                c.get("description") or c.get("label") or tid for tid, c in self.custom.items()
            ]
            self.keywords = {
                tid: [lexmod.normalize(k) for k in c.get("keywords", [])]
                for tid, c in self.custom.items()
            }
        else:
            self.ids = list(THEMES)
            descs = [DESCRIPTIONS[t] for t in self.ids]
            self.keywords = {t: [lexmod.normalize(k) for k in KEYWORDS[t]] for t in self.ids}
        self.vectors = embedder.embed_batch(descs)
        self.first_words = lexmod.first_words(k for kws in self.keywords.values() for k in kws)

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        sims: np.ndarray = vectors @ self.vectors.T
        return sims


def keyword_hits(
    item: Item, keywords: dict[str, list[str]], first_words: frozenset[str] | None = None
) -> dict[str, list[str]]:
    cands = lexmod.candidates(lexmod.tokens(item.title + " " + item.text[:400]), first_words)
    return {t: [k for k in kws if k in cands] for t, kws in keywords.items()}


def dense_features(
    item: Item,
    hits: dict[str, list[str]],
    sims: list[float],
    rel_dense: dict[str, float],
    ids: list[str],
) -> list[float]:
    """Theme features in the model's order: keyword counts, description similarities, a few item
    facts."""
    is_paper = float(item.kind == "arxiv" or "arxiv.org" in (item.url or ""))
    kw = [math.log1p(len(hits[t])) for t in ids]
    return (
        kw
        + list(sims)
        + [
            is_paper,
            rel_dense.get("source_prior", 0.0),
            rel_dense.get("lex_name", 0.0),
            rel_dense.get("lex_org_person", 0.0),
            rel_dense.get("has_text", 0.0),
        ]
    )


def feature_names(ids: list[str]) -> list[str]:
    return (
        [f"kw:{t}" for t in ids]
        + [f"sim:{t}" for t in ids]
        + ["is_paper", "source_prior", "lex_name", "lex_org_person", "has_text"]
    )


def assign(
    item: Item,
    sims: list[float],
    rel_dense: dict[str, float],
    hashes: list[int],
    index: ThemeIndex,
    model: ThemeModel | None,
) -> tuple[list[str], dict[str, Any]]:
    """Themes for one AI item (at least one), with the evidence per theme."""
    hits = keyword_hits(item, index.keywords, index.first_words)
    if index.custom or model is None:
        chosen = [t for t in index.ids if hits[t]]
        best = index.ids[max(range(len(sims)), key=lambda i: sims[i])] if len(sims) else None
        if best and best not in chosen:
            chosen.append(best)
        return chosen, {"keywords": {t: h for t, h in hits.items() if h}, "nearest": best}
    probs = model.probabilities(dense_features(item, hits, sims, rel_dense, index.ids), hashes)
    chosen = [t for t in index.ids if probs[t] >= model.per_theme[t]["threshold"]]
    if not chosen:
        chosen = [max(probs, key=lambda t: probs[t])]
    why = {
        "probabilities": {t: round(p, 3) for t, p in sorted(probs.items(), key=lambda kv: -kv[1])},
        "keywords": {t: h for t, h in hits.items() if h},
    }
    return chosen, why
