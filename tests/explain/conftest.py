"""Fixtures for explain/: real stories from recorded data, fake models registered with `llm`, a temp
store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from abreast.store import open_db
from abreast.stories.model import Member, Story

from .fake_llm import register_fakes, unregister_fakes

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture(autouse=True)
def llm_user_dir(tmp_path, monkeypatch):
    """llm reads keys and aliases from its user dir: point it at a temp dir (llm's own tests do
    this)."""
    path = tmp_path / "llm-user"
    monkeypatch.setenv("LLM_USER_PATH", str(path))
    return path


@pytest.fixture
def fakes():
    models = register_fakes()
    try:
        yield models
    finally:
        unregister_fakes()


def load_real_stories() -> list[Story]:
    data = json.loads((FIXTURES / "real_stories.json").read_text(encoding="utf-8"))
    return [story_from_dict(s) for s in data["stories"]]


def story_from_dict(s: dict) -> Story:
    return Story(
        id=s["id"], week=s["week"], title=s["title"], members=[Member(**m) for m in s["members"]]
    )


@pytest.fixture
def real_stories() -> dict[str, Story]:
    return {s.id: s for s in load_real_stories()}


@pytest.fixture
def db(tmp_path):
    conn = open_db(tmp_path / "abreast.db")
    yield conn
    conn.close()
