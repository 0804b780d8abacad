"""The understand stage with the store: annotate once, reuse vectors, re-annotate what changed,
explain."""

from __future__ import annotations

import numpy as np
import pytest

from abreast.errors import NotFound
from abreast.store import Store
from abreast.store import annotations as sa
from abreast.types import Item
from abreast.understand.pipeline import annotate, run


def items() -> list[Item]:
    return [
        Item(
            key="hn:1",
            kind="hn",
            title="Llama 3.3 70B released",
            url="https://huggingface.co/meta-llama/Llama-3.3-70B",
            published_at="2024-12-06T18:00:00+00:00",
        ),
        Item(
            key="hn:2",
            kind="hn",
            title="PHP 8.4",
            url="https://www.php.net/releases/8.4/en.php",
            published_at="2024-11-21T10:00:00+00:00",
        ),
        Item(
            key="reddit:abc",
            kind="reddit",
            title="Meta drops Llama 3.3 70B",
            url="https://huggingface.co/meta-llama/Llama-3.3-70B/",
            extra={"subreddit": "LocalLLaMA"},
            published_at="2024-12-06T19:00:00+00:00",
        ),
    ]


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "t.db")
    s.upsert_items(items())
    yield s
    s.close()


def test_run_annotates_everything_then_nothing_until_content_changes(store):
    first = run(store)
    assert first["annotated"] == 3 and first["embedded"] == 3
    rows = store.conn.execute("SELECT model, dim, length(vector) AS n FROM embeddings").fetchall()
    assert len(rows) == 3 and all(r["dim"] == 256 and r["n"] == 256 + 4 for r in rows)
    assert {r["model"] for r in rows} == {"wordllama-l2-256"}

    again = run(store)
    assert again["annotated"] == 0 and again["embedded"] == 0

    changed = items()[1]
    changed.title = "GPT-4o writes PHP 8.4 code"
    store.upsert_items([changed])
    third = run(store)
    assert third["annotated"] == 1 and third["embedded"] == 1
    assert sa.why(store.conn, "hn:2")["is_ai"] is True


def test_stored_vectors_match_a_fresh_embedding(store):
    run(store)
    item_id = store.item("hn:1").id
    vec, h = sa.vectors_for(store.conn, [item_id], "wordllama-l2-256")[item_id]
    from abreast.understand.embed import get_embedder
    from abreast.understand.pipeline import embed_text

    expected = get_embedder("wordllama").embed_batch([embed_text(items()[0])])[0]
    # stored as int8 with one scale (store/compact.py): each component within half a step
    step = float(np.abs(expected).max()) / 127
    assert np.abs(vec - expected).max() <= step / 2 + 1e-6
    assert float(vec @ expected) > 0.999
    assert h == items()[0].content_hash()


def test_why_explains_a_stored_decision_and_refuses_unknown_keys(store):
    assert sa.why(store.conn, "hn:1") is None  # exists, not annotated yet
    run(store)
    w = sa.why(store.conn, "hn:1")
    assert w["is_ai"] and 0.5 <= w["relevance"] <= 1.0
    assert "llama 3.3 70b" in w["why"]["relevance"]["matched"]
    assert w["themes"] and w["embedding_models"] == ["wordllama-l2-256"]
    with pytest.raises(NotFound, match="no item with key"):
        sa.why(store.conn, "hn:999")


def test_the_same_link_from_two_sources_is_linked_to_one_item(store):
    run(store)
    dup = sa.why(store.conn, "reddit:abc")["duplicate_of"]
    canon = sa.why(store.conn, "hn:1")["duplicate_of"]
    assert {dup, canon} == {"hn:1", None} or {dup, canon} == {None, "reddit:abc"}


def test_annotate_is_pure_and_keeps_input_order():
    its = items()
    anns = annotate(its)
    assert [a.key for a in anns] == [i.key for i in its]
    assert annotate(its)[0] == anns[0]


def test_why_lines_read_like_an_explanation(store):
    from abreast.understand.why import why_lines

    run(store)
    text = "\n".join(why_lines(sa.why(store.conn, "hn:1")))
    assert "hn:1: Llama 3.3 70B released" in text
    assert "about AI: relevance" in text and "AI words: llama 3.3 70b" in text
    assert "AI names/terms in the title" in text and "themes:" in text
    text2 = "\n".join(why_lines(sa.why(store.conn, "hn:2")))
    assert "not about AI" in text2


def test_a_later_run_finds_duplicates_among_stored_items_and_repoints_their_group(store):
    """The persistent index: items arriving in a later run are compared with the stored items
    sharing a URL, and a publisher arriving later becomes its group's canonical item."""
    run(store)
    hn1 = store.item("hn:1").id
    dup_of = lambda iid: store.conn.execute(  # noqa: E731
        "SELECT duplicate_of FROM annotations WHERE item_id = ?", (iid,)
    ).fetchone()[0]
    assert dup_of(store.item("reddit:abc").id) == hn1
    # The model's own hub page, fetched a week later: it is the publisher, so the HN post and the
    # Reddit thread now point at it.
    store.upsert_items(
        [
            Item(
                key="hf:meta-llama/Llama-3.3-70B",
                kind="hf",
                title="meta-llama/Llama-3.3-70B",
                url="https://huggingface.co/meta-llama/Llama-3.3-70B",
                published_at="2024-12-06T17:00:00+00:00",
            ),
            Item(key="hn:3", kind="hn", title="Rust 2.0 is out", url="https://rust.example/2"),
        ]
    )
    assert len(sa.items_for_understanding(store.conn)) == 5
    second = run(store)
    assert second["annotated"] == 2 and second["duplicates_updated"] == 2
    hub = store.item("hf:meta-llama/Llama-3.3-70B").id
    assert dup_of(hn1) == hub and dup_of(store.item("reddit:abc").id) == hub
    assert dup_of(store.item("hn:3").id) is None and dup_of(hub) is None
    assert run(store)["annotated"] == 0


def test_week_counts_follow_items_and_annotations(store):
    """The week counts the triggers keep equal a recount after inserts, annotation, re-annotation
    and a delete."""

    def recount():
        return {
            tuple(r)
            for r in store.conn.execute(
                "SELECT i.week, count(*), coalesce(sum(a.is_ai), 0), coalesce(sum(a.is_ai = 1 "
                "AND a.duplicate_of IS NULL AND i.kind != 'hf'), 0) FROM items i LEFT JOIN "
                "annotations a ON a.item_id = i.id GROUP BY i.week"
            )
        }

    def kept():
        return {
            tuple(r)
            for r in store.conn.execute(
                "SELECT week, items, ai_items, volume FROM week_stats WHERE items > 0"
            )
        }

    assert kept() == recount()
    run(store)
    assert kept() == recount() and any(r[2] for r in kept())
    store.upsert_items([Item(key="hn:2", kind="hn", title="PHP 8.4 and a Llama 3.3 plugin",
                             url="https://www.php.net/releases/8.4/en.php",
                             published_at="2024-11-21T10:00:00+00:00")])  # fmt: skip
    run(store)
    assert kept() == recount()
    store.delete_item("reddit:abc")
    assert kept() == recount()
