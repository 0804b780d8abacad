"""The state changes the web app offers (all reached by POST behind CSRF): feedback and sources.

Each mirrors the CLI command of the same name so the browser and the terminal behave alike;
errors a user can fix are AbreastError with a message the page shows as is.
"""

from __future__ import annotations

# Source management is shared with the CLI; the web app uses it under its action names.
from ..collect.sourcelist import add_source, export_opml, import_opml, remove_source, retry_source  # noqa: F401
from ..learn.personal import give_feedback
from ..store import Store


def record_feedback(
    store: Store, signal: str, item_key: str | None = None, story_id: str | None = None
) -> str | None:
    """Store a signal; pressing the active one again takes it back. Returns the new current
    state."""
    from .queries import feedback_state

    item_key, story_id = item_key or None, story_id or None
    previous = feedback_state(store, item_key, story_id)
    give_feedback(store, "undo" if previous == signal else signal, item_key, story_id)
    return feedback_state(store, item_key, story_id)
