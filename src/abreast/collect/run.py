"""The fetch loop: for each source, ask the decider, collect through its connector, store, record.

One source failing never affects another: its error is recorded on the source (and may pause it),
everything already stored stays, and the loop moves on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import AbreastError, ConfigError, StoreError
from ..store import Store, UpsertCounts
from ..types import Source
from . import decider
from .base import SourceSpec, get_connector

if TYPE_CHECKING:
    from ..types import Item, TopItem
    from .discussion import DiscussionReport
    from .fetcher import Fetcher
    from .pagetext import ReadReport


@dataclass
class FetchReport:
    name: str
    status: str  # ok | not_modified | error | skipped
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    note: str = ""


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _state(src: Source) -> decider.SourceState:
    return decider.SourceState(
        name=src.name,
        interval=float(src.config.get("interval", decider.DEFAULT_INTERVAL)),
        error_count=src.error_count,
        paused=src.paused,
        paused_reason=src.paused_reason,
        gone=src.gone,
        last_fetch_at=_dt(src.last_fetch_at),
        next_fetch_at=_dt(src.next_fetch_at),
        last_error=src.last_error,
    )


def fetch_sources(
    store: Store,
    settings: Settings,
    names: list[str] | None = None,
    since: date | None = None,
    due_only: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
    fetcher: Fetcher | None = None,
) -> list[FetchReport]:
    from .fetcher import Fetcher

    # The fetcher first: a setting it cannot work with fails here, before any source is touched, so
    # a bad setting is never recorded as 16 broken sources.
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings.fetch)
    since_dt = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    reports = []
    try:
        store.close_interrupted_fetches()
        sources = [store.source(n) for n in names] if names else store.sources()
        for i, src in enumerate(sources):
            if on_progress:
                on_progress(src.name, i, len(sources))
            reports.append(_fetch_one(store, settings, fetcher, src, since_dt, due_only))
        if on_progress:
            on_progress("done", len(sources), len(sources))
    finally:
        if own:
            fetcher.close()
    return reports


def _fetch_one(
    store: Store,
    settings: Settings,
    fetcher: Fetcher,
    src: Source,
    since: datetime | None,
    due_only: bool,
) -> FetchReport:
    now = datetime.now(UTC)
    state = _state(src)
    if src.gone or src.paused:
        why = "gone (HTTP 410)" if src.gone else f"paused: {src.paused_reason or src.last_error}"
        return FetchReport(
            src.name, "skipped", note=f"{why}; `abreast sources retry {src.name}` resumes it"
        )
    if due_only and not decider.should_fetch(state, now):
        return FetchReport(src.name, "skipped", note=f"not due until {src.next_fetch_at}")
    fetch_id = store.start_fetch(src.id)
    spec = SourceSpec(
        name=src.name,
        kind=src.kind,
        url=src.url,
        config=src.config,
        etag=src.etag,
        last_modified=src.last_modified,
    )
    try:
        result = get_connector(src.kind).collect(spec, fetcher, since)
        if src.config.get("page_text"):
            from .pagetext import fill_page_text

            result.warnings += fill_page_text(_keep_page_text(store, result.items), fetcher)
        counts = store.upsert_items(result.items, source_id=src.id)
    except Exception as e:  # noqa: BLE001 - any failure of one source is recorded, never fatal to the run
        if _ours(e):
            raise _as_ours(e, src.name, store) from e
        outcome = decider.Outcome.from_error(e)
        d = decider.decide_after_fetch(state, outcome, now, settings.fetch)
        _save_decision(store, src, d)
        store.finish_fetch(fetch_id, "error", http_status=outcome.status, error=outcome.error)
        return FetchReport(
            src.name, "error", note=d.paused_reason or outcome.error or type(e).__name__
        )
    status = "not_modified" if result.not_modified else "ok"
    outcome = decider.Outcome.success(
        result.http_status or 200, max_age=result.max_age, not_modified=result.not_modified
    )
    d = decider.decide_after_fetch(state, outcome, now, settings.fetch)
    _save_decision(store, src, d, etag=result.etag, last_modified=result.last_modified)
    store.finish_fetch(
        fetch_id, status, counts, http_status=result.http_status, nbytes=result.nbytes
    )
    note = "; ".join(result.warnings[:2]) + (
        f" (+{len(result.warnings) - 2} more)" if len(result.warnings) > 2 else ""
    )
    return FetchReport(src.name, status, counts, note)


def _ours(e: Exception) -> bool:
    """A failure of abreast's own side, not of the source: the database cannot be written (full,
    read-only, locked, damaged) or a setting is unusable. Counting it against each source paused
    healthy sources, which stayed paused after the cause was fixed; so it stops the run instead."""
    return isinstance(e, sqlite3.OperationalError | ConfigError | StoreError) or (
        type(e) is sqlite3.DatabaseError  # "file is not a database", "disk image is malformed"
    )


def _as_ours(e: Exception, name: str, store: Store) -> AbreastError:
    from ..store.repair import explain

    if isinstance(e, AbreastError):
        return e
    if isinstance(e, sqlite3.Error) and (known := explain(e, store.path)):
        # Damaged (now marked), read-only, full, locked: the line that says what to do.
        return StoreError(f"{known} {name}: nothing was counted against the source.")
    return StoreError(
        f"the database could not store what {name} sent ({e}); nothing was counted against the "
        "source. Free disk space or fix the database (`abreast db info`), then fetch again."
    )


def _keep_page_text(store: Store, items: list[Item]) -> list[Item]:
    """Page text is fetched once per item: a stored item keeps the text it has (else the title-only
    entry of the next fetch would look like a change and wipe it). Returns the items still to
    fetch."""
    stored = {r.key: r.text for r in store.items(keys=[it.key for it in items])} if items else {}
    for it in items:
        if it.key in stored and not it.text.strip():
            it.text = stored[it.key]
    return [it for it in items if it.key not in stored]


def _save_decision(
    store: Store,
    src: Source,
    d: decider.Schedule,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    fields = dict(
        error_count=d.error_count,
        paused=int(d.paused),
        paused_reason=d.paused_reason,
        gone=int(d.gone),
        last_error=d.last_error,
        last_fetch_at=d.last_fetch_at.isoformat(timespec="seconds"),
        next_fetch_at=d.next_fetch_at.isoformat(timespec="seconds") if d.next_fetch_at else None,
    )
    if etag is not None or last_modified is not None:
        fields.update(etag=etag, last_modified=last_modified)
    store.update_source(src.id, **fields)


@dataclass
class ReadingReport:
    """What the reading stage did for the top stories: article texts, reasons, discussions."""

    pages: ReadReport | None = None
    discussions: DiscussionReport | None = None
    changed_weeks: set[str] = field(default_factory=set)  # weeks whose items got new text

    def summary(self) -> str:
        parts = [p.summary() for p in (self.pages, self.discussions) if p is not None]
        return "Top stories: " + "; ".join(parts) + "." if parts else ""


def page_targets(items: list[TopItem]) -> list[tuple[str, str]]:
    """(key, url) of the top stories' items that have no text or only a teaser (a one-line feed
    summary), were never refused one, and whose source has not opted out (`page_text = false`).
    Hugging Face models read their card instead."""
    from .pagetext import SKIP_HOSTS, _host

    out, seen = [], set()
    for it in items:
        own_words = it.has_text and it.text_source != "metadata"  # a model's facts are not words
        if it.key in seen or (own_words and not it.teaser) or it.text_note or not it.url:
            continue
        if it.source_config.get("page_text") is False:
            continue
        seen.add(it.key)
        if it.kind == "hf":
            out.append((it.key, card_url(it)))
        elif it.url.startswith(("http://", "https://")) and not any(
            _host(it.url) == h or _host(it.url).endswith("." + h) for h in SKIP_HOSTS
        ):
            out.append((it.key, it.url))
    return out


def card_url(it: TopItem) -> str:
    """A Hub model's README (its card), at the source's base URL (the Hub or the replay)."""
    base = (it.source_url or "https://huggingface.co").rstrip("/")
    return f"{base}/{it.key.split(':', 1)[1]}/raw/main/README.md"


def read_top_stories(
    store: Store,
    settings: Settings,
    weeks: list[str] | None = None,
    fetcher: Fetcher | None = None,
) -> ReadingReport:
    """After the stories are built: the items of each recent week's top stories get their text
    (article pages, model cards) and the HN/Reddit ones their discussions. Never raises for a page
    or a thread; what could not be read is recorded and reported."""
    from ..store.reading import recent_story_weeks, top_story_items
    from .discussion import read_discussions
    from .fetcher import Fetcher
    from .pagetext import PageReader

    text = settings.text
    report = ReadingReport()
    if not text.enabled:
        return report
    weeks = weeks if weeks is not None else recent_story_weeks(store.conn, text.weeks)
    items = top_story_items(store.conn, weeks, text.stories)
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings.fetch)
    try:
        targets = page_targets(items)
        if targets:
            week_of = {it.key: it.week for it in items}
            reader = PageReader(fetcher, text.pages_per_run, text.workers)
            report.pages = reader.read(targets)
            for r in report.pages.results:
                if r.text:
                    source = "card" if r.key.startswith("hf:") else "page"
                    store.set_fetched_text(r.key, r.text, source)
                    report.changed_weeks.add(week_of[r.key])
                elif r.note:
                    store.set_text_note(r.key, r.note)
        if text.discussions:
            top = text.discussion_stories
            report.discussions = read_discussions(
                store.conn,
                fetcher,
                [it for it in items if it.rank <= top],
                text.max_comments,
            )
    finally:
        if own:
            fetcher.close()
    return report
