"""Reddit listings (www.reddit.com/r/<sub>/new.json): Listing JSON of t3 posts, newest first; and
comment trees (www.reddit.com/comments/<id>.json): [post listing, comment listing], for the posts
whose thread is recorded.

Like Reddit, string fields are HTML-escaped (&amp; &lt; &gt;) unless the client asks for raw_json=1.
Posts carry only the fields that were recorded (no created_utc for posts known only from AINews).
"""

from __future__ import annotations

import re

from . import JSON, Response, from_epoch, int_param, json_response

ESCAPED_FIELDS = ("title", "selftext", "url")


def respond(
    path: str,
    params: dict[str, list[str]],
    posts: list[dict],
    threads: dict[str, list] | None = None,
) -> Response:
    thread = re.fullmatch(
        r"(?:/r/[A-Za-z0-9_]+)?/comments/([a-z0-9]+)(?:/[^/]*)?/?(?:\.json)?", path
    )
    if thread:
        return _thread(thread.group(1), params, threads or {})
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


def _thread(post_id: str, params: dict[str, list[str]], threads: dict[str, list]) -> Response:
    recorded = threads.get(post_id)
    if recorded is None:
        return json_response({"message": "Not Found", "error": 404}, status=404)
    raw = params.get("raw_json", ["0"])[-1] == "1"
    return json_response(recorded if raw else _escape_tree(recorded), content_type=JSON)


def _escape_tree(node):
    """Reddit's legacy escaping of &, <, > in every string of a comment tree (no raw_json=1)."""
    if isinstance(node, dict):
        return {k: _escape_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_escape_tree(v) for v in node]
    if isinstance(node, str):
        return node.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return node


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
