"""`abreast draft`: write the week's page bundle (index.md + images), atomically, never over the
user's edits."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..config import DRAFT_FORMATS, Settings
from ..errors import AbreastError
from ..store import Store
from ..store import drafts as q
from ..store.stories import load_week
from ..understand.entities import entity_label
from ..understand.themes import THEMES
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
    if not re.fullmatch(r"\d{4}-W\d{2}", week):  # it names a folder: never a path or a pattern
        raise AbreastError(f"{week!r} is not a week; weeks look like 2024-W51.")
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
    material = gather(store, week, bundle, minutes=settings.week.reading_minutes)
    labels = {e: entity_label(e) for s in material.stories for e in s.entities}
    text = compose(material, THEMES, labels, fmt, author=settings.write.author)
    target = bundle / "index.md"
    for f in (target, bundle / "index.new.md"):
        if f.is_symlink() or (f.exists() and not f.is_file()):
            raise AbreastError(
                f"{f} is a link or not a regular file; abreast writes drafts only as plain files. "
                "Move it away or choose another --out folder."
            )
    if target.exists() and not force:
        current = target.read_text(encoding="utf-8")
        last = q.last_draft(store.conn, str(target))
        if current != text and (last is None or last.content_hash != _hash(current)):
            target = (
                bundle / "index.new.md"
            )  # the user edited index.md: never overwrite their words
    write_atomic(target, text)
    q.record_draft(store.conn, week, str(target), _hash(text), material.files)
    return target
