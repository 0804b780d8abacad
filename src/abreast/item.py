"""The unit everything flows through: one thing a source published."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime


@dataclass
class Item:
    """One entry from a source.

    key: stable, human-readable identity: ``hn:<id>``, ``arxiv:<id without version>``,
         ``reddit:<post id>``, ``hf:<repo id>``, ``feed:<entry link>``.
    published_at: ISO 8601 in UTC (``2024-12-18T15:04:05+00:00``) or None when the source gives
    none. signals: numbers that measure attention (``points``, ``comments``, ``score``, ``likes``,
    ``downloads``). extra: source-specific facts worth keeping (arXiv
    ``authors``/``categories``/``version``,
           HF ``base_model``/``license``/``params``, HN ``discussion_url``...). Only recorded facts.
    """

    key: str
    kind: str
    title: str
    url: str | None = None
    text: str = ""
    author: str | None = None
    published_at: str | None = None
    signals: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    # Where ``text`` came from (feed | abstract | selftext | card | page); None = what the kind
    # says.
    text_source: str | None = None

    def content_hash(self) -> str:
        """Hash of what a reader sees; volatile signals (points, comments) are left out on purpose
        so a score change does not count as a content update (reliability.md #17)."""
        payload = json.dumps([1, self.title, self.url, self.text, self.author], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def to_dict(self) -> dict:
        return asdict(self)

    def source_of_text(self) -> str | None:
        """Where this item's text came from; None when it has none."""
        if not self.text.strip():
            return None
        return self.text_source or TEXT_SOURCE_BY_KIND.get(self.kind, "feed")


# What a connector's own text is, by connector: an arXiv summary is the abstract, a Reddit or HN
# text post's body its self-text. A Hub model's text is abreast's one-line description of the Hub's
# facts (size, license, base model): "metadata", which the model card's own words may replace.
TEXT_SOURCE_BY_KIND = {
    "arxiv": "abstract",
    "reddit": "selftext",
    "hn": "selftext",
    "hf": "metadata",
}
# Texts abreast fetched itself: a later fetch of the source (which gives none) must not wipe them.
FETCHED_TEXT = ("page", "card")


def utc_iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def iso_week(published_at: str | None) -> str | None:
    """'2024-12-18T..' -> '2024-W51'."""
    if not published_at:
        return None
    dt = datetime.fromisoformat(published_at.replace("Z", "+00:00"))
    y, w, _ = dt.isocalendar()
    return f"{y}-W{w:02d}"
