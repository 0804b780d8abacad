"""Build the demo store: the bundled snapshot fetched through the real connectors from a replay
server on 127.0.0.1, then the whole pipeline (understand, stories, trends, summaries, registry,
drafts).

One function does it for `abreast demo run` and for the test suite's session fixture, so the tests
exercise exactly the store a user gets from `make demo`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from .. import config
from ..collect.run import FetchReport, fetch_sources
from ..pipeline import PipelineResult, Step, run_pipeline
from ..store import Store
from .replay import ReplayServer
from .sources import DEMO_TEXT, DEMO_WINDOWS, demo_sources

# The last full week of the 2024 window, and the week of the user's own post (../shared/seed).
DRAFT_WEEKS = ["2024-W51", "2023-W49"]

FetchProgress = Callable[[str, int, int], None]  # (source name, done, total)


@dataclass
class DemoBuild:
    reports: list[FetchReport]
    result: PipelineResult

    @property
    def failed(self) -> list[FetchReport]:
        return [r for r in self.reports if r.status == "error"]


def add_demo_sources(store: Store, base_url: str) -> None:
    """Register every demo source under ``base_url``; sources of an earlier run are pointed there
    again and revived (the replay server's port changes between runs)."""
    existing = {s.name: s for s in store.sources()}
    for s in demo_sources(base_url):
        if s["name"] in existing:
            # Its settings as this version of the demo has them (earlier demos opted out of
            # reading pages).
            store.update_source(
                existing[s["name"]].id,
                url=s["url"],
                config_json=json.dumps(s["config"]),
                paused=0,
                error_count=0,
                gone=0,
            )
        else:
            store.add_source(s["name"], s["kind"], s["url"], s.get("config"))


def collect_demo(
    store: Store, settings: config.Settings, base_url: str, on_progress: FetchProgress | None = None
) -> list[FetchReport]:
    """Fetch the whole snapshot through the real connectors from the replay server at base_url."""
    add_demo_sources(store, base_url)
    return fetch_sources(
        store,
        settings,
        since=date.fromisoformat(DEMO_WINDOWS[0][0]),
        on_progress=on_progress,
    )


def build_demo(
    store: Store,
    settings: config.Settings,
    drafts: bool = True,
    on_fetch: FetchProgress | None = None,
    on_step: Step | None = None,
    before_pipeline: Callable[[list[FetchReport]], None] | None = None,
) -> DemoBuild:
    """Collect the snapshot, then run the pipeline and write the drafts of ``DRAFT_WEEKS``.

    ``before_pipeline`` sees the fetch reports before the (longer) processing starts."""
    # The server stays up through the pipeline: its reading stage fetches the top stories' article
    # pages and discussions from the replay (fetch.replay), like the real sites and APIs.
    with ReplayServer() as server:
        settings = replace(
            settings,
            fetch=replace(settings.fetch, replay=server.url),
            text=replace(settings.text, **DEMO_TEXT),
        )
        reports = collect_demo(store, settings, server.url, on_fetch)
        if before_pipeline is not None:
            before_pipeline(reports)
        result = run_pipeline(
            store, settings, draft_weeks=DRAFT_WEEKS if drafts else [], on_step=on_step
        )
    return DemoBuild(reports=reports, result=result)
