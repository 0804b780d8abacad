"""What a story is, as plain data shared by stories/, explain/, write/ and web/."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Member:
    """One item inside a story, with what later stages need to cite and rank it."""

    key: str  # item key, e.g. hn:42166030
    kind: str  # connector: hn | arxiv | feed | reddit | hf
    source: str  # source name, e.g. "openai-news" or "hn"
    title: str
    url: str | None
    text: str = ""
    published_at: str | None = None
    signals: dict = field(default_factory=dict)  # points, comments, score ...
    entities: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    jargon: list[str] = field(default_factory=list)
    role: str = "member"  # lead | member | duplicate
    # What the connector recorded besides the text: the discussion page (HN discussion_url, Reddit
    # permalink), the feed's own title, ... The story card links discussions from here.
    extra: dict = field(default_factory=dict)


@dataclass
class Story:
    id: str  # stable: week + hash of the founding member keys
    week: str  # ISO week, e.g. 2024-W51
    title: str
    members: list[Member]
    keywords: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    score: float = 0.0
    score_parts: dict = field(
        default_factory=dict
    )  # attention, breadth, authority, recency, novelty
    rank: int | None = None
    is_new: bool = True
    related: list[str] = field(default_factory=list)  # story ids of earlier weeks
    summary: dict | None = (
        # see explain/: {"method", "sentences": [{"text", "cite": n, "key", "url", "quote",
        # "verified"}], ...}
        None
    )

    @property
    def lead(self) -> Member:
        return next((m for m in self.members if m.role == "lead"), self.members[0])

    @property
    def source_kinds(self) -> list[str]:
        return sorted({m.kind for m in self.members})


# A week needs this many stories to be the one shown by default: a stray item dated in a later week
# (a
# Reddit post of 2025-01-02 in a December recording) must not hide the last real week.
MIN_STORIES_FOR_DEFAULT = 10


def default_week(story_counts: list[tuple[str, int]], current: str | None = None) -> str | None:
    """The newest week, before ``current`` (today's unfinished week), with enough stories; else the
    newest week with any. ``story_counts`` is [(week, number of stories)]."""
    done = sorted((w, n) for w, n in story_counts if n and (current is None or w < current))
    full = [w for w, n in done if n >= MIN_STORIES_FOR_DEFAULT]
    if full:
        return full[-1]
    if done:
        return done[-1][0]
    any_week = sorted(w for w, n in story_counts if n)
    return any_week[-1] if any_week else None
