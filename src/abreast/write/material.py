"""Everything one weekly draft is made of, as plain data. Gathered from the store by gather.py,
rendered by compose.py; keeping the two apart makes the draft's content testable without I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..explain.card import StoryCard
from ..types import Member, Story


@dataclass
class Word:
    """A jargon term of the week, its plain-language definition, and where it was seen."""

    term: str
    definition: str
    count: int
    seen_in: Member


@dataclass
class Rising:
    """An entity or term whose weekly count rose sharply."""

    label: str
    count: int
    previous: float  # mean weekly count before this week
    seen_in: Member


@dataclass
class Paper:
    member: Member
    story: Story
    why: str


@dataclass
class NewModelLine:
    """One line of the draft's "new models" section (landscape.weekly.NewModel: the registry's
    view)."""

    name: str
    facts: str  # e.g. "fine-tune of Qwen2.5-32B, 32.8B params, apache-2.0"
    seen_in: Member


@dataclass
class WeekMaterial:
    week: str
    stories: list[Story]
    cards: dict[str, StoryCard] = field(default_factory=dict)  # story id -> its card
    budget_minutes: int = 0  # the reader's reading budget ([week] reading_minutes; 0: none)
    below_budget: int = 0  # stories the budget left out of the draft (said in it, not dropped)
    words: list[Word] = field(default_factory=list)
    rising: list[Rising] = field(default_factory=list)
    trend_image: str | None = None  # file name inside the page bundle
    papers: list[Paper] = field(default_factory=list)
    followups: list[Story] = field(default_factory=list)
    new_models: list[NewModelLine] = field(default_factory=list)
    tree_image: str | None = None
    tree_caption: str = ""
    items_read: int = 0
    files: list[str] = field(
        default_factory=list
    )  # pictures written into the bundle (its manifest)
    words_read: int = 0
