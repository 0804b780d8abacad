"""Tokens and sparse TF-IDF for story titles and keywords.

Written out rather than taken from scikit-learn: importing sklearn costs seconds on a small machine,
more than the whole clustering of a week, and the few lines below are all we need.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

# Words that carry no story: English function words and link debris. Domain words ("model", "LLM")
# are NOT listed: inverse document frequency over the week already makes them cheap.
STOP = frozenset(
    """
a about after all also am an and any are as at be been before being but by can could did do does
doing
for from had has have having he her here hers him his how i if in into is it its just me more most
my no
nor not now of off on once only or other our ours out over own same she should so some such than
that the
their theirs them then there these they this those through to too under until up very via was we
were
what when where which while who whom why will with would you your yours using use based new vs
https http www com html arxiv abs pdf
""".split()
)

_TOKEN = re.compile(r"[a-z0-9][a-z0-9.\-+]*[a-z0-9+]|[a-z0-9]")


def tokens(text: str) -> list[str]:
    """Lower-case words, keeping versions and names whole: "Qwen2.5", "o3-mini", "gpt-4o"."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOP]


def count_matrix(
    docs: Sequence[list[str]], vocab: dict[str, int] | None = None
) -> tuple[csr_matrix, dict[str, int]]:
    """CSR document x term counts; builds the vocabulary (term -> column) when none is given."""
    from scipy.sparse import csr_matrix

    vocab = {} if vocab is None else vocab
    indptr, indices = [0], []
    for toks in docs:
        for t in toks:
            indices.append(vocab.setdefault(t, len(vocab)))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    m = csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(docs), max(len(vocab), 1)),
    )
    m.sum_duplicates()
    return m, vocab


def tfidf_rows(texts: Sequence[str]) -> csr_matrix:
    """L2-normalised TF-IDF rows (sublinear tf, smooth idf), the texts themselves being the
    corpus."""
    counts, _ = count_matrix([tokens(t) for t in texts])
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    m = counts.copy()
    m.data = (1.0 + np.log(m.data)) * idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    m.data /= np.repeat(norms, np.diff(m.indptr)).astype(np.float32)
    return m
