"""Hugging Face Hub model listings (`/api/models`, sorted by trending, recent, likes or downloads).

One item per model (`hf:<repo id>`). The text is a short factual line built only from recorded
metadata (task, parameter count, license, base model); nothing is inferred.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ...item import Item
from ..base import CollectResult, Connector, SourceSpec
from ._util import ParseError, as_int, iso_from_text, keep_since, load_json

if TYPE_CHECKING:
    from ..fetcher import Fetcher

HUB = "https://huggingface.co"
LIMIT = 50
SORTS = {
    "trending": "trendingScore",
    "recent": "createdAt",
    "created": "createdAt",
    "likes": "likes",
    "downloads": "downloads",
    "updated": "lastModified",
}
EXPAND = (
    "author",
    "cardData",
    "createdAt",
    "downloads",
    "library_name",
    "likes",
    "pipeline_tag",
    "safetensors",
    "tags",
    "trendingScore",
)
RELATION_WORDS = {
    "finetune": "fine-tuned from",
    "quantized": "quantized from",
    "adapter": "adapter for",
    "merge": "merged from",
}


def models_url(
    base: str,
    *,
    sort: str = "trending",
    limit: int = LIMIT,
    pipeline_tag: str | None = None,
    search: str | None = None,
) -> str:
    params: list[tuple[str, object]] = [
        ("sort", SORTS.get(sort, sort)),
        ("direction", -1),
        ("limit", limit),
    ]
    if pipeline_tag:
        params.append(("pipeline_tag", pipeline_tag))
    if search:
        params.append(("search", search))
    params += [("expand", field) for field in EXPAND]
    return f"{base.rstrip('/')}/api/models?{urlencode(params)}"


def parse_models(body: bytes) -> tuple[list[Item], list[str]]:
    """A `/api/models` JSON array -> one Item per model; entries without an id are skipped."""
    payload = load_json(body, "Hugging Face models")
    if not isinstance(payload, list):
        raise ParseError("Hugging Face: expected a JSON list of models.")
    items, warnings = [], []
    for n, model in enumerate(payload, 1):
        item = model_to_item(model) if isinstance(model, dict) else None
        if item is None:
            warnings.append(f"model {n} skipped: no repo id")
        else:
            items.append(item)
    return items, warnings


def model_to_item(model: dict[str, Any]) -> Item | None:
    repo_id = model.get("id") or model.get("modelId")
    if not isinstance(repo_id, str) or not repo_id.strip():
        return None
    facts = model_facts(model)
    signals = {
        k: v
        for k, v in (
            ("likes", as_int(model.get("likes"))),
            ("downloads", as_int(model.get("downloads"))),
            ("trending", as_int(model.get("trendingScore"))),
        )
        if v is not None
    }
    author = model.get("author") if isinstance(model.get("author"), str) else repo_id.split("/")[0]
    return Item(
        key=f"hf:{repo_id}",
        kind="hf",
        title=repo_id,
        url=f"{HUB}/{repo_id}",
        text=describe(facts),
        author=author or None,
        published_at=facts.get("created_at"),
        signals=signals,
        extra={k: v for k, v in facts.items() if v not in (None, [], "")},
    )


def model_facts(model: dict[str, Any]) -> dict[str, Any]:
    tags = [t for t in model.get("tags") or [] if isinstance(t, str)]
    card = model["cardData"] if isinstance(model.get("cardData"), dict) else {}
    base_models, relation = _base_models(card, tags)
    safetensors = model["safetensors"] if isinstance(model.get("safetensors"), dict) else {}
    return {
        "pipeline_tag": model.get("pipeline_tag")
        if isinstance(model.get("pipeline_tag"), str)
        else None,
        "library": model.get("library_name")
        if isinstance(model.get("library_name"), str)
        else None,
        "params": as_int(safetensors.get("total")),
        "license": _license(card, tags),
        "base_model": base_models,
        "base_model_relation": relation,
        "tags": [
            t for t in tags if ":" not in t
        ],  # the prefixed ones are repeated in the fields above
        "created_at": iso_from_text(model.get("createdAt")),
        # When the model was first seen, for a model whose creation time is unknown (the demo's
        # recording states when the leaderboard first listed it); it dates only the item's week.
        "first_seen": None if model.get("createdAt") else iso_from_text(model.get("firstSeenAt")),
    }


def _base_models(card: dict[str, Any], tags: list[str]) -> tuple[list[str], str | None]:
    """Base models from the card's `base_model` (str or list) or the Hub's `base_model:` tags;
    the relation from `base_model:<relation>:<id>` tags or the card's `base_model_relation`."""
    declared = card.get("base_model")
    models = (
        [declared]
        if isinstance(declared, str)
        else [m for m in declared or [] if isinstance(m, str)]
    )
    relation = (
        card.get("base_model_relation")
        if isinstance(card.get("base_model_relation"), str)
        else None
    )
    for tag in tags:
        parts = tag.split(":")
        if parts[0] != "base_model" or len(parts) < 2:
            continue
        if len(parts) == 3:
            relation = relation or parts[1]
        if parts[-1] not in models:
            models.append(parts[-1])
    return models, relation


def _license(card: dict[str, Any], tags: list[str]) -> str | None:
    license = card.get("license")
    if isinstance(license, str):
        return license
    return next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)


def human_params(n: int) -> str:
    if n >= 1_000_000_000:
        return f"{n / 1e9:.1f}B"
    if n >= 1_000_000:
        return f"{n / 1e6:.0f}M"
    return f"{n:,}"


def describe(facts: dict[str, Any]) -> str:
    """'text-generation model (transformers), 8.0B parameters, license llama3.1, fine-tuned from
    X.'"""
    head = f"{facts['pipeline_tag']} model" if facts.get("pipeline_tag") else "Model"
    if facts.get("library"):
        head += f" ({facts['library']})"
    parts = [head]
    if facts.get("params"):
        parts.append(f"{human_params(facts['params'])} parameters")
    if facts.get("license"):
        parts.append(f"license {facts['license']}")
    if facts.get("base_model"):
        words = RELATION_WORDS.get(facts.get("base_model_relation") or "", "based on")
        parts.append(f"{words} {', '.join(facts['base_model'][:3])}")
    return ", ".join(parts) + "."


class HuggingFace(Connector):
    kind = "hf"
    description = (
        "Hugging Face Hub models (trending, recent, most liked), with base model, license and size."
    )
    target_help = "a sort order: trending, recent, likes or downloads"

    def collect(
        self, source: SourceSpec, fetcher: Fetcher, since: datetime | None = None
    ) -> CollectResult:
        cfg = source.config or {}
        sort = str(cfg.get("sort", "trending"))
        resp = fetcher.get(
            models_url(
                source.url or HUB,
                sort=sort,
                limit=int(cfg.get("limit", LIMIT)),
                pipeline_tag=cfg.get("pipeline_tag"),
                search=cfg.get("search"),
            ),
            accept="application/json",
        )
        items, warnings = parse_models(resp.body)
        # A trending list is "what is hot now" whatever the creation date; only a recent list is a
        # window.
        if SORTS.get(sort, sort) == "createdAt":
            items = keep_since(items, since)
        return CollectResult(
            items=items, http_status=resp.status, nbytes=len(resp.body), warnings=warnings
        )

    def source_from_target(self, target: str) -> dict[str, Any]:
        sort = target.strip() or "trending"
        if sort not in SORTS:
            raise ParseError(f"unknown Hugging Face sort {sort!r}; use one of {', '.join(SORTS)}.")
        return {"url": HUB, "config": {"sort": sort}}

    def default_name(self, target: str) -> str:
        return f"hf-{target or 'trending'}"[:80]
