"""Hacker News: the Algolia search API (hn.algolia.com/api/v1) and the Firebase item API.

Algolia semantics kept: comma-separated tags are ANDed, a parenthesised group is ORed;
numericFilters are ANDed and a record lacking the attribute (e.g. `points` for a story recorded
without points) does not match a filter on it; at most 1,000 hits are reachable by paging (Algolia's
paginationLimitedTo).
"""

from __future__ import annotations

import math
import operator
import re
from urllib.parse import urlencode

from . import Response, from_epoch, int_param, json_response, not_found

PAGINATION_LIMIT = 1000
NUMERIC = re.compile(
    r"^\s*(created_at_i|points|num_comments)\s*(<=|>=|!=|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*$"
)
OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}


def respond(path: str, params: dict[str, list[str]], hits: list[dict], host: str) -> Response:
    if host == "hacker-news.firebaseio.com":
        return _firebase(path, hits)
    if path == "/api/v1/search_by_date":
        return _search(params, hits, by_date=True)
    if path == "/api/v1/search":
        return _search(params, hits, by_date=False)
    return not_found()


def _search(params: dict[str, list[str]], hits: list[dict], by_date: bool) -> Response:
    try:
        per_page = int_param(params, "hitsPerPage", 20, 0, 1000)
        page = int_param(params, "page", 0, 0, 10**6)
        tag_filter = parse_tags(",".join(params.get("tags", [])))
        numeric = parse_numeric(",".join(params.get("numericFilters", [])))
    except ValueError as exc:
        return json_response({"message": str(exc), "status": 400}, status=400)
    query = params.get("query", [""])[-1]
    matched = [h for h in hits if _matches(h, tag_filter, numeric, query)]
    matched.sort(key=_date_order if by_date else _relevance_order)
    reachable = matched[:PAGINATION_LIMIT]
    start = page * per_page
    page_hits = reachable[start : start + per_page] if per_page else []
    nb_pages = (
        min(math.ceil(len(matched) / per_page), math.ceil(PAGINATION_LIMIT / per_page))
        if per_page
        else 0
    )
    newest = max((h["created_at_i"] for h in hits), default=0)
    return json_response(
        {
            "hits": page_hits,
            "nbHits": len(matched),
            "page": page,
            "nbPages": nb_pages,
            "hitsPerPage": per_page,
            "exhaustiveNbHits": True,
            "exhaustiveTypo": True,
            "query": query,
            "params": urlencode([(k, v) for k, vs in params.items() for v in vs]),
            "processingTimeMS": 1,
        },
        last_modified=from_epoch(newest),
    )


def _date_order(hit: dict) -> tuple:
    return (-hit["created_at_i"], -int(hit["objectID"]))


def _relevance_order(hit: dict) -> tuple:
    # Without a text query Algolia's HN index ranks by points, then comments.
    return (-hit.get("points", -1), -hit.get("num_comments", -1), -hit["created_at_i"])


def parse_tags(raw: str) -> list[set[str]]:
    """'story,(author_pg,author_dang)' -> [{'story'}, {'author_pg', 'author_dang'}] (AND of ORs)."""
    groups, depth, current = [], 0, ""
    for ch in raw:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            groups.append(current)
            current = ""
        else:
            current += ch
        if depth < 0:
            raise ValueError(f"invalid tags: {raw!r}")
    groups.append(current)
    return [
        {t.strip() for t in g.strip("() ").split(",") if t.strip()}
        for g in groups
        if g.strip("() ")
    ]


def parse_numeric(raw: str) -> list[tuple[str, str, float]]:
    filters = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        m = NUMERIC.match(part)
        if not m:
            raise ValueError(f"invalid numericFilters: {part!r}")
        filters.append((m.group(1), m.group(2), float(m.group(3))))
    return filters


def _matches(hit: dict, tag_filter: list[set[str]], numeric: list[tuple], query: str) -> bool:
    tags = set(hit["_tags"])
    if any(not (group & tags) for group in tag_filter):
        return False
    for attr, op, value in numeric:
        if attr not in hit or not OPS[op](hit[attr], value):
            return False
    words = query.lower().split()
    return all(w in hit["title"].lower() for w in words)


def _firebase(path: str, hits: list[dict]) -> Response:
    m = re.fullmatch(r"/v0/item/(\d+)\.json", path)
    if not m:
        return not_found()
    hit = next((h for h in hits if h["objectID"] == m.group(1)), None)
    if hit is None:
        return json_response(None)  # Firebase answers `null` with 200 for an unknown item
    item = {
        "id": int(hit["objectID"]),
        "type": "story",
        "title": hit["title"],
        "time": hit["created_at_i"],
    }
    optional = {"url": "url", "score": "points", "descendants": "num_comments", "by": "author"}
    item.update({key: hit[src] for key, src in optional.items() if src in hit})
    return json_response(item, last_modified=from_epoch(hit["created_at_i"]))
