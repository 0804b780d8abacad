"""Issue 19: trees as of a date, models chosen by attention, the right lineage, model cards."""

from __future__ import annotations

import re

from abreast.landscape.card import laptop_verdict, licence_in_words, memory_gb, model_card
from abreast.landscape.registry import build
from abreast.landscape.sources import Observation
from abreast.landscape.tree import Node, TreeSpec, build_tree, family_tree, to_mermaid
from abreast.store import landscape as sql


def _models(root: Node) -> list[Node]:
    return [n for n in root.walk() if n.kind == "model"]


def _base(conn, mid):
    return {b.base_id: (b.relation, b.source) for b in sql.bases_of(conn, mid)}


def test_llama_tree_as_of_2023_12_10_has_llama_1_and_2_and_their_famous_descendants(built):
    root, left = family_tree(built[0].conn, TreeSpec("llama", as_of="2023-12-10"))
    gens = [g.title for g in root.children]
    assert gens[:2] == ["Llama 1 (LLaMA)", "Llama 2"]
    assert not any(g.startswith("Llama 3") for g in gens)  # nothing from 2024
    names = " ".join(n.title.lower() for n in _models(root))
    for known in ("vicuna", "alpaca", "codellama", "wizardlm", "orca-2", "tinyllama"):
        assert known in names, known
    dates = [re.search(r"\d{4}-\d{2}(-\d{2})?$", n.subtitle) for n in _models(root)]
    assert all(d and d.group(0) <= "2023-12-10" for d in dates)
    assert left["after_as_of"] > 300  # Llama 3 and everything after it


def test_known_lineage_errors_are_fixed(built):
    conn = built[0].conn
    assert _base(conn, "codellama/codellama-13b-instruct-hf") == {
        "meta-llama/llama-2-13b-hf": ("finetune", "curated")
    }
    assert "meta-llama/meta-llama-3-8b" in _base(conn, "meta-llama/meta-llama-guard-2-8b")
    assert _base(conn, "nousresearch/meta-llama-3-8b")["meta-llama/meta-llama-3-8b"][0] == "copy"
    assert sql.get_model(conn, "microsoft/orca-2-13b").family == "llama"  # not a Phi
    root, _ = family_tree(conn, TreeSpec("llama", as_of="2024-12-22"))
    l31 = next(g for g in root.children if g.title == "Llama 3.1")
    assert not any(c.title.lower().startswith("fireball") for c in l31.children)
    # a re-upload is never drawn beside the original
    assert "nousresearch/meta-llama-3-8b" not in {n.key for n in root.walk()}


def test_release_date_is_the_first_news_not_the_repository_date():
    obs = [
        Observation(
            "hf",
            "2024-11-26",
            "meta-llama/Llama-3.3-70B-Instruct",
            facts={"name": "Llama-3.3-70B-Instruct", "org": "meta-llama", "released": "2024-11-26"},
        )
    ]
    reg = build(
        obs, [("hn:1", "2024-12-06T17:00:00+00:00", ["model:llama-3.3-70b"])], {"hn:1": 250}
    )
    row = next(m for m in reg.rows()[0] if m["id"] == "meta-llama/llama-3.3-70b-instruct")
    assert row["released"] == "2024-12-06"
    facts = reg.rows()[2]
    assert (
        "meta-llama/llama-3.3-70b-instruct",
        "mention:hn:1",
        "250",
        "items",
        "2024-12-06",
    ) in facts


MODELS = {
    "meta-llama/base": {"name": "Llama-3.1-8B", "org": "meta-llama", "released": "2024-07-23"},
    "nous/hermes": {"name": "Hermes-3", "org": "Nous", "released": "2024-08-01", "hearts": 300},
    "x/fresh": {"name": "Fresh-Upload", "org": "x", "released": "2024-12-20"},
    "y/reupload": {"name": "Llama-3.1-8B", "org": "y", "released": "2024-07-25"},
    "z/tune": {"name": "Tune-on-reupload", "org": "z", "released": "2024-09-01", "hearts": 50},
    "w/named": {"name": "Llama-3.1-8B-Something", "org": "w", "released": "2024-10-01"},
}
EDGES = [
    ("nous/hermes", "meta-llama/base", "finetune", "hf"),
    ("x/fresh", "meta-llama/base", "finetune", "hf"),
    ("y/reupload", "meta-llama/base", "copy", "name-inference"),
    ("z/tune", "y/reupload", "finetune", "hf"),
    ("w/named", "meta-llama/base", "finetune", "name-inference"),
]
RANK = {"nous/hermes": 40.0, "z/tune": 20.0, "w/named": 5.0, "x/fresh": 0.0}


def test_the_most_discussed_descendants_are_drawn_not_the_newest_upload():
    spec = TreeSpec("llama", as_of="2024-12-22", new_from="2024-12-16", new_to="2024-12-23")
    root, _ = build_tree(MODELS, EDGES, spec, RANK)
    drawn = {n.key for n in _models(root)}
    assert {"meta-llama/base", "nous/hermes", "z/tune"} <= drawn
    assert "x/fresh" not in drawn  # new this week, but nobody wrote or liked it
    assert not any(n.new for n in root.walk())
    counts = [n.title for n in root.walk() if n.kind == "count"]
    assert any("re-upload" in c for c in counts)


def test_a_reupload_folds_into_its_original_and_its_tunes_move_there():
    root, _ = build_tree(MODELS, EDGES, TreeSpec("llama"), RANK)
    base = next(n for n in root.walk() if n.key == "meta-llama/base")
    assert "z/tune" in {c.key for c in base.children}
    assert "y/reupload" not in {n.key for n in root.walk()}


def test_as_of_leaves_out_later_models_and_name_inferred_edges_are_dotted():
    root, left = build_tree(MODELS, EDGES, TreeSpec("llama", as_of="2024-09-30"), RANK)
    keys = {n.key for n in root.walk()}
    assert "w/named" not in keys and "x/fresh" not in keys and left["after_as_of"] == 2
    root, _ = build_tree(MODELS, EDGES, TreeSpec("llama"), RANK)
    named = next(n for n in root.walk() if n.key == "w/named")
    assert named.uncertain
    assert "-.->|inferred from the name|" in to_mermaid(root)


def test_licence_in_plain_words_and_laptop_memory():
    assert licence_in_words("apache-2.0").startswith("open source")
    assert licence_in_words("llama3.1").startswith("open weights") and "700 million" in (
        licence_in_words("llama3.1")
    )
    assert "non-commercial" in licence_in_words("cc-by-nc-4.0")
    assert licence_in_words("proprietary").startswith("closed")
    assert memory_gb(8.0) == (4.8, 9.6)
    assert laptop_verdict(8.0).startswith("yes, on a 16 GB laptop")
    assert laptop_verdict(70.6).startswith("no")
    assert laptop_verdict(32.8).startswith("only on a 32 GB laptop")


def test_model_card_says_who_made_it_and_what_it_descends_from(built):
    card = model_card(built[0].conn, "codellama/codellama-13b-instruct-hf")
    assert card.lineage[0].id == "meta-llama/llama-2-13b-hf" and not card.lineage[0].uncertain
    assert card.lineage_source == "https://arxiv.org/abs/2308.12950"
    assert card.released == "2023-08-24"
    card = model_card(built[0].conn, "meta-llama/meta-llama-3-8b-instruct")
    assert card.made_by == "meta-llama" and card.family == "Llama"
    assert card.lineage[0].id == "meta-llama/meta-llama-3-8b"
    assert "open weights" in card.licence_words and card.laptop.startswith("yes")


def test_a_story_card_never_calls_weights_closed_that_its_data_says_nothing_about(built):
    # BERT reaches the registry only through the LLM phylogeny table (name, maker, date): no
    # license, no Hugging Face record. Its weights are open; the card must not say "no open
    # weights", only that its data does not say. A hub model keeps its license.
    from abreast.explain.card import NOT_IN_OUR_DATA, CardLoader
    from abreast.store import landscape as sql

    store = built[0]
    loader = CardLoader(store)
    bert = sql.get_model(store.conn, "google-ai/bert")
    assert bert is not None and not bert.license
    assert loader._facts(bert).weights == NOT_IN_OUR_DATA
    llama = sql.get_model(store.conn, "meta-llama/llama-3.3-70b-instruct")
    assert llama is not None and llama.license
    assert loader._facts(llama).weights == f"open weights, {llama.license} license"
