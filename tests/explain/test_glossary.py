"""Jargon explanations: short definitions from the built-in glossary, longer ones verified like
summaries."""

from __future__ import annotations

import llm

from abreast.explain.citations import quote_in_source
from abreast.explain.extractive import source_text
from abreast.explain.glossary import (
    explain_in_context,
    explain_terms,
    find_term,
    items_mentioning,
    members_from_rows,
    story_jargon,
)
from abreast.item import Item
from abreast.store import Store
from abreast.store.llm_calls import list_calls


def test_known_terms_get_plain_definitions_in_order_unknown_ones_are_skipped():
    out = explain_terms(["rag", "no-such-term", "lora", "rag"])
    assert [e.term_id for e in out] == ["rag", "lora"]
    assert all(e.definition and e.term for e in out)


def test_a_term_is_found_by_any_of_its_spellings():
    assert find_term("Mixture-of-Experts").term_id == "moe"
    assert find_term("mixture of experts").term_id == "moe"
    assert find_term("lora").term_id == "lora"
    assert find_term("definitely not jargon") is None


def test_a_story_lists_the_jargon_its_sources_use(real_stories):
    terms = {e.term_id for e in story_jargon(real_stories["2024-W51-qwen25-report"])}
    assert {
        "moe",
        "quantization",
        "pre-training",
    } <= terms  # the real Qwen2.5 abstract uses all three
    story = real_stories["2024-W51-dndscore"]
    story.members[0].jargon = ["rag"]  # annotations from the understand stage win over scanning
    assert [e.term_id for e in story_jargon(story)] == ["rag"]


def _store_with(real_stories, db) -> Store:
    store = Store(db)
    items = [
        Item(
            key=m.key,
            kind=m.kind,
            title=m.title,
            url=m.url,
            text=m.text,
            published_at=m.published_at,
        )
        for s in real_stories.values()
        for m in s.members
    ]
    store.upsert_items(items)
    return store


def test_items_mentioning_a_term_come_from_the_store(real_stories, db):
    store = _store_with(real_stories, db)
    keys = [r["key"] for r in items_mentioning(store, find_term("mixture of experts"))]
    assert keys == ["arxiv:2412.15115"]  # only the Qwen2.5 report says MoE
    assert items_mentioning(store, find_term("lora")) == []


def test_longer_explanation_cites_the_items_and_is_verified(fakes, real_stories, db):
    store = _store_with(real_stories, db)
    term = find_term("alignment")
    members = members_from_rows(items_mentioning(store, term))
    assert len(members) >= 2
    summary = explain_in_context(
        term, members, llm.get_model("fake-faithful"), week="2024-W51", conn=db
    )
    assert summary.sentences and all(s.verified for s in summary.sentences)
    for s in summary.sentences:
        assert quote_in_source(s.quote, source_text(members[s.cite - 1]))
    assert term.term in fakes["faithful"].received[-1]["system"]
    assert list_calls(db)[0].purpose == "glossary"
