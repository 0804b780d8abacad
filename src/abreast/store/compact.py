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
    stored, scales = stored_matrix(blobs, dim)
    if scales is None:
        return stored
    out: np.ndarray = stored.astype("float32") * scales[:, None]
    return out


def stored_matrix(blobs: list[bytes], dim: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Many stored vectors of one ``dim`` as stored: (int8 codes, one float32 scale per row) when
    every one is int8, else (the float32 matrix, None). A quarter of the float32 bytes: the
    retrieval core keeps its window in this form (retrieve/vectors.py)."""
    import numpy as np

    if not blobs:
        return np.zeros((0, dim), dtype=np.float32), None
    if all(len(b) == dim + 4 for b in blobs):
        raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), dim + 4)
        scales = raw[:, :4].copy().view("<f4").ravel()
        return np.ascontiguousarray(raw[:, 4:].view(np.int8)), scales
    out = [decode_vector(b, dim) for b in blobs]
    if any(v is None for v in out):
        raise ValueError("a stored vector has a length that fits no format")
    return np.stack(out).astype(np.float32), None  # type: ignore[arg-type]


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


# A story's score parts (stories/rank.py) and its cited summary (explain/summary.py), stored the
# same way with dictionaries of their own (version bytes 2 and 3; migration 0018).
SCORE_V1 = 2
SCORE_DICT_V1 = json.dumps(
    {
        "attention": {
            "value": 0.0,
            "why": "no attention signals (no HN/Reddit discussion found)",
            "weight": 0.3,
            "points": 0.0,
        },
        "breadth": {
            "value": 0.0,
            "why": "1 independent source(s): arxiv",
            "weight": 0.2,
            "points": 0.0,
        },
        "authority": {
            "value": 0.4,
            "why": "a paper: arxiv:2311.14152; the lab's own post: https://",
            "weight": 0.25,
            "points": 0.1,
        },
        "recency": {"value": 0.4286, "why": "last activity Thu 23 Nov 00:00 UTC", "weight": 0.1},
        "novelty": {
            "value": 1.0,
            "why": "new this week: no related story in earlier weeks",
            "weight": 0.15,
            "points": 0.15,
        },
    },
    separators=(",", ":"),
).encode()
SUMMARY_V1 = 3
SUMMARY_DICT_V1 = json.dumps(
    {
        "version": 1,
        "method": "extractive",
        "model": None,
        "input_hash": "2f7df265ead2c4d8dfc6f5b2117f4a99",
        "sentences": [
            {
                "text": "",
                "cite": 1,
                "key": "arxiv:2412.12345",
                "url": "https://arxiv.org/abs/2412.12345",
                "quote": "",
                "verified": True,
            }
        ],
        "dropped": [],
        "verified": 3,
        "total": 3,
    },
    ensure_ascii=False,
    separators=(",", ":"),
).encode()
# An item's source-specific facts (items.extra_json, version byte 4; migration 0022): the keys
# every source writes and the addresses they repeat. ~150 bytes of JSON an item at 1M items, ~57
# deflated: 90 bytes per item of the 2,000 issue 20 allows.
EXTRA_V1 = 4
EXTRA_DICT_V1 = json.dumps(
    [
        {"first_seen": "2024-12-12T03:16:07+00:00", "flair": "", "domain": "i.redd.it"},
        {"subreddit": "LocalLLaMA", "permalink": "https://www.reddit.com/r/LocalLLaMA/comments/"},
        {"created_at": "2024-12-22T00:00:00+00:00", "license": "apache-2.0", "tags": ["merge"]},
        {"base_model": "meta-llama/Llama-3.1-8B-Instruct", "base_model_relation": "finetune"},
        {"identity": "https://", "guid": "https://", "feed": "", "categories": ["cs.CL"]},
        {"section_of": "feed:https://", "newsletter": "", "newsletter_title": ""},
        {"newsletter_url": "https://", "links": ["https://"]},
        {"discussion_url": "https://news.ycombinator.com/item?id=42484139", "hn_tags": ["story"]},
        {"arxiv_id": "2412.19834", "version": "v1", "authors": [""], "categories": ["cs.AI"]},
        {"updated_at": "2024-12-22T00:00:00+00:00", "pdf_url": "http://arxiv.org/pdf/2412.19834v1"},
    ],
    ensure_ascii=False,
    separators=(",", ":"),
).encode()
_DICTS = {
    WHY_V1: WHY_DICT_V1,
    SCORE_V1: SCORE_DICT_V1,
    SUMMARY_V1: SUMMARY_DICT_V1,
    EXTRA_V1: EXTRA_DICT_V1,
}


def encode_json(value: Any, version: int) -> bytes:
    """``value`` as JSON deflated against the dictionary of ``version`` (WHY_V1, SCORE_V1,
    SUMMARY_V1); decode_json gives back an equal value."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, _DICTS[version])
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return bytes([version]) + co.compress(raw) + co.flush()


def decode_json(value: bytes | str | None, default: Any = None) -> Any:
    """The value stored in ``value``: a blob of encode_json, or JSON text (stores written before
    the compact migrations, rows inserted by hand); ``default`` for NULL or empty."""
    if value is None or value == b"" or value == "":
        return default
    if isinstance(value, str):
        return json.loads(value)
    if value[0] not in _DICTS:
        raise ValueError(f"unknown stored format {value[0]}")
    do = zlib.decompressobj(-15, _DICTS[value[0]])
    return json.loads(do.decompress(value[1:]) + do.flush())


def encode_why(why: dict[str, Any]) -> bytes:
    """An explanation as a few hundred bytes; decode_why gives back the same dict."""
    return encode_json(why, WHY_V1)


def decode_why(value: bytes | str | None) -> dict[str, Any]:
    """The explanation stored in ``value`` ({} when there is none)."""
    return dict(decode_json(value, {}))


def encode_extra(extra: dict[str, Any]) -> bytes | str:
    """An item's extra facts as stored: deflated (EXTRA_V1), or "{}" for none (the column's
    default, which queries compare with). decode_extra gives back an equal dict."""
    return encode_json(extra, EXTRA_V1) if extra else "{}"


def decode_extra(value: bytes | str | None) -> dict[str, Any]:
    """The extra facts stored in ``value`` (a blob of encode_extra or, in rows written before
    migration 0022, JSON text)."""
    return dict(decode_json(value, {}))


def _recode(version: int) -> Any:
    def convert(text: str | bytes | None) -> bytes | None:
        """SQL function for a migration: JSON text re-encoded (NULL and blobs unchanged)."""
        if text is None or isinstance(text, bytes):
            return text
        return encode_json(json.loads(text or "{}"), version)

    return convert


# --- content hashes ------------------------------------------------------------------------------
# Item.content_hash() is 32 lowercase hex digits; stored as its 16 bytes (migration 0019), in
# items, annotations and embeddings alike, so the triggers that compare them see equal values.
# Anything else (a hash written by hand in a test) is stored as the text it is.


def encode_hash(h: str | bytes | None) -> str | bytes | None:
    """A content hash as stored: 16 bytes for 32 lowercase hex digits, else unchanged."""
    if isinstance(h, str) and len(h) == 32:
        try:
            b = bytes.fromhex(h)
        except ValueError:
            return h
        return b if b.hex() == h else h
    return h


def decode_hash(v: str | bytes | None) -> str | None:
    """The content hash a stored value holds, as Item.content_hash() gives it."""
    return v.hex() if isinstance(v, bytes) else v


def register(conn: sqlite3.Connection) -> None:
    """The SQL functions migrations 0015, 0018, 0019 and 0022 call. Frozen with them: never change
    what they return."""
    conn.create_function("abreast_vector_i8", 2, _vector_i8, deterministic=True)
    conn.create_function("abreast_why_v1", 1, _recode(WHY_V1), deterministic=True)
    conn.create_function("abreast_score_v1", 1, _recode(SCORE_V1), deterministic=True)
    conn.create_function("abreast_summary_v1", 1, _recode(SUMMARY_V1), deterministic=True)
    conn.create_function("abreast_hash_v1", 1, encode_hash, deterministic=True)
    conn.create_function("abreast_extra_v1", 1, _recode(EXTRA_V1), deterministic=True)
