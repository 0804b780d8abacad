"""A family tree as a picture: every label measured with the font it is drawn in, columns sized to
fit the blog width, then written as PNG (Pillow) or SVG (matplotlib).

Why two writers over one scene: `abreast todo` draws a tree as of the draft's date, a date no
earlier command could know, so the picture is drawn while the user waits. Through matplotlib that
cost ~1.2 s of CPU (importing it ~0.55 s, laying out and rasterising ~130 text artists ~0.65 s),
more than the whole search. The tree is only text, dots and horizontal and vertical lines, which
Pillow draws in a few milliseconds. SVG stays with matplotlib: it writes text as outlines, so the
picture looks the same without our font installed where the SVG is shown. Both writers draw the
same scene (positions, sizes, styles computed here once), so they cannot drift apart.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AbreastError
from .tree import Node, Placed, layout

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

DPI = 100
PT = DPI / 72  # sizes are in points, as matplotlib reads them; the picture is in pixels
MARGIN = 24
GAP = 30  # between columns: where the connector lines run
ROW_H = 34
LEGEND_H = 30
NEW_FILL, NEW_EDGE = "#ffe8c2", "#e07b00"
DOT_PT = 4.5  # a node's dot, diameter in points (matplotlib's marker size)
LINESTYLE: dict[str, str | tuple] = {
    "finetune": "-",
    "adapter": "--",
    "merge": (0, (5, 2, 1, 2, 1, 2)),
    "quantized": "-.",
    "copy": "-.",
    "architecture": "--",
    "unknown": "-",
}
UNCERTAIN_STYLE, UNCERTAIN_COLOR = ":", "#9aa3b5"  # lineage inferred from the name only
# matplotlib's dash patterns (rcParams lines.*_pattern), in multiples of the line width.
DASHES: dict[str, tuple[float, ...]] = {
    "--": (3.7, 1.6),
    "-.": (6.4, 1.6, 1.0, 1.6),
    ":": (1.0, 1.65),
}
FONT_FILES = {
    (False, False): "DejaVuSans.ttf",
    (True, False): "DejaVuSans-Bold.ttf",
    (False, True): "DejaVuSans-Oblique.ttf",
    (True, True): "DejaVuSans-BoldOblique.ttf",
}


@dataclass(frozen=True)
class Style:
    size: float = 9.0  # points
    bold: bool = False
    italic: bool = False
    color: str = "#000000"


@dataclass
class Label:
    x: float
    y: float
    text: str
    style: Style
    va: str = "center"  # center | bottom | top: which part of the line box sits at y


@dataclass
class Stroke:
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    color: str
    lw: float = 1.0  # points
    style: str | tuple = "-"  # a matplotlib line style


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str = NEW_FILL
    edge: str = NEW_EDGE
    zorder: int = 0


@dataclass
class Scene:
    width: int
    height: int
    labels: list[Label] = field(default_factory=list)
    strokes: list[Stroke] = field(default_factory=list)
    dots: list[tuple[float, float, str]] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    node_labels: list[Label] = field(default_factory=list)  # the ones that must not overlap
    truncated: int = 0


@lru_cache(maxsize=16)
def font(style: Style) -> ImageFont.FreeTypeFont:
    """The Pillow font a label is measured and drawn with: DejaVu Sans, matplotlib's default face,
    from the copy matplotlib's wheel carries (found without importing matplotlib)."""
    import importlib.util

    from PIL import ImageFont

    spec = importlib.util.find_spec("matplotlib")
    folders = list(spec.submodule_search_locations or []) if spec else []
    name = FONT_FILES[(style.bold, style.italic)]
    for folder in folders:
        path = Path(folder) / "mpl-data" / "fonts" / "ttf" / name
        if path.exists():
            return ImageFont.truetype(str(path), style.size * PT)
    raise AbreastError(f"cannot draw the tree: matplotlib's font {name} is not installed.")


def width(text: str, style: Style) -> float:
    return font(style).getlength(text) if text else 0.0


def line_box(label: Label) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a label's line box in pixels."""
    ascent, descent = font(label.style).getmetrics()
    h = ascent + descent
    top = {"center": label.y - h / 2, "bottom": label.y - h, "top": label.y}[label.va]
    return label.x, top, label.x + width(label.text, label.style), top + h


def node_style(n: Node) -> Style:
    if n.kind == "family":
        return Style(12, bold=True)
    if n.kind == "generation":
        return Style(10.5, bold=True, color="#1f3b73")
    if n.kind == "count":
        return Style(8, italic=True, color="#666666")
    return Style(9, bold=n.new)


SUBTITLE = Style(7.5, color="#444444")


def render(
    root: Node, out: Path, width_px: int = 1200, title: str | None = None, note: str | None = None
) -> dict:
    """Draw the tree to ``out`` (.svg or .png); returns layout facts (size, overlaps found)."""
    s = scene(root, width_px, title, note)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".png":
        write_png(s, out)
    else:
        write_svg(s, out)
    return {
        "width": s.width,
        "height": s.height,
        "nodes": sum(1 for _ in root.walk()),
        "overlaps": overlaps(s),
        "truncated": s.truncated,
    }


def scene(root: Node, width_px: int = 1200, title: str | None = None, note: str | None = None):
    """Where everything goes: one row per leaf, one column per depth, each column as wide as its
    widest label (names shortened only when the columns cannot all fit)."""
    placed = layout(root)
    titles, cols, truncated = _fit_columns(placed, width_px - 2 * MARGIN)
    rows = max(p.row for p in placed) + 1
    # The note wraps to the picture's width (about 7 px per character at 8.5 pt, with room to
    # spare) instead of running off it.
    note_lines = textwrap.wrap(note, max(40, (width_px - 2 * MARGIN) // 7)) if note else []
    top = MARGIN + (44 if title else 0) + 14 * len(note_lines) + (4 if note_lines else 0)
    height = int(top + rows * ROW_H + LEGEND_H + MARGIN)
    s = Scene(width_px, height, truncated=truncated)
    xs = [MARGIN + sum(cols[:d]) + GAP * d for d in range(len(cols))]

    def y_of(p: Placed) -> float:
        return top + p.row * ROW_H + ROW_H / 2

    ends = _place(s, placed, titles, xs, y_of)
    _edges(s, placed, xs, y_of, ends)
    if title:
        s.labels.append(Label(MARGIN, MARGIN + 14, title, Style(15, bold=True)))
    for i, line in enumerate(note_lines):
        s.labels.append(Label(MARGIN, MARGIN + 40 + 14 * i, line, Style(8.5, color="#555555")))
    _legend(s, MARGIN, height - MARGIN - LEGEND_H / 2)
    return s


def _label_width(p: Placed, title: str) -> float:
    w = width(title, node_style(p.node))
    if p.node.subtitle:
        w = max(w, width(p.node.subtitle, SUBTITLE))
    return w + 14


def _fit_columns(placed: list[Placed], available: float) -> tuple[dict[int, str], list[float], int]:
    """Column widths that fit ``available`` pixels, with each node's title as drawn. When the
    natural widths do not fit, every column is capped at one common width (as wide as possible)
    and only the names longer than that are shortened with an ellipsis, so one long name does not
    cost the others their ends."""
    natural: dict[int, float] = defaultdict(float)
    for p in placed:
        natural[p.depth] = max(natural[p.depth], _label_width(p, p.node.title))
    cols = [natural[d] for d in range(max(natural) + 1)]
    titles = {id(p): p.node.title for p in placed}
    room = available - GAP * (len(cols) - 1)
    if sum(cols) <= room:
        return titles, cols, 0
    lo, hi = 0.0, max(cols)
    for _ in range(30):  # bisection for the common cap
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if sum(min(c, mid) for c in cols) <= room else (lo, mid)
    cap = lo
    if cap < 120:
        raise AbreastError(
            "the tree is too deep to draw legibly at this width; use --since to draw "
            "less, or a wider image"
        )
    truncated = 0
    for p in placed:
        t = p.node.title
        while _label_width(p, t) > cap and len(t) > 4:
            t = t[:-2].rstrip("-_. ") + "…"
        truncated += t != p.node.title
        titles[id(p)] = t
    return titles, [min(c, cap) for c in cols], truncated


def _place(s: Scene, placed: list[Placed], titles: dict[int, str], xs, y_of) -> dict[int, float]:
    """Each node's dot and label (title over subtitle); returns where each label ends."""
    ends: dict[int, float] = {}
    for p in placed:
        n, x, y = p.node, xs[p.depth], y_of(p)
        title, sub, style = titles[id(p)], n.subtitle, node_style(n)
        if n.kind != "count":
            s.dots.append((x, y, NEW_EDGE if n.new else "#1f3b73"))
        tx = x + 8
        if sub:
            new = [Label(tx, y - 1, title, style, "bottom"), Label(tx, y + 1, sub, SUBTITLE, "top")]
        else:
            new = [Label(tx, y, title, style)]
        s.labels += new
        s.node_labels += new
        w = max(width(title, style), width(sub, SUBTITLE))
        ends[id(p)] = tx + w
        if n.new:
            h = 26 if sub else 14
            s.boxes.append(Box(tx - 3, y - h / 2, w + 6, h))
    return ends


def _edges(s: Scene, placed: list[Placed], xs, y_of, ends: dict[int, float]) -> None:
    by_parent: dict[int, list[Placed]] = defaultdict(list)
    for p in placed:
        if p.parent is not None:
            by_parent[id(p.parent)].append(p)
    for p in placed:
        kids = by_parent.get(id(p))
        if not kids:
            continue
        bus = xs[p.depth + 1] - GAP / 2
        py = y_of(p)
        grouping = p.node.kind in ("family", "generation")
        color = "#b0b7c3" if grouping else "#5a6b8c"
        s.strokes.append(Stroke((ends[id(p)] + 4, bus), (py, py), color))
        ys = [y_of(k) for k in kids]
        s.strokes.append(Stroke((bus, bus), (min(ys + [py]), max(ys + [py])), color))
        for k, ky in zip(kids, ys, strict=True):
            style: str | tuple = (
                "-"
                if k.node.kind == "count" or (grouping and not k.node.relation)
                else LINESTYLE.get(k.node.relation or "", "-")
            )
            kc = color
            if k.node.uncertain:
                style, kc = UNCERTAIN_STYLE, UNCERTAIN_COLOR
            lw = 1.4 if style != "-" else 1.0
            s.strokes.append(Stroke((bus, xs[k.depth] - 2), (ky, ky), kc, lw, style))


def _legend(s: Scene, x: float, y: float) -> None:
    for word, style, color, step in (
        ("fine-tune", "-", "#5a6b8c", 100),
        ("adapter / trained anew", "--", "#5a6b8c", 180),
        ("merge", LINESTYLE["merge"], "#5a6b8c", 90),
        ("re-upload", "-.", "#5a6b8c", 105),
        ("inferred from the name", UNCERTAIN_STYLE, UNCERTAIN_COLOR, 175),
    ):
        s.strokes.append(Stroke((x, x + 30), (y, y), color, 1.4, style))
        s.labels.append(Label(x + 36, y, word, Style(8)))
        x += step
    s.boxes.append(Box(x, y - 7, 110, 14, zorder=1))
    s.labels.append(Label(x + 6, y, "new this week", Style(8, bold=True)))


def overlaps(s: Scene) -> int:
    """Pairs of node labels whose line boxes overlap (0 for a legible tree)."""
    boxes = sorted(line_box(lb) for lb in s.node_labels)
    found = 0
    for i, (_, t1, r1, b1) in enumerate(boxes):
        for l2, t2, _, b2 in boxes[i + 1 :]:
            if l2 >= r1:
                break  # sorted by left edge: no later box starts before this one ends
            if t2 < b1 and t1 < b2:
                found += 1
    return found


# --- the writers
# ------------------------------------------------------------------------------------
def write_png(s: Scene, out: Path) -> None:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (s.width, s.height), "white")
    draw = ImageDraw.Draw(im)
    for b in sorted(s.boxes, key=lambda b: b.zorder):
        draw.rounded_rectangle(
            (round(b.x - 1), round(b.y - 1), round(b.x + b.w + 1), round(b.y + b.h + 1)),
            radius=2,
            fill=b.fill,
            outline=b.edge,
            width=1,
        )
    for st in s.strokes:
        _png_stroke(draw, st)
    for x, y, color in s.dots:
        _png_dot(im, x, y, color)
    anchors = {"center": "lm", "bottom": "ld", "top": "la"}
    for lb in s.labels:
        draw.text(
            (lb.x, lb.y), lb.text, font=font(lb.style), fill=lb.style.color, anchor=anchors[lb.va]
        )
    tmp = out.with_name(f".{out.name}.part")
    im.save(tmp, format="PNG", compress_level=3)  # level 6 costs 0.03 s more for 6% fewer bytes
    tmp.replace(out)


def _png_stroke(draw: ImageDraw.ImageDraw, st: Stroke) -> None:
    """A horizontal or vertical line, dashed the way matplotlib dashes it (the pattern scales with
    the line's width)."""
    lw = max(1, round(st.lw * PT))
    (x0, x1), (y0, y1) = st.xs, st.ys
    length = abs(x1 - x0) + abs(y1 - y0)
    dx, dy = ((x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0))
    if isinstance(st.style, tuple):
        pattern = tuple(v * st.lw * PT for v in st.style[1])
    else:
        pattern = tuple(v * st.lw * PT for v in DASHES.get(st.style, ()))
    if not pattern:
        draw.line([(x0, y0), (x1, y1)], fill=st.color, width=lw)
        return
    pos, i = 0.0, 0
    while pos < length:
        seg = pattern[i % len(pattern)]
        if i % 2 == 0:  # even entries draw, odd ones skip
            end = min(length, pos + seg)
            draw.line(
                [(x0 + dx * pos, y0 + dy * pos), (x0 + dx * end, y0 + dy * end)],
                fill=st.color,
                width=lw,
            )
        pos += seg
        i += 1


@lru_cache(maxsize=4)
def _dot_mask(diameter: int) -> Image.Image:
    """An anti-aliased disc: drawn four times larger, then shrunk."""
    from PIL import Image, ImageDraw

    big = Image.new("L", (diameter * 4, diameter * 4), 0)
    ImageDraw.Draw(big).ellipse((0, 0, diameter * 4 - 1, diameter * 4 - 1), fill=255)
    return big.resize((diameter, diameter), Image.Resampling.LANCZOS)


def _png_dot(im: Image.Image, x: float, y: float, color: str) -> None:
    d = round((DOT_PT + 1) * PT)  # the marker and its edge line, as matplotlib draws it
    im.paste(color, (round(x - d / 2), round(y - d / 2)), _dot_mask(d))


def write_svg(s: Scene, out: Path) -> None:
    """The scene through matplotlib's SVG writer (text as outlines; no pyplot, no GUI backend)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    fig = Figure(figsize=(s.width / DPI, s.height / DPI), dpi=DPI)
    FigureCanvasSVG(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, s.width)
    ax.set_ylim(s.height, 0)
    ax.axis("off")
    for b in s.boxes:
        ax.add_patch(
            FancyBboxPatch(
                (b.x, b.y),
                b.w,
                b.h,
                boxstyle="round,pad=1",
                fc=b.fill,
                ec=b.edge,
                lw=1,
                zorder=b.zorder,
            )
        )
    for st in s.strokes:
        ax.plot(list(st.xs), list(st.ys), color=st.color, lw=st.lw, linestyle=st.style)
    for x, y, color in s.dots:
        ax.plot([x], [y], "o", ms=DOT_PT, color=color, zorder=3)
    for lb in s.labels:
        ax.text(
            lb.x,
            lb.y,
            lb.text,
            va=lb.va,
            fontsize=lb.style.size,
            fontweight="bold" if lb.style.bold else "normal",
            fontstyle="italic" if lb.style.italic else "normal",
            color=lb.style.color,
            zorder=3,
        )
    tmp = out.with_name(f".{out.name}.part")
    fig.savefig(tmp, dpi=DPI, format="svg")
    tmp.replace(out)
