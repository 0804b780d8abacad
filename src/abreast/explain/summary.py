"""A cited summary as plain data, how it is stored (stories.summary_json) and rendered.

Every sentence carries the number of the source it cites (1-based position in the story's members),
that source's item key and URL, and the quote that supports it. Rendering adds links ONLY to the
cited sources' URLs; any other URL that reaches a sentence is shown as inert code, and Markdown
syntax in sentence text is escaped, so a source or a model cannot smuggle in a link or an image
(reliability.md #27).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from ..stories.model import Story

METHODS = ("extractive", "abstractive", "fallback")
SCHEMA_VERSION = 1
CALL_FAILED = (
    "model call failed"  # dropped-reason prefix: the model was unreachable, retry next time
)


@dataclass
class Sentence:
    text: str
    cite: int  # source number: 1-based index into the story's members
    key: str  # item key of the cited source
    url: str | None  # the cited source's URL, the only link rendered with this sentence
    quote: str  # the words of the source that support the sentence
    verified: bool  # quote found verbatim (normalized) in the stored text of the source


@dataclass
class Summary:
    method: str  # extractive | abstractive | fallback
    sentences: list[Sentence] = field(default_factory=list)
    dropped: list[dict] = field(
        default_factory=list
    )  # {"text", "cite", "reason"} per rejected sentence
    model: str | None = None  # llm model id for abstractive/fallback
    input_hash: str = ""  # hash of what was summarized: unchanged -> reuse

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown summary method {self.method!r}; expected one of {METHODS}")

    @property
    def verified(self) -> int:
        return sum(s.verified for s in self.sentences)

    @property
    def total(self) -> int:
        """Sentences proposed: the ones shown plus the ones dropped."""
        return len(self.sentences) + len(self.dropped)

    def to_dict(self) -> dict:
        return {
            "version": SCHEMA_VERSION,
            "method": self.method,
            "model": self.model,
            "input_hash": self.input_hash,
            "sentences": [asdict(s) for s in self.sentences],
            "dropped": list(self.dropped),
            "verified": self.verified,
            "total": self.total,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Summary:
        return cls(
            method=data["method"],
            sentences=[_sentence_from_dict(s) for s in data.get("sentences", [])],
            dropped=list(data.get("dropped", [])),
            model=data.get("model"),
            input_hash=data.get("input_hash", ""),
        )


def _sentence_from_dict(d: dict) -> Sentence:
    cite = d["cite"]
    if isinstance(cite, list):  # stories/model.py sketched "cite": [n]; accept it
        cite = cite[0]
    return Sentence(
        text=d["text"],
        cite=int(cite),
        key=d["key"],
        url=d.get("url"),
        quote=d.get("quote", d["text"]),
        verified=bool(d.get("verified", False)),
    )


def input_hash(story: Story, model_id: str | None = None) -> str:
    """What a summary depends on: its sources' keys and texts, the model, the summarizer version.
    Equal hashes mean a stored summary is still right and no model call is needed."""
    payload = [
        SCHEMA_VERSION,
        model_id or "",
        [(m.key, m.title, m.text, m.url) for m in story.members],
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:32]


_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"'`]+", re.IGNORECASE)
# Characters that can start Markdown links, images, emphasis, code, HTML or autolinks.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def render_markdown(summary: Summary) -> str:
    """``text [1](url) text [2](url)``: one paragraph, links only to the cited sources."""
    return " ".join(render_sentence(s) for s in summary.sentences)


def render_sentence(sentence: Sentence) -> str:
    cite = f"[{sentence.cite}]"
    if sentence.url and is_safe_url(sentence.url):
        cite = f"[{sentence.cite}](<{sentence.url}>)"
    return f"{escape_markdown(sentence.text)} {cite}"


def escape_markdown(text: str) -> str:
    """Sentence text made inert: Markdown syntax escaped, URLs (not sources) shown as code, not
    links."""
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(_MD_SPECIAL.sub(r"\\\1", text[last : m.start()]))
        out.append("`" + m.group(0).replace("`", "") + "`")
        last = m.end()
    out.append(_MD_SPECIAL.sub(r"\\\1", text[last:]))
    flat = " ".join("".join(out).split())
    return (
        "\\" + flat if flat.startswith(("#", "-", "+", "=", ">")) else flat
    )  # not a heading or list


def is_safe_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(c in url for c in " <>\n")
