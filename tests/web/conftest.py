"""The web app over the session's demo store (`demo_db`, built once by `abreast demo run`).

Each test gets its own copy of the database file, so feedback or source changes in one test never
leak into another.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from abreast import config
from abreast.store import Store

WEEK = "2024-W51"  # the week `make demo` drafts


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
