"""Trends: entities and jargon terms whose weekly counts rise sharply, and a chart per trend.

Burst detection compares a term's count this week with its own history: a Poisson-style z-score
z = (count - baseline) / sqrt(baseline + 1), where the baseline is the mean of the previous weeks
(absent weeks count as 0). The +1 keeps a term that goes from 0 to 3 from looking infinite, and a
minimum count keeps one-off mentions out. Simple on purpose: it is explainable in one sentence.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..types import file_slug


@dataclass(frozen=True)
class TrendParams:
    min_count: int = 3  # a trend needs at least this many mentions in its week
    min_z: float = 2.0
    history: int = 4  # previous weeks that form the baseline


@dataclass
class Trend:
    term: str
    week: str
    count: int
    baseline: float
    burst: float  # the z-score

    @property
    def why(self) -> str:
        return (
            f"{self.count} mentions in {self.week} where {self.baseline:.1f} were expected "
            f"(z={self.burst:.1f})"
        )

    @property
    def label(self) -> str:
        return term_label(self.term)

    @property
    def sentence(self) -> str:
        """What the burst means, in one plain sentence."""
        if self.baseline < 0.5:
            before = "where earlier weeks' news predicts none"
        else:
            before = f"where its share of earlier weeks' news predicts about {self.baseline:.0f}"
        return (
            f"{self.label} was named in {self.count} items this week, {before}: a rise this far "
            f"above the usual rarely happens by chance (burst score {self.burst:.1f}; 2 or more "
            "counts as rising)."
        )


def term_label(term: str) -> str:
    """A trend term as readers write it: "term:dpo" -> "DPO", "org:openai" -> "OpenAI"."""
    if term.startswith("term:"):
        from ..understand.jargon import glossary

        t = glossary().get(term[5:])
        return t.term if t else term[5:]
    from ..understand.entities import entity_label

    return entity_label(term)


def week_trends(
    conn: sqlite3.Connection, week: str, params: TrendParams | None = None
) -> list[Trend]:
    """The week's rising terms, strongest first, each with the count its earlier share of the news
    predicts (the baseline). The one rule the CLI, the web pages and the draft all show."""
    from ..store.stories import item_weeks, load_trends, trend_counts, week_volumes

    p = params or TrendParams()
    # A burst is measured against the `history` weeks before: those and the week are all that is
    # read (the terms' whole series grew with every week of history, per term, per request).
    weeks = [w for w in item_weeks(conn) if w <= week][-(p.history + 1) :]
    volumes = week_volumes(conn)
    volume = [volumes.get(w, 0) for w in weeks]
    counts = trend_counts(conn, weeks)
    out = []
    for row in load_trends(conn, week, min_burst=p.min_z):
        if row.count < p.min_count:
            continue
        series = [counts.get(row.term, {}).get(w, 0) for w in weeks]
        _, expected = burst_score(series, p.history, volume)
        out.append(Trend(row.term, week, row.count, round(expected, 3), row.burst))
    return out


def weekly_counts(rows: Iterable[tuple[str, Iterable[str]]]) -> dict[str, dict[str, int]]:
    """(week, terms of one item) rows -> {term: {week: number of items naming it}}."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for week, terms in rows:
        for t in set(terms):
            counts[t][week] += 1
    return {t: dict(w) for t, w in counts.items()}


def title_terms(rows: Iterable[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(week, title) -> (week, entity ids + "term:<jargon id>") found in the TITLE.

    Titles, not bodies: some weeks' items carry abstracts and others only titles (the recorded
    2024-W51 has an arXiv abstracts dump), and counting words in bodies would make those weeks look
    like bursts."""
    from ..understand.entities import extract_entities
    from ..understand.jargon import find_jargon

    return [
        (week, extract_entities(title) + [f"term:{t}" for t in find_jargon(title)])
        for week, title in rows
    ]


def weekly_volume(rows: Iterable[tuple[str, Iterable[str]]]) -> dict[str, int]:
    """Items per week: what a term's count is measured against."""
    out: dict[str, int] = defaultdict(int)
    for week, _terms in rows:
        out[week] += 1
    return dict(out)


def burst_score(
    series: Sequence[int], history: int, volume: Sequence[int] | None = None
) -> tuple[float, float]:
    """(z, expected) of the last value of series against up to `history` values before it.

    With ``volume`` (items per week, aligned with series) the expectation is the term's earlier
    SHARE of items times this week's items: a week that simply holds more items (2024-W51 carries a
    whole arXiv abstracts dump) must not make every common term look like it is rising."""
    if not series:
        return 0.0, 0.0
    before = list(series[:-1])[-history:]
    if volume is not None and len(volume) == len(series):
        seen = sum(list(volume[:-1])[-history:])
        expected = (sum(before) / seen) * volume[-1] if seen else 0.0
    else:
        expected = sum(before) / len(before) if before else 0.0
    return (series[-1] - expected) / math.sqrt(expected + 1.0), expected


def detect(
    counts: dict[str, dict[str, int]],
    weeks: Sequence[str],
    week: str,
    params: TrendParams | None = None,
    volume: dict[str, int] | None = None,
) -> list[Trend]:
    """Terms bursting in `week`, strongest first. `weeks` is every week in the store, in order."""
    p = params or TrendParams()
    upto = [w for w in weeks if w <= week]
    out = []
    for term, by_week in counts.items():
        c = by_week.get(week, 0)
        if c < p.min_count:
            continue
        z, base = burst_score(
            [by_week.get(w, 0) for w in upto],
            p.history,
            [volume.get(w, 0) for w in upto] if volume else None,
        )
        if z >= p.min_z:
            out.append(Trend(term, week, c, round(base, 3), round(z, 3)))
    return sorted(out, key=lambda t: (-t.burst, -t.count, t.term))


def all_scores(
    counts: dict[str, dict[str, int]],
    weeks: Sequence[str],
    params: TrendParams | None = None,
    volume: dict[str, int] | None = None,
) -> list[tuple[str, str, int, float]]:
    """(week, term, count, burst) for every week a term appears: the rows of the trends table."""
    p = params or TrendParams()
    rows = []
    vol = [volume.get(w, 0) for w in weeks] if volume else None
    for term, by_week in counts.items():
        series = [by_week.get(w, 0) for w in weeks]
        for i, w in enumerate(weeks):
            if series[i]:
                z, _ = burst_score(series[: i + 1], p.history, vol[: i + 1] if vol else None)
                rows.append((w, term, series[i], round(z, 3)))
    return rows


# Weeks a chart spans at most: two years read as weekly bars; every bar more is drawing time each
# run pays for (a store with six years of history drew 325 bars per chart) and no reader sees.
CHART_WEEKS = 104


def chart(
    term: str,
    weeks: Sequence[str],
    counts: dict[str, int],
    out_dir: Path,
    highlight: str | None = None,
) -> tuple[Path, Path]:
    """Bar chart of a term's weekly counts over the weeks in the store, the last CHART_WEEKS of
    them at most; writes <slug>.svg and .png."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in tests
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    # Real weeks only: the x axis runs week by week from the first stored week to the last, a bar
    # for each week the store has items for (a true zero there is a zero) and a blank, shaded gap
    # for weeks it has none (unknown, not zero).
    span = week_span(weeks)[-CHART_WEEKS:]
    pos = {w: i for i, w in enumerate(span)}
    known = [w for w in weeks if w in pos]
    fig, ax = plt.subplots(figsize=(min(9.0, max(5.0, 0.3 * len(span) + 2)), 3.0), dpi=100)
    have = set(known)
    for i, w in enumerate(span):
        if w not in have:
            ax.axvspan(i - 0.5, i + 0.5, color="#f1f3f5", lw=0)
    colors = ["#d9480f" if w == highlight else "#868e96" for w in known]
    ax.bar([pos[w] for w in known], [counts.get(w, 0) for w in known], color=colors)
    step = max(1, len(span) // 12)
    ticks = [i for i in range(len(span)) if i % step == 0 or span[i] == highlight]
    ax.set_xticks(ticks, [span[i].replace("-W", "\nW") for i in ticks], fontsize=9)
    ax.tick_params(axis="y", labelsize=9)
    ax.set_xlim(-0.6, len(span) - 0.4)
    ax.set_ylabel("items", fontsize=10)
    gaps = len(span) - len(known)
    title = f"{term}: items per week"
    if gaps:
        title += f" (shaded: {gaps} weeks with no items stored)"
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    base = out_dir / file_slug(term)
    svg, png = base.with_suffix(".svg"), base.with_suffix(".png")
    # No timestamp and a fixed id salt: a rerun writes the same bytes, so drafts do not churn.
    with matplotlib.rc_context({"svg.hashsalt": "abreast"}):
        fig.savefig(svg, format="svg", metadata={"Date": None})
    fig.savefig(png, format="png", metadata={"Software": None})
    plt.close(fig)
    return svg, png


def week_span(weeks: Sequence[str]) -> list[str]:
    """Every ISO week from the first of ``weeks`` to the last, in order (gaps filled in)."""
    from datetime import date, timedelta

    parsed = sorted(w for w in weeks if len(w) == 8 and w[4:6] == "-W")
    if not parsed:
        return list(weeks)
    day = date.fromisocalendar(int(parsed[0][:4]), int(parsed[0][6:]), 1)
    end = date.fromisocalendar(int(parsed[-1][:4]), int(parsed[-1][6:]), 1)
    out = []
    while day <= end:
        y, w, _ = day.isocalendar()
        out.append(f"{y}-W{w:02d}")
        day += timedelta(days=7)
    return out
