"""The models page lists a family the way its tree draws it: what a newcomer has met first."""

from __future__ import annotations

import re


def test_the_models_table_starts_with_the_models_people_talk_about(client):
    page = client.get("/models?family=llama&week=2024-W51").text
    rows = re.findall(r'<a href="/model/([^"]+)"', page.split("models in the registry", 1)[1])
    assert rows, "the table lists models"
    assert len(rows) <= 50
    top = [r.lower() for r in rows[:10]]
    assert any("llama-3.3-70b" in r for r in top), top
    assert not any("polypsyche" in r for r in top), top
