"""Hostile queries and paths, errors and draft files on the web app (issue 18).

A search box's text is text, never FTS5 syntax; a week in a URL is a week, never a glob; every
response, a 500 included, carries the security headers; only files abreast wrote for a draft are
served, never through a link.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient

from .conftest import WEEK, log_draft

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")
QUERIES = ['"', '"llama', "NEAR(", "*", "a AND", "-", "(", "llama OR", "^x", "col:x", '""""']


@pytest.mark.parametrize("q", QUERIES)
def test_search_text_is_never_fts_syntax(client, q):
    assert client.get("/items", params={"q": q}).status_code == 200  # 500 before
    r = client.get("/api/items", params={"q": q})
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["items"], list)


def test_quotes_in_a_search_still_find_the_words(client):
    plain = client.get("/api/items", params={"q": "llama"}).json()["items"]
    quoted = client.get("/api/items", params={"q": '"llama"'}).json()["items"]
    assert plain and [i["key"] for i in quoted] == [i["key"] for i in plain]


@pytest.mark.parametrize(
    "path",
    [
        "/draft?week=*",
        "/draft?week=2024-W5*",
        "/draft/*/bundle.zip",
        "/draft/2024-W*/files/index.md",
        "/draft/..%2F..%2Fetc/bundle.zip",
    ],
)
def test_a_week_in_a_url_is_validated_not_globbed(client, path):
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    for h in SECURITY_HEADERS:
        assert h in r.headers


def test_regenerate_refuses_a_week_that_is_not_one(client, web_settings):
    from .conftest import csrf_of

    r = client.post("/draft/*/regenerate", data={"csrf_token": csrf_of(client)})
    assert r.status_code == 404
    assert not (web_settings.paths.drafts / "*").exists()


def test_a_500_carries_the_security_headers_and_one_line(web_settings):
    from abreast.web.app import create_app

    app = create_app(web_settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    with TestClient(app, base_url="http://127.0.0.1:8421", raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    for h in SECURITY_HEADERS:
        assert h in r.headers, h
    assert "Traceback" not in r.text and len(r.text.splitlines()) == 1


# --- draft files: the manifest ----------------------------------------------------------------


def _record(web_settings, folder, files):
    log_draft(web_settings, WEEK, folder, files)


def test_a_symlinked_index_md_is_not_followed(client, web_settings, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-KEY")
    folder = web_settings.paths.drafts / WEEK
    folder.mkdir(parents=True)
    (folder / "index.md").symlink_to(secret)
    _record(web_settings, folder, ["index.md"])
    page = client.get(f"/draft?week={WEEK}").text
    assert "TOP-SECRET-KEY" not in page  # shown before
    assert client.get(f"/draft/{WEEK}/files/index.md").status_code == 404
    assert client.get(f"/draft/{WEEK}/bundle.zip").status_code == 404


def test_a_symlinked_picture_is_not_served(client, web_settings, tmp_path):
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    folder = web_settings.paths.drafts / WEEK
    folder.mkdir(parents=True)
    (folder / "index.md").write_text("![c](chart.svg)\n")
    (folder / "chart.svg").symlink_to(secret)
    _record(web_settings, folder, ["index.md", "chart.svg"])
    assert client.get(f"/draft/{WEEK}/files/chart.svg").status_code == 404
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/draft/{WEEK}/bundle.zip").content)).namelist()
    assert names == [f"{WEEK}/index.md"]


def test_draft_out_dir_does_not_publish_the_rest_of_the_folder(client, web_settings, tmp_path):
    from abreast.store import Store
    from abreast.write.draft import write_draft

    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("my private notes")
    (out / "sub").mkdir()
    (out / "sub" / "passwords.md").write_text("hunter2")
    st = Store.open(web_settings.paths.db)
    path = write_draft(st, web_settings, WEEK, out_dir=out)
    st.close()
    assert path == out / "index.md"
    page = client.get(f"/draft?week={WEEK}").text
    assert "notes.txt" not in page and "passwords" not in page
    assert client.get(f"/draft/{WEEK}/files/notes.txt").status_code == 404  # 200 before
    assert client.get(f"/draft/{WEEK}/files/sub/passwords.md").status_code == 404
    assert client.get(f"/draft/{WEEK}/files/index.md").status_code == 200
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/draft/{WEEK}/bundle.zip").content)).namelist()
    assert f"{WEEK}/index.md" in names
    assert not any("notes" in n or "passwords" in n for n in names)
    # Every picture the draft shows is in the manifest, so the preview's images still load.
    for name in names:
        assert client.get(f"/draft/{WEEK}/files/{name.split('/', 1)[1]}").status_code == 200


def test_draft_refuses_to_write_through_a_symlinked_index(web_settings, tmp_path):
    from abreast.errors import AbreastError
    from abreast.store import Store
    from abreast.write.draft import write_draft

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.md").symlink_to(victim)
    st = Store.open(web_settings.paths.db)
    with pytest.raises(AbreastError, match="link or not a regular file"):
        write_draft(st, web_settings, WEEK, out_dir=out)
    st.close()
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize(
    "path",
    [
        "/?week=*",
        "/week/*",
        "/trends?week=*",
        "/api/weeks/*/stories",
        "/api/weeks/..%2F../stories",
        "/items?week=*",
        "/api/items?week=%00",
    ],
)
def test_no_week_parameter_is_a_500(client, path):
    r = client.get(path)
    assert r.status_code < 500, (path, r.status_code)
    for h in SECURITY_HEADERS:
        assert h in r.headers
