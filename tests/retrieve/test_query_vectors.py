"""Query vectors kept between runs: a second `todo` over the same draft does not load the model."""

import numpy as np

from abreast.retrieve.query_vectors import QueryVectors
from abreast.understand.embed import HashingEmbedder


def test_a_second_run_answers_from_kept_vectors_without_loading_the_model(tmp_path):
    loads = []

    def load():
        loads.append(1)
        return HashingEmbedder()

    path = tmp_path / "cache" / "query-vectors.sqlite"
    texts = ["Some references about alignment.", "task specific agents", "alignment"]
    first = QueryVectors("hashing-256", 256, load, path).embed_batch(texts)
    assert loads == [1]
    again = QueryVectors("hashing-256", 256, load, path)  # a new process, the same store
    assert np.array_equal(again.embed_batch(texts[::-1]), first[::-1])
    assert loads == [1]
    # A text not seen before loads the model, and only then.
    new = again.embed_batch(["quantization to 4 bits"])
    assert loads == [1, 1]
    assert np.array_equal(new, HashingEmbedder().embed_batch(["quantization to 4 bits"]))


def test_vectors_of_another_model_are_never_reused(tmp_path):
    path = tmp_path / "query-vectors.sqlite"
    QueryVectors("hashing-256", 256, HashingEmbedder, path).embed_batch(["alignment"])
    loads = []

    def other():
        loads.append(1)
        return HashingEmbedder()

    QueryVectors("another-model", 256, other, path).embed_batch(["alignment"])
    assert loads == [1]
