"""Quote verification against stored source text, and the structural citation check."""

from __future__ import annotations

import pytest

from abreast.explain.citations import (
    citation_problem,
    claim_problem,
    context_problem,
    negation_problem,
    normalize,
    quote_in_source,
    quote_problem,
)


@pytest.fixture
def abstract(real_stories) -> str:
    return real_stories["2024-W51-dndscore"].members[0].text  # arXiv 2412.13175, real abstract


def test_normalize_folds_case_quotes_dashes_and_spacing():
    assert (
        normalize("The  “decompose—then–verify”\n strategy!")
        == "the decompose then verify strategy"
    )
    assert normalize("we’re") == normalize("we're")


def test_a_faithful_quote_verifies_despite_reformatting(abstract):
    assert quote_in_source(
        "decompose-then-verify strategy for verification of Large Language Model", abstract
    )
    assert quote_in_source("DECOMPOSE — THEN — VERIFY  strategy for\nverification", abstract)
    assert (
        quote_problem(
            "decomposition isolates atomic facts while decontextualization inserts", abstract
        )
        is None
    )


def test_a_changed_word_reordered_words_or_partial_words_do_not_verify(abstract):
    assert not quote_in_source(
        "decompose-then-verify strategy for validation of Large Language Model", abstract
    )
    assert not quote_in_source("strategy decompose-then-verify for verification", abstract)
    assert not quote_in_source("ecompose-then-verify strateg", abstract)  # whole words only
    assert quote_problem("the choice of", abstract) == "quote shorter than 4 words"
    assert quote_problem("", abstract)


def test_a_claim_must_not_add_names_or_numbers_the_source_lacks(abstract):
    assert (
        claim_problem(
            "The decompose-then-verify strategy decomposes claims that are independently verified.",
            abstract,
        )
        is None
    )
    assert "GPT-4o" in claim_problem(
        "GPT-4o verifies claims that are then independently verified.", abstract
    )
    assert "92" in claim_problem("DnDScore verifies 92% of decomposed claims.", abstract)
    assert "Google" in claim_problem("DnDScore was developed at Google to verify claims.", abstract)
    assert "words" in claim_problem(
        "Bananas ripen faster when stored beside apples in paper bags.", abstract
    )


def test_a_claim_that_negates_its_source_is_unsupported(abstract):
    quote = "their interactions in a complete system have not been investigated"
    assert (
        negation_problem("Their interactions have not been investigated.", quote, abstract) is None
    )
    assert (
        negation_problem(
            "Decomposition does not isolate atomic facts.",
            "decomposition isolates atomic facts",
            abstract,
        )
        is not None
    )
    # dropping the source's own negation flips the claim too
    assert (
        negation_problem("Their interactions have been investigated.", quote, abstract) is not None
    )
    assert negation_problem("They have not not been investigated.", quote, abstract) is not None
    # a faithful sentence whose negation lies beyond the quoted words is fine
    assert (
        negation_problem(
            "While decomposition and decontextualization have been explored independently, "
            "their interactions have not been investigated.",
            "While decomposition and decontextualization have been explored",
            abstract,
        )
        is None
    )


def test_a_sentence_spliced_from_two_passages_is_unsupported(abstract):
    # Every word is in the source and the quote is real, but the claim joins two different
    # sentences.
    quote = "Decontextualization augments text (claims) to ensure it can be verified"
    spliced = (
        "Decontextualization augments text to ensure it can be verified, "
        "a decontextualization aware verification method which validates subclaims."
    )
    assert claim_problem(spliced, abstract) is None
    assert "passage" in context_problem(spliced, quote, abstract)
    faithful = (
        "Decontextualization augments claims so they can be verified outside of the "
        "original context."
    )
    assert context_problem(faithful, quote, abstract) is None


def test_model_names_with_digits_are_compared_whole(real_stories):
    source = (
        real_stories["2024-W51-deliberative-alignment"].members[0].text
    )  # OpenAI feed: "o1 models"
    assert claim_problem("The new alignment strategy is for o1 models.", source) is None
    assert "o3" in claim_problem("The new alignment strategy is for o3 models.", source)


@pytest.mark.parametrize(
    "cite, problem",
    [
        (1, None),
        (3, None),
        (0, "not given"),
        (4, "not given"),
        (-1, "not given"),
        ("1", "not a source number"),
        (True, "not a source number"),
        (None, "not a source number"),
        (1.0, "not a source"),
    ],
)
def test_citations_must_name_a_given_source(cite, problem):
    result = citation_problem(cite, {1, 2, 3})
    assert (result is None) if problem is None else (problem in result)


def test_a_splice_is_caught_even_when_most_of_its_words_are_in_the_quoted_passage(abstract):
    from abreast.explain.citations import _content_words, _stem_in, normalize, quote_context
    from abreast.explain.sentences import split_sentences

    parts = split_sentences(abstract)
    first = parts[0].split()
    context = quote_context(" ".join(first[:8]), abstract)
    ctx_words = set(normalize(context).split())
    # a tail borrowed from another sentence, made of words the quoted passage does not have
    foreign = [
        w
        for p in parts[1:]
        for w in p.split()
        if w.lower().strip(".,") not in ctx_words and len(w) > 3
    ][:4]
    spliced = " ".join(first + foreign)
    content = _content_words(spliced)
    whole = sum(_stem_in(w, ctx_words) for w in content) / len(content)
    assert whole >= 0.75, (
        "precondition: the whole-sentence share alone would let this splice through"
    )
    assert "half" in context_problem(spliced, " ".join(first[:8]), abstract)
    assert (
        context_problem(parts[0], " ".join(first[:8]), abstract) is None
    )  # the passage itself is fine
