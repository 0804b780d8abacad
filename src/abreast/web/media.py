"""The pages built from other stages' files: trend charts, model family trees and the weekly draft.

Images are drawn by the stages' own functions and served by the app itself (img-src 'self'). They
are
cached in memory keyed by the data they show, so a changed store draws a new picture and an
unchanged
one is not redrawn on every page view.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AbreastError
from ..landscape.card import model_card
from ..landscape.picture import render
from ..landscape.tree import TreeSpec, family_tree_as_of
from ..landscape.weekly import week_end, week_range
from ..store import Store
from ..store import drafts as sql
from ..store import landscape as ls
from ..store import web as web_sql
from ..store.stories import item_weeks
from ..stories.trends import chart, week_trends
from ..write.draft import write_draft
from . import queries
from .sanitize import markdown_to_html

_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_CACHE_SIZE = 128
_VIEWS: OrderedDict[tuple, dict] = OrderedDict()  # page data derived from the whole registry
_CACHE_LOCK = threading.Lock()  # requests run in threads: look up, insert and evict as one step
_DRAW_LOCK = threading.Lock()  # matplotlib's pyplot state is global: draw one picture at a time


def _cached(key: tuple, draw: Callable[[], bytes]) -> bytes:
    with _CACHE_LOCK:
        data = _CACHE.get(key)
        if data is not None:
            _CACHE.move_to_end(key)
            return data
    with _DRAW_LOCK:
        data = draw()
    with _CACHE_LOCK:
        _CACHE[key] = data
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return data


# --- trends
# ----------------------------------------------------------------------------------------


def term_label(term: str) -> str:
    from ..stories.trends import term_label as label

    return label(term)


def trends_view(store: Store, week: str | None) -> dict:
    """Terms bursting in ``week`` (stories.trends.week_trends, the rule the CLI and the draft use)
    with counts and the sentence that explains each. Everything comes from the trends table
    `process` keeps, for this week and the one before: never a recount of every AI title per
    request (issue 20: /trends took 1.7 s at 100k items)."""
    if week is None:
        return {"week": week, "trends": [], "top": [], "hint": "No week with items yet."}
    found = week_trends(store.conn, week)[:12]
    weeks = item_weeks(store.conn)
    before = weeks[weeks.index(week) - 1] if week in weeks and weeks.index(week) > 0 else None
    counts = web_sql.trend_counts(store.conn, [w for w in (before, week) if w])
    top = sorted(
        ((t, c[week]) for t, c in counts.items() if c.get(week)), key=lambda tc: (-tc[1], tc[0])
    )[:20]
    return {
        "week": week,
        "before": before,
        "trends": [
            {
                "term": t.term,
                "label": t.label,
                "count": t.count,
                "baseline": t.baseline,
                "burst": t.burst,
                "why": t.why,
                "sentence": t.sentence,
            }
            for t in found
        ],
        "top": [
            {
                "term": t,
                "label": term_label(t),
                "count": n,
                "before": counts[t].get(before, 0) if before else None,
            }
            for t, n in top
        ],
        "hint": None
        if found
        else "No term rose sharply this week (or the week has no annotated items yet).",
    }


def trend_chart(store: Store, week: str, term: str) -> bytes | None:
    """SVG bar chart of ``term`` per week, ``week`` highlighted; None for a term the store never
    saw."""
    series = web_sql.term_series(store.conn, term)
    if not series:
        return None
    weeks = item_weeks(store.conn)
    key = ("trend", term, week, tuple(weeks), tuple(series.get(w, 0) for w in weeks))

    def draw() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            svg, _png = chart(term_label(term), weeks, series, Path(tmp), highlight=week)
            return svg.read_bytes()

    return _cached(key, draw)


# --- models
# ----------------------------------------------------------------------------------------


def models_view(
    store: Store, family: str | None = None, limit: int = 50, week: str | None = None
) -> dict:
    """The registry table for one family (the biggest when none is asked for), the models a
    newcomer has most likely met first (the tree's own attention order), and the week its tree is
    drawn as of (the default week of every other page when none is asked for). Built once per
    registry build (ls.registry_stamp): reading the whole registry and laying out a family's tree
    took 0.3 s per request, and only `process` changes what they say."""
    week = week or queries.default_week(store)
    key = ("models", ls.registry_stamp(store.conn), family, limit, week)
    with _CACHE_LOCK:
        view = _VIEWS.get(key)
    if view is None:
        view = _models_view(store, family, limit, week)
        with _CACHE_LOCK:
            _VIEWS[key] = view
            while len(_VIEWS) > _CACHE_SIZE:
                _VIEWS.popitem(last=False)
    return view


def _models_view(store: Store, family: str | None, limit: int, week: str | None) -> dict:
    rows = ls.list_models(store.conn)
    families: dict[str, int] = {}
    for r in rows:
        if r.family:
            families[r.family] = families.get(r.family, 0) + 1
    fams = sorted(families.items(), key=lambda kv: (-kv[1], kv[0]))
    family = family or (fams[0][0] if fams else None)
    as_of = week_end(week) if week else None
    chosen = [
        r
        for r in rows
        if (not family or (r.family or "").lower() == family.lower())
        and (not as_of or not r.released or r.released[:10] <= as_of)
    ]
    if family and chosen:
        try:
            met = family_tree_as_of(store.conn, TreeSpec(family.lower(), as_of=as_of)).attention
        except AbreastError:
            met = {}
        chosen.sort(key=lambda r: (-met.get(r.id, 0.0), r.id))
    return {
        "models": [
            {
                k: getattr(r, k)
                for k in (
                    "id",
                    "name",
                    "org",
                    "family",
                    "released",
                    "params_b",
                    "license",
                    "context_length",
                )
            }
            for r in chosen[:limit]
        ],
        "total": len(chosen),
        "families": [{"name": f, "count": n} for f, n in fams],
        "family": family,
        "week": week,
        "as_of": as_of,
        "hint": None
        if rows
        else "No models yet — `abreast models build` fills the registry (the demo does it).",
    }


def family_tree_svg(store: Store, family: str, week: str | None = None) -> bytes | None:
    """The family's tree as of the end of ``week`` (default: the default week), its new models
    highlighted, with the caption that says how the models were chosen."""
    week = week or queries.default_week(store)
    key = ("tree", family, week, ls.count_models(store.conn), len(ls.all_bases(store.conn)))

    def draw() -> bytes:
        spec = TreeSpec(family.lower())
        if week:
            start, end = week_range(week)
            spec = TreeSpec(family.lower(), as_of=week_end(week), new_from=start, new_to=end)
        try:
            t = family_tree_as_of(store.conn, spec)
        except AbreastError:
            return b""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "tree.svg"
            render(t.root, out, title=f"The {t.root.title}", note=t.caption)
            return out.read_bytes()

    return _cached(key, draw) or None


def model_card_view(store: Store, model_id: str):
    """One model's card (landscape.card), or None when the registry has no such model."""
    return model_card(store.conn, model_id.lower())


# --- the draft
# -------------------------------------------------------------------------------------


@dataclass
class Draft:
    week: str
    markdown: str = ""
    html: str = ""
    path: Path | None = None
    files: list[str] = field(default_factory=list)
    hint: str | None = None
    where: str = ""  # the file as its reader knows it: "drafts/2024-W51/index.md", never /home/...


WEEK = re.compile(r"\d{4}-W\d{2}")
MAX_BUNDLE_FILE = 64 * 1024 * 1024  # a drawn chart is kilobytes; more is not ours to serve


def is_week(week: str | None) -> bool:
    """A week as every URL and query names it, 2024-W51; anything else (``*``, ``../``) is none."""
    return bool(week) and WEEK.fullmatch(week) is not None


@dataclass
class Manifest:
    """What abreast wrote for a week's latest draft: its folder, Markdown file and pictures."""

    folder: Path
    markdown: str
    files: list[str]


def draft_manifest(store: Store, week: str) -> Manifest | None:
    """The week's latest draft as logged by `abreast draft` (store.drafts), or None. Only files in
    this manifest are ever read or served: not whatever else is in the folder (``draft --out ~``
    must not publish the home folder), never through a link."""
    if not is_week(week):
        return None
    last = sql.latest_draft(store.conn, week)
    if last is None:
        return None
    path = Path(last.path)
    names = [n for n in last.files or [path.name] if _PLAIN_NAME.fullmatch(n)]
    return Manifest(path.parent, path.name, names)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def read_bundle_file(folder: Path, name: str) -> bytes | None:
    """A manifest file's bytes; None unless it is a regular file reached without a link."""
    if not _PLAIN_NAME.fullmatch(name):
        return None
    try:
        fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BUNDLE_FILE:
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(MAX_BUNDLE_FILE)
    finally:
        os.close(fd)


def draft_view(store: Store, settings, week: str) -> Draft:
    found = draft_manifest(store, week)
    data = read_bundle_file(found.folder, found.markdown) if found else None
    if data is None:
        return Draft(
            week, hint="No draft for this week yet — press Regenerate (or run `abreast demo run`)."
        )
    text = data.decode("utf-8", errors="replace")
    return Draft(
        week,
        markdown=text,
        html=markdown_to_html(text, asset_base=f"/draft/{week}/files/"),
        path=found.folder / found.markdown,
        files=[n for n in found.files if read_bundle_file(found.folder, n) is not None],
        where=shown_path(found.folder / found.markdown, settings.paths.drafts),
    )


def shown_path(path: Path, drafts: Path) -> str:
    """Where the draft is, as the page shows it: under the drafts folder by its name there
    ("drafts/2024-W51/index.md"), elsewhere under the home folder as "~/blog/...". The page is read
    over a screen share or in a screenshot; the machine's folder layout is no part of the post."""
    for root, shown in ((drafts, drafts.name), (Path.home(), "~")):
        try:
            return f"{shown}/{path.resolve().relative_to(root.resolve()).as_posix()}"
        except (ValueError, OSError):
            continue
    return f"{path.parent.name}/{path.name}"


def bundle_file(store: Store, settings, week: str, name: str) -> bytes | None:
    """A file of the week's draft by its name in the manifest; anything else (../, links, files
    abreast did not write) is None."""
    found = draft_manifest(store, week)
    if found is None or name not in found.files:
        return None
    return read_bundle_file(found.folder, name)


def bundle_zip(store: Store, settings, week: str) -> bytes | None:
    found = draft_manifest(store, week)
    if found is None or read_bundle_file(found.folder, found.markdown) is None:
        return None
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in found.files:
            data = read_bundle_file(found.folder, name)
            if data is not None:
                z.writestr(f"{week}/{name}", data)
    return buf.getvalue()


def regenerate(store: Store, settings, week: str) -> tuple[Path | None, str | None]:
    """(path, None) after writing the week's draft, or (None, why not). Never forced: an index.md
    the
    user edited is kept and the new draft lands beside it (index.new.md), as `abreast draft`
    does."""
    try:
        return write_draft(store, settings, week), None
    except AbreastError as e:
        return None, str(e)
