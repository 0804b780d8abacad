"""Small pieces every connector shares: the parse error, time conversions, the `since` filter."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ...errors import AbreastError
from ...item import Item, utc_iso


class ParseError(AbreastError):
    """A response arrived but holds nothing we can read (not a feed, not the JSON we expect, every
    entry broken). Counts as a failed fetch for the source's error counter; nothing stored is
    touched."""


def iso_from_unix(value: object) -> str | None:
    if not isinstance(value, str | int | float):
        return None
    try:
        return utc_iso(datetime.fromtimestamp(float(value), tz=UTC))
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def iso_from_text(value: object) -> str | None:
    """RFC 3339 / ISO 8601 text -> ISO UTC, None when it is not a date."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    try:
        return utc_iso(dt)
    except (OverflowError, ValueError):
        return None


def iso_from_struct(value: time.struct_time | tuple[int, ...] | None) -> str | None:
    """feedparser's *_parsed fields are time.struct_time already converted to UTC."""
    if not value:
        return None
    try:
        y, mo, d, h, mi, sec = value[:6]
        return utc_iso(datetime(y, mo, d, h, mi, sec, tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def keep_since(items: list[Item], since: datetime | None) -> list[Item]:
    """Items published at or after `since`; undated items are kept (we cannot tell, and dropping
    them would lose entries from feeds that omit dates)."""
    if since is None:
        return items
    floor = utc_iso(since)
    return [it for it in items if it.published_at is None or it.published_at >= floor]


def is_before(published_at: str | None, since: datetime | None) -> bool:
    return since is not None and published_at is not None and published_at < utc_iso(since)


def web_url(value: object) -> str | None:
    """Only absolute http(s) URLs are links we store; anything else (javascript:, data:, relative
    leftovers) is dropped rather than rendered later."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if (
        parts.scheme.lower() in ("http", "https")
        and parts.netloc
        and not any(c.isspace() for c in value)
    ):
        return value
    return None


def load_json(body: bytes, what: str) -> Any:  # parsed JSON: the caller checks its shape
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"{what}: the response is not valid JSON ({exc}).") from exc


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 2**62:
        return int(value)
    return None
