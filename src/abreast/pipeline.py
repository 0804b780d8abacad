"""After a fetch: understand every new item, build the weeks' stories and trends, summarize them,
refresh the model registry, write drafts.

Each stage only redoes what changed (content hashes, kept story assignments, summary input hashes),
so a weekly run after a fetch is cheap. Weeks are processed oldest first because a story links to
related stories of earlier weeks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .store import Store

Step = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class PipelineResult:
    annotated: int = 0
    ai_items: int = 0
    stories: dict[str, int] = field(default_factory=dict)
    trends: int = 0
    charts: int = 0
    summaries: int = 0
    verified: tuple[int, int] = (0, 0)
    models: int = 0
    drafts: list[Path] = field(default_factory=list)
    reading: str = ""  # what the reading stage fetched for the top stories

    def summary(self) -> str:
        lines = [
            f"Understood {self.annotated} new or changed items ({self.ai_items} about AI in the "
            "store)."
        ]
        if self.stories:
            lines.append(
                f"Stories for {len(self.stories)} weeks, {sum(self.stories.values())} in all."
            )
        if self.summaries:
            v, t = self.verified
            lines.append(
                f"Cited summaries for {self.summaries} stories: {v} of {t} sentences verified "
                "against their sources."
            )
        if self.reading:
            lines.append(self.reading)
        if self.trends:
            lines.append(
                f"{self.trends} rising terms across the weeks; {self.charts} trend charts in "
                "charts/."
            )
        if self.models:
            lines.append(f"Model registry: {self.models} models.")
        lines += [f"Draft: {p}" for p in self.drafts]
        return "\n".join(lines)


def _weeks_with_ai_items(store: Store) -> list[str]:
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT items.week FROM items JOIN annotations a ON a.item_id = items.id "
            "WHERE a.is_ai = 1 AND items.week IS NOT NULL GROUP BY items.week ORDER BY items.week"
        )
    ]


def rising_terms(store: Store) -> int:
    """Recount the trends table; return how many (week, term) pairs rose sharply across all
    weeks."""
    from .stories.build import update_trends
    from .stories.trends import TrendParams

    update_trends(store)
    p = TrendParams()
    return store.conn.execute(
        "SELECT count(*) FROM trends WHERE count >= ? AND burst >= ?", (p.min_count, p.min_z)
    ).fetchone()[0]


def write_trend_charts(
    store: Store, weeks: list[str], out_dir: Path, per_week: int = 3, min_items: int = 20
) -> int:
    """For every week with at least ``min_items`` AI items, chart its strongest terms (rising or
    not) over all weeks: ``<out_dir>/<week>/<term>.svg|png``, from the trends table. Returns the
    charts written."""
    from .store import drafts as q
    from .store.stories import item_weeks, load_trends
    from .stories.trends import chart

    every = item_weeks(store.conn)
    volume = (
        dict(zip(every, q.week_volume(store.conn, upto=every[-1]), strict=True)) if every else {}
    )
    counts: dict[str, dict[str, int]] = {}
    by_week: dict[str, list[tuple[float, int, str]]] = {}
    for r in load_trends(store.conn, min_burst=float("-inf")):
        counts.setdefault(r["term"], {})[r["week"]] = r["count"]
        by_week.setdefault(r["week"], []).append((-r["burst"], -r["count"], r["term"]))
    written = 0
    for week in weeks:
        if volume.get(week, 0) < min_items:
            continue
        for _z, _c, term in sorted(by_week.get(week, []))[:per_week]:
            chart(term, every, counts[term], out_dir / week, highlight=week)
            written += 1
    return written


def run_pipeline(
    store: Store,
    settings: Settings,
    draft_weeks: list[str] | None = None,
    on_step: Step | None = None,
    console=None,
) -> PipelineResult:
    from .collect.run import read_top_stories
    from .explain.llm_backend import configured_model_id, load_model
    from .explain.summarize import summarize_week
    from .landscape.registry import build_registry
    from .stories.build import build_week
    from .understand import pipeline as understand
    from .write.draft import write_draft

    step = on_step or (lambda *_: None)
    result = PipelineResult()
    counts = understand.run(
        store, settings, progress=lambda done, total: step("understanding items", done, total)
    )
    result.annotated = counts["annotated"]
    result.ai_items = store.conn.execute(
        "SELECT count(*) FROM annotations WHERE is_ai = 1"
    ).fetchone()[0]
    weeks = _weeks_with_ai_items(store)
    for i, week in enumerate(weeks):
        step(f"building stories of {week}", i, len(weeks))
        result.stories[week] = len(build_week(store, week, settings))
    step("reading the top stories' articles and discussions", 0, 1)
    reading = read_top_stories(store, settings)
    result.reading = reading.summary()
    if reading.changed_weeks:
        # New article text changes what an item is about: understand it again, regroup its week.
        understand.run(store, settings)
        for week in sorted(reading.changed_weeks):
            step(f"rebuilding stories of {week} with article text", 0, 1)
            result.stories[week] = len(build_week(store, week, settings))
    step("finding trends", 0, 1)
    result.trends = rising_terms(store)
    step("drawing trend charts", 0, 1)
    result.charts = write_trend_charts(store, weeks, settings.paths.charts)
    model_id = configured_model_id(settings)
    model = load_model(model_id) if model_id else None
    verified = total = 0
    for i, week in enumerate(weeks):
        step(f"summarizing {week}", i, len(weeks))
        for s in summarize_week(store.conn, week, model):
            result.summaries += 1
            sents = (s.summary or {}).get("sentences", [])
            verified += sum(1 for x in sents if x.get("verified"))
            total += len(sents)
    result.verified = (verified, total)
    step("building the model registry", 0, 1)
    result.models = build_registry(store.conn).models
    for week in draft_weeks or []:
        step(f"writing the draft for {week}", 0, 1)
        result.drafts.append(write_draft(store, settings, week))
    return result
