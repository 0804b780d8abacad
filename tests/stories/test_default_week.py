from abreast.stories.model import default_week


def test_a_stray_late_item_does_not_hide_the_last_real_week():
    counts = [("2024-W50", 900), ("2024-W51", 1100), ("2024-W52", 2), ("2025-W01", 2)]
    assert default_week(counts) == "2024-W51"


def test_the_unfinished_current_week_is_not_the_default():
    counts = [("2026-W47", 40), ("2026-W48", 35)]
    assert default_week(counts, current="2026-W48") == "2026-W47"


def test_small_stores_still_get_a_week():
    assert default_week([("2024-W49", 3), ("2024-W51", 1)]) == "2024-W51"
    assert default_week([]) is None
