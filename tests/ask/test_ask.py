"""`abreast search`, `abreast ask` and `abreast mcp` on the demo store."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest
from tests.explain.fake_llm import INVENTED, register_fakes, unregister_fakes
from typer.testing import CliRunner

from abreast.ask.answer import NOTHING, ask
from abreast.cli.main import app
from abreast.explain.citations import quote_in_source
from abreast.store.retrieval import texts_by_key

runner = CliRunner()


@pytest.fixture
def demo_home(abreast_home, demo_db):
    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, abreast_home / "abreast.db")
    return abreast_home


def _stored(store, keys):
    return texts_by_key(store.conn, keys)


def _verifies(store, answer) -> bool:
    """Every sentence's quote occurs in the stored title+text of the item it cites."""
    by_n = {c.n: c for c in answer.citations}
    bodies = _stored(store, [c.key for c in answer.citations])
    for s in answer.sentences:
        c = by_n[s.cite]
        if s.key != c.key or s.url != c.url:
            return False
        if not quote_in_source(s.quote, f"{c.title}\n\n{bodies.get(c.key, '')}"):
            return False
    return True


def test_an_answer_about_o3_quotes_stored_items_with_their_links(demo_store):
    ans = ask(demo_store, "What did OpenAI announce about o3?")
    assert ans.method == "extractive"
    assert ans.sentences and ans.citations
    assert any("o3" in s.text.lower() for s in ans.sentences)
    assert all(c.url for c in ans.citations)
    # Every numbered source is used, numbered in order of first use.
    assert sorted({s.cite for s in ans.sentences}) == [c.n for c in ans.citations]
    assert _verifies(demo_store, ans)


def test_a_name_nothing_mentions_gets_nothing_not_a_guess(demo_store):
    ans = ask(demo_store, "What is Fixie.ai doing with task specific agents?")
    assert ans.knows_nothing
    assert ans.missing == ["Fixie.ai"]
    assert ans.sentences == [] and ans.citations == []


def test_a_question_only_close_in_meaning_gets_nothing(demo_store):
    # No stored item shares these words; embeddings alone would still return "similar" items.
    ans = ask(demo_store, "Which violinists recorded Paganini caprices in Cremona?")
    assert ans.knows_nothing


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path / "llm-user"))
    models = register_fakes()
    yield models
    unregister_fakes()


def test_a_hallucinating_model_never_reaches_the_answer(demo_store, fakes):
    # Questions whose best items carry text, so the fake has sentences to twist.
    for q in ("How does speculative decoding speed up inference?",):
        ans = ask(demo_store, q, model=fakes["hallucinating"])
        assert ans.sentences, q
        assert _verifies(demo_store, ans), q
        shown = " ".join(s.text for s in ans.sentences)
        assert not any(inv in shown for inv in INVENTED), q
        assert ans.dropped, "the fake's invented sentences were dropped, and counted"


def test_a_faithful_model_answers_in_its_words_checked(demo_store, fakes):
    ans = ask(
        demo_store, "How does speculative decoding speed up inference?", model=fakes["faithful"]
    )
    assert ans.method == "abstractive"
    assert ans.model == "fake-faithful"
    assert _verifies(demo_store, ans)


def test_cli_search_json_and_filters(demo_home):
    r = runner.invoke(app, ["search", "llama 3.3", "--json", "-n", "5"])
    assert r.exit_code == 0, r.output
    hits = json.loads(r.output)
    assert 1 <= len(hits) <= 5
    assert any("3.3" in h["title"] for h in hits)
    r = runner.invoke(app, ["search", "llama 3.3", "--json", "--source", "hf"])
    assert r.exit_code == 0, r.output
    assert {h["kind"] for h in json.loads(r.output)} == {"hf"}
    r = runner.invoke(app, ["search", "llama", "--since", "yesterday"])
    assert r.exit_code == 1 and "YYYY-MM-DD" in r.output


def test_cli_ask_prints_cited_sentences_or_says_nothing(demo_home):
    r = runner.invoke(app, ["ask", "What did OpenAI announce about o3?"])
    assert r.exit_code == 0, r.output
    assert "[1]" in r.output and "https://" in r.output
    r = runner.invoke(app, ["ask", "What is Fixie.ai building?"])
    assert r.exit_code == 0, r.output
    assert NOTHING in r.output and "Fixie.ai" in r.output
    r = runner.invoke(app, ["ask", "What did OpenAI announce about o3?", "--json"])
    data = json.loads(r.output)
    assert data["method"] == "extractive" and data["sentences"]


def test_mcp_server_through_the_sdk_client(demo_home):
    """`abreast mcp` driven by the official SDK's own stdio client: initialize, list, call each."""
    import anyio
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    env = {k: v for k, v in os.environ.items() if not k.startswith("ABREAST_")}
    env["ABREAST_HOME"] = str(demo_home)
    params = StdioServerParameters(command=sys.executable, args=["-m", "abreast", "mcp"], env=env)
    before = (demo_home / "abreast.db").read_bytes()

    async def session_run() -> dict:
        out = {}
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            out["server"] = init.server_info.name
            tools = await session.list_tools()
            out["tools"] = {t.name: t for t in tools.tools}
            calls = {
                "search_items": {"query": "llama 3.3", "limit": 3},
                "week_stories": {"week": "2024-W51", "limit": 3},
                "explain_term": {"term": "RLHF"},
                "ask": {"question": "What is Fixie.ai building?"},
            }
            for name, args in calls.items():
                res = await session.call_tool(name, args)
                assert not res.is_error, (name, res.content)
                out[name] = json.loads(res.content[0].text)
            story_id = out["week_stories"]["stories"][0]["id"]
            res = await session.call_tool("story", {"story_id": story_id})
            assert not res.is_error, res.content
            out["story"] = json.loads(res.content[0].text)
        return out

    out = anyio.run(session_run)
    assert out["server"] == "abreast"
    assert set(out["tools"]) == {"search_items", "week_stories", "story", "explain_term", "ask"}
    assert all(t.annotations.read_only_hint for t in out["tools"].values())
    assert out["week_stories"]["week"] == "2024-W51" and len(out["week_stories"]["stories"]) == 3
    assert out["story"]["sources"] and out["story"]["sources"][0]["url"]
    assert out["explain_term"]["found"] and out["explain_term"]["definition"]
    assert out["ask"]["answer"] == NOTHING
    assert (demo_home / "abreast.db").read_bytes() == before, "the MCP server wrote to the store"


def test_a_possessive_is_not_a_missing_name(demo_store):
    ans = ask(demo_store, "What is Genie 2, DeepMind's world model?")
    assert not ans.knows_nothing
    assert any("genie 2" in c.title.lower() for c in ans.citations)
