"""Abstractive summaries through llm's real call path, with fake models that fail in realistic
ways."""

from __future__ import annotations

import json

import llm
import pytest

from abreast.explain.abstractive import SYSTEM_PROMPT, abstractive_summary, build_prompt
from abreast.explain.extractive import extractive_summary, source_text
from abreast.explain.llm_backend import LlmError, configured_model_id, generate, load_model
from abreast.explain.summarize import summarize_story
from abreast.explain.summary import render_markdown
from abreast.store.llm_calls import list_calls, totals_by_week

from . import fake_llm
from .fake_llm import INVENTED


def test_faithful_model_gives_a_verified_abstractive_summary_and_is_audited(
    fakes, real_stories, db
):
    story = real_stories["2024-W51-qwen25-report"]
    summary = abstractive_summary(story, llm.get_model("fake-faithful"), conn=db)
    assert summary.method == "abstractive" and summary.model == "fake-faithful"
    assert (
        len(summary.sentences) >= 2
        and summary.verified == len(summary.sentences)
        and not summary.dropped
    )
    for s in summary.sentences:
        assert s.key == story.members[s.cite - 1].key
    [call] = list_calls(db)
    # backend = the plugin's top-level module (here the test package that registered the fake)
    assert (call.backend, call.model, call.purpose) == ("explain", "fake-faithful", "summary")
    assert call.input_keys == [m.key for m in story.members]
    assert call.tokens_in > 0 and call.tokens_out > 0 and call.ms is not None
    stored = db.execute("SELECT * FROM llm_calls").fetchone()
    assert "Qwen" not in json.dumps(dict(stored))  # the prompt text itself is never stored
    assert totals_by_week(db)[0]["calls"] == 1


def test_prompt_keeps_instructions_in_system_and_sources_as_data(fakes, real_stories):
    story = real_stories["2024-W51-alignment-faking"]
    abstractive_summary(story, llm.get_model("fake-faithful"))
    sent = fakes["faithful"].received[-1]
    assert sent["system"] == SYSTEM_PROMPT
    assert sent["prompt"].startswith("<<<SOURCE 1>>>") and sent["prompt"].rstrip().endswith(
        "<<<END SOURCE 3>>>"
    )
    assert "JSON" not in sent["prompt"]  # no instructions among the data
    assert sent["schema"]["required"] == [
        "sentences"
    ]  # the model supports schemas, so llm gets one
    assert sent["tools"] == []


def test_schemaless_models_are_parsed_leniently(fakes, real_stories):
    summary = abstractive_summary(
        real_stories["2024-W51-modernbert"], llm.get_model("fake-hallucinating")
    )
    assert fakes["hallucinating"].received[-1]["schema"] is None
    assert summary.method == "abstractive"


def test_wrong_quotes_are_dropped_and_the_story_falls_back_to_extractive(fakes, real_stories):
    story = real_stories["2024-W51-modernbert"]
    summary = abstractive_summary(story, llm.get_model("fake-wrong-quotes"))
    assert summary.method == "fallback"
    assert summary.dropped and all(
        d["reason"] == "quote not found in the cited source" for d in summary.dropped
    )
    assert summary.sentences == extractive_summary(story).sentences


def test_citations_of_sources_never_given_are_removed(fakes, real_stories):
    story = real_stories["2024-W51-alignment-faking"]
    summary = abstractive_summary(story, llm.get_model("fake-invented-sources"))
    assert {d["reason"].split(",")[0] for d in summary.dropped} <= {
        "cites source 0",
        "cites source 6",
        "cites source 10",
    }
    assert all(1 <= s.cite <= len(story.members) for s in summary.sentences)


def test_malformed_output_falls_back_and_says_why(fakes, real_stories):
    summary = abstractive_summary(
        real_stories["2024-W51-dndscore"], llm.get_model("fake-malformed")
    )
    assert summary.method == "fallback"
    assert summary.dropped[0]["reason"] == "model output was not the requested JSON"
    assert summary.sentences and all(s.verified for s in summary.sentences)


def test_generated_links_and_images_never_reach_the_output(fakes, real_stories):
    for story in real_stories.values():
        summary = abstractive_summary(story, llm.get_model("fake-injected-links"))
        md = render_markdown(summary)
        assert "evil.example" not in md and "<img" not in md
        assert all(s.text in source_text(story.members[s.cite - 1]) for s in summary.sentences)


def test_invented_claims_with_real_quotes_are_dropped(fakes, real_stories):
    for story in real_stories.values():
        summary = abstractive_summary(story, llm.get_model("fake-hallucinating"))
        sources = fake_llm.sources_in(build_prompt(story))
        negated = {fake_llm.negate(d["text"]) for d in fake_llm.faithful(sources)}
        assert not {s.text for s in summary.sentences} & (set(INVENTED) | negated), story.id
    reasons = {d["reason"].split(" ")[0] for d in summary.dropped}
    assert {"name", "number", "the"} & reasons


def test_long_sources_are_truncated_to_the_budget(real_stories):
    story = real_stories["2024-W50-gemini-2"]
    prompt = build_prompt(story)
    assert len(story.members[1].text) > 1500
    assert len(prompt) < 2 * 1500 + 600
    assert "Text: In this newsletter:" in prompt


def test_unchanged_story_is_not_sent_to_the_model_again(fakes, real_stories, db):
    story = real_stories["2024-W51-qwen25-report"]
    model = llm.get_model("fake-faithful")
    first = summarize_story(story, model, conn=db)
    again = summarize_story(story, model, conn=db, previous=first.to_dict())
    assert again == first and len(list_calls(db)) == 1
    story.members[0].text += " Qwen2.5 is also released under Apache 2.0."
    summarize_story(story, model, conn=db, previous=first.to_dict())
    assert len(list_calls(db)) == 2


def test_without_a_model_the_summary_is_extractive(real_stories):
    story = real_stories["2024-W51-dndscore"]
    assert summarize_story(story).method == "extractive"
    assert configured_model_id(None) is None


def test_a_model_needing_a_key_fails_with_the_fix_and_the_story_still_gets_a_summary(
    real_stories, db, monkeypatch
):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = load_model("gpt-4o-mini")  # llm's built-in OpenAI plugin; LLM_USER_PATH holds no keys
    with pytest.raises(LlmError, match="llm keys set openai"):
        generate(model, system="s", prompt="p", purpose="summary", input_keys=[], conn=db)
    summary = abstractive_summary(real_stories["2024-W51-dndscore"], model, conn=db)
    assert summary.method == "fallback" and summary.dropped[0]["reason"].startswith(
        "model call failed"
    )
    assert len(list_calls(db)) == 2  # failed calls are audited too
    # a failed call is retried next time rather than cached
    summarize_story(real_stories["2024-W51-dndscore"], model, conn=db, previous=summary.to_dict())
    assert len(list_calls(db)) == 3


def test_unknown_model_id_says_how_to_list_models():
    with pytest.raises(LlmError, match="llm models"):
        load_model("no-such-model-xyz")


def test_the_audit_log_names_the_plugin_and_never_echoes_a_key():
    from abreast.explain.llm_backend import backend_name, redact

    assert backend_name(load_model("gpt-4o-mini")) == "openai"
    message = redact(
        "Error code: 401 - Incorrect API key provided: sk-proj-abcdef1234567890XYZ. See docs"
    )
    assert "abcdef1234567890" not in message and "Incorrect API key provided" in message
