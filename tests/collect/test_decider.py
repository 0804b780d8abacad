"""Scheduling and pausing decisions (reliability.md #7-#9): pure functions, so plain unit tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from abreast.collect.decider import (
    MAX_INTERVAL,
    MIN_INTERVAL,
    Outcome,
    SourceState,
    decide_after_fetch,
    freshness,
    jitter_fraction,
    parse_retry_after,
    resume,
    should_fetch,
)
from abreast.collect.fetcher import Fetcher, FetchError, Gone, HTTPStatusError, Timeout

from .hostile_server import HostileServer

NOW = datetime(2024, 12, 2, 10, 0, tzinfo=UTC)
SETTINGS = {"pause_after_errors": 3}


def wait_of(decision) -> float:
    return (decision.next_fetch_at - NOW).total_seconds()


def apply(state: SourceState, decision) -> SourceState:
    return replace(
        state,
        error_count=decision.error_count,
        paused=decision.paused,
        paused_reason=decision.paused_reason,
        gone=decision.gone,
        last_fetch_at=decision.last_fetch_at,
        next_fetch_at=decision.next_fetch_at,
        last_error=decision.last_error,
    )


def test_success_schedules_one_interval_later_with_bounded_jitter():
    decision = decide_after_fetch(
        SourceState("hn", interval=3600), Outcome.success(), NOW, SETTINGS
    )
    assert 3600 <= wait_of(decision) < 3600 * 1.1
    assert decision.error_count == 0 and not decision.paused and decision.last_fetch_at == NOW


def test_jitter_is_stable_per_source_and_differs_between_sources():
    first = decide_after_fetch(SourceState("hn", interval=3600), Outcome.success(), NOW)
    again = decide_after_fetch(SourceState("hn", interval=3600), Outcome.success(), NOW)
    other = decide_after_fetch(SourceState("arxiv-cs.CL", interval=3600), Outcome.success(), NOW)
    assert first.next_fetch_at == again.next_fetch_at
    assert first.next_fetch_at != other.next_fetch_at
    assert 0 <= jitter_fraction("hn") < 1


def test_max_age_longer_than_interval_wins():
    decision = decide_after_fetch(
        SourceState("blog", interval=3600), Outcome.success(max_age=4 * 3600), NOW
    )
    assert 4 * 3600 <= wait_of(decision) < 4 * 3600 * 1.1


def test_max_age_shorter_than_interval_does_not_speed_up_polling():
    decision = decide_after_fetch(
        SourceState("blog", interval=3600), Outcome.success(max_age=60), NOW
    )
    assert wait_of(decision) >= 3600


def test_interval_is_clamped_to_floor_and_ceiling():
    fast = decide_after_fetch(SourceState("x", interval=5), Outcome.success(), NOW)
    slow = decide_after_fetch(SourceState("x", interval=10**9), Outcome.success(), NOW)
    assert MIN_INTERVAL <= wait_of(fast) < MIN_INTERVAL * 1.1
    assert MAX_INTERVAL <= wait_of(slow) < MAX_INTERVAL * 1.1


def test_success_clears_a_previous_error_streak():
    state = SourceState("hn", error_count=2, last_error="HTTP 500")
    decision = decide_after_fetch(
        state, Outcome.success(not_modified=True, status=304), NOW, SETTINGS
    )
    assert decision.error_count == 0 and decision.last_error is None


def test_500s_pause_the_source_after_n_failures_with_a_visible_reason():
    state = SourceState("blog")
    error = HTTPStatusError("http://example.org/feed", 500)
    for expected in (1, 2):
        decision = decide_after_fetch(state, Outcome.from_error(error), NOW, SETTINGS)
        assert decision.error_count == expected and not decision.paused
        state = apply(state, decision)
    decision = decide_after_fetch(state, Outcome.from_error(error), NOW, SETTINGS)
    assert decision.paused and decision.error_count == 3
    assert (
        "HTTP 500" in decision.paused_reason
        and "abreast sources retry blog" in decision.paused_reason
    )
    assert not should_fetch(apply(state, decision), NOW + timedelta(days=30))


def test_pause_threshold_comes_from_settings():
    decision = decide_after_fetch(
        SourceState("blog"),
        Outcome.from_error(Timeout("u", "slow")),
        NOW,
        {"pause_after_errors": 1},
    )
    assert decision.paused


def test_failures_back_off():
    state = SourceState("blog", interval=3600)
    waits = []
    for _ in range(3):
        decision = decide_after_fetch(
            state, Outcome.from_error(Timeout("u", "slow")), NOW, {"pause_after_errors": 9}
        )
        waits.append(wait_of(decision))
        state = apply(state, decision)
    assert waits[0] < waits[1] < waits[2]


def test_429_is_a_delay_not_a_failure():
    state = SourceState("reddit", interval=600, error_count=2)
    error = HTTPStatusError("https://www.reddit.com/r/x.json", 429, retry_after=7200)
    for _ in range(5):
        decision = decide_after_fetch(state, Outcome.from_error(error), NOW, SETTINGS)
        state = apply(state, decision)
    assert state.error_count == 2 and not state.paused
    assert 7200 <= wait_of(decision) < 7200 * 1.1
    assert "429" in state.last_error


def test_retry_after_on_a_503_is_honoured_and_counts_as_failure():
    error = HTTPStatusError("u", 503, retry_after=5 * 3600)
    decision = decide_after_fetch(
        SourceState("hf", interval=3600), Outcome.from_error(error), NOW, SETTINGS
    )
    assert wait_of(decision) >= 5 * 3600 and decision.error_count == 1


def test_absurd_retry_after_is_capped():
    error = HTTPStatusError("u", 429, retry_after=10**9)
    decision = decide_after_fetch(SourceState("hf"), Outcome.from_error(error), NOW, SETTINGS)
    assert wait_of(decision) < MAX_INTERVAL * 1.1


def test_410_stops_polling_until_retry():
    decision = decide_after_fetch(
        SourceState("old-blog"), Outcome.from_error(Gone("http://x/feed")), NOW, SETTINGS
    )
    state = apply(SourceState("old-blog"), decision)
    assert decision.gone and decision.next_fetch_at is None and "410" in decision.paused_reason
    assert not should_fetch(state, NOW + timedelta(days=365))
    assert should_fetch(resume(state), NOW)


def test_retry_resumes_a_paused_source_immediately():
    state = SourceState(
        "blog", error_count=3, paused=True, paused_reason="x", next_fetch_at=NOW + timedelta(days=1)
    )
    resumed = resume(state)
    assert should_fetch(resumed, NOW) and resumed.error_count == 0 and resumed.paused_reason is None


def test_should_fetch_respects_next_fetch_at():
    state = SourceState("hn", next_fetch_at=NOW + timedelta(minutes=5))
    assert not should_fetch(state, NOW)
    assert should_fetch(state, NOW + timedelta(minutes=5))
    assert should_fetch(SourceState("new"), NOW)  # never fetched


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("Mon, 02 Dec 2024 10:10:00 GMT", 600.0),
        ("Mon, 02 Dec 2024 09:00:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, NOW) == expected


def test_freshness_from_cache_control_and_expires():
    assert freshness({"cache-control": "public, max-age=900"}, NOW) == 900
    assert freshness({"cache-control": "no-cache, max-age=900"}, NOW) is None
    assert freshness({"expires": "Mon, 02 Dec 2024 11:00:00 GMT"}, NOW) == 3600
    # Expires is measured against the server's Date, not our clock.
    skewed = {"expires": "Mon, 02 Dec 2024 11:00:00 GMT", "date": "Mon, 02 Dec 2024 10:30:00 GMT"}
    assert freshness(skewed, NOW) == 1800
    assert freshness({}, NOW) is None


def test_real_500s_pause_the_source_and_real_429s_do_not():
    """End to end: responses from a real server through the real fetcher into the decider."""
    settings = {"allow_private": ["127.0.0.1"], "politeness": False, "pause_after_errors": 3}
    with HostileServer() as server, Fetcher(settings) as fetcher:

        def attempt(state: SourceState, path: str) -> SourceState:
            try:
                fetcher.get(server.url(path))
                outcome = Outcome.success()
            except FetchError as e:
                outcome = Outcome.from_error(e)
            return apply(state, decide_after_fetch(state, outcome, NOW, settings))

        limited = SourceState("busy")
        for _ in range(5):
            limited = attempt(limited, "/status/429?retry_after=60")
        broken = SourceState("broken")
        for _ in range(3):
            broken = attempt(broken, "/status/500")
    assert not limited.paused and limited.error_count == 0
    assert broken.paused and "HTTP 500" in broken.paused_reason
