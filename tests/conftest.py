"""Every test runs against a temp ABREAST_HOME: no test touches a real home or the network."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def abreast_home(tmp_path, monkeypatch):
    home = tmp_path / "abreast-home"
    monkeypatch.setenv("ABREAST_HOME", str(home))
    for var in (
        "ABREAST_FETCH_ALLOW_PRIVATE",
        "ABREAST_FETCH_HOST_DELAY",
        "ABREAST_FETCH_POLITENESS",
    ):
        monkeypatch.delenv(var, raising=False)
    from abreast.cli import context

    context.reset()
    yield home
    context.reset()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """`abreast demo run` exactly as `make demo` runs it, once per test session, in a subprocess
    with its own ABREAST_HOME: the bundled snapshot fetched through the real connectors over HTTP on
    127.0.0.1, then the whole pipeline and both drafts. Returns (home, completed process)."""
    import os
    import subprocess
    import sys

    home = tmp_path_factory.mktemp("demo-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABREAST_")}
    env.update(ABREAST_HOME=str(home), COLUMNS="160")
    proc = subprocess.run(
        [sys.executable, "-m", "abreast", "demo", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return home, proc


@pytest.fixture(scope="session")
def demo_db(demo_run):
    """The demo's database; tests that write to it must copy it first (see `demo_store`)."""
    return demo_run[0] / "abreast.db"


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
