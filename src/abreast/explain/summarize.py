"""One entry point for a story's summary: extractive without a model, verified abstractive with one,
and no model call at all when the stored summary was made from the same sources by the same
model."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from ..stories.model import Story
from .extractive import extractive_summary
from .summary import CALL_FAILED, Summary, input_hash

if TYPE_CHECKING:  # the extractive path (make demo) never pays for importing llm
    import llm


def summarize_story(
    story: Story,
    model: llm.Model | None = None,
    *,
    conn: sqlite3.Connection | None = None,
    previous: dict | None = None,
) -> Summary:
    """``previous`` is the story's stored summary_json (as a dict); reused when its input hash
    matches."""
    model_id = model.model_id if model is not None else None
    if (
        previous
        and previous.get("input_hash") == input_hash(story, model_id)
        and not _call_failed(previous)
    ):
        return Summary.from_dict(previous)
    if model is None:
        return extractive_summary(story)
    from .abstractive import abstractive_summary

    return abstractive_summary(story, model, conn=conn)


def _call_failed(previous: dict) -> bool:
    # A fallback caused by an unreachable model is retried next time; one caused by bad output is
    # not.
    return any(
        str(d.get("reason", "")).startswith(CALL_FAILED) for d in previous.get("dropped", [])
    )


def summarize_week(
    conn: sqlite3.Connection, week: str, model: llm.Model | None = None
) -> list[Story]:
    """Summarize every story of ``week`` in the store and save the summaries; unchanged stories keep
    theirs without a model call. Returns the week's stories with ``summary`` filled in."""
    from ..store.stories import load_week
    from ..store.summaries import save_summaries

    stories = load_week(conn, week)
    fresh = {}
    for story in stories:
        summary = summarize_story(story, model, conn=conn, previous=story.summary).to_dict()
        if summary != story.summary:
            fresh[story.id] = summary
        story.summary = summary
    if fresh:
        save_summaries(conn, fresh)
    return stories
