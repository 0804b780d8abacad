"""What `abreast week W --summaries`, `abreast explain TERM` and `abreast llm-log` print."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from abreast.explain.extractive import extractive_summary
from abreast.explain.glossary import find_term
from abreast.explain.present import llm_log_rows, story_markdown, term_markdown
from abreast.types import Story

from .test_injection import hostile_members


def test_a_story_shows_its_cited_summary_sources_and_jargon(real_stories):
    story = real_stories["2024-W51-qwen25-report"]
    story.summary = extractive_summary(story).to_dict()
    md = story_markdown(story)
    assert md.startswith("### Qwen2.5 Technical Report")
    assert "[1](<https://arxiv.org/abs/2412.15115>)" in md
    assert "3/3 quotes verified" in md
    assert "**Mixture of experts (MoE)**:" in md  # jargon with its short definition


def test_hostile_titles_and_texts_render_no_foreign_links_or_images():
    story = Story(
        id="h",
        week="2024-W51",
        title="![x](https://attacker.example/t.png) [y](https://attacker.example)",
        members=hostile_members(),
    )
    story.summary = extractive_summary(story).to_dict()
    html = MarkdownIt("commonmark").render(story_markdown(story))
    assert "<img" not in html
    assert set(re.findall(r'href="([^"]*)"', html)) <= {m.url for m in story.members}


def test_a_term_page_has_definition_link_and_mentions():
    md = term_markdown(
        find_term("LoRA"),
        mentions=[("arxiv:2412.13663", "ModernBERT", "https://arxiv.org/abs/2412.13663")],
    )
    assert md.startswith("## ") and "Where it appears:" in md and "arxiv:2412.13663" in md


def test_llm_log_rows_total_the_weeks():
    totals = [
        {
            "week": "2024-W51",
            "model": "a",
            "calls": 2,
            "tokens_in": 100,
            "tokens_out": 20,
            "ms": 1500,
        },
        {
            "week": "2024-W52",
            "model": "a",
            "calls": 1,
            "tokens_in": 50,
            "tokens_out": 10,
            "ms": 500,
        },
    ]
    assert llm_log_rows(totals)[-1] == ["total", "", "3", "150", "30", "2.0"]
    assert llm_log_rows([]) == []
