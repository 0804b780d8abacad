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
from dataclasses import asdict, dataclass, field

from ..types import Story
from ..write.markdown import escape, link, safe_url

METHODS = ("extractive", "abstractive", "fallback")
SCHEMA_VERSION = 1
# Bumped when the extractive picker changes what it would pick, so stored extractive summaries are
# redone (no model call) while abstractive ones keep their hash. 2: no headline that repeats the
# story's title (issue 12).
# extractive-3: a newsletter section's sentences link the newsletter, which holds its words
# extractive-4: a sentence that is a title with a few words around it is not a summary sentence
EXTRACTIVE_VERSION = "extractive-4"
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
        model_id or EXTRACTIVE_VERSION,
        [(m.key, m.title, m.text, m.url) for m in story.members],
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:32]


def render_markdown(summary: Summary, fmt: str = "plain") -> str:
    """``text [1](url) text [2](url)``: one paragraph, links only to the cited sources."""
    return " ".join(render_sentence(s, fmt) for s in summary.sentences)


def render_sentence(sentence: Sentence, fmt: str = "plain") -> str:
    n = sentence.cite
    cite = link(str(n), sentence.url) if safe_url(sentence.url) else f"[{n}]"
    return f"{escape(sentence.text, fmt)} {cite}"


def escape_markdown(text: str, fmt: str = "plain") -> str:
    """Sentence text made inert (write.markdown.escape: the one escape function)."""
    return escape(text, fmt)


def is_safe_url(url: str | None) -> bool:
    return safe_url(url) is not None
