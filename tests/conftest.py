"""Every test runs against a temp ABREAST_HOME: no test touches a real home or the network.

The demo store (`abreast demo run`: the bundled snapshot fetched through the real connectors, the
whole pipeline, both drafts) is built once per test run, shared by every pytest-xdist worker. It is
the slowest thing the suite does (~40 s), so it starts in the background as soon as collection shows
a test needs it, and other tests run meanwhile; the `demo_run` fixture waits for it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

# pytest-xdist starts its workers with COLUMNS=80: Rich would fix every console's width to it when
# abreast.cli is first imported, while CLI tests choose their width per invocation (CliRunner env).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)

from abreast.cli import context  # noqa: E402
from abreast.store import Store  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEMO_TIMEOUT_S = 900

# Runs `abreast demo run` and records its exit status in a file once it is done, so that whichever
# worker waits for it (not only the one that started it) learns the outcome.
_DEMO_RUNNER = """
import os, subprocess, sys
out = sys.argv[1]
with open(os.path.join(out, "stdout"), "w") as o, open(os.path.join(out, "stderr"), "w") as e:
    cmd = [sys.executable, "-m", "abreast", "demo", "run"]
    rc = subprocess.run(cmd, stdout=o, stderr=e).returncode
with open(os.path.join(out, "rc.tmp"), "w") as f:
    f.write(str(rc))
os.replace(os.path.join(out, "rc.tmp"), os.path.join(out, "rc"))
"""

_started: list[subprocess.Popen] = []


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
    context.reset()
    yield home
    context.reset()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The recorded real data (../shared/data next to the clone), which some tests read directly."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip(f"needs the recorded data in {data} (../shared/data next to the clone)")
    return data


def _run_dir(tmp_path_factory) -> Path:
    """A folder every xdist worker of this run sees (each worker's basetemp is a child of it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _start_demo_build(tmp_path_factory) -> Path:
    """Start `abreast demo run` in the background unless a worker of this run already did."""
    run = _run_dir(tmp_path_factory) / "demo-build"
    run.mkdir(exist_ok=True)
    try:
        os.close(os.open(run / "started", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return run
    (run / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABREAST_")}
    # Wide enough that Rich never wraps the printed draft paths.
    env.update(ABREAST_HOME=str(run / "home"), COLUMNS="160")
    _started.append(subprocess.Popen([sys.executable, "-c", _DEMO_RUNNER, str(run)], env=env))
    return run


def pytest_collection_modifyitems(session, config, items):
    # Tests that read the demo run last (in their usual order), so the build overlaps every other
    # test instead of making the first demo test wait. Every xdist worker sorts the same way.
    items.sort(key=lambda item: "demo_run" in item.fixturenames)


@pytest.fixture(scope="session", autouse=True)
def _demo_build_in_background(request, tmp_path_factory):
    if any("demo_run" in item.fixturenames for item in request.session.items):
        _start_demo_build(tmp_path_factory)


def pytest_sessionfinish(session, exitstatus):
    # Never leave the build running behind the run: another worker may still be waiting for it.
    for proc in _started:
        proc.wait(timeout=DEMO_TIMEOUT_S)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """`abreast demo run` exactly as `make demo` runs it (`abreast.demo.build.build_demo`), once per
    test run, in its own ABREAST_HOME. Returns (home, completed process: .stdout, .returncode)."""
    run = _start_demo_build(tmp_path_factory)
    deadline = time.monotonic() + DEMO_TIMEOUT_S
    while not (run / "rc").exists():
        assert time.monotonic() < deadline, f"`abreast demo run` took over {DEMO_TIMEOUT_S} s"
        time.sleep(0.2)
    proc = subprocess.CompletedProcess(
        ["abreast", "demo", "run"],
        int((run / "rc").read_text()),
        (run / "stdout").read_text(encoding="utf-8"),
        (run / "stderr").read_text(encoding="utf-8"),
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return run / "home", proc


@pytest.fixture(scope="session")
def demo_db(demo_run):
    """The demo's database; tests that write to it must copy it first (see `demo_store`)."""
    return demo_run[0] / "abreast.db"


@pytest.fixture
def demo_store(demo_db, tmp_path):
    """A private copy of the demo database, safe to write to."""
    dest = tmp_path / "demo.db"
    src = sqlite3.connect(demo_db)
    src.execute("VACUUM INTO ?", (str(dest),))
    src.close()
    store = Store.open(dest)
    yield store
    store.close()
