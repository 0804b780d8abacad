"""Words of the week: new and rising terms before basics; known terms never."""

import pytest

from abreast.types import Member, Story, TermWeek
from abreast.write.words import select


def _story(sid, jargon, entities=()):
    m = Member(
        key=f"hn:{sid}",
        kind="hn",
        source="hn",
        title=f"story {sid}",
        url=f"https://example.com/{sid}",
        jargon=list(jargon),
    )
    return Story(
        id=sid, week="2024-W51", title=f"story {sid}", members=[m], entities=list(entities)
    )


def _trends(rows):
    return [TermWeek(w, f"term:{t}", c, b) for w, t, c, b in rows]


def test_basics_come_after_new_and_rising_terms_and_known_terms_never_appear():
    stories = [
        _story("a", ["llm", "lora"]),
        _story("b", ["llm", "fine-tuning"]),
        _story("c", ["llm", "state-space-model"]),
    ]
    trends = _trends(
        [(w, "llm", 300, 0.0) for w in ("2024-W48", "2024-W49", "2024-W50")]
        + [(w, "fine-tuning", 20, 0.0) for w in ("2024-W48", "2024-W49", "2024-W50")]
        + [("2024-W50", "lora", 2, 0.0), ("2024-W51", "lora", 5, 1.5)]
    )
    words = [w.term for w in select(stories, "2024-W51", trends)]
    assert words[:2] == ["LoRA", "State space model (SSM, Mamba)"]  # rising, then new
    assert set(words[-2:]) == {"Large language model (LLM)", "Fine-tuning"}  # basics last
    known = [w.term for w in select(stories, "2024-W51", trends, known={"llm"})]
    assert "Large language model (LLM)" not in known


def test_a_story_about_o3_counts_as_using_reasoning_model_and_test_time_compute():
    stories = [_story("o3", [], entities=["model:o3", "org:openai"])]
    words = {w.term for w in select(stories, "2024-W51", [])}
    assert {"Reasoning model", "Test-time compute"} <= words


@pytest.mark.slow
def test_2024_w51_words_are_the_weeks_new_terms_not_basics(demo_store):
    from abreast.store.known_terms import mark
    from abreast.store.stories import load_week
    from abreast.write.gather import words_of_the_week

    stories = load_week(demo_store.conn, "2024-W51")[:20]
    words = [w.term for w in words_of_the_week(stories, demo_store, "2024-W51")]
    # o3's week: its words come first, ahead of a generic "state of the art"
    assert {"Reasoning model", "Test-time compute"} <= set(words[:3])
    assert "Large language model (LLM)" not in words[:4]
    mark(demo_store.conn, "reasoning-model")
    words = [w.term for w in words_of_the_week(stories, demo_store, "2024-W51")]
    assert "Reasoning model" not in words


def test_a_terms_basic_median_is_taken_over_its_last_52_weeks():
    """A page reads a bounded history (write/words.py HISTORY_WEEKS): a term common two years
    ago and rare in the last year is not a basic any more."""
    stories = [_story("a", ["llm", "lora"]), _story("b", ["llm"])]
    weeks = [f"{y}-W{w:02d}" for y in (2022, 2023, 2024) for w in range(1, 53)]
    old = [(w, "llm", 300, 0.0) for w in weeks[:100]]
    recent = [(w, "llm", 2, 0.0) for w in weeks[100:152]]
    lora = [(w, "lora", 1, 0.0) for w in weeks[100:152]]
    trends = _trends(old + recent + lora)
    words = [w.term for w in select(stories, "2025-W01", trends)]
    # llm: 100 weeks at 300 then 52 at 2: the median of its last 52 weeks is 2, not a basic;
    # used by two stories it comes before LoRA (one story).
    assert words == ["Large language model (LLM)", "LoRA"]
    assert [w.term for w in select(stories, "2025-W01", _trends(old))] == [
        "LoRA",
        "Large language model (LLM)",
    ]


@pytest.mark.slow
def test_the_weeks_words_read_from_the_store_equal_the_whole_trends_table(demo_store):
    """Words read through term_history (a few index seeks per term) are the words the whole
    trends table gives, for every demo week."""
    from abreast.store.known_terms import known
    from abreast.store.stories import load_trends, load_week, story_weeks
    from abreast.write.gather import words_of_the_week

    table = load_trends(demo_store.conn)
    for week in story_weeks(demo_store.conn):
        stories = load_week(demo_store.conn, week)[:30]
        whole = select(stories, week, table, known(demo_store.conn))
        assert [w.term for w in words_of_the_week(stories, demo_store, week)] == [
            w.term for w in whole
        ], week


def test_a_term_rises_with_the_new_model_that_embodies_it():
    # o3's first week: its posts never say "test-time compute", but the term is that week's news,
    # ahead of a generic word that a few more stories happen to use.
    stories = [
        _story("o3", [], entities=["model:o3", "org:openai"]),
        _story("a", ["sota"]),
        _story("b", ["sota"]),
        _story("c", ["sota"]),
    ]
    trends = _trends(
        [("2024-W49", "sota", 2, 0.6), ("2024-W51", "sota", 4, 1.4)]
        + [("2024-W49", "test-time-compute", 1, 0.0), ("2024-W49", "reasoning-model", 1, 0.0)]
    ) + [TermWeek("2024-W51", "model:o3", 6, 6.0)]
    words = [
        w.term
        for w in select(
            stories, "2024-W51", history=lambda terms: [t for t in trends if t.term in terms]
        )
    ]
    assert words.index("Test-time compute") < words.index("State of the art (SOTA)")
    assert words.index("Reasoning model") < words.index("State of the art (SOTA)")
