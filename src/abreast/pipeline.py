"""After a fetch: understand every new item, build the weeks' stories and trends, summarize them,
refresh the model registry, write drafts.

Each stage only redoes what changed (content hashes, kept story assignments, summary input hashes),
so a weekly run after a fetch is cheap. Weeks are processed oldest first because a story links to
related stories of earlier weeks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .store import Store, progress
from .store.stories import count_rising, item_weeks, term_weeks, week_top_terms, week_volumes
from .stories.trends import TrendParams, chart

Step = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class PipelineResult:
    annotated: int = 0
    ai_items: int = 0
    stories: dict[str, int] = field(default_factory=dict)
    up_to_date: int = 0  # weeks whose stories were already built from the same inputs
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
        if self.up_to_date:
            lines.append(
                f"{self.up_to_date} weeks unchanged since the last run: left as they were."
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


def stale_weeks(
    weeks: list[str], digests: dict[str, str], built: dict[str, str], salt: str
) -> tuple[list[str], dict[str, str]]:
    """Which weeks' stories must be rebuilt, and the fingerprint each week is built from.

    A week's fingerprint covers its own items (``digests``), the clustering settings (``salt``)
    and the previous week's fingerprint: stories link to related stories of earlier weeks, so a
    change in an old week (a backfill) reaches every later week, while a new week touches only
    itself."""
    wanted: dict[str, str] = {}
    previous = ""
    for week in weeks:
        previous = hashlib.sha1(f"{salt}|{previous}|{digests.get(week, '')}".encode()).hexdigest()
        wanted[week] = previous
    return [w for w in weeks if built.get(w) != wanted[w]], wanted


def rising_terms(store: Store, weeks: list[str] | None = None) -> int:
    """Recount the trends table (only ``weeks`` when given: those whose stories were rebuilt);
    return how many (week, term) pairs rose sharply across all weeks."""
    from .stories.build import recount_trends, update_trends  # numpy, sklearn: see run_pipeline

    if weeks is None:
        update_trends(store)
    else:
        recount_trends(store, weeks)
    p = TrendParams()
    return count_rising(store.conn, p.min_count, p.min_z)


def write_trend_charts(
    store: Store, weeks: list[str], out_dir: Path, per_week: int = 3, min_items: int = 20
) -> int:
    """For every week of ``weeks`` with at least ``min_items`` AI items, chart its strongest terms
    (rising or not) over the weeks up to it: ``<out_dir>/<week>/<term>.svg|png``, from the trends
    table. Returns the charts written. A week's chart shows the weeks up to it, so only weeks
    whose stories were rebuilt (a change there or before) need drawing again."""
    every = item_weeks(store.conn)
    volume = week_volumes(store.conn)
    written = 0
    for week in weeks:
        if volume.get(week, 0) < min_items:
            continue
        upto = [w for w in every if w <= week]
        manifest_path = out_dir / week / ".inputs.json"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        drawn: dict[str, str] = {}
        for term in week_top_terms(store.conn, week, per_week):
            counts = term_weeks(store.conn, term, week)
            series = [counts.get(w, 0) for w in upto]
            fp = hashlib.sha1(json.dumps([term, upto, series]).encode()).hexdigest()
            drawn[term] = fp
            if manifest.get(term) == fp and (out_dir / week).exists():
                continue
            chart(term, upto, counts, out_dir / week, highlight=week)
            written += 1
        if drawn != manifest:
            manifest_path.parent.mkdir(parents=True, exist_ok=True)
            manifest_path.write_text(json.dumps(drawn, sort_keys=True), encoding="utf-8")
    return written


def run_pipeline(
    store: Store,
    settings: Settings,
    draft_weeks: list[str] | None = None,
    on_step: Step | None = None,
    console=None,
) -> PipelineResult:
    # The stages load numpy, sklearn, wordllama and the lexicons: imported here, so a CLI command
    # that never runs the pipeline does not pay for them (tests/test_lazy_imports.py).
    from .collect.run import read_top_stories
    from .explain.summarize import summarize_week
    from .landscape.registry import build_registry
    from .stories.build import build_week, cluster_params, grouping_key
    from .understand import pipeline as understand
    from .write.draft import write_draft

    step = on_step or (lambda *_: None)
    result = PipelineResult()
    counts = understand.run(
        store, settings, progress=lambda done, total: step("understanding items", done, total)
    )
    result.annotated = counts["annotated"]
    result.ai_items = progress.count_ai(store.conn)
    weeks = progress.weeks_with_ai_items(store.conn)
    # A week's items keep their story from run to run. A store grouped under other join rules or
    # parameters (an upgrade, a changed [stories] setting) regroups from scratch each week it
    # rebuilds; `process --full` rebuilds them all, and only then is the store marked as grouped
    # under the current rules (an upgrade never forces a whole-history rebuild on its own).
    key = grouping_key(cluster_params(settings))
    regroup = progress.built_from(store.conn, "grouping").get("*") != key
    salt = repr(settings.stories)
    stale, wanted = stale_weeks(
        weeks, progress.week_inputs(store.conn), progress.built_from(store.conn, "stories"), salt
    )
    result.up_to_date = len(weeks) - len(stale)
    for i, week in enumerate(stale):
        step(f"building stories of {week}", i, len(stale))
        result.stories[week] = len(build_week(store, week, settings, rebuild=regroup))
    progress.mark_built(store.conn, "stories", {w: wanted[w] for w in stale})
    if regroup and len(stale) == len(weeks):
        progress.mark_built(store.conn, "grouping", {"*": key})
    step("reading the top stories' articles and discussions", 0, 1)
    reading = read_top_stories(store, settings)
    result.reading = reading.summary()
    if reading.changed_weeks:
        # New article text changes what an item is about: understand it again, regroup its week.
        understand.run(store, settings)
        for week in sorted(reading.changed_weeks):
            step(f"rebuilding stories of {week} with article text", 0, 1)
            result.stories[week] = len(build_week(store, week, settings))
        stale_after, wanted = stale_weeks(
            weeks,
            progress.week_inputs(store.conn),
            progress.built_from(store.conn, "stories"),
            salt,
        )
        for week in stale_after:
            if week not in reading.changed_weeks:
                result.stories[week] = len(build_week(store, week, settings))
        progress.mark_built(store.conn, "stories", {w: wanted[w] for w in stale_after})
        stale = sorted(set(stale) | set(stale_after))
    trends_from = progress.built_from(store.conn, "trends").get("*")
    if stale or not trends_from:
        step("finding trends", 0, 1)
        # Only the rebuilt weeks are recounted when the table was built before: a week's trends
        # follow from its titles and the weeks before it, and staleness reaches every later week.
        whole = not trends_from or len(stale) == len(weeks)
        result.trends = rising_terms(store, None if whole else stale)
        progress.mark_built(store.conn, "trends", {"*": wanted[weeks[-1]] if weeks else ""})
        step("drawing trend charts", 0, 1)
        result.charts = write_trend_charts(store, weeks if whole else stale, settings.paths.charts)
    # The configured model id, read without importing llm (a second of start-up that a run with
    # nothing to summarize must not pay).
    model_id = settings.explain.model or None
    verified = total = 0
    # A week's summaries follow from its stories and the model that writes them.
    summary_inputs = {w: f"{wanted[w]}|{model_id or 'extractive'}" for w in weeks}
    summarized = progress.built_from(store.conn, "summaries")
    to_summarize = [w for w in weeks if summarized.get(w) != summary_inputs[w]]
    model = None
    if model_id and to_summarize:
        from .explain.llm_backend import load_model

        model = load_model(model_id)
    for i, week in enumerate(to_summarize):
        step(f"summarizing {week}", i, len(to_summarize))
        for s in summarize_week(store.conn, week, model):
            result.summaries += 1
            sents = (s.summary or {}).get("sentences", [])
            verified += sum(1 for x in sents if x.get("verified"))
            total += len(sents)
    progress.mark_built(store.conn, "summaries", {w: summary_inputs[w] for w in to_summarize})
    result.verified = (verified, total)
    # Word-sense verdicts for search, judged here so that no search pays for them (only the
    # window's items not judged before: a run with nothing new reads their keys and stops).
    from .retrieve.verdicts import precompute

    precompute(store, progress=lambda done, total: step("judging word senses", done, total))
    registry_inputs = progress.store_inputs(store.conn)
    if progress.built_from(store.conn, "registry").get("*") != registry_inputs:
        step("building the model registry", 0, 1)
        result.models = build_registry(store.conn).models
        progress.mark_built(store.conn, "registry", {"*": registry_inputs})
    for week in draft_weeks or []:
        step(f"writing the draft for {week}", 0, 1)
        result.drafts.append(write_draft(store, settings, week))
    return result
