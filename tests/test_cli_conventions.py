"""CLI conventions a user of well-kept tools expects: JSON for listings, flags shown as flags,
shell completion, clear errors for a malformed week."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from abreast.cli.main import app

runner = CliRunner()


@pytest.fixture
def home(abreast_home, demo_db):
    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, abreast_home / "abreast.db")
    return abreast_home


def test_week_and_story_speak_json(home):
    r = runner.invoke(app, ["week", "2024-W51", "--json", "-n", "3"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["week"] == "2024-W51" and len(data["stories"]) == 3
    top = data["stories"][0]
    assert top["rank"] == 1 and top["sources"][0]["url"].startswith("http")
    r = runner.invoke(app, ["story", top["id"], "--json"])
    assert r.exit_code == 0, r.output
    card = json.loads(r.output)
    assert card["title"] == top["title"] and "score_parts" in card


def test_a_malformed_week_names_the_format(home):
    r = runner.invoke(app, ["week", "2024-51"])
    assert r.exit_code == 1
    assert "2024-W51" in r.output and "ISO week" in r.output


def test_flags_are_shown_as_flags_and_completion_installs():
    r = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert "--install-completion" in r.output
    r = runner.invoke(app, ["week", "--help"], env={"COLUMNS": "120"})
    line = next(ln for ln in r.output.splitlines() if "--summaries" in ln)
    assert "<bool>" not in line
