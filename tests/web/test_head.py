"""HEAD answers like GET without the body (link checkers and uptime probes use it)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from abreast import config
from abreast.web.app import create_app


@pytest.fixture
def empty_client(abreast_home):
    with TestClient(create_app(config.load()), base_url="http://127.0.0.1:8421") as c:
        yield c


@pytest.mark.parametrize("path", ["/", "/items", "/sources", "/api/csrf"])
def test_head_is_get_without_the_body(empty_client, path):
    got = empty_client.get(path)
    head = empty_client.head(path)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert "content-security-policy" in head.headers


def test_head_never_changes_state_and_post_routes_still_refuse_it(empty_client):
    assert empty_client.head("/sources/add").status_code == 405
