"""Interests on the web (issue 16): mute a source, a site or a term and mark a term known from a
story page; the Interests page lists what abreast learnt, the mutes and the known terms, and
undoes each; a reading budget trims the digest and says what it left out. Every change is a POST
behind the CSRF token."""

from __future__ import annotations

import shutil

import pytest

from abreast import config
from abreast.learn.personal import give_feedback, week_for_reader
from abreast.store import learn as sql
from abreast.store.known_terms import known
from abreast.store.stories import load_week

from .conftest import WEEK, csrf_of


def a_story_with(store, kind: str):
    return next(
        s
        for s in load_week(store.conn, WEEK)
        if any(m.kind == kind for m in s.members) and any(m.jargon for m in s.members)
    )


def test_mute_and_known_from_a_story_page_then_undo_on_interests(client, store, web_settings):
    story = a_story_with(store, "hn")
    page = client.get(f"/story/{story.id}").text
    assert "Not for you?" in page and 'action="/mute"' in page
    term = next(t for m in story.members for t in m.jargon)
    assert f'name="term" value="{term}"' in page  # an "I know" button for its jargon
    token = csrf_of(client)
    # Without the token nothing changes.
    r = client.post("/mute", data={"kind": "source", "target": "hn"})
    assert r.status_code == 403 and sql.mutes(store.conn) == []
    r = client.post(
        "/mute",
        data={"kind": "source", "target": "hn", "next": f"/story/{story.id}", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/story/{story.id}"
    assert sql.mutes(store.conn) == [("source", "hn")]
    assert not any(m.source == "hn" for s in week_for_reader(store, WEEK, None) for m in s.members)
    r = client.post("/known-term", data={"term": term, "csrf_token": token})
    assert r.status_code == 200 and term in known(store.conn)
    page = client.get("/interests").text
    assert "hn" in page and "(source)" in page and 'action="/unmute"' in page
    client.post("/unmute", data={"kind": "source", "value": "hn", "csrf_token": token})
    assert sql.mutes(store.conn) == []
    client.post("/known-term", data={"term": term, "known": "0", "csrf_token": token})
    assert term not in known(store.conn)


def test_interests_page_says_what_was_learnt_and_resets(client, store):
    token = csrf_of(client)
    assert "No signals yet" in client.get("/interests").text
    papers = [m.key for s in load_week(store.conn, WEEK)[:80] for m in s.members]
    arxiv = [k for k in papers if k.startswith("arxiv:")][:4]
    other = [k for k in papers if k.startswith("hn:")][:4]
    for k in other:
        give_feedback(store, "less", item_key=k)
    assert "Nothing to tell apart yet" in client.get("/interests").text  # only "less" so far
    for k in arxiv:
        give_feedback(store, "more", item_key=k)
    page = client.get("/interests").text
    assert "Learnt from 8 signals" in page and "Nothing to tell apart" not in page
    more = page.split("More of</dt><dd>")[1].split("</dd>")[0]
    assert "arXiv" in more
    r = client.post("/interests/reset", data={"csrf_token": token})
    assert r.status_code == 200 and "forgot 8 signals" in r.text
    assert "No signals yet" in client.get("/interests").text


def test_a_site_mute_and_a_bad_term_say_what_happened(client, store):
    token = csrf_of(client)
    r = client.post(
        "/mute", data={"kind": "domain", "target": "www.GitHub.com", "csrf_token": token}
    )
    assert r.status_code == 200 and "muted the site github.com" in r.text
    r = client.post("/mute", data={"kind": "term", "target": "no such word", "csrf_token": token})
    assert "is not a glossary term" in r.text and ("domain", "github.com") in sql.mutes(store.conn)
    assert len(sql.mutes(store.conn)) == 1


@pytest.fixture
def budget_client(abreast_home, demo_db):
    from fastapi.testclient import TestClient

    from abreast.web.app import create_app

    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, abreast_home / "abreast.db")
    (abreast_home / "abreast.toml").write_text("[week]\nreading_minutes = 1\n", encoding="utf-8")
    settings = config.load(abreast_home, environ={"ABREAST_HOME": str(abreast_home)})
    assert settings.week.reading_minutes == 1
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8421") as c:
        yield c


def test_the_digest_keeps_what_fits_the_reading_budget_and_says_the_rest(budget_client):
    page = budget_client.get(f"/?week={WEEK}").text
    assert "your 1-minute reading budget" in page
    cards = page.count('<li class="story')
    assert 1 <= cards < 10, "fewer top cards than the digest's ten"
    assert f'href="/?week={WEEK}&amp;limit=50">every story, ranked' in page


def test_the_json_api_mutes_lists_and_unmutes(client, store):
    headers = {"X-CSRF-Token": csrf_of(client)}
    body = {"kind": "domain", "target": "github.com"}
    assert client.post("/api/mute", json=body).status_code == 403, "no token, no change"
    r = client.post("/api/mute", json=body, headers=headers)
    assert r.status_code == 200 and r.json()["note"] == "muted the site github.com"
    got = client.get("/api/interests").json()
    assert got["signals"] == 0 and got["muted"][0]["value"] == "github.com"
    r = client.post("/api/unmute", json=body, headers=headers)
    assert r.status_code == 200 and client.get("/api/interests").json()["muted"] == []
    r = client.post("/api/unmute", json=body, headers=headers)
    assert r.status_code >= 400 and "is not muted" in r.text
