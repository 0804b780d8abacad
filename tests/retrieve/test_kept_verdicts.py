"""Word-sense verdicts judged by `process` and kept beside the store (retrieve/verdicts.py): a
search reads them instead of judging, with the same results; they are never used for an item
whose content changed, nor after the rules changed."""

from __future__ import annotations

import sqlite3

from abreast.retrieve import index as index_module
from abreast.retrieve import query as Q
from abreast.retrieve import sense, verdicts
from abreast.retrieve.index import load_index
from abreast.retrieve.verdicts import KeptVerdicts, precompute
from abreast.store.db import database_file

GLOSSARY_REQUESTS = [
    "agent",
    "alignment",
    "diffusion",
    "quantization",
    "Hallucinations in vision-language models and how to reduce them",
    "Jailbreak attacks on LLMs and defenses against them",
    "Task-specific agents built on LLMs",
    "Knowledge distillation of large models into small ones",
]


def _fresh_index(monkeypatch):
    """As a new process: no index and no verdicts in memory."""
    monkeypatch.setattr(index_module, "_cache", {})


def _judged_items(monkeypatch) -> list[int]:
    """Counts the items sense.judge_many reads for a term they use (others are "in" unread)."""
    counted: list[int] = []
    real = sense.judge_many

    def counting(term_id, items, embedder, papers=None):
        uses = [term_id in sense.find_jargon(f"{t}\n{x}") for t, x, _ in items]
        counted.append(sum(uses) if term_id in sense.senses() else 0)
        return real(term_id, items, embedder, papers)

    monkeypatch.setattr(verdicts, "judge_many", counting)
    return counted


def test_kept_verdicts_give_the_results_of_judging_and_spare_the_judging(demo_store, monkeypatch):
    _fresh_index(monkeypatch)
    monkeypatch.setattr(KeptVerdicts, "get", lambda self, term, hashes: {})
    monkeypatch.setattr(KeptVerdicts, "put", lambda self, term, judged: None)
    counted = _judged_items(monkeypatch)
    judged_live = [Q.search(demo_store, q) for q in GLOSSARY_REQUESTS]
    live_work = sum(counted)
    monkeypatch.undo()

    assert precompute(demo_store) > 300  # the demo's items that use a term with a sense
    assert precompute(demo_store) == 0  # nothing new: nothing judged again
    _fresh_index(monkeypatch)
    counted = _judged_items(monkeypatch)
    kept = [Q.search(demo_store, q) for q in GLOSSARY_REQUESTS]
    assert kept == judged_live
    assert sum(map(len, kept)) > 5 * len(GLOSSARY_REQUESTS)
    assert live_work > 100 and sum(counted) == 0  # no request judged an item that uses a term


def test_precomputed_verdicts_are_those_of_the_search_index(demo_store):
    precompute(demo_store)
    idx = load_index(demo_store, all_time=True)
    kept = KeptVerdicts(verdicts.cache_path(database_file(demo_store.conn)), idx.embedder.name)
    rows = {r.item_id: i for i, r in enumerate(idx.rows)}
    hashes = dict(demo_store.conn.execute("SELECT id, content_hash FROM items"))
    compared = 0
    for term in sense.senses():
        judged = kept.get(term, {k: hashes[k] for k in rows})
        for item_id, ok in list(judged.items())[:40]:
            i = rows[item_id]
            r = idx.rows[i]
            text = demo_store.conn.execute(
                "SELECT coalesce(text, '') FROM items WHERE id = ?", (item_id,)
            ).fetchone()[0]
            live = sense.keep_in_sense(
                [term],
                [(r.title, text, idx.vectors[i])],
                idx.embedder,
                [sense.is_paper(r.kind, r.url)],
            )[0]
            assert ok == live, (term, r.title)
            compared += 1
    assert compared > 200


def test_a_kept_verdict_is_not_used_once_the_item_changed_or_the_rules_did(demo_store, monkeypatch):
    _fresh_index(monkeypatch)
    precompute(demo_store)
    idx = load_index(demo_store)
    hits = Q.search(demo_store, "agent")
    item_id = next(r.item_id for r in idx.rows if r.key == hits[0].key)
    conn = sqlite3.connect(verdicts.cache_path(database_file(demo_store.conn)))

    def say_out() -> None:
        """A kept verdict that puts the best hit in another sense, on its current content."""
        with conn:
            conn.execute(
                "UPDATE verdicts SET ok = 0 WHERE term = 'agents' AND item_id = ?", (item_id,)
            )
        assert conn.total_changes >= 1

    say_out()
    _fresh_index(monkeypatch)
    assert hits[0].key not in [h.key for h in Q.search(demo_store, "agent")]  # it is read

    # the item's content changes: the kept verdict was on other words, it is judged again
    demo_store.conn.execute("UPDATE items SET content_hash = 'changed' WHERE id = ?", (item_id,))
    _fresh_index(monkeypatch)
    assert Q.search(demo_store, "agent")[0].key == hits[0].key

    say_out()  # (the verdict judged on the new content)
    _fresh_index(monkeypatch)
    assert hits[0].key not in [h.key for h in Q.search(demo_store, "agent")]
    # new rules (a changed sense.py, jargon.py or glossary): every kept verdict is forgotten
    monkeypatch.setattr(verdicts, "rules", lambda: "other rules")
    _fresh_index(monkeypatch)
    assert Q.search(demo_store, "agent")[0].key == hits[0].key
    forged = "SELECT ok FROM verdicts WHERE term = 'agents' AND item_id = ?"
    assert conn.execute(forged, (item_id,)).fetchall() in ([], [(1,)])
    conn.close()


def test_process_keeps_the_verdicts_beside_the_store(demo_run):
    home, _ = demo_run
    conn = sqlite3.connect(home / "cache" / "sense-verdicts.sqlite")
    terms = dict(conn.execute("SELECT term, count(*) FROM verdicts GROUP BY term"))
    conn.close()
    assert {"agents", "alignment", "diffusion"} <= set(terms) and sum(terms.values()) > 300


def test_terms_without_a_sense_are_not_judged_and_change_nothing(demo_store, monkeypatch):
    """ "LLM" is a glossary term with no sense to check: nothing is judged for it, and the results
    are those of judging it (every item "in"), the candidates cut to the best 150 as before."""
    requests = ["Running LLMs efficiently on devices with limited memory", "LLM agents", "RAG"]
    assert all(sense.find_jargon(q) for q in requests)
    _fresh_index(monkeypatch)
    calls: list[str] = []
    real = verdicts.judge_many
    monkeypatch.setattr(
        verdicts, "judge_many", lambda t, *a, **k: calls.append(t) or real(t, *a, **k)
    )
    cheap = [Q.search(demo_store, q) for q in requests]
    assert not [t for t in calls if t not in sense.senses()]
    unsensed = {t for q in requests for t in sense.find_jargon(q)} - set(sense.senses())
    judged = {**sense.senses(), **dict.fromkeys(unsensed, {})}
    monkeypatch.setattr(Q, "senses", lambda: judged)  # every term "judged": all in
    _fresh_index(monkeypatch)
    assert [Q.search(demo_store, q) for q in requests] == cheap
    assert [t for t in calls if t not in sense.senses()]  # the unsensed terms were judged there


def test_a_verdicts_file_of_another_layout_is_started_again(demo_store, monkeypatch):
    path = verdicts.cache_path(database_file(demo_store.conn))
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE rules (version TEXT NOT NULL)")
        conn.execute("INSERT INTO rules VALUES ('an older layout')")
    conn.close()
    _fresh_index(monkeypatch)
    assert Q.search(demo_store, "agent")
    assert precompute(demo_store) > 300
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM verdicts").fetchone()[0] > 300
    conn.close()
