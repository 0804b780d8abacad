"""The Ask page and POST /api/ask."""

from __future__ import annotations

from .conftest import csrf_of


def test_ask_page_answers_with_links_and_needs_csrf(client):
    assert client.get("/ask").status_code == 200
    q = {"question": "What did OpenAI announce about o3?"}
    assert client.post("/ask", data={**q, "csrf_token": "forged"}).status_code == 403
    r = client.post("/ask", data={**q, "csrf_token": csrf_of(client)})
    assert r.status_code == 200
    assert "answer-sentences" in r.text and 'href="https://' in r.text


def test_api_ask_json_and_nothing(client):
    h = {"X-CSRF-Token": csrf_of(client)}
    assert client.post("/api/ask", json={"question": "o3"}).status_code == 403
    r = client.post("/api/ask", json={"question": "What is Fixie.ai building?"}, headers=h)
    assert r.status_code == 200
    assert r.json()["answer"] == "Nothing in your store on this." and r.json()["missing"]
    r = client.post("/api/ask", json={"question": "What did OpenAI announce about o3?"}, headers=h)
    body = r.json()
    assert body["method"] == "extractive" and body["sentences"][0]["url"]
    assert client.post("/api/ask", json={"question": ""}, headers=h).status_code == 422
