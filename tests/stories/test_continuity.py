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
def test_the_o3_story_continues_o1_and_the_draft_says_so(demo_store, tmp_path):
    from abreast.store.stories import load_week
    from abreast.stories.novelty import continuations
    from abreast.write.compose import story_block

    o3 = next(s for s in load_week(demo_store.conn, "2024-W51") if "o3" in s.title.lower())
    notes = [c.note() for c in continuations(demo_store.conn, o3)]
    assert notes and "o1" in notes[0] and "o3 follows o1" in notes[0]
    o3.continues = [c.markdown() for c in continuations(demo_store.conn, o3)]
    line = next(x for x in story_block(o3) if x.startswith("*Continues"))
    assert "o1" in line and "](<https://" in line  # linked to the earlier story's source
