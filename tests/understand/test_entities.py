"""Entities on real titles from ../shared/data (HN daily top 30 and r/LocalLLaMA via AINews, Nov-Dec
2024)."""

import json
from pathlib import Path

import pytest

from abreast.understand.entities import (
    entity_label,
    entity_slug,
    extract_entities,
    lexicon,
    normalize_model_name,
)

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared/data"


@pytest.fixture
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip("needs the recorded data in ../shared/data")
    return SHARED_DATA


@pytest.mark.parametrize(
    "spelling",
    [
        "Llama 3.3 70B",
        "Llama-3.3-70B-Instruct",
        "meta-llama/Llama-3.3-70B",
        "meta-llama/Llama-3.3-70B-Instruct",
        "llama-3.3-70b",
        "Llama3.3 70B",
        "Meta-Llama-3.3-70B-Instruct",
    ],
)
def test_llama_spellings_share_one_key(spelling):
    assert normalize_model_name(spelling) == "llama-3.3-70b"


@pytest.mark.parametrize(
    "spelling,key",
    [
        ("QwQ-32B-Preview", "qwq-32b"),
        ("QwQ-32B", "qwq-32b"),
        ("o3", "o3"),
        ("o3-mini", "o3-mini"),
        ("o1-preview", "o1-preview"),
        ("GPT-4o", "gpt-4o"),
        ("gpt4o", "gpt-4o"),
        ("gpt-4o-2024-11-20", "gpt-4o"),
        ("ChatGPT-4o-latest (2024-11-20)", "gpt-4o"),
        ("Gemini 2.0 Flash", "gemini-2.0-flash"),
        ("Gemini-2.0-Flash-Exp", "gemini-2.0-flash"),
        ("Gemini Flash 2.0", "gemini-2.0-flash"),
        ("Claude 3.5 Sonnet (20241022)", "claude-3.5-sonnet"),
        ("Sonnet 3.5", "claude-3.5-sonnet"),
        ("DeepSeek-V3", "deepseek-v3"),
        ("Deepseek-v2.5-1210", "deepseek-v2.5"),
        ("Phi-4", "phi-4"),
        ("Mixtral 8x7B", "mixtral-8x7b"),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b"),
        ("Qwen2.5-Coder-32B", "qwen-2.5-coder-32b"),
        ("qwen2.5-coder:32b", "qwen-2.5-coder-32b"),
        ("Qwen 2.5 Coder 32B", "qwen-2.5-coder-32b"),
        # the date is the only version Mistral gives its Large model, so it stays
        ("mistralai/Mistral-Large-Instruct-2411", "mistral-large-2411"),
        ("Mistral Large 2411", "mistral-large-2411"),
        ("internlm/internlm2_5-1_8b-chat", "internlm-2.5-1.8b"),
        ("Command R+ (08-2024)", "command-r-plus"),
    ],
)
def test_normalize_model_name(spelling, key):
    assert normalize_model_name(spelling) == key


@pytest.mark.parametrize(
    "title,expected",
    [
        (
            "New Llama 3.3 70B beats GPT 4o, Sonnet and Gemini Pro at a fraction of the cost",
            {"model:llama-3.3-70b", "model:gpt-4o", "model:gemini-pro"},
        ),
        (
            "Alibaba QwQ 32B model reportedly challenges o1 mini, o1 preview , claude 3.5 sonnet "
            "and gpt4o and its open source",
            {
                "model:qwq-32b",
                "model:o1-mini",
                "model:o1-preview",
                "model:claude-3.5-sonnet",
                "model:gpt-4o",
                "org:alibaba",
            },
        ),
        (
            "QwQ-32B-Preview benchmarked in farel-bench, the result is 96.67 - better than Claude "
            "3.5 Sonnet, "
            "a bit worse than o1-preview and o1-mini",
            {"model:qwq-32b", "model:claude-3.5-sonnet", "model:o1-preview", "model:o1-mini"},
        ),
        ("OpenAI just announced O3 and O3 mini", {"org:openai", "model:o3", "model:o3-mini"}),
        (
            "Gemini 2.0 Flash beating Claude Sonnet 3.5 on SWE-Bench was not on my bingo card",
            {"model:gemini-2.0-flash", "model:claude-3.5-sonnet"},
        ),
        (
            "Introducing Phi-4: Microsoft’s Newest Small Language Model Specializing in Complex "
            "Reasoning",
            {"model:phi-4", "org:microsoft"},
        ),
        (
            "mistralai/Mistral-Large-Instruct-2411 · Hugging Face",
            {"model:mistral-large-2411", "org:mistral-ai", "org:hugging-face"},
        ),
        ("Llama-3.3-70B-Instruct · Hugging Face", {"model:llama-3.3-70b", "org:hugging-face"}),
        (
            "Qwen2.5-Coder-32B-Instruct - a review after several days with it",
            {"model:qwen-2.5-coder-32b"},
        ),
        (
            "deepseek-ai/DeepSeek-V2.5-1210 · Hugging Face",
            {"model:deepseek-v2.5", "org:deepseek", "org:hugging-face"},
        ),
        (
            "Open-weights AI models are BAD says OpenAI CEO Sam Altman. Because DeepSeek and Qwen "
            "2.5? did what "
            "OpenAi supposed to do!",
            {"org:openai", "person:sam-altman", "org:deepseek", "model:qwen-2.5"},
        ),
        (
            "Speculative Decoding for QwQ-32B Preview can be done with Qwen-2.5 Coder 7B!",
            {"model:qwq-32b", "model:qwen-2.5-coder-7b"},
        ),
        ("Llama.cpp Now Supports Qwen2-VL (Vision Language Model)", {"model:qwen-2-vl"}),
        ("OpenAI O3 breakthrough high score on ARC-AGI-PUB", {"model:o3", "org:openai"}),
    ],
)
def test_real_titles(title, expected):
    assert set(extract_entities(title)) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Phi is the golden ratio; the co3 and o3x are not models",
        "Show HN: I ported llama.cpp to a toaster",
        "The falcon and the granite cliff: a mistral wind",
        # a sentence ends after "Llama 3"; "Large" is not its tier
        "We use Llama 3. Large models are fine.",
    ],
)
def test_no_false_positives_in_prose(title):
    found = extract_entities(title)
    assert not [e for e in found if e not in ("model:llama-3",)], found


def test_output_is_sorted_unique_and_text_counts():
    got = extract_entities(
        "Llama 3.3 70B", "Meta released Llama 3.3 70B; Llama-3.3-70B-Instruct is on the hub."
    )
    assert got == ["model:llama-3.3-70b", "org:meta"]


def test_hub_id_of_a_community_model_matches_only_when_spelled_in_full():
    assert "cultrix/seqwence-14b-v5" in lexicon()["hub_ids"]
    assert "model:seqwence-14b" in extract_entities("Try CultriX/SeQwence-14B-v5 for merges")
    assert extract_entities("a SeQwence of events") == []


def test_learnt_family_from_leaderboards_needs_a_version():
    # "wizardlm" is not in the curated gazetteer: it comes from the Arena and Open LLM Leaderboard
    # tables.
    assert any(f["id"] == "wizardlm" for f in lexicon()["families"])
    assert extract_entities("WizardLM-2 8x22B is back") == ["model:wizardlm-2-8x22b"]


def test_labels_and_slugs():
    assert entity_label("model:llama-3.3-70b") == "Llama 3.3 70B"
    assert entity_label("model:gpt-4o") == "GPT-4o"
    assert entity_label("model:claude-3.5-sonnet") == "Claude 3.5 Sonnet"
    assert entity_label("model:mixtral-8x7b") == "Mixtral 8x7B"
    assert entity_label("org:openai") == "OpenAI"
    assert entity_label("person:sam-altman") == "Sam Altman"
    assert entity_slug("model:llama-3.3-70b") == "llama-3.3-70b"
    assert entity_slug("org:hugging-face") == "hugging-face"


def test_ai_news_week_mentions(shared_data):
    """On the r/LocalLLaMA posts the AINews digest picked in Dec 2024, the big releases of those
    weeks are found under one id each, however the posts spelled them."""
    path = shared_data / "reddit-via-ainews-2024-12/reddit_ai_posts_2024-11-15_2024-12-23.jsonl"
    counts: dict[str, int] = {}
    for line in path.open(encoding="utf-8"):
        for ident in extract_entities(json.loads(line)["title"]):
            counts[ident] = counts.get(ident, 0) + 1
    for ident in (
        "model:llama-3.3-70b",
        "model:qwq-32b",
        "model:o3",
        "model:phi-4",
        "model:gemini-2.0-flash",
        "model:claude-3.5-sonnet",
        "model:qwen-2.5-coder-32b",
        "org:openai",
        "org:hugging-face",
    ):
        assert counts.get(ident, 0) >= 2, (ident, counts.get(ident))


def test_fallback_scanner_agrees_with_the_compiled_one(shared_data):
    """Without ahocorasick-rs the whitespace scanner must offer the regex every start that
    matters."""
    from abreast.understand import entities as E

    rx, _, spotter = E._matcher()
    assert spotter._ac is not None, "ahocorasick-rs (a dependency) is installed"
    path = (
        shared_data
        / "arxiv-abstracts-cs-cl-ai-ir-2024-12-18_20"
        / "arxiv_cs_CL_AI_IR_with_abstracts_2024-12-18_2024-12-20.jsonl"
    )
    texts = [
        (r := json.loads(line))["title"] + "\n" + r["abstract"]
        for line in path.open(encoding="utf-8")
    ][:300]

    def matches(offsets, text):
        return {m.group() for p in offsets if (m := rx.match(text, p))}

    found = 0
    for text in texts:
        fast = matches(spotter.offsets(text), text)
        assert matches(E.word_offsets(text, spotter.keys), text) >= fast, text[:80]
        found += len(fast)
    assert found > 50
