"""Every test runs against a temp ABREAST_HOME: no test touches a real home or the network."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def abreast_home(tmp_path, monkeypatch):
    home = tmp_path / "abreast-home"
    monkeypatch.setenv("ABREAST_HOME", str(home))
    for var in ("ABREAST_FETCH_ALLOW_PRIVATE", "ABREAST_FETCH_HOST_DELAY", "ABREAST_FETCH_POLITENESS"):
        monkeypatch.delenv(var, raising=False)
    from abreast.cli import context

    context.reset()
    yield home
    context.reset()
