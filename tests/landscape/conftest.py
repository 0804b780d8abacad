"""A registry built once per test session from the bundled real data, in a temp store.

Tests only read it; a test that changes the registry builds its own."""

from __future__ import annotations

import pytest

from abreast.landscape.registry import build_registry
from abreast.store import Store


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("landscape") / "a.db")
    report = build_registry(store.conn)
    yield store, report
    store.close()
