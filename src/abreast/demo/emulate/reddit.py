"""Reddit listings (www.reddit.com/r/<sub>/new.json): Listing JSON of t3 posts, newest first.

Like Reddit, string fields are HTML-escaped (&amp; &lt; &gt;) unless the client asks for raw_json=1.
Posts carry only the fields that were recorded (no created_utc for posts known only from AINews).
"""

from __future__ import annotations

import re

from . import JSON, Response, from_epoch, int_param, json_response

ESCAPED_FIELDS = ("title", "selftext", "url")


def respond(path: str, params: dict[str, list[str]], posts: list[dict]) -> Response:
    m = re.fullmatch(r"/r/([A-Za-z0-9_+]+)/new(?:\.json)?/?", path)
    if not m:
        return json_response({"message": "Not Found", "error": 404}, status=404)
    wanted = {s.lower() for s in m.group(1).split("+")}
    listing = [p for p in posts if p["subreddit"].lower() in wanted]  # already newest first
    if not listing:
        return json_response({"message": "Not Found", "error": 404}, status=404)
    try:
        limit = int_param(params, "limit", 25, 1, 100)
    except ValueError:
        limit = 25  # Reddit ignores a garbage limit
    after = params.get("after", [""])[-1]
    start = _position_after(listing, after) if after else 0
    page = listing[start : start + limit]
    more = start + limit < len(listing)
    raw = params.get("raw_json", ["0"])[-1] == "1"
    children = [{"kind": "t3", "data": post if raw else _legacy_escaped(post)} for post in page]
    newest = max((p["created_utc"] for p in listing if "created_utc" in p), default=None)
    return json_response(
        {
            "kind": "Listing",
            "data": {
                "after": page[-1]["name"] if page and more else None,
                "dist": len(children),
                "children": children,
                "before": None,
            },
        },
        last_modified=from_epoch(int(newest)) if newest else None,
        content_type=JSON,
    )


def _position_after(listing: list[dict], after: str) -> int:
    for i, post in enumerate(listing):
        if post["name"] == after:
            return i + 1
    return len(listing)  # an unknown cursor gives an empty page, as on Reddit


def _legacy_escaped(post: dict) -> dict:
    out = dict(post)
    for key in ESCAPED_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = out[key].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return out
