"""`abreast draft`: write the week's page bundle (index.md + images), atomically, never over the
user's edits."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..config import DRAFT_FORMATS, Settings
from ..errors import AbreastError
from ..store import Store
from ..store import drafts as q
from .compose import compose
from .files import write_atomic
from .gather import gather

FORMATS = DRAFT_FORMATS


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def write_draft(
    store: Store,
    settings: Settings,
    week: str,
    fmt: str | None = None,
    out_dir: Path | None = None,
    force: bool = False,
) -> Path:
    """Write ``<out_dir or drafts/WEEK>/index.md`` and its images; return the Markdown file's path.
    ``fmt``: hugo, jekyll or plain; None means ``[write] format``.

    An index.md the user has edited since abreast wrote it is kept: the new draft goes to
    index.new.md instead (or over it with force)."""
    from ..store.stories import load_week
    from ..understand.entities import entity_label
    from ..understand.themes import THEMES

    fmt = fmt or settings.write.format
    if fmt not in FORMATS:
        raise AbreastError(f"unknown draft format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if not load_week(store.conn, week):
        raise AbreastError(
            f"no stories for {week} yet. Run `abreast fetch` then `abreast process` "
            "(or `make demo` for the bundled data)."
        )
    bundle = Path(out_dir) if out_dir else settings.paths.drafts / week
    bundle.mkdir(parents=True, exist_ok=True)
    material = gather(store, week, bundle)
    labels = {e: entity_label(e) for s in material.stories for e in s.entities}
    text = compose(material, THEMES, labels, fmt, author=settings.write.author)
    target = bundle / "index.md"
    if target.exists() and not force:
        current = target.read_text(encoding="utf-8")
        last = q.last_draft(store.conn, str(target))
        if current != text and (last is None or last["content_hash"] != _hash(current)):
            target = (
                bundle / "index.new.md"
            )  # the user edited index.md: never overwrite their words
    write_atomic(target, text)
    q.record_draft(store.conn, week, str(target), _hash(text))
    return target
