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
    assert "Reasoning model" in words and "Test-time compute" in words
    assert "Large language model (LLM)" not in words[:4]
    mark(demo_store.conn, "reasoning-model")
    words = [w.term for w in words_of_the_week(stories, demo_store, "2024-W51")]
    assert "Reasoning model" not in words
