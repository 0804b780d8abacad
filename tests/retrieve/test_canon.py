"""The bundled background canon covers every glossary term and theme, each fact with its source."""

import re

from abreast.retrieve.canon import for_request, for_terms, landmarks
from abreast.understand.jargon import glossary
from abreast.understand.themes import THEMES


def test_every_glossary_term_and_theme_has_a_landmark():
    terms = {t for lm in landmarks() for t in lm.terms}
    themes = {t for lm in landmarks() for t in lm.themes}
    assert set(glossary()) <= terms
    assert set(THEMES) <= themes
    assert terms <= set(glossary())  # no landmark points at a term that does not exist


def test_every_landmark_is_dated_linked_and_sourced():
    ids = [lm.id for lm in landmarks()]
    assert len(ids) == len(set(ids))
    for lm in landmarks():
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", lm.date), lm.id
        assert lm.url.startswith(("https://", "http://")) and lm.source.startswith(
            ("https://", "http://")
        )
        assert lm.sentence.endswith(".") and len(lm.sentence) < 160
        if lm.id.startswith("arxiv:"):  # the month comes from the arXiv identifier
            num = lm.id.removeprefix("arxiv:")
            assert lm.date == f"20{num[:2]}-{num[2:4]}" and lm.url.endswith(num)


def test_a_terms_own_landmark_comes_first():
    assert for_terms(["transformer"])[0].title == "Attention Is All You Need"
    assert for_terms(["dpo"])[0].title.startswith("Direct Preference Optimization")
    assert for_request("Some references about alignment.")[0].title.startswith("Weak-to-Strong")
    assert for_request("models coming from Llama", ["Llama"])[0].title.startswith("LLaMA")
