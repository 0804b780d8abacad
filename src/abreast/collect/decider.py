"""When to fetch a source next, and when to stop: pure decisions, no I/O (reader's `Decider` habit).

The fetch loop reads a source row into a `SourceState`, turns what happened into an `Outcome`, asks
`decide_after_fetch` and writes the `Decision` back. Everything here is deterministic, so each rule
of reliability.md #7-#9 is a plain unit test.

Decisions worth knowing:
- The next fetch is max(interval, Cache-Control max-age / Expires, Retry-After), clamped between a
floor
  and a ceiling, plus a jitter of up to 10% derived from the source name (stable across runs, so
  sources with the same interval spread out instead of all firing at once, and tests can predict
  it). Jitter only ever delays: we never come back earlier than the server asked.
- A 429 is a delay, not a failure: it does not count toward pausing and does not reset the count.
  The server told us it is alive and how long to wait; pausing a source because it is popular would
  be wrong. Any other failure (5xx, timeout, refused address, too large, unparseable) counts.
- After `pause_after_errors` consecutive failures the source is paused with a reason the user sees
in
  `abreast sources list`; `abreast sources retry NAME` (see `resume`) clears it.
- 410 Gone stops polling for good (until the user retries): the server said the feed no longer
exists.
- Failures back off: the wait doubles with each consecutive failure (capped), so a broken server is
not
  hit at full rate while it is down.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from ..config import FetchSettings, fetch_settings

DEFAULT_INTERVAL = 3600.0
MIN_INTERVAL = (
    300.0  # floor on refresh intervals (reliability.md #8): no source more often than 5 min
)
MAX_INTERVAL = 7 * 24 * 3600.0  # a huge Retry-After or max-age must not silence a source for months
JITTER = 0.10
MAX_ERROR_CHARS = 300  # the reason shown in `abreast sources list` stays one readable line


@dataclass(frozen=True)
class SourceState:
    name: str
    interval: float = DEFAULT_INTERVAL  # seconds between scheduled fetches
    error_count: int = 0  # consecutive failures
    paused: bool = False
    paused_reason: str | None = None
    gone: bool = False
    last_fetch_at: datetime | None = None
    next_fetch_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What one fetch attempt ended in. Build it with `success`, `from_error` or directly."""

    ok: bool
    status: int | None = None
    error: str | None = None  # short user-facing message
    retry_after: float | None = None  # seconds, from the Retry-After header
    max_age: float | None = None  # seconds the response stays fresh (Cache-Control / Expires)
    not_modified: bool = False

    @property
    def rate_limited(self) -> bool:
        return not self.ok and self.status == 429

    @property
    def gone(self) -> bool:
        return not self.ok and self.status == 410

    @classmethod
    def success(
        cls, status: int = 200, *, max_age: float | None = None, not_modified: bool = False
    ) -> Outcome:
        return cls(ok=True, status=status, max_age=max_age, not_modified=not_modified)

    @classmethod
    def from_error(cls, exc: Exception) -> Outcome:
        """Any exception from fetching or parsing; HTTP status errors carry .status and
        .retry_after."""
        return cls(
            ok=False,
            status=getattr(exc, "status", None),
            error=(str(exc) or type(exc).__name__)[:MAX_ERROR_CHARS],
            retry_after=getattr(exc, "retry_after", None),
        )


@dataclass(frozen=True)
class Decision:
    next_fetch_at: datetime | None  # None: do not schedule (gone)
    error_count: int
    paused: bool
    paused_reason: str | None
    gone: bool
    last_error: str | None
    last_fetch_at: datetime


def jitter_fraction(name: str) -> float:
    """A stable number in [0, 1) from the source name (not hash(), which changes between runs)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def next_delay(
    name: str,
    interval: float,
    *,
    max_age: float | None = None,
    retry_after: float | None = None,
    backoff_failures: int = 0,
) -> float:
    """Seconds until the next fetch: the largest wait anyone asked for, clamped, then jittered."""
    floor, ceiling = MIN_INTERVAL, MAX_INTERVAL
    base = max(interval, max_age or 0.0)
    if backoff_failures > 1:
        base = base * 2 ** min(backoff_failures - 1, 10)
    wait = min(max(base, floor), ceiling)
    # Retry-After is the server's explicit request: honour it even past the floor, only capped.
    wait = max(wait, min(retry_after or 0.0, ceiling))
    return wait * (1.0 + JITTER * jitter_fraction(name))


def decide_after_fetch(
    state: SourceState,
    outcome: Outcome,
    now: datetime,
    settings: FetchSettings | Mapping[str, object] | None = None,
) -> Decision:
    """The source's new schedule and error state after one fetch attempt. ``settings``: the [fetch]
    settings (or a mapping of some of its keys); only ``pause_after_errors`` matters here."""
    if outcome.ok:
        delay = next_delay(state.name, state.interval, max_age=outcome.max_age)
        return Decision(now + timedelta(seconds=delay), 0, False, None, False, None, now)
    if outcome.gone:
        gone = "the server says this source is gone (HTTP 410); remove it or change its URL"
        return Decision(None, state.error_count + 1, True, gone, True, outcome.error or gone, now)
    if outcome.rate_limited:
        delay = next_delay(state.name, state.interval, retry_after=outcome.retry_after)
        wait = f"; asked to wait {outcome.retry_after:.0f} s" if outcome.retry_after else ""
        error = f"rate limited by the server (HTTP 429){wait}"
        return Decision(
            now + timedelta(seconds=delay),
            state.error_count,
            state.paused,
            state.paused_reason,
            False,
            error,
            now,
        )
    count = state.error_count + 1
    limit = fetch_settings(settings).pause_after_errors
    delay = next_delay(
        state.name,
        state.interval,
        retry_after=outcome.retry_after,
        backoff_failures=count,
    )
    paused, reason = state.paused, state.paused_reason
    if count >= limit and not paused:
        paused = True
        reason = (
            f"paused after {count} failures in a row (last: {outcome.error}); "
            f"run `abreast sources retry {state.name}` to resume"
        )
    return Decision(
        now + timedelta(seconds=delay), count, paused, reason, False, outcome.error, now
    )


def should_fetch(state: SourceState, now: datetime) -> bool:
    """Whether a scheduled run should fetch this source now (an explicit --source fetch may ignore
    this)."""
    if state.paused or state.gone:
        return False
    return state.next_fetch_at is None or now >= state.next_fetch_at


def resume(state: SourceState) -> SourceState:
    """What `abreast sources retry NAME` does: clear pause, gone and the failure count; fetch next
    run."""
    return replace(
        state,
        paused=False,
        paused_reason=None,
        gone=False,
        error_count=0,
        next_fetch_at=None,
        last_error=None,
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP-date. None if absent or
    garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def freshness(headers: dict[str, str], now: datetime | None = None) -> float | None:
    """How long a response says it stays fresh (Cache-Control max-age, else Expires - Date), in
    seconds."""
    cache_control = headers.get("cache-control", "")
    if re.search(r"(?:^|,)\s*(no-store|no-cache)", cache_control, re.IGNORECASE):
        return None
    match = _MAX_AGE.search(cache_control)
    if match:
        return float(match.group(1))
    expires = headers.get("expires")
    if not expires:
        return None
    base = now or datetime.now(UTC)
    date = headers.get("date")
    if date:
        # Expires is relative to the server's clock; measuring it from Date ignores clock skew.
        gap = parse_retry_after(expires, _parse_date(date) or base)
    else:
        gap = parse_retry_after(expires, base)
    return gap if gap else None


def _parse_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
