"""Every text generation goes through simonw's `llm` library, so any model it has a plugin for works
(OpenAI-compatible servers, Ollama, llama.cpp, GGUF files, Anthropic, Gemini...).

Keys stay with `llm` (``llm keys set NAME`` or the plugin's environment variable): abreast never
reads, stores or logs them. Each call is written to the ``llm_calls`` audit table with its purpose,
the item keys it was given, tokens and time, but not the prompt text (reliability.md #25, #29).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from dataclasses import dataclass

import llm

from ..config import Settings
from ..errors import AbreastError
from ..store.llm_calls import LlmCall, record_call


class LlmError(AbreastError):
    """A model could not be loaded or did not answer."""


@dataclass
class Generation:
    text: str
    call: LlmCall
    used_schema: bool


def configured_model_id(settings: Settings | None, override: str | None = None) -> str | None:
    """``--model`` wins over ``[explain] model``; None means: no LLM, extractive summaries only."""
    if override:
        return override
    if settings is None:
        return None
    return settings.explain.model or None


def load_model(model_id: str) -> llm.Model:
    try:
        return llm.get_model(model_id)
    except llm.UnknownModelError as e:
        raise LlmError(
            f"no llm model called {model_id!r}. `llm models` lists the installed ones; "
            "a plugin adds more (e.g. `llm install llm-ollama`)."
        ) from e


def backend_name(model: llm.Model) -> str:
    """The plugin serving a model: its top-level module, or llm's default plugin's short name."""
    module = type(model).__module__
    if module.startswith("llm.default_plugins."):
        return module.rsplit(".", 1)[-1].removesuffix("_models")
    return module.split(".", 1)[0]


def prompt_hash(system: str, prompt: str) -> str:
    return hashlib.sha256(f"{system}\0{prompt}".encode()).hexdigest()[:32]


def generate(
    model: llm.Model,
    *,
    system: str,
    prompt: str,
    purpose: str,
    input_keys: list[str],
    schema: dict | None = None,
    conn: sqlite3.Connection | None = None,
) -> Generation:
    """One model call: instructions in ``system``, data in ``prompt``, no tools. Logged when
    ``conn`` is given, whether it succeeds or not (a failed paid call still costs)."""
    use_schema = bool(schema) and bool(getattr(model, "supports_schema", False))
    call = LlmCall(
        backend=backend_name(model),
        model=model.model_id,
        purpose=purpose,
        prompt_hash=prompt_hash(system, prompt),
        input_keys=list(input_keys),
    )
    started = time.perf_counter()
    try:
        response = model.prompt(prompt, system=system, schema=schema if use_schema else None)
        text = response.text()
        usage = response.usage()
        call.tokens_in, call.tokens_out = usage.input, usage.output
    except llm.NeedsKeyException as e:
        raise LlmError(f"model {model.model_id} needs an API key: {e}") from None
    except (
        Exception
    ) as e:  # plugins raise anything; the user needs one line, never a traceback or a key
        raise LlmError(
            f"model {model.model_id} failed: {type(e).__name__}: {redact(str(e))}"
        ) from None
    finally:
        call.ms = int((time.perf_counter() - started) * 1000)
        if conn is not None:
            record_call(conn, call)
    return Generation(text=text, call=call, used_schema=use_schema)


_SECRET = re.compile(r"\b(sk|pk|key|api|token|bearer)[-_][A-Za-z0-9_\-]{6,}", re.IGNORECASE)


def redact(message: str) -> str:
    """Provider errors sometimes echo part of a key; never pass one on to output or logs."""
    return _SECRET.sub(r"\1-***", message)[:500]
