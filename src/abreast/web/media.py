"""The pages built from other stages' files: trend charts, model family trees and the weekly draft.

Images are drawn by the stages' own functions and served by the app itself (img-src 'self'). They
are cached in memory keyed by the data they show, so a changed store draws a new picture and an
unchanged one is not redrawn on every page view.
"""

from __future__ import annotations

import io
import tempfile
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..store import Store
from ..store import web as sql
from .render import markdown_to_html

_CACHE: OrderedDict[tuple, bytes] = OrderedDict()
_CACHE_SIZE = 128
_DRAW_LOCK = threading.Lock()  # matplotlib's pyplot state is global: draw one picture at a time


def _cached(key: tuple, draw) -> bytes:
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    with _DRAW_LOCK:
        data = draw()
    _CACHE[key] = data
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return data


# --- trends
# ----------------------------------------------------------------------------------------


def _term_counts(store: Store) -> tuple[dict[str, dict[str, int]], list[str], dict[str, int]]:
    from ..store.stories import ai_titles, item_weeks
    from ..stories.trends import title_terms, weekly_counts, weekly_volume

    rows = title_terms(ai_titles(store.conn))
    return weekly_counts(rows), item_weeks(store.conn), weekly_volume(rows)


def term_label(term: str) -> str:
    return term.split(":", 1)[1] if ":" in term else term


def trends_view(store: Store, week: str | None) -> dict:
    """Terms bursting in ``week`` with counts and the sentence that explains each."""
    data = _term_counts(store)
    if data is None or week is None:
        return {
            "week": week,
            "trends": [],
            "hint": "Trends need the understand and stories stages.",
        }
    from ..stories.trends import detect

    counts, weeks, volume = data
    found = detect(counts, weeks, week, volume=volume)[:12]
    before = weeks[weeks.index(week) - 1] if week in weeks and weeks.index(week) > 0 else None
    top = sorted(
        ((t, c[week]) for t, c in counts.items() if c.get(week)), key=lambda tc: (-tc[1], tc[0])
    )[:20]
    return {
        "week": week,
        "trends": [
            {
                "term": t.term,
                "label": term_label(t.term),
                "count": t.count,
                "baseline": t.baseline,
                "burst": t.burst,
                "why": t.why,
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
    data = _term_counts(store)
    if data is None or term not in data[0]:
        return None
    counts, weeks, _volume = data
    series = counts[term]
    key = ("trend", term, week, tuple(weeks), tuple(series.get(w, 0) for w in weeks))

    def draw() -> bytes:
        from ..stories.trends import chart

        with tempfile.TemporaryDirectory() as tmp:
            svg, _png = chart(term_label(term), weeks, series, Path(tmp), highlight=week)
            return svg.read_bytes()

    return _cached(key, draw)


# --- models
# ----------------------------------------------------------------------------------------


def models_view(store: Store, family: str | None = None, limit: int = 200) -> dict:
    """The registry table for one family (the biggest when none is asked for), newest first."""
    try:
        from ..store import landscape as ls
    except ImportError:
        return {
            "models": [],
            "families": [],
            "family": None,
            "hint": "The model registry is not in this build.",
        }
    rows = ls.list_models(store.conn)
    families: dict[str, int] = {}
    for r in rows:
        if r["family"]:
            families[r["family"]] = families.get(r["family"], 0) + 1
    fams = sorted(families.items(), key=lambda kv: (-kv[1], kv[0]))
    family = family or (fams[0][0] if fams else None)
    chosen = [r for r in rows if not family or (r["family"] or "").lower() == family.lower()]
    return {
        "models": [
            {
                k: r[k]
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
        "hint": None
        if rows
        else "No models yet — `abreast models build` fills the registry (the demo does it).",
    }


def family_tree_svg(store: Store, family: str) -> bytes | None:
    try:
        from ..errors import AbreastError
        from ..landscape.tree import TreeSpec, family_tree, render
        from ..store import landscape as ls
    except ImportError:
        return None
    key = ("tree", family, ls.count_models(store.conn), len(ls.all_bases(store.conn)))

    def draw() -> bytes:
        try:
            root, _left_out = family_tree(store.conn, TreeSpec(family.lower()))
        except AbreastError:
            return b""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "tree.svg"
            render(root, out, title=f"{family} family")
            return out.read_bytes()

    return _cached(key, draw) or None


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


def bundle_dir(path: Path) -> Path:
    """A draft is a page bundle: a folder with index.md and its images. Accept the file or the
    folder."""
    return path if path.is_dir() else path.parent


def find_draft(store: Store, settings, week: str) -> Path | None:
    row = sql.latest_draft(store.conn, week)
    candidates = [Path(row["path"])] if row else []
    drafts = settings.paths.drafts
    if drafts.is_dir():
        candidates += sorted(p for p in drafts.glob(f"*{week}*") if p.exists())
    for c in candidates:
        md = (
            c
            if c.is_file()
            else next((c / n for n in ("index.md", "_index.md") if (c / n).is_file()), None)
        )
        if md is None and c.is_dir():
            md = next(iter(sorted(c.glob("*.md"))), None)
        if md is not None and md.is_file():
            return md
    return None


def draft_view(store: Store, settings, week: str) -> Draft:
    md = find_draft(store, settings, week)
    if md is None:
        return Draft(
            week, hint="No draft for this week yet — press Regenerate (or run `abreast demo run`)."
        )
    text = md.read_text(encoding="utf-8", errors="replace")
    return Draft(
        week,
        markdown=text,
        html=markdown_to_html(text, asset_base=f"/draft/{week}/files/"),
        path=md,
        files=bundle_files(bundle_dir(md)),
    )


def bundle_files(folder: Path) -> list[str]:
    """Regular files of the bundle (no links, nothing hidden), relative, sorted."""
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if (
            p.is_file()
            and not p.is_symlink()
            and not any(part.startswith(".") for part in rel.parts)
        ):
            out.append(rel.as_posix())
    return out


def bundle_file(store: Store, settings, week: str, name: str) -> Path | None:
    """A file of the week's bundle by its listed name; anything not listed (../, links) is None."""
    md = find_draft(store, settings, week)
    if md is None:
        return None
    folder = bundle_dir(md)
    return folder / name if name in bundle_files(folder) else None


def bundle_zip(store: Store, settings, week: str) -> bytes | None:
    md = find_draft(store, settings, week)
    if md is None:
        return None
    folder = bundle_dir(md)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in bundle_files(folder):
            z.write(folder / name, f"{week}/{name}")
    return buf.getvalue()


def regenerate(store: Store, settings, week: str) -> tuple[Path | None, str | None]:
    """(path, None) after writing the week's draft, or (None, why not). Never forced: an index.md
    the user edited is kept and the new draft lands beside it (index.new.md), as `abreast draft`
    does."""
    try:
        from ..write.draft import write_draft
    except ImportError:
        return None, "The draft writer is not in this build yet (abreast.write.draft)."
    from ..errors import AbreastError

    try:
        return write_draft(store, settings, week), None
    except AbreastError as e:
        return None, str(e)
