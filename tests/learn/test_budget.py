"""The week within the reader's time (issue 16): a reading budget trims `abreast week`, the digest
page and the draft to the top stories that fit, and says how many more are below it."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from abreast.cli.main import app
from abreast.learn.budget import WORDS_PER_MINUTE, story_words, within
from abreast.types import Member, Story

runner = CliRunner(env={"COLUMNS": "200"})
WEEK = "2024-W51"


def _story(i: int, words: int) -> Story:
    lead = Member(key=f"hn:{i}", kind="hn", source="hn", title="t", url=None, text="w " * words)
    return Story(id=f"s{i}", week=WEEK, title="A title", members=[lead])


def test_stories_are_kept_in_rank_order_until_the_next_does_not_fit():
    stories = [_story(i, 50) for i in range(10)]
    per = story_words(stories[0])
    assert per == 2 + 50 + 8  # title, the lead's first words, one source line
    kept, below = within(stories, minutes=3 * per / WORDS_PER_MINUTE)
    assert [s.id for s in kept] == ["s0", "s1", "s2"] and below == 7
    assert within(stories, 0) == (stories, 0), "0: no budget"
    one, rest = within(stories, 0.01)
    assert len(one) == 1 and rest == 9, "the top story always shows"


@pytest.fixture
def home(abreast_home, demo_db):
    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, abreast_home / "abreast.db")
    return abreast_home


def test_week_and_draft_say_what_the_budget_left_out(home):
    full = runner.invoke(app, ["week", WEEK, "--json", "-n", "25"])
    short = runner.invoke(app, ["week", WEEK, "--json", "-n", "25", "--minutes", "2"])
    import json

    full_ids = [s["id"] for s in json.loads(full.output)["stories"]]
    data = json.loads(short.output)
    ids = [s["id"] for s in data["stories"]]
    assert 1 <= len(ids) < len(full_ids) and ids == full_ids[: len(ids)]
    assert data["below_budget"] == len(full_ids) - len(ids)
    r = runner.invoke(app, ["week", WEEK, "--minutes", "2"])
    assert f"{data['below_budget']} more stories below your 2-minute reading budget" in r.output
    r = runner.invoke(app, ["draft", "--week", WEEK, "--minutes", "2", "--out", str(home / "d")])
    assert r.exit_code == 0, r.output
    assert "more stories below your 2-minute reading budget" in r.output
    text = (home / "d" / "index.md").read_text(encoding="utf-8")
    assert "below your 2-minute reading budget ([week] reading_minutes)" in text
    assert f"`abreast week {WEEK}` lists every story" in text
