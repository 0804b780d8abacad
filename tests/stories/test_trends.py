"""Burst detection on constructed series, and charts that are real SVG and PNG files."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from abreast.stories.trends import chart, detect, weekly_counts

WEEKS = ["2024-W47", "2024-W48", "2024-W49", "2024-W50", "2024-W51"]


def _rows(series: dict[str, list[int]]):
    for term, counts in series.items():
        for w, c in zip(WEEKS, counts, strict=True):
            for _ in range(c):
                yield (w, [term])


def test_a_rising_term_is_a_trend_and_a_steady_one_is_not():
    counts = weekly_counts(
        _rows(
            {
                "model:o3": [0, 0, 1, 0, 9],  # rises sharply in W51
                "org:openai": [12, 10, 11, 13, 12],  # always talked about
                "term:test-time-compute": [1, 1, 2, 3, 7],
                "model:rare": [0, 0, 0, 0, 2],  # too few mentions to call
            }
        )
    )
    trends = detect(counts, WEEKS, "2024-W51")
    terms = [t.term for t in trends]
    assert terms[0] == "model:o3"
    assert "term:test-time-compute" in terms
    assert "org:openai" not in terms and "model:rare" not in terms
    o3 = trends[0]
    assert o3.count == 9 and o3.baseline == 0.25 and "9 mentions" in o3.why
    assert detect(counts, WEEKS, "2024-W50") == []  # nothing was rising a week earlier


def test_each_item_counts_once_per_term():
    counts = weekly_counts([("2024-W51", ["model:o3", "model:o3"]), ("2024-W51", ["model:o3"])])
    assert counts == {"model:o3": {"2024-W51": 2}}


def test_charts_are_valid_svg_and_png(tmp_path):
    svg, png = chart(
        "model:o3", WEEKS, {"2024-W49": 1, "2024-W51": 9}, tmp_path, highlight="2024-W51"
    )
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    assert matplotlib.image.imread(png).shape[0] > 50
    first = svg.read_bytes()
    chart("model:o3", WEEKS, {"2024-W49": 1, "2024-W51": 9}, tmp_path, highlight="2024-W51")
    assert svg.read_bytes() == first  # reruns do not churn the draft's images


def test_a_week_with_more_items_does_not_make_common_terms_rise():
    from abreast.stories.trends import burst_score

    counts = [10, 10, 10, 10, 40]  # the term appears 4x as often ...
    volume = [100, 100, 100, 100, 400]  # ... in a week with 4x the items: its share did not move
    z_raw, _ = burst_score(counts, 4)
    z_share, expected = burst_score(counts, 4, volume)
    assert z_raw > 5 and abs(z_share) < 0.01 and expected == 40
    rising, _ = burst_score([1, 1, 1, 1, 30], 4, volume)
    assert rising > 2
