"""Themes: the default taxonomy, sensible tags for typical items, and a user-defined taxonomy."""

from __future__ import annotations

from abreast.config import section_from
from abreast.types import Item
from abreast.understand.pipeline import annotate
from abreast.understand.themes import THEMES


def test_default_taxonomy_has_the_seven_stable_ids():
    assert list(THEMES) == [
        "open-models",
        "fine-tuning-agents",
        "applications",
        "deployment",
        "safety-alignment",
        "research",
        "business",
    ]


def test_typical_items_get_the_expected_theme():
    items = [
        Item(
            key="arxiv:1",
            kind="arxiv",
            title="Compressed Chain of Thought: Efficient Reasoning",
            text="We propose a method that lets language models reason with dense representations.",
            url="https://arxiv.org/abs/2412.13171",
            extra={"categories": ["cs.CL"]},
        ),
        Item(
            key="hn:2",
            kind="hn",
            title="Amazon to invest another $4B in Anthropic",
            url="https://cnbc.com/x",
        ),
        Item(
            key="hn:3",
            kind="hn",
            title="Bringing K/V context quantisation to Ollama",
            url="https://smcleod.net/x",
        ),
        Item(
            key="hn:4",
            kind="hn",
            title="Alignment faking in large language models",
            url="https://www.anthropic.com/research/alignment-faking",
        ),
    ]
    got = {a.key: a.themes for a in annotate(items)}
    assert "research" in got["arxiv:1"]
    assert "business" in got["hn:2"]
    assert "deployment" in got["hn:3"]
    assert "safety-alignment" in got["hn:4"]
    assert all(set(t) <= set(THEMES) for t in got.values())


def test_non_ai_items_get_no_themes_and_ai_items_get_at_least_one():
    items = [
        Item(key="hn:1", kind="hn", title="Tailwind CSS v4.0 Beta 1"),
        Item(key="hn:2", kind="hn", title="Gemini 2.0: our new AI model for the agentic era"),
    ]
    a, b = annotate(items)
    assert a.themes == []
    assert b.is_ai and len(b.themes) >= 1
    assert "probabilities" in b.why["themes"]


def test_a_custom_taxonomy_from_settings_replaces_the_default():
    themes = {
        "robots": {
            "label": "Robots",
            "description": "robots and robotics learning",
            "keywords": ["robot", "robots"],
        },
        "chips": {
            "label": "Chips",
            "description": "AI accelerator chips and GPUs",
            "keywords": ["gpu", "tpu", "chip"],
        },
    }
    cfg = section_from("understand", {"themes": themes})
    (a,) = annotate(
        [
            Item(
                key="hn:9",
                kind="hn",
                title="Google's AI robots learn to fold laundry with a new model",
            )
        ],
        cfg,
    )
    assert a.is_ai
    assert "robots" in a.themes and set(a.themes) <= {"robots", "chips"}


def test_a_model_family_release_post_is_an_open_models_item_not_business():
    # The Hugging Face blog's Falcon 3 entry as the demo stores it: "10 billion parameters" is a
    # model's size, not money, and a reader following open-weight releases must see it.
    (blog,) = annotate(
        [
            Item(
                key="feed:https://huggingface.co/blog/falcon3",
                kind="feed",
                title="Welcome the Falcon 3 Family of Open Models!",
                url="https://huggingface.co/blog/falcon3",
                text="Welcome the Falcon 3 Family of Open Models!\nWe introduce Falcon3, a "
                "family of decoder-only large language models under 10 billion parameters, "
                "developed by "
                "Technology Innovation Institute (TII) in Abu Dhabi. By pushing the boundaries of "
                "performance and training efficiency, this release reflects our ongoing commitment "
                "to advancing open and accessible large foundation models.",
            )
        ]
    )
    assert blog.is_ai
    assert "open-models" in blog.themes
    assert "business" not in blog.themes
