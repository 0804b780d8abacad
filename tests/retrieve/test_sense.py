"""Word sense: a glossary term is taken in its AI sense only on positive evidence, so a paper from
another field that merely shares the word is dropped from proposals and "where it appears"."""

import pytest

from abreast.retrieve.index import load_index
from abreast.retrieve.sense import in_sense, is_paper, judge
from abreast.store.retrieval import texts

pytestmark = pytest.mark.slow


def _item(store, idx, title_start):
    i = next(i for i, r in enumerate(idx.rows) if r.title.startswith(title_start))
    r = idx.rows[i]
    return r, texts(store.conn, [r.item_id]).get(r.item_id, ""), idx.vectors[i]


def test_a_paper_without_evidence_for_the_sense_is_dropped_and_a_lab_post_is_kept(demo_store):
    idx = load_index(demo_store)
    # A multi-agent control paper names no other-sense cue the glossary lists for "agents" in its
    # title, and nothing of language models: no evidence, so it is not taken for LLM agents.
    r, text, vec = _item(demo_store, idx, "Communication-Free Bearing-Only Distributed Target")
    assert is_paper(r.kind, r.url)
    assert not in_sense("agents", r.title, text, vec, idx.embedder, paper=True)
    # Anthropic's own post on agents: a lab writing about AI for people who follow it.
    r, text, vec = _item(demo_store, idx, "Building effective agents")
    assert not is_paper(r.kind, r.url)
    assert in_sense("agents", r.title, text, vec, idx.embedder, paper=False)
    # The same title read as a paper has to show the sense itself, and alone it does not.
    assert judge("agents", r.title, "", None, idx.embedder, paper=True).startswith("out")


def test_a_terms_own_words_and_a_distant_field_word_are_not_evidence(demo_store):
    idx = load_index(demo_store)
    # "reasoning" inside "reasoning LLM" is the term itself, not a word around it.
    why = judge("reasoning-model", "A reasoning LLM for tables", "", None, idx.embedder)
    assert "no related word" in why
    # Nor is it elsewhere: "graph reasoning tasks" beside "a graph reasoning LLM" (an
    # instruction-tuned Llama, not a model that thinks before it answers) only repeats the word.
    why = judge(
        "reasoning-model",
        "Graph Reasoning in LLMs through Decomposition",
        "We build a graph reasoning LLM that solves graph reasoning tasks with tools.",
        None,
        None,
    )
    assert why.startswith("out") and "no related word" in why
    # "Large Language Models" five words after "Inference" says the paper is about LLMs, not that
    # "inference" means running one; right beside the term it does.
    far = judge(
        "inference",
        "Membership Inference Attack against Long-Context Large Language Models",
        "",
        None,
        None,
    )
    near = judge("inference", "Efficient LLM inference on one GPU", "", None, None)
    assert far.startswith("out") and "its title names" not in far
    assert near.startswith("in") and "its title names" in near
    # A word that only names the field stands beside every sense in papers about LLMs: beside
    # the term in the text it is no evidence ("LLM dataset inference" is membership inference).
    why = judge(
        "inference",
        "Did you train on my dataset?",
        "We propose a new LLM dataset inference method to identify the training sets.",
        None,
        None,
    )
    assert why == "out: no word of this sense in a sentence that uses it"


def test_a_term_used_only_as_a_verb_without_evidence_keeps_its_everyday_meaning():
    # "distill" as "extract" in a knowledge-graph paper is not model distillation ...
    kg = judge(
        "distillation",
        "Denoising Knowledge for Inductive Knowledge Graph Completion",
        "We use general semantics and reliable structures to distill consistent semantic "
        "knowledge while preserving reliable structures.",
        None,
        None,
    )
    assert kg.startswith("out") and "is a verb here" in kg
    # ... while the same verb beside a teacher and a student is.
    kd = judge(
        "distillation",
        "Small models that reason",
        "We distill a teacher model into a student model of one billion parameters.",
        None,
        None,
    )
    assert "is a verb here" not in kd


def test_feed_entries_that_link_a_paper_are_papers():
    assert is_paper("arxiv", "https://arxiv.org/abs/2412.00001")
    assert is_paper("feed", "http://arxiv.org/pdf/2311.17117v1")
    assert not is_paper("feed", "https://www.anthropic.com/research/building-effective-agents")
    assert not is_paper("hn", "https://news.ycombinator.com/item?id=1")


def test_the_learned_judgment_reads_the_whole_item_where_no_cue_names_the_sense(demo_store):
    # The same title, "Fast inference with transformers", over two abstracts: one about serving
    # models, one about posterior estimation. No cue word decides either; the learned model
    # weighs the windows, the words beside the
    # term and the whole item, and only the first is inference in the glossary's sense (running a
    # trained model).
    idx = load_index(demo_store)
    # Both use the term beside a word of its sense ("latency", "efficient"), so both are weighed.
    serving = (
        "We reduce the inference latency and memory of serving transformer models on GPUs by "
        "batching."
    )
    bayes = (
        "We propose a variational method for posterior inference in hierarchical models with "
        "efficient sampling."
    )
    verdicts = []
    for text in (serving, bayes):
        title = "Fast inference with transformers"
        vec = idx.embedder.embed_batch([f"{title}. {text}"])[0]
        verdicts.append(judge("inference", title, text, vec, idx.embedder))
    assert verdicts[0].startswith("in") and "likely in this sense" in verdicts[0]
    assert verdicts[1].startswith("out") and "likely in this sense" in verdicts[1]


def test_a_paper_with_no_word_of_the_sense_beside_a_risky_term_is_dropped(demo_store):
    # "diffusion" often means spread: a sentence that names LLMs says the paper is about them, not
    # that the word is used in their sense ("a rapid diffusion of Large Language Models", fresh9).
    # Without a word of the sense in a sentence that uses it, the paper is out before the learned
    # model weighs it, whatever its title; with one ("denoising"), the model weighs it.
    idx = load_index(demo_store)
    title = "Large Language Models for Public Health"
    rest = (
        "Our method reads reports of two million patients and recovers the routes of contagion, "
        "with an accuracy of 91% on a held-out set of cities from four countries."
    )
    spread = f"We study the diffusion of disease with large language models. {rest}"
    images = (
        f"We study the denoising diffusion of medical images with large language models. {rest}"
    )
    verdicts = []
    for text in (spread, images):
        vec = idx.embedder.embed_batch([f"{title}. {text}"])[0]
        verdicts.append(judge("diffusion", title, text, vec, idx.embedder))
    assert verdicts[0] == "out: no word of this sense in a sentence that uses it"
    assert "likely in this sense" in verdicts[1]


def test_the_shipped_model_was_trained_only_on_the_dev_splits():
    from abreast.retrieve.sense import sense_model

    # fresh10 is the held-out split of record for this model (bench/data/LABELLING.md): trained
    # and its cut-offs chosen on dev..fresh9 alone.
    assert "fresh10" not in sense_model()["trained_on"]
    assert "fresh9" in sense_model()["trained_on"]
    # terms whose other senses are common (agents, alignment, inference) have their own cut-offs
    assert {"agents", "alignment", "inference"} <= set(sense_model()["risky"])
    assert "transformer" not in sense_model()["risky"]


def test_a_term_that_is_only_part_of_another_compound_is_out():
    # "real-world models" shares the words of "world model" but is not the term: search may still
    # bring the item for the words, and the sense check drops it, saying why.
    title = "What Makes and Breaks Safety Fine-tuning?"
    text = "Safety fine-tuning helps align LLMs for deployment. We study real-world models."
    assert judge("world-model", title, text, None, None) == (
        "out: 'real-world models' is another compound"
    )
