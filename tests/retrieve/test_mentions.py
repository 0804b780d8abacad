"""`abreast explain`'s "where it appears": in-sense items, once each, and the stories of the models
a term is about."""

import pytest

from abreast.explain.glossary import find_term, items_mentioning

pytestmark = pytest.mark.slow


def test_test_time_compute_lists_the_o3_story(demo_store):
    rows = items_mentioning(demo_store, find_term("test-time compute"))
    assert any("o3" in r["title"].lower() for r in rows), [r["title"] for r in rows]


def test_where_it_appears_lists_each_item_once_and_no_other_sense(demo_store):
    for term, other in (
        ("alignment", ("label alignment", "entity alignment", "conditional alignment")),
        ("quantization", ("product quantization", "recommender")),
    ):
        rows = items_mentioning(demo_store, find_term(term), limit=40)
        titles = [" ".join(r["title"].lower().split()) for r in rows]
        assert len(rows) >= 10
        assert len(titles) == len(set(titles)), "an item listed twice"
        assert not [t for t in titles if any(o in t for o in other)]
