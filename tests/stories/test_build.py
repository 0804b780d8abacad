"""build_week over a real SQLite store: stable ids, incremental joining, single-source stories."""

from __future__ import annotations

from abreast.store import stories as sql
from abreast.stories.build import build_week


def _o3_week(week):
    week.add(
        "hn:1",
        "OpenAI o3 breakthrough high score on ARC-AGI",
        "2024-12-20T18:00:00+00:00",
        "o3",
        url="https://arcprize.org/blog/oai-o3",
        signals={"points": 1100, "comments": 1000},
        entities=["model:o3", "org:openai"],
    )
    week.add(
        "reddit:a1",
        "OpenAI just announced o3 and o3-mini",
        "2024-12-20T19:00:00+00:00",
        "o3",
        signals={"score": 234, "comments": 80},
        entities=["model:o3", "org:openai"],
    )
    week.add(
        "arxiv:2412.14093",
        "Alignment faking in large language models",
        "2024-12-18T01:00:00+00:00",
        "alignment-faking",
        url="https://arxiv.org/abs/2412.14093",
        entities=["org:anthropic"],
    )
    week.add(
        "feed:https://www.anthropic.com/research/alignment-faking",
        "Alignment faking in large language models",
        "2024-12-18T00:00:00+00:00",
        "alignment-faking",
        kind="feed",
        source="anthropic-news",
        url="https://www.anthropic.com/research/alignment-faking",
        entities=["org:anthropic"],
    )
    week.add(
        "arxiv:2412.99999",
        "A lone paper on tabular retrieval",
        "2024-12-19T01:00:00+00:00",
        "tabular",
    )
    week.add(
        "hn:9",
        "Dumb TVs deserve a comeback",
        "2024-12-19T01:00:00+00:00",
        "tvs",
        is_ai=False,
        signals={"points": 251, "comments": 293},
    )


def _groups(stories):
    return {s.id: sorted(m.key for m in s.members) for s in stories}


def test_a_week_becomes_ranked_stories_and_a_lone_item_is_a_story(store, week):
    _o3_week(week)
    stories = build_week(store, "2024-W51")
    groups = sorted(_groups(stories).values())
    assert groups == [
        ["arxiv:2412.14093", "feed:https://www.anthropic.com/research/alignment-faking"],
        ["arxiv:2412.99999"],
        ["hn:1", "reddit:a1"],
    ]
    assert [s.rank for s in stories] == [1, 2, 3]
    assert all(s.id.startswith("2024-W51-") for s in stories)
    o3 = next(s for s in stories if any(m.key == "hn:1" for m in s.members))
    assert o3.lead.key == "hn:1" and o3.title == "OpenAI o3 breakthrough high score on ARC-AGI"
    loaded = sql.load_week(store.conn, "2024-W51")
    assert [s.id for s in loaded] == [s.id for s in stories]
    assert _groups(loaded) == _groups(stories)
    assert loaded[0].score_parts == stories[0].score_parts


def test_ids_are_stable_across_reruns_and_rebuilds(store, week):
    _o3_week(week)
    first = _groups(build_week(store, "2024-W51"))
    again = _groups(build_week(store, "2024-W51"))
    rebuilt = _groups(build_week(store, "2024-W51", rebuild=True))
    assert first == again == rebuilt


def test_new_items_join_existing_stories_instead_of_reshuffling(store, week):
    _o3_week(week)
    before = _groups(build_week(store, "2024-W51"))
    week.add(
        "reddit:a2",
        "o3 performance on ARC-AGI is wild",
        "2024-12-21T09:00:00+00:00",
        "o3",
        signals={"score": 138},
        entities=["model:o3"],
    )
    week.add(
        "hn:7",
        "Show HN: a tiny speech recognizer in the browser",
        "2024-12-21T10:00:00+00:00",
        "speech",
        signals={"points": 90, "comments": 10},
    )
    after = _groups(build_week(store, "2024-W51"))
    o3_id = next(sid for sid, keys in before.items() if "hn:1" in keys)
    assert after[o3_id] == ["hn:1", "reddit:a1", "reddit:a2"]
    for sid, keys in before.items():  # every earlier story keeps its id and its members
        assert set(keys) <= set(after[sid])
    assert ["hn:7"] in after.values()
    assert len(after) == len(before) + 1


def test_a_story_without_embeddings_still_joins_by_url(store, week):
    week.add(
        "hn:5",
        "Qwen2.5 Technical Report",
        "2024-12-20T10:00:00+00:00",
        "qwen",
        url="https://arxiv.org/abs/2412.15115",
        embed=False,
    )
    week.add(
        "arxiv:2412.15115",
        "Qwen2.5 Technical Report",
        "2024-12-20T01:00:00+00:00",
        "qwen-paper",
        url="https://arxiv.org/abs/2412.15115",
    )
    stories = build_week(store, "2024-W51")
    assert sorted(_groups(stories).values()) == [["arxiv:2412.15115", "hn:5"]]


def test_a_follow_up_next_week_is_linked_and_not_new(store, week):
    _o3_week(week)
    w51 = build_week(store, "2024-W51")
    o3_id = next(s.id for s in w51 if any(m.key == "hn:1" for m in s.members))
    week.add(
        "reddit:b1",
        "o3 costs thousands of dollars per task",
        "2024-12-24T10:00:00+00:00",
        "o3",
        signals={"score": 300},
        entities=["model:o3"],
    )
    week.add(
        "hn:20",
        "A new open model for protein folding",
        "2024-12-24T11:00:00+00:00",
        "protein",
        signals={"points": 50},
    )
    w52 = {s.members[0].key: s for s in build_week(store, "2024-W52")}
    assert w52["reddit:b1"].is_new is False and w52["reddit:b1"].related == [o3_id]
    assert w52["hn:20"].is_new is True and w52["hn:20"].related == []
    assert (
        w52["reddit:b1"].score_parts["novelty"]["value"]
        < w52["hn:20"].score_parts["novelty"]["value"]
    )


def test_trends_are_counted_per_week_and_charted(store, week, tmp_path):
    import xml.etree.ElementTree as ET

    from abreast.stories.build import update_trends

    for i, w in enumerate(["2024-12-02", "2024-12-09"]):  # W49, W50: o1 talked about, o3 not yet
        week.add(
            f"hn:{100 + i}", "o1 pro is here", f"{w}T10:00:00+00:00", "o1", entities=["model:o1"]
        )
    for i in range(5):  # W51: o3 everywhere
        week.add(
            f"reddit:o3{i}",
            f"OpenAI o3 and test-time compute, thread {i}",
            "2024-12-20T10:00:00+00:00",
            "o3",
            entities=["model:o3", "org:openai"],
            jargon=["test-time-compute"],
        )
    # Trends count what TITLES name (bodies vary in length from week to week).
    trends = update_trends(store, "2024-W51", chart_dir=tmp_path)
    assert [t.term for t in trends][:1] == ["model:o3"]
    assert "model:o1" not in [t.term for t in trends]
    rows = sql.load_trends(store.conn, "2024-W51")
    assert {r.term: r.count for r in rows}["term:test-time-compute"] == 5
    assert ET.parse(tmp_path / "model-o3.svg").getroot().tag.endswith("svg")
    assert (tmp_path / "model-o3.png").read_bytes()[:4] == b"\x89PNG"


def test_export_has_the_stable_keys(store, week):
    from abreast.stories.build import export_stories

    _o3_week(week)
    out = export_stories(build_week(store, "2024-W51"))
    assert {"id", "title", "score", "rank", "is_new", "members"} <= set(out[0])
    assert sorted(k["key"] for k in out[0]["members"])[0]
    import json

    json.dumps(out)  # plain data only
