"""Continuity: a story names the earlier story it continues through model lineage."""

import pytest

from abreast.stories.novelty import predecessors


def test_the_previous_version_of_the_same_line_is_the_predecessor():
    known = {"model:o1", "model:o1-mini", "model:gpt-4o", "model:marco-o1"}
    assert predecessors("model:o3", known)[0] == "model:o1"
    llama = {
        "model:llama-3.1-70b",
        "model:llama-3.1-405b",
        "model:llama-3.2-3b",
        "model:llama-2-70b",
    }
    assert predecessors("model:llama-3.3-70b", llama)[0] == "model:llama-3.1-70b"


def test_no_predecessor_for_a_first_version_a_newer_one_or_a_community_derivative():
    assert predecessors("model:o1", {"model:o3"}) == []
    assert predecessors("model:qwen-2.5-7b-spanish-o1-cot", {"model:qwen-2-7b"}) == []
    assert predecessors("model:chatgpt", {"model:gpt-4"}) == []


@pytest.mark.slow
def test_the_o3_story_continues_o1_and_its_card_says_so(demo_store):
    from abreast.explain.card import load_card
    from abreast.explain.card_render import card_markdown
    from abreast.store.stories import load_week
    from abreast.stories.novelty import continuations

    o3 = next(s for s in load_week(demo_store.conn, "2024-W51") if "o3" in s.title.lower())
    notes = [c.note() for c in continuations(demo_store.conn, o3)]
    assert notes and "o3 follows o1" in notes[0]
    card = load_card(demo_store, o3)
    # The o1 story is named by OpenAI's own page, not by the newsletter section that leads it.
    assert card.earlier and card.earlier[0].title == "OpenAI o1 System Card"
    assert any("Continues" in line and "o1" in line for line in card_markdown(card))


@pytest.mark.slow
def test_why_the_o3_story_is_here_agrees_with_its_card(demo_store):
    """The score's novelty ("why is this here") says what the card says: o3 continues o1."""
    from abreast.store.stories import load_week
    from abreast.stories.rank import explain

    week = load_week(demo_store.conn, "2024-W51")
    o3 = next(s for s in week if "o3" in s.title.lower())
    assert not o3.is_new
    novelty = next(line for line in explain(o3) if line.strip().startswith("novelty"))
    assert "o3 follows o1" in novelty and "new this week" not in novelty
    # A new version is still a launch: it keeps its place at the top of its week.
    assert o3.rank == 1


@pytest.mark.slow
def test_a_later_story_about_the_same_model_continues_its_labs_earlier_page(demo_store):
    """o1 in OpenAI's API (2024-W51) continues "OpenAI o1 System Card" (2024-W49): the card and
    "why is this here" say so instead of "no related story in earlier weeks", and the launch
    ranks among the week's top ten."""
    from abreast.explain.card import load_card
    from abreast.store.stories import load_week
    from abreast.stories.rank import explain

    week = load_week(demo_store.conn, "2024-W51")
    o1 = next(s for s in week if s.title == "OpenAI o1 and new tools for developers")
    assert not o1.is_new
    novelty = next(line for line in explain(o1) if line.strip().startswith("novelty"))
    assert '"OpenAI o1 System Card" (2024-W49): more on o1' in novelty
    card = load_card(demo_store, o1)
    assert card.earlier and card.earlier[0].week == "2024-W49"
    assert o1.rank is not None and o1.rank <= 10


@pytest.mark.slow
def test_a_tier_of_a_version_continues_that_versions_launch(demo_store):
    """ "Gemini 2.0 Flash Thinking" (2024-W51) follows "Introducing Gemini 2.0" (2024-W50), not an
    older Gemini, and is not shown as new."""
    from abreast.store.stories import load_week
    from abreast.stories.novelty import continuations

    week = load_week(demo_store.conn, "2024-W51")
    flash = next(s for s in week if s.title.startswith("Gemini 2.0 Flash Thinking"))
    notes = [c.note() for c in continuations(demo_store.conn, flash)]
    assert notes and "(2024-W50): gemini-2.0-flash-thinking follows gemini-2.0" in notes[0]
    assert "Introducing Gemini 2.0" in notes[0]


@pytest.mark.slow
def test_a_launch_quoted_by_a_newsletter_or_on_its_model_page_is_still_the_one_continued(
    demo_store,
):
    """Anthropic's prompting guide for Claude 2.1 (2023-W49) continues "Introducing Claude 2.1"
    (2023-W47, a newsletter section linking to anthropic.com), and a Llama 3.3 70B thread
    (2024-W51) continues Meta's Llama 3.3 release (2024-W49, its Hugging Face model page), not a
    Reddit comparison of Llama 3.1 models."""
    from abreast.store.stories import load_week
    from abreast.stories.novelty import continuations

    def notes(week, start):
        story = next(s for s in load_week(demo_store.conn, week) if s.title.startswith(start))
        return [c.note() for c in continuations(demo_store.conn, story)]

    claude = notes("2023-W49", "Long context prompting for Claude 2.1")
    assert claude == ['continues "Introducing Claude 2.1" (2023-W47): more on claude-2.1']
    llama = notes("2024-W51", "Why is Llama 3.3-70B")
    assert llama and llama[0].startswith('continues "Meta AI release Llama 3.3" (2024-W49)')
