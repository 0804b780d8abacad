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


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """The whole demo, once per test session: the bundled snapshot fetched through the real connectors
    over HTTP on 127.0.0.1, then the full pipeline. Returns the path of the resulting database;
    tests that write to it must copy it first (see `demo_store`)."""
    import os
    from datetime import date

    from abreast import config
    from abreast.collect.run import fetch_sources
    from abreast.demo.replay import ReplayServer
    from abreast.demo.sources import DEMO_WINDOWS, demo_sources
    from abreast.pipeline import run_pipeline
    from abreast.store import Store

    home = tmp_path_factory.mktemp("demo-home")
    env = {"ABREAST_HOME": str(home), "ABREAST_FETCH_ALLOW_PRIVATE": "127.0.0.1",
           "ABREAST_FETCH_POLITENESS": "false", "ABREAST_FETCH_HOST_DELAY": "0"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        settings = config.load()
        store = Store.open(settings.paths.db)
        with ReplayServer() as server:
            for s in demo_sources(server.url):
                store.add_source(s["name"], s["kind"], s["url"], s.get("config"))
            reports = fetch_sources(store, settings, since=date.fromisoformat(DEMO_WINDOWS[0][0]))
        assert all(r.status != "error" for r in reports), [(r.name, r.note) for r in reports]
        run_pipeline(store, settings)
        store.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return home / "abreast.db"


@pytest.fixture
def demo_store(demo_db, tmp_path):
    """A private copy of the demo database, safe to write to."""
    import sqlite3

    from abreast.store import Store

    dest = tmp_path / "demo.db"
    src = sqlite3.connect(demo_db)
    src.execute("VACUUM INTO ?", (str(dest),))
    src.close()
    store = Store.open(dest)
    yield store
    store.close()
