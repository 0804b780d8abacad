"""The domain types every stage shares, as plain data (after lemon24/reader's ``_types.py``).

store/ reads and writes these and nothing else: callers never see a database row or a ``*_json``
column. This module imports nothing from abreast, so any module may import it without a cycle.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

# --- items ---------------------------------------------------------------------------------------


@dataclass
class Item:
    """One entry from a source.

    key: stable, human-readable identity: ``hn:<id>``, ``arxiv:<id without version>``,
         ``reddit:<post id>``, ``hf:<repo id>``, ``feed:<entry link>``.
    published_at: ISO 8601 in UTC (``2024-12-18T15:04:05+00:00``) or None when the source gives
         none.
    signals: numbers that measure attention (``points``, ``comments``, ``score``, ``likes``,
         ``downloads``).
    extra: source-specific facts worth keeping (arXiv ``authors``/``categories``/``version``,
         HF ``base_model``/``license``/``params``, HN ``discussion_url``...). Only recorded facts.
    """

    key: str
    kind: str
    title: str
    url: str | None = None
    text: str = ""
    author: str | None = None
    published_at: str | None = None
    signals: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # Where ``text`` came from (feed | abstract | selftext | card | page); None: what the kind
    # says.
    text_source: str | None = None

    def content_hash(self) -> str:
        """Hash of what a reader sees; volatile signals (points, comments) are left out on purpose
        so a score change does not count as a content update (reliability.md #17)."""
        payload = json.dumps([1, self.title, self.url, self.text, self.author], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
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


def with_page(text: str, page_text: str) -> str:
    """An item's text as read: the source's own words, then the article page abreast read for it
    when the source gave only a teaser (items.page_text). Quotes verify against this whole text."""
    return f"{text}\n\n{page_text}" if page_text and text else (page_text or text)


@dataclass
class StoredItem(Item):
    """An item as the store holds it: its row id, ISO week, source name and how often it changed."""

    id: int = 0
    canonical_url: str | None = None  # the URL with tracking parameters and variants removed
    week: str | None = None
    source: str | None = None  # the source's name; None for items stored without a source
    update_count: int = 0
    fetched_at: str | None = None
    stored_hash: str = ""  # content_hash() when it was last written
    text_note: str | None = None  # why an article has no text (paywall, PDF...), when it has none
    # The linked article's text, read by abreast for an item whose source gave only a teaser; it is
    # kept apart from the source's own words (``text`` holds both, the source's first).
    page_text: str = ""


@dataclass
class SearchHit:
    """A full-text search result: the item and its bm25 rank (lower is better)."""

    item: StoredItem
    rank: float


@dataclass
class Annotation:
    """What the understand stage decided about one item."""

    key: str
    relevance: float
    is_ai: bool
    themes: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    jargon: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    why: dict[str, Any] = field(default_factory=dict)


@dataclass
class AnnotatedItem:
    """An item with its annotation, as listed by the web app and exported: annotation fields are
    None (lists empty) while the item is not understood yet."""

    id: int
    key: str
    kind: str
    source: str  # the source's name, else the connector kind
    title: str
    url: str | None
    text: str
    published_at: str | None
    week: str | None
    signals: dict[str, Any]
    relevance: float | None
    is_ai: bool | None
    themes: list[str]
    entities: list[str]
    jargon: list[str]
    duplicate_of: str | None  # the canonical item's key
    story_id: str | None = None  # the story the item belongs to, if any


# --- stories -------------------------------------------------------------------------------------


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
    signals: dict[str, Any] = field(default_factory=dict)  # points, comments, score ...
    entities: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    jargon: list[str] = field(default_factory=list)
    role: str = "member"  # lead | member | duplicate
    # What the connector recorded besides the text: the discussion page (HN discussion_url, Reddit
    # permalink), the feed's own title, ... The story card links discussions from here.
    extra: dict[str, Any] = field(default_factory=dict)


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
    # attention, breadth, authority, recency, novelty, release, substance
    score_parts: dict[str, Any] = field(default_factory=dict)
    rank: int | None = None
    is_new: bool = True
    related: list[str] = field(default_factory=list)  # story ids of earlier weeks
    # what it continues by model line, as the card says it ('continues "OpenAI o1 System Card"
    # (2024-W49): o3 follows o1'); filled when the week is built, not stored
    continues: list[str] = field(default_factory=list)
    # see explain/: {"method", "sentences": [{"text", "cite": n, "key", "url", "quote",
    # "verified"}], ...}
    summary: dict[str, Any] | None = None

    @property
    def lead(self) -> Member:
        return next((m for m in self.members if m.role == "lead"), self.members[0])

    @property
    def source_kinds(self) -> list[str]:
        return sorted({m.kind for m in self.members})


@dataclass
class WeekItem:
    """An AI item of a week as clustering reads it: the member plus what joins it to others."""

    item_id: int
    member: Member
    canonical_url: str | None
    duplicate_of: int | None  # the canonical item's id


@dataclass
class StoryPaper:
    """An arXiv member of one of a week's best-ranked stories, with that story's place."""

    key: str
    title: str
    url: str | None
    published_at: str | None
    kind: str
    source: str
    story_id: str
    rank: int | None
    score: float
    week: str


@dataclass
class StoryHeader:
    """Enough of a story to link to it without loading its members."""

    id: str
    week: str
    title: str
    rank: int | None


@dataclass
class TermWeek:
    """How often a term (entity id or jargon term) appeared in a week, and how sharply that rose."""

    week: str
    term: str
    count: int
    burst: float


# --- sources and fetches -------------------------------------------------------------------------


@dataclass
class Source:
    id: int
    name: str
    kind: str
    url: str
    config: dict[str, Any]
    etag: str | None
    last_modified: str | None
    error_count: int
    last_error: str | None
    paused: bool
    paused_reason: str | None
    gone: bool
    last_fetch_at: str | None
    next_fetch_at: str | None


@dataclass
class Fetch:
    """One attempt to fetch a source."""

    id: int
    source_id: int
    started_at: str
    finished_at: str | None
    status: str  # running | ok | not_modified | error | interrupted
    http_status: int | None
    bytes: int | None
    items_new: int
    items_updated: int
    items_unchanged: int
    error: str | None


# --- reading and retrieval ------------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    """One comment of an item's discussion, as its site published it (text sanitized to plain text).

    id: 'hn:<comment id>' or 'reddit:<comment id>'; url: the comment's permalink (what a citation
    links to); score: Reddit's score, None on Hacker News (it publishes none for comments);
    parent_id: the comment it answers, None for a top-level comment; depth: 0 for top level.
    """

    id: str
    item_key: str
    author: str | None
    score: int | None
    text: str
    url: str
    posted_at: str | None
    parent_id: str | None
    depth: int


@dataclass(frozen=True)
class TopItem:
    """An item of a ranked story, as the page and discussion readers need it."""

    key: str
    kind: str
    url: str | None
    has_text: bool
    text_source: str | None
    # The source's text says nothing beyond the headline (a one-line feed teaser): its article page
    # is read too and kept apart (items.page_text). False once that page text is stored.
    teaser: bool
    text_note: str | None
    signals: dict
    extra: dict
    source_url: str | None  # the configured source's base URL (replay or real API host)
    source_config: dict
    story_id: str
    week: str
    rank: int


@dataclass(frozen=True)
class CorpusRow:
    """One searchable item: an annotated AI item that is not a duplicate of another."""

    item_id: int
    key: str
    kind: str
    source: str
    title: str
    url: str | None
    published_at: str | None
    signals: dict[str, Any]  # points, comments, score ...
    entities: list[str]
    jargon: list[str]
    story_id: str | None  # its story (the latest one it belongs to), if stories were built
    story_sources: int  # independent sources of that story (1 when none)


# --- what the user and the writer did ------------------------------------------------------------


@dataclass
class Feedback:
    """One signal the user gave an item or a story (more | less | save | hide | undo)."""

    id: int
    item_key: str | None
    story_id: str | None
    signal: str
    at: str


@dataclass
class Draft:
    """One weekly draft written to disk."""

    id: int
    week: str
    path: str
    content_hash: str
    created_at: str
    # The manifest: the Markdown file and every file written beside it, relative to its folder.
    files: list[str] = field(default_factory=list)


# --- the open-model registry ---------------------------------------------------------------------


@dataclass
class RegistryModel:
    """One open model in the registry (table ``models``)."""

    id: str  # stable slug, e.g. qwen/qwq-32b-preview
    name: str
    org: str | None
    family: str | None
    released: str | None
    params_b: float | None  # parameters, billions
    context_length: int | None
    license: str | None
    first_item_key: str | None
    updated_at: str


@dataclass
class ModelFact:
    field: str
    value: str
    source: str
    as_of: str | None


@dataclass
class ModelBase:
    """``model_id`` was made from ``base_id`` (finetune | merge | quantized | adapter ...)."""

    model_id: str
    base_id: str
    relation: str
    source: str


@dataclass
class ModelScore:
    model_id: str
    board: str
    snapshot: str
    score: float
    rank: int | None


# --- shared rules on these types -----------------------------------------------------------------


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


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by single dashes: a URL path part or an anchor
    ("GPT-4o mini!" -> "gpt-4o-mini")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def model_slug(text: str) -> str:
    """Like slug(), but keeps dots: they carry meaning in model names ("Qwen2.5 32B" ->
    "qwen2.5-32b"), and registry ids built from it are stored, so the rule must not change."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")


def file_slug(term: str) -> str:
    """A file name for a term: keeps dots and any letter (a chart for "o3" or "qwen2.5" or a
    non-English term stays readable); "term" when nothing is left."""
    s = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in term.lower())
    return "-".join(part for part in s.split("-") if part) or "term"
