"""Recorded RSS/Atom feeds, served verbatim at their real URL paths."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ..recording import FEEDS, Recording
from . import Response, not_found


def respond(host_path: str, recording: Recording) -> Response:
    route = next((r for r in FEEDS if r.path == host_path.rstrip("/")), None)
    if route is None:
        return not_found()
    body = recording.feed_documents[route.path]
    return Response(200, body, route.content_type, newest_entry(body))


def newest_entry(doc: bytes) -> datetime | None:
    """The newest <pubDate>/<updated> of the entries (not of the channel header, which says
    2025)."""
    text = doc.decode("utf-8")
    stamps = []
    for block in re.findall(r"<(?:item|entry)>.*?</(?:item|entry)>", text, re.S):
        m = re.search(r"<pubDate>(.*?)</pubDate>", block)
        if m:
            stamps.append(parsedate_to_datetime(m.group(1).strip()).astimezone(UTC))
            continue
        m = re.search(r"<(?:published|updated)>(.*?)</", block)
        if m:
            stamps.append(
                datetime.fromisoformat(m.group(1).strip().replace("Z", "+00:00")).astimezone(UTC)
            )
    return max(stamps, default=None)
