"""How the two bulkiest per-item values are stored (migration 0015_compact_storage, issue 20):
an item's embedding as 8-bit integers with one scale, and its explanation (`abreast why`) as
JSON deflated against a dictionary of the words every explanation repeats.

At 100k items these two were 3.1 KB of the 5.8 KB each item cost on disk: a float32 vector is 1 KB
for 256 dimensions, and an explanation repeats the same ~40 signal and topic names in every row.
int8 keeps a unit vector's cosines to within about 0.002 (the retrieval and ask quality numbers are
unchanged, see QUALITY.md); deflate with a preset dictionary (RFC 1950's FDICT) keeps every byte of
the explanation and stores a fifth of it.

Both formats are frozen: a stored value is decoded by its own length (vectors) or first byte
(explanations), so a later format is added next to these, never instead of them.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# --- vectors -------------------------------------------------------------------------------------
# Stored as little-endian float32 scale s, then dim signed bytes q: the vector is q * s. Older
# stores (and writers outside abreast) hold plain float32 x dim; both are read.


def encode_vector(v: np.ndarray) -> bytes:
    """A vector as int8 with one float32 scale (dim + 4 bytes instead of 4 x dim)."""
    import numpy as np

    x = np.asarray(v, dtype=np.float32).ravel()
    peak = float(np.abs(x).max()) if x.size else 0.0
    scale = peak / 127.0 if peak > 0 else 1.0
    q = np.clip(np.rint(x / scale), -127, 127).astype(np.int8)
    return struct.pack("<f", scale) + bytes(q.tobytes())


def decode_vector(blob: bytes | None, dim: int) -> np.ndarray | None:
    """The float32 vector stored in ``blob``; None when its length fits no format for ``dim``."""
    import numpy as np

    if not blob:
        return None
    if len(blob) == dim + 4:
        (scale,) = struct.unpack_from("<f", blob)
        return np.frombuffer(blob, dtype=np.int8, offset=4).astype(np.float32) * np.float32(scale)
    if len(blob) == 4 * dim:
        return np.frombuffer(blob, dtype="<f4")
    return None


def decode_vectors(blobs: list[bytes], dim: int) -> np.ndarray:
    """Many stored vectors of one ``dim`` as one float32 matrix (rows in order); every blob must
    decode (callers filter with decode_vector first when they cannot be sure)."""
    import numpy as np

    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    if all(len(b) == dim + 4 for b in blobs):
        raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), dim + 4)
        scales = raw[:, :4].copy().view("<f4").ravel()
        mat: np.ndarray = raw[:, 4:].view(np.int8).astype(np.float32) * scales[:, None]
        return mat
    out = [decode_vector(b, dim) for b in blobs]
    if any(v is None for v in out):
        raise ValueError("a stored vector has a length that fits no format")
    return np.stack(out).astype(np.float32)  # type: ignore[arg-type]


def _vector_i8(blob: bytes | None, dim: int) -> bytes | None:
    """SQL function for the migration: a float32 BLOB re-encoded as int8 (others unchanged)."""
    import numpy as np

    if blob is None or len(blob) != 4 * dim:
        return blob
    return encode_vector(np.frombuffer(blob, dtype="<f4"))


# --- explanations --------------------------------------------------------------------------------
# Version byte 1, then raw deflate with WHY_DICT_V1 as the preset dictionary. The dictionary holds
# the keys and the usual values of understand/relevance.py's and understand/themes.py's
# explanations; deflate finds them there instead of spelling them out in every row.
WHY_V1 = 1
WHY_DICT_V1 = json.dumps(
    {
        "relevance": {
            "score": 1.0,
            "threshold": 0.5,
            "probability": 1.0,
            "contributions": {
                "domain_ai": 5.042,
                "domain_mixed": -0.01,
                "domain_dot_ai": -0.023,
                "has_text": 2.198,
                "sim_margin": 2.148,
                "sim_ai": 0.318,
                "source_prior": 1.739,
                "lex_strong": -1.483,
                "lex_strong_text": 1.27,
                "lex_ambiguous": 1.358,
                "lex_ambiguous_text": 0.046,
                "lex_name": -0.015,
                "lex_org_person": 0.018,
                "glossary_title": 1.318,
                "model_entity_title": -0.068,
                "words": 0.0,
            },
            "signals": {
                "lex_strong": 0.0,
                "lex_strong_text": 0.693,
                "lex_ambiguous": 0.693,
                "lex_ambiguous_text": 0.0,
                "lex_name": 0.0,
                "lex_org_person": 0.0,
                "domain_ai": 1.0,
                "domain_mixed": 0.0,
                "domain_dot_ai": 0.0,
                "source_prior": 0.5,
                "sim_ai": 0.511,
                "sim_margin": 0.263,
                "has_text": 1.0,
                "glossary_title": 0.693,
                "model_entity_title": 0.0,
            },
            "matched": [],
            "matched_ambiguous": [],
            "domain": "arxiv.org",
            "nearest_topics": [
                ["fine-tuning, training and evaluating language models", 0.3],
                ["large language models like GPT, Claude, Gemini and Llama", 0.3],
                ["running LLM inference locally on GPUs, quantization, llama.cpp", 0.3],
                ["machine learning research paper about neural networks", 0.3],
                ["prompt engineering, retrieval augmented generation and embeddings", 0.3],
                ["AI agents that use tools and automate tasks", 0.239],
                ["self-driving cars, robotics learning and computer vision", 0.3],
                ["generative AI images, video, speech and music", 0.3],
                ["AI safety, alignment, regulation and copyright of training data", 0.3],
                ["AI startups, investment and the business of OpenAI and Anthropic", 0.511],
                ["a new open-weights AI model released on Hugging Face", 0.3],
                ["chatbots and AI assistants like ChatGPT and Copilot", 0.3],
            ],
            "negative_keywords": [],
        },
        "themes": {
            "probabilities": {
                "fine-tuning-agents": 0.882,
                "applications": 0.429,
                "safety-alignment": 0.413,
                "research": 0.364,
                "business": 0.176,
                "deployment": 0.138,
                "open-models": 0.016,
            },
            "keywords": {"fine-tuning-agents": ["agents"], "research": ["research"]},
        },
    },
    ensure_ascii=False,
    separators=(",", ":"),
).encode()


def encode_why(why: dict[str, Any]) -> bytes:
    """An explanation as a few hundred bytes; decode_why gives back the same dict."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, WHY_DICT_V1)
    raw = json.dumps(why, ensure_ascii=False, separators=(",", ":")).encode()
    return bytes([WHY_V1]) + co.compress(raw) + co.flush()


def decode_why(value: bytes | str | None) -> dict[str, Any]:
    """The explanation stored in ``value``: a blob of encode_why, or JSON text (stores written
    before 0015, rows inserted by hand)."""
    if value is None or value == b"" or value == "":
        return {}
    if isinstance(value, str):
        return dict(json.loads(value))
    if value[0] != WHY_V1:
        raise ValueError(f"unknown explanation format {value[0]}")
    do = zlib.decompressobj(-15, WHY_DICT_V1)
    return dict(json.loads(do.decompress(value[1:]) + do.flush()))


def _why_v1(text: str | bytes | None) -> bytes | None:
    """SQL function for the migration: a why_json text re-encoded (blobs unchanged)."""
    if text is None or isinstance(text, bytes):
        return text
    return encode_why(json.loads(text or "{}"))


def register(conn: sqlite3.Connection) -> None:
    """The SQL functions migration 0015 calls. Frozen with it: never change what they return."""
    conn.create_function("abreast_vector_i8", 2, _vector_i8, deterministic=True)
    conn.create_function("abreast_why_v1", 1, _why_v1, deterministic=True)
