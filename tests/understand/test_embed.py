"""Embedding backends: offline loading from the wheel, unit vectors, plugin registration."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from abreast.errors import ConfigError
from abreast.understand import embed


def test_wordllama_loads_and_embeds_with_the_network_cut_off(monkeypatch):
    def refuse(*_a, **_k):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    e = embed.WordLlamaEmbedder()  # a fresh load, not the shared instance
    v = e.embed_batch(
        [
            "Meta releases Llama 3.3 70B, an open-weights language model",
            "New open LLM from Meta: Llama 3.3",
            "Denmark will plant one billion trees",
        ]
    )
    assert v.shape == (3, e.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]  # meaning, not noise: two model launches are closer than trees


def test_empty_batch_gives_empty_matrix():
    e = embed.get_embedder("wordllama")
    assert e.embed_batch([]).shape == (0, e.dim)


def test_wordllama_is_registered_as_a_plugin_entry_point():
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group=embed.GROUP)}
    assert names.get("wordllama") == "abreast.understand.embed:WordLlamaEmbedder"
    assert "wordllama" in embed.available()


def test_get_embedder_shares_one_instance_and_names_unknown_backends():
    assert embed.get_embedder("wordllama") is embed.get_embedder("wordllama")
    with pytest.raises(ConfigError, match="unknown embedder 'nope'.*wordllama"):
        embed.get_embedder("nope")


def test_hashing_fake_is_deterministic_and_unit_length():
    h = embed.HashingEmbedder()
    a, b = h.embed_batch(["gpu inference speed"]), h.embed_batch(["gpu inference speed"])
    assert np.array_equal(a, b)
    assert np.isclose(np.linalg.norm(a[0]), 1.0)
    assert np.linalg.norm(h.embed_batch([""])[0]) == 0.0  # nothing to say, no made-up direction


def test_wordllama_vectors_are_the_packages_own_bit_for_bit():
    # The embedder reads the wheel's token table and tokenizer itself (importing wordllama costs
    # ~0.2 s at every start); what it returns must be exactly what wordllama computes, or stored
    # vectors and query vectors would drift apart.
    from pathlib import Path

    import wordllama
    from wordllama import WordLlama

    feed = Path(__file__).parents[1] / "collect" / "fixtures" / "feed" / "simonw_substack_rss.xml"
    lines = [ln.strip() for ln in feed.read_text(encoding="utf-8").splitlines() if ln.strip()]
    # Titles, long paragraphs (cut at MAX_CHARS), markup, non-Latin text, over one batch of 512.
    texts = (lines * (700 // len(lines) + 1))[:700]
    texts[3] = " ".join(lines)  # far past MAX_CHARS
    texts[5] = "Qwen2.5 と DeepSeek-V3: 开源模型 — ünïcödé"
    ours = embed.WordLlamaEmbedder().embed_batch(texts)
    model = WordLlama.load(
        cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=256
    )
    theirs = embed._unit_rows(  # what the embedder did with the package's output until now
        np.asarray(
            model.embed([t[: embed.MAX_CHARS] for t in texts], norm=True, batch_size=512),
            dtype=np.float32,
        )
    )
    assert ours.shape == (700, 256)
    assert np.array_equal(ours, theirs)
