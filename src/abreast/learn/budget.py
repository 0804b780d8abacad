"""The week within the reader's time (issue 16): how many of the week's ranked stories fit in the
minutes they have, and how many are left below that budget.

What a reader reads of a story, in the digest and the draft, is its card (explain/card.py): the
title, what happened, what people say and a line per source. That is counted in words (without a
card: the title, the cited summary or the start of the lead item's text, and the source lines)
and read at WORDS_PER_MINUTE, the rate write/compose.py uses for the
reading abreast saves. Stories are kept in rank order until the next one would not fit; the first
always shows, and what is cut is counted and said ("12 more stories below your 10-minute
budget"), never dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..types import Story

if TYPE_CHECKING:
    from ..explain.card import StoryCard

WORDS_PER_MINUTE = 200  # a common estimate for reading on screen
LEAD_WORDS = 60  # a card without a summary shows about this much of its lead item
SOURCE_LINE_WORDS = 8  # "Simon Willison's blog · 120 comments on Hacker News"
SOURCE_LINES = 4  # cards list at most this many sources


def story_words(story: Story, card: StoryCard | None = None) -> int:
    """About how many words the reader reads for ``story``'s card."""
    words = len(story.title.split())
    if card is not None:
        words += sum(len(s.text.split()) for s in card.happened)
        words += sum(len(c.text.split()) for c in card.comments)
        return words + SOURCE_LINE_WORDS * min(SOURCE_LINES, max(1, len(card.sources)))
    sentences = (story.summary or {}).get("sentences") or []
    if sentences:
        words += sum(len(str(s.get("text", "")).split()) for s in sentences)
    elif story.members:
        words += min(LEAD_WORDS, len(story.lead.text.split()))
    return words + SOURCE_LINE_WORDS * min(SOURCE_LINES, len(story.members))


def within(
    stories: Sequence[Story], minutes: float, cards: Mapping[str, StoryCard] | None = None
) -> tuple[list[Story], int]:
    """The stories (in their order) that fit in ``minutes``, and how many more did not; a budget
    of 0 keeps them all. ``cards``: the stories' cards by id, where built (a better estimate)."""
    if minutes <= 0 or not stories:
        return list(stories), 0
    budget = minutes * WORDS_PER_MINUTE
    used, kept = 0, 0
    for s in stories:
        w = story_words(s, (cards or {}).get(s.id))
        if kept and used + w > budget:
            break
        used += w
        kept += 1
    return list(stories[:kept]), len(stories) - kept


def below_note(count: int, minutes: float) -> str:
    """What the reader is told about the stories their budget left out."""
    if count <= 0:
        return ""
    stories = "story" if count == 1 else "stories"
    return f"{count} more {stories} below your {minutes:g}-minute reading budget"
