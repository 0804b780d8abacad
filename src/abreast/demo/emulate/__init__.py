"""Just enough of each real API, answered from the recorded snapshot.

Each module is pure: it takes the request path and query parameters plus the recording and returns a
``Response``; the HTTP server in ``replay.py`` adds headers, conditional GET and compression.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    last_modified: datetime | None = None  # newest recorded record behind this answer


JSON = "application/json; charset=utf-8"


def json_response(
    payload, status: int = 200, last_modified: datetime | None = None, content_type: str = JSON
) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, content_type, last_modified)


def not_found(message: str = "Not Found: this URL is not in the replay snapshot") -> Response:
    return Response(404, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def from_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def int_param(params: dict[str, list[str]], name: str, default: int, lo: int, hi: int) -> int:
    """A bounded integer query parameter; raises ValueError on garbage (the caller answers 400)."""
    raw = params.get(name, [None])[-1]
    if raw is None or raw == "":
        return default
    return max(lo, min(hi, int(raw)))
