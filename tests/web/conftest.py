"""A store filled once per test session from the bundled demo snapshot, through the real connectors
over real HTTP on 127.0.0.1, then understood and clustered when those stages are installed.

Each test gets its own copy of the database file, so feedback or source changes in one test never
leak into another.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from abreast import config
from abreast.store import Store

DEMO_SOURCES = ("hn", "openai-news", "anthropic-news", "simonw-newsletter", "hf-blog")
WEEK = "2024-W51"  # the week `make demo` drafts


def _fill(home: Path) -> dict:
    from abreast.collect.run import fetch_sources
    from abreast.demo.replay import ReplayServer
    from abreast.demo.sources import demo_sources

    env = dict(
        os.environ,
        ABREAST_FETCH_ALLOW_PRIVATE="127.0.0.1",
        ABREAST_FETCH_POLITENESS="false",
        ABREAST_FETCH_HOST_DELAY="0",
        ABREAST_HOME=str(home),
    )
    settings = config.load(home, environ=env)
    settings.paths.ensure()
    store = Store.open(settings.paths.db)
    timings = {}
    with ReplayServer() as server:
        for s in demo_sources(server.url):
            if s["name"] in DEMO_SOURCES:
                store.add_source(s["name"], s["kind"], s["url"], s.get("config"))
        t = time.perf_counter()
        reports = fetch_sources(store, settings, since=date(2024, 11, 18))
        timings["fetch"] = time.perf_counter() - t
    assert all(r.status != "error" for r in reports), [(r.name, r.note) for r in reports]
    try:
        from abreast.understand import pipeline
    except ImportError:
        pipeline = None
    try:
        from abreast.stories.build import build_week
    except ImportError:
        build_week = None
    if pipeline is None or build_week is None:
        timings["no_stories"] = "the understand or stories stage is not installed"
    else:
        # Other stages are built alongside the web app; if one is broken the pages still must work
        # (they show "no stories yet"), and the story tests skip naming the reason.
        try:
            t = time.perf_counter()
            pipeline.run(store, settings)
            timings["understand"] = time.perf_counter() - t
            t = time.perf_counter()
            for week in ("2024-W49", "2024-W50", WEEK):
                build_week(store, week, settings)
            timings["stories"] = time.perf_counter() - t
        except Exception as e:  # noqa: BLE001 - reported by the tests that need stories
            timings["no_stories"] = f"{type(e).__name__}: {e}"
        else:
            _later_stages(store, settings, timings)
    store.close()
    return timings


def _later_stages(store, settings, timings: dict) -> None:
    """Summaries (extractive: no model), the model registry and the week's draft, where built."""
    stages = [
        ("summaries", "abreast.explain.summarize", "summarize_week", lambda f: f(store.conn, WEEK)),
        ("models", "abreast.landscape.registry", "build_registry", lambda f: f(store.conn)),
        ("draft", "abreast.write.draft", "write_draft", lambda f: f(store, settings, WEEK)),
    ]
    for name, module, func, call in stages:
        try:
            fn = getattr(__import__(module, fromlist=[func]), func)
        except (ImportError, AttributeError):
            timings[f"no_{name}"] = f"{module}.{func} is not built"
            continue
        t = time.perf_counter()
        try:
            call(fn)
        except Exception as e:  # noqa: BLE001 - the page for that stage then shows its hint
            timings[f"no_{name}"] = f"{type(e).__name__}: {e}"
        timings[name] = time.perf_counter() - t


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("web-demo-home")
    timings = _fill(home)
    return {"db": home / "abreast.db", "timings": timings}


@pytest.fixture(scope="session")
def demo_db(demo) -> Path:
    return demo["db"]


@pytest.fixture
def need_stories(demo):
    if "no_stories" in demo["timings"]:
        pytest.skip(f"no demo stories: {demo['timings']['no_stories']}")


@pytest.fixture
def web_settings(abreast_home, demo_db):
    """Settings over a fresh copy of the demo database in this test's ABREAST_HOME."""
    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, abreast_home / "abreast.db")
    return config.load(abreast_home, environ={"ABREAST_HOME": str(abreast_home)})


@pytest.fixture
def client(web_settings):
    from fastapi.testclient import TestClient

    from abreast.web.app import create_app

    with TestClient(create_app(web_settings), base_url="http://127.0.0.1:8421") as c:
        yield c


@pytest.fixture
def store(client, web_settings):
    """A second connection to the test's database, for arranging data and checking effects."""
    s = Store.open(web_settings.paths.db)
    yield s
    s.close()


def log_draft(settings, week: str, folder: Path, files: list[str]) -> None:
    """Log ``folder/index.md`` and ``files`` as a draft abreast wrote (store.drafts): the web app
    serves only logged files. Tests then put hostile content into them, as an edit or a bug
    would."""
    from abreast.store import drafts

    st = Store.open(settings.paths.db)
    drafts.record_draft(st.conn, week, str(folder / "index.md"), "test", files)
    st.close()


def csrf_of(client) -> str:
    """The CSRF token the app handed this client (GET any page first)."""
    token = client.cookies.get("abreast_csrf")
    if token is None:
        token = client.get("/api/csrf").json()["csrf_token"]
    return token
