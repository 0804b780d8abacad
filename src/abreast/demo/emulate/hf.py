"""Hugging Face Hub models API (huggingface.co/api/models and /api/models/<repo id>).

The recording (Open LLM Leaderboard metadata) has no trendingScore, downloads or lastModified, so
those fields are absent. Sorting by them falls back to what is recorded: trendingScore and downloads
sort by likes, lastModified by createdAt (documented in PROVENANCE.md). Models without the sort key
come last. Supported filters: search, author, filter (tags). `pipeline_tag` is not recorded, so that
filter is ignored (every recorded model is a text-generation LLM from the Open LLM Leaderboard);
`expand`/`full` are accepted and every recorded field is always returned.
"""

from __future__ import annotations

import re

from . import Response, from_iso, int_param, json_response

SORT_FALLBACK = {
    "trendingScore": "likes",
    "downloads": "likes",
    "lastModified": "createdAt",
    "likes": "likes",
    "createdAt": "createdAt",
    "id": "id",
}


def respond(path: str, params: dict[str, list[str]], models: list[dict]) -> Response:
    newest = max((m["createdAt"] for m in models if "createdAt" in m), default=None)
    last_modified = from_iso(newest) if newest else None
    if path.rstrip("/") == "/api/models":
        return _list(params, models, last_modified)
    m = re.fullmatch(r"/api/models/(.+?)/?", path)
    if m:
        model = next((x for x in models if x["id"] == m.group(1)), None)
        if model is None:
            return json_response({"error": "Repository not found"}, status=404)
        return json_response(model, last_modified=last_modified)
    return json_response(
        {"error": "Sorry, we can't find the page you are looking for."}, status=404
    )


def _list(params: dict[str, list[str]], models: list[dict], last_modified) -> Response:
    try:
        limit = int_param(params, "limit", 1000, 1, 1000)
    except ValueError:
        return json_response({"error": "Invalid limit"}, status=400)
    sort = params.get("sort", [None])[-1]
    if sort and sort not in SORT_FALLBACK:
        return json_response({"error": f"Invalid sort parameter: {sort}"}, status=400)
    chosen = [m for m in models if _matches(m, params)]
    if sort:
        key = SORT_FALLBACK[sort]
        ascending = params.get("direction", ["-1"])[-1] == "1"
        present = sorted(
            (m for m in chosen if key in m), key=lambda m: (m[key], m["id"]), reverse=not ascending
        )
        chosen = present + [m for m in chosen if key not in m]
    return json_response(chosen[:limit], last_modified=last_modified)


def _matches(model: dict, params: dict[str, list[str]]) -> bool:
    search = params.get("search", [""])[-1].lower()
    author = params.get("author", [""])[-1]
    tags = set(model.get("tags", []))
    wanted_tags = [t for f in params.get("filter", []) for t in f.split(",") if t]
    return (
        search in model["id"].lower()
        and (not author or model["author"] == author)
        and all(t in tags for t in wanted_tags)
    )
