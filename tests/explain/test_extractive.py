"""Extractive summaries of real stories: verbatim, cited, non-redundant, stable."""

from __future__ import annotations

import pytest

from abreast.explain.citations import normalize
from abreast.explain.extractive import extractive_summary, source_text
from abreast.explain.sentences import split_sentences
from abreast.explain.summary import Summary, render_markdown
from abreast.types import Story


def test_every_sentence_is_verbatim_from_the_source_it_cites(real_stories):
    for story in real_stories.values():
        summary = extractive_summary(story)
        assert summary.method == "extractive"
        assert 1 <= len(summary.sentences) <= 3, story.id
        for s in summary.sentences:
            member = story.members[s.cite - 1]
            assert (s.key, s.url) == (member.key, member.url)
            assert s.text in source_text(member), (story.id, s.text)  # exact, not normalized
            assert s.verified and s.quote == s.text
        assert summary.verified == summary.total == len(summary.sentences)


def test_stories_with_abstracts_get_two_to_three_distinct_sentences(real_stories):
    for sid in (
        "2024-W51-alignment-faking",
        "2024-W51-modernbert",
        "2024-W51-qwen25-report",
        "2024-W51-dndscore",
    ):
        texts = [normalize(s.text) for s in extractive_summary(real_stories[sid]).sentences]
        assert 2 <= len(texts) <= 3
        assert len(set(texts)) == len(texts)


def test_the_lead_sentence_of_an_abstract_is_preferred_over_boilerplate(real_stories):
    summary = extractive_summary(real_stories["2024-W51-qwen25-report"])
    assert summary.sentences[0].text.startswith("In this report, we introduce Qwen2.5")
    # The Anthropic feed entry's body is metadata ("Organization: Anthropic | Source: ..."), never a
    # summary.
    faking = extractive_summary(real_stories["2024-W51-alignment-faking"])
    assert all("Organization:" not in s.text for s in faking.sentences)


def test_title_only_story_is_summarized_by_its_titles(real_stories):
    hn = real_stories["2024-W51-modernbert"].members[2]
    reddit = real_stories["2024-W51-qwen25-report"].members[1]
    story = Story(id="t", week="2024-W51", title="titles", members=[hn, reddit])
    summary = extractive_summary(story)
    assert {s.text for s in summary.sentences} <= {hn.title, reddit.title}
    assert summary.sentences and all(s.verified for s in summary.sentences)


def test_max_sentences_is_respected(real_stories):
    story = real_stories["2024-W51-alignment-faking"]
    assert len(extractive_summary(story, max_sentences=2).sentences) == 2
    assert len(extractive_summary(story, max_sentences=4).sentences) == 4


def test_summary_round_trips_through_stored_json_and_renders_only_source_links(real_stories):
    story = real_stories["2024-W50-gemini-2"]
    summary = extractive_summary(story)
    again = Summary.from_dict(summary.to_dict())
    assert again == summary
    md = render_markdown(summary)
    for s in summary.sentences:
        assert f"[{s.cite}](<{s.url}>)" in md
    assert md.count("](") == len(summary.sentences)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Smith et al. (2023) show it works. We agree.",
            ["Smith et al. (2023) show it works.", "We agree."],
        ),
        (
            "GPT-3.5 scores 71.2% on MMLU. Llama 3.3 scores 86.0.",
            ["GPT-3.5 scores 71.2% on MMLU.", "Llama 3.3 scores 86.0."],
        ),
        ("Use tools, e.g. Python. It helps.", ["Use tools, e.g. Python.", "It helps."]),
        (
            "See https://openai.com/index/o1-and-new-tools. It ships today.",
            ["See https://openai.com/index/o1-and-new-tools.", "It ships today."],
        ),
        (
            "Dr. J. Smith and Prof. Lee wrote Fig. 3 in v0.2.1 of the U.S. report. Then it ended!",
            [
                "Dr. J. Smith and Prof. Lee wrote Fig. 3 in v0.2.1 of the U.S. report.",
                "Then it ended!",
            ],
        ),
        (
            "Plus 5 links\n\n- First item\n- Second item",
            ["Plus 5 links", "- First item", "- Second item"],
        ),
        ("a wrapped\nline continues. Next", ["a wrapped\nline continues.", "Next"]),
    ],
)
def test_sentence_splitting_survives_abbreviations_decimals_urls_and_lists(text, expected):
    assert split_sentences(text) == expected


def test_real_abstracts_split_into_substrings(real_stories):
    for story in real_stories.values():
        for m in story.members:
            parts = split_sentences(m.text)
            assert all(p in m.text for p in parts)
            # no sentence cut inside "et al." or a decimal: each piece ends with punctuation or a
            # line end
            assert not any(p.endswith((" al.", " e.g.", " i.e.")) for p in parts)


def test_a_body_that_repeats_the_headline_does_not_repeat_it_in_the_summary(real_stories):
    story = real_stories[
        "2024-W51-deliberative-alignment"
    ]  # OpenAI's feed body starts with its title
    texts = [s.text for s in extractive_summary(story).sentences]
    assert texts[0].startswith("Introducing our new alignment strategy for o1 models")
    assert all(normalize(t) != normalize(m.title) for t in texts for m in story.members if m.text)


def test_a_title_with_a_few_words_around_it_is_not_what_happened():
    from abreast.explain.extractive import repeats_title

    title = "Introducing Gemini 2.0: our new AI model for the agentic era"
    # Simon Willison's opening line on the demo's 2024-W50 card, under that very title
    said = (
        "Huge announcment from Google this morning: Introducing Gemini 2.0: our new AI model for "
        "the agentic era."
    )
    assert repeats_title(said, [title])
    # a short title inside a sentence that says more is not a repeat
    assert not repeats_title(
        "Barnstormer of an essay by Bruce Schneier about AI and trust.", ["AI and Trust"]
    )


def test_a_sentence_that_points_back_is_not_quoted_alone_when_others_stand():
    from abreast.explain.extractive import happened
    from abreast.types import Member

    # The opening of Anthropic's "Building effective agents" (2024-W51): "Instead, ..." answers
    # the sentence before it; quoted alone under the headline it reads as a non sequitur.
    text = (
        "Over the past year, we've worked with dozens of teams building large language model "
        "(LLM) agents across industries. Consistently, the most successful implementations "
        "weren't using complex frameworks or specialized libraries. Instead, they were building "
        "with simple, composable patterns. In this post, we share what we've learned from working "
        "with our customers and building agents ourselves, and give practical advice for "
        "developers on building effective agents."
    )
    member = Member(
        key="feed:anthropic-agents",
        kind="feed",
        source="anthropic",
        title="Building effective agents",
        url="https://www.anthropic.com/research/building-effective-agents",
        text=text,
    )
    said = [s.text for s in happened([member]).sentences]
    assert len(said) == 3
    assert not any(s.startswith("Instead") for s in said)
    # with too few sentences that stand alone, it is still quoted rather than saying too little
    few = (
        "We're rolling out a new, state-of-the-art video model, Veo 2, and updates to Imagen 3. "
        "Plus, check out our new experiment, Whisk."
    )
    said = [s.text for s in happened([Member(**{**member.__dict__, "text": few})]).sentences]
    assert said[-1] == "Plus, check out our new experiment, Whisk."
