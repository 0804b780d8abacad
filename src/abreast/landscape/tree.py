"""Family trees: which models of a family are drawn (pure), a left-to-right layered layout (pure),
and drawings: SVG/PNG through matplotlib (Agg, imported lazily) and Mermaid text.

Readability rules (blog width, 1200 px): one row per drawn leaf, one column per depth, labels sit
right of their node inside their column and columns are as wide as their widest label, so labels
cannot overlap; long tails of fine-tunes, merges and quantized copies become one "+N ..." node.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import AbreastError
from ..store import landscape as sql
from .lineage import FAMILY_TITLES, ORG_FAMILY, collapse_children, generation, public_date

HOME_ORG = {fam: org for org, fam in ORG_FAMILY.items()}
RELATION_WORDS = {
    "finetune": "fine-tune",
    "adapter": "adapter",
    "merge": "merge",
    "quantized": "quantized",
    "unknown": "derived",
}


@dataclass
class Node:
    key: str
    title: str
    subtitle: str = ""
    kind: str = "model"  # family | generation | model | count
    new: bool = False
    relation: str | None = None  # how this node was made from its parent
    children: list[Node] = field(default_factory=list)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class TreeSpec:
    family: str
    since: str | None = None  # only models released on/after this date (plus their ancestors)
    new_from: str | None = None  # highlight window [new_from, new_to)
    new_to: str | None = None
    per_node: int = 3  # community children drawn per node before collapsing
    max_depth: int = 3  # model levels below a generation
    min_root_subtree: int = 4  # a community root is drawn when it has this many models below it
    max_rows: int = 48  # about 1,700 px tall at blog width


def size_label(params_b: float | None) -> str:
    if not params_b:
        return ""
    return f"{params_b:.0f}B" if params_b >= 10 else f"{params_b:.1f}B".replace(".0B", "B")


def subtitle(row: Mapping) -> str:
    parts = [
        row.get("org") or "",
        size_label(row.get("params_b")),
        (row.get("released") or "")[:10],
    ]
    return " · ".join(p for p in parts if p)


def count_label(hidden: Mapping[str, int]) -> str:
    words = {
        "finetune": "fine-tune",
        "adapter": "adapter",
        "merge": "merge",
        "quantized": "quantized",
        "unknown": "derived",
    }

    def word(rel: str, n: int) -> str:
        w = words.get(rel, rel)
        return w + "s" if n > 1 and w not in ("quantized", "derived") else w

    parts = [
        f"{n} {word(rel, n)}" for rel, n in sorted(hidden.items(), key=lambda x: (-x[1], x[0])) if n
    ]
    return "+" + ", ".join(parts)


def build_tree(
    models: Mapping[str, Mapping],
    edges: list[tuple[str, str, str]],
    spec: TreeSpec,
    rank: Mapping[str, float] | None = None,
    generations: Mapping[str, Mapping] | None = None,
) -> tuple[Node, dict[str, int]]:
    """The tree for ``spec``, shrunk until it fits ``spec.max_rows`` rows: fewer community children
    per node first, then the oldest release lines folded into one count each (the newest matter
    most)."""
    root, left_out = _build_tree(models, edges, spec, rank, generations)
    per_node = spec.per_node
    while _leaves(root) > spec.max_rows and per_node > 0:
        per_node -= 1
        root, left_out = _build_tree(
            models, edges, replace(spec, per_node=per_node), rank, generations
        )
    for gen in root.children[:-1]:  # oldest first; the newest line always stays
        if _leaves(root) <= spec.max_rows:
            break
        hidden = sum(1 for n in gen.walk() if n.kind == "model")
        gen.children = [Node(f"{gen.key}#folded", f"{hidden} models, folded", kind="count")]
    return root, left_out


def _leaves(root: Node) -> int:
    return sum(1 for n in root.walk() if not n.children)


def _build_tree(
    models: Mapping[str, Mapping],
    edges: list[tuple[str, str, str]],
    spec: TreeSpec,
    rank: Mapping[str, float] | None = None,
    generations: Mapping[str, Mapping] | None = None,
) -> tuple[Node, dict[str, int]]:
    """Pure. models: id -> row (name, org, params_b, released); edges: (child, base, relation)
    within the family; generations: release-line rows from a curated source ("Llama 2", Meta AI,
    2023-07-18) that label the generation nodes. Returns the tree and what was left out:
    {"not_drawn", "before_since"}."""
    rank = dict(rank or {})
    gen_rows = {
        generation(r.get("name") or "", spec.family): r for r in (generations or {}).values()
    }
    kids: dict[str, list[tuple[str, str]]] = defaultdict(list)
    has_base = set()
    for child, base, rel in edges:
        if child in models and base in models and child != base:
            kids[base].append((child, rel))
            has_base.add(child)
    subtree = _subtree_sizes(models, kids)
    for mid, n in subtree.items():
        rank[mid] = rank.get(mid, 0.0) + 50.0 * (n - 1)
    home = HOME_ORG.get(spec.family)

    def is_new(mid: str) -> bool:
        row = models[mid]
        when = public_date(row.get("released"), row.get("first_seen"))
        return bool(spec.new_from and when and spec.new_from <= when < (spec.new_to or "9999"))

    in_range = {
        m for m in models if not spec.since or (models[m].get("released") or "") >= spec.since
    }
    keep = {m for m in models if (home and m.split("/")[0] == home) or is_new(m)} & in_range
    must = _with_ancestors(keep, edges)  # a kept model is drawn with the chain it came from
    wanted = must | {m for m in in_range if m in kids or m in has_base}

    def model_node(mid: str, rel: str | None, depth: int) -> Node:
        row = models[mid]
        node = Node(mid, row.get("name") or mid, subtitle(row), "model", is_new(mid), rel)
        children = [(c, r) for c, r in kids.get(mid, []) if c in wanted]
        if depth >= spec.max_depth:
            drawn = [c for c, _ in children if c in must]
        else:
            drawn, _ = collapse_children(children, must, spec.per_node, rank)
        hidden = _hidden_counts([(c, r) for c, r in children if c not in drawn], subtree)
        order = sorted(drawn, key=lambda c: ((models[c].get("released") or ""), c))
        rel_of = dict(children)
        node.children = [model_node(c, rel_of[c], depth + 1) for c in order]
        if hidden:
            node.children.append(Node(f"{mid}#more", count_label(hidden), kind="count"))
        return node

    # Community re-uploads with one or two derivatives are noise at this scale; big subtrees are
    # not.
    roots = [
        m
        for m in models
        if m not in has_base
        and m in wanted
        and (m in must or subtree.get(m, 1) >= spec.min_root_subtree)
    ]
    groups: dict[str, list[str]] = defaultdict(list)
    for m in roots:
        groups[generation(models[m].get("name") or m, spec.family) or "other"].append(m)
    fam_title = FAMILY_TITLES.get(spec.family, spec.family.title())
    root = Node(f"family:{spec.family}", f"{fam_title} family", kind="family")
    for gen, members in sorted(
        groups.items(), key=lambda g: (min(models[m].get("released") or "9" for m in g[1]), g[0])
    ):
        members.sort(key=lambda m: ((models[m].get("released") or ""), m))
        gnode = Node(
            f"gen:{gen}", gen, subtitle(gen_rows[gen]) if gen in gen_rows else "", kind="generation"
        )
        gnode.children = [model_node(m, None, 1) for m in members]
        root.children.append(gnode)
    drawn_ids = {n.key for n in root.walk()}
    left_out = {
        "not_drawn": sum(1 for m in models if m not in drawn_ids),
        "before_since": len(models) - len(in_range),
    }
    return root, left_out


def _subtree_sizes(
    models: Mapping[str, Mapping], kids: Mapping[str, list[tuple[str, str]]]
) -> dict[str, int]:
    sizes: dict[str, int] = {}

    def size(m: str, seen: frozenset[str]) -> int:
        if m in sizes:
            return sizes[m]
        n = 1 + sum(size(c, seen | {m}) for c, _ in kids.get(m, []) if c not in seen)
        sizes[m] = n
        return n

    for m in models:
        size(m, frozenset())
    return sizes


def _hidden_counts(children: list[tuple[str, str]], subtree: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for c, rel in children:
        out[rel] += subtree.get(c, 1)
    return dict(out)


def _with_ancestors(ids: set[str], edges: list[tuple[str, str, str]]) -> set[str]:
    up: dict[str, list[str]] = defaultdict(list)
    for child, base, _ in edges:
        up[child].append(base)
    out, stack = set(), list(ids)
    while stack:
        m = stack.pop()
        if m not in out:
            out.add(m)
            stack.extend(up.get(m, []))
    return out


def family_tree(conn: sqlite3.Connection, spec: TreeSpec) -> tuple[Node, dict[str, int]]:
    rows = sql.list_models(conn, family=spec.family)
    if not rows:
        raise AbreastError(
            f"no models in family {spec.family!r}. `abreast models build` fills the registry; "
            "`abreast models list` shows the families."
        )
    lines = sql.facts_by_field(conn, "generation_of")
    seen = sql.first_news_dates(conn)
    models = {r["id"]: dict(r, first_seen=seen.get(r["id"])) for r in rows if r["id"] not in lines}
    generations = {r["id"]: dict(r) for r in rows if r["id"] in lines}
    edges = [
        (r["model_id"], r["base_id"], r["relation"])
        for r in sql.all_bases(conn)
        if r["model_id"] in models
    ]
    hearts = sql.facts_by_field(conn, "hearts")
    official = sql.facts_by_field(conn, "official")
    rank = {m: float(hearts.get(m, 0) or 0) + (1000.0 if m in official else 0.0) for m in models}
    return build_tree(models, edges, spec, rank, generations)


# --- layout (pure)
# -------------------------------------------------------------------------------------------
@dataclass
class Placed:
    node: Node
    depth: int
    row: float
    parent: Placed | None


def layout(root: Node) -> list[Placed]:
    """Leaves take consecutive rows in depth-first order; a parent sits midway between its first and
    last child. Two nodes of one column then always lie at least one row apart."""
    placed: list[Placed] = []
    next_row = [0]

    def visit(n: Node, depth: int, parent: Placed | None) -> Placed:
        p = Placed(n, depth, 0.0, parent)
        placed.append(p)
        if not n.children:
            p.row = float(next_row[0])
            next_row[0] += 1
        else:
            rows = [visit(c, depth + 1, p).row for c in n.children]
            p.row = (rows[0] + rows[-1]) / 2
        return p

    visit(root, 0, None)
    return placed


def to_mermaid(root: Node) -> str:
    """Mermaid flowchart text for blogs and READMEs that render Mermaid."""
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    for i, n in enumerate(root.walk()):
        ids[n.key] = f"n{i}"
        label = n.title.replace('"', "'")
        if n.subtitle:
            label += f"<br/><small>{n.subtitle}</small>"
        shape = ('(["', '"])') if n.kind in ("family", "generation") else ('["', '"]')
        lines.append(f"    {ids[n.key]}{shape[0]}{label}{shape[1]}")
    for n in root.walk():
        for c in n.children:
            arrow = "-.->" if n.kind in ("family", "generation") or c.kind == "count" else "-->"
            word = (
                RELATION_WORDS.get(c.relation or "")
                if c.relation and c.relation != "finetune"
                else ""
            )
            lines.append(f"    {ids[n.key]} {arrow}{'|' + word + '|' if word else ''} {ids[c.key]}")
    new = [ids[n.key] for n in root.walk() if n.new]
    lines.append("    classDef new fill:#ffe8c2,stroke:#e07b00,stroke-width:2px")
    if new:
        lines.append(f"    class {','.join(new)} new")
    return "\n".join(lines) + "\n"


def render(
    root: Node, out: Path, width_px: int = 1200, title: str | None = None, note: str | None = None
) -> dict:
    """Draw the tree to ``out`` (.svg or .png); returns layout facts (size, overlaps found)."""
    import matplotlib  # heavy: imported only when a picture is asked for

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    placed = layout(root)
    fig = plt.figure(figsize=(width_px / DPI, 4), dpi=DPI)
    try:
        artists = _Labels(fig, placed)
        cols = artists.fit_columns(width_px - 2 * MARGIN)
        rows = max(p.row for p in placed) + 1
        # The note wraps to the picture's width (about 7 px per character at 8.5 pt, with room to
        # spare) instead of running off it.
        import textwrap

        note_lines = textwrap.wrap(note, max(40, (width_px - 2 * MARGIN) // 7)) if note else []
        top = MARGIN + (44 if title else 0) + 14 * len(note_lines) + (4 if note_lines else 0)
        height = int(top + rows * ROW_H + LEGEND_H + MARGIN)
        fig.set_size_inches(width_px / DPI, height / DPI)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width_px)
        ax.set_ylim(height, 0)
        ax.axis("off")
        xs = [MARGIN + sum(cols[:d]) + GAP * d for d in range(len(cols))]

        def y_of(p: Placed) -> float:
            return top + p.row * ROW_H + ROW_H / 2

        artists.place(ax, xs, y_of)
        _draw_edges(ax, placed, xs, y_of, artists)
        if title:
            ax.text(MARGIN, MARGIN + 14, title, fontsize=15, fontweight="bold", va="center")
        for i, line in enumerate(note_lines):
            ax.text(MARGIN, MARGIN + 40 + 14 * i, line, fontsize=8.5, color="#555555", va="center")
        _legend(ax, MARGIN, height - MARGIN - LEGEND_H / 2)
        fig.canvas.draw()
        overlaps = artists.overlaps(fig.canvas.get_renderer())
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=DPI, format=out.suffix.lstrip(".").lower() or "svg")
        return {
            "width": width_px,
            "height": height,
            "nodes": len(placed),
            "overlaps": overlaps,
            "truncated": artists.truncated,
        }
    finally:
        plt.close(fig)


DPI = 100
MARGIN = 24
GAP = 30  # between columns: where the connector lines run
ROW_H = 34
LEGEND_H = 30
NEW_FILL, NEW_EDGE = "#ffe8c2", "#e07b00"
LINESTYLE = {"finetune": "-", "adapter": "--", "merge": ":", "quantized": "-.", "unknown": "-"}


class _Labels:
    """The text of every node, measured before it is placed, so columns can be sized to fit."""

    def __init__(self, fig, placed: list[Placed]):
        self.fig = fig
        self.placed = placed
        self.truncated = 0
        self.titles: dict[int, str] = {}
        self._cache: dict = {}

    def _lines(self, p: Placed) -> tuple[str, str]:
        return self.titles.get(id(p), p.node.title), p.node.subtitle

    def _style(self, n: Node) -> dict:
        if n.kind == "family":
            return {"fontsize": 12, "fontweight": "bold"}
        if n.kind == "generation":
            return {"fontsize": 10.5, "fontweight": "bold", "color": "#1f3b73"}
        if n.kind == "count":
            return {"fontsize": 8, "fontstyle": "italic", "color": "#666666"}
        return {"fontsize": 9, "fontweight": "bold" if n.new else "normal"}

    def _width(self, text: str, style: dict, renderer) -> float:
        key = (text, tuple(sorted(style.items())))
        if key not in self._cache:
            from matplotlib.font_manager import FontProperties

            prop = FontProperties(
                size=style.get("fontsize"),
                weight=style.get("fontweight", "normal"),
                style=style.get("fontstyle", "normal"),
            )
            self._cache[key] = renderer.get_text_width_height_descent(text, prop, ismath=False)[0]
        return self._cache[key]

    def _label_width(self, p: Placed, title: str, renderer) -> float:
        w = self._width(title, self._style(p.node), renderer)
        if p.node.subtitle:
            w = max(w, self._width(p.node.subtitle, {"fontsize": 7.5}, renderer))
        return w + 14

    def fit_columns(self, available: float) -> list[float]:
        """Column widths that fit ``available`` pixels. When the natural widths do not fit, every
        column is capped at one common width (as wide as possible) and only the names longer than
        that are shortened with an ellipsis, so one long name does not cost the others their
        ends."""
        renderer = self.fig.canvas.get_renderer()
        natural: dict[int, float] = defaultdict(float)
        for p in self.placed:
            natural[p.depth] = max(natural[p.depth], self._label_width(p, p.node.title, renderer))
        cols = [natural[d] for d in range(max(natural) + 1)]
        room = available - GAP * (len(cols) - 1)
        if sum(cols) <= room:
            return cols
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
        for p in self.placed:
            title = p.node.title
            while self._label_width(p, title, renderer) > cap and len(title) > 4:
                title = title[:-2].rstrip("-_. ") + "…"
            self.truncated += title != p.node.title
            self.titles[id(p)] = title
        return [min(c, cap) for c in cols]

    def place(self, ax, xs: list[float], y_of) -> None:
        self.texts = []
        self.ends: dict[int, float] = {}
        renderer = self.fig.canvas.get_renderer()
        for p in self.placed:
            n, x, y = p.node, xs[p.depth], y_of(p)
            title, sub = self._lines(p)
            if n.kind != "count":
                ax.plot([x], [y], "o", ms=4.5, color=NEW_EDGE if n.new else "#1f3b73", zorder=3)
            tx = x + 8
            if sub:
                a = ax.text(tx, y - 1, title, va="bottom", **self._style(n))
                b = ax.text(tx, y + 1, sub, va="top", fontsize=7.5, color="#444444")
                self.texts += [a, b]
            else:
                a = ax.text(tx, y, title, va="center", **self._style(n))
                self.texts.append(a)
            w = max(
                self._width(title, self._style(n), renderer),
                self._width(sub, {"fontsize": 7.5}, renderer) if sub else 0,
            )
            self.ends[id(p)] = tx + w
            if n.new:
                from matplotlib.patches import FancyBboxPatch

                h = 26 if sub else 14
                ax.add_patch(
                    FancyBboxPatch(
                        (tx - 3, y - h / 2),
                        w + 6,
                        h,
                        boxstyle="round,pad=1",
                        fc=NEW_FILL,
                        ec=NEW_EDGE,
                        lw=1,
                        zorder=0,
                    )
                )

    def overlaps(self, renderer) -> int:
        boxes = [t.get_window_extent(renderer) for t in self.texts]
        return sum(
            1
            for i in range(len(boxes))
            for j in range(i + 1, len(boxes))
            if boxes[i].overlaps(boxes[j])
        )


def _draw_edges(ax, placed: list[Placed], xs: list[float], y_of, labels: _Labels) -> None:
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
        ax.plot([labels.ends[id(p)] + 4, bus], [py, py], color=color, lw=1)
        ys = [y_of(k) for k in kids]
        ax.plot([bus, bus], [min(ys + [py]), max(ys + [py])], color=color, lw=1)
        for k, ky in zip(kids, ys, strict=True):
            style = (
                "-"
                if grouping or k.node.kind == "count"
                else LINESTYLE.get(k.node.relation or "", "-")
            )
            ax.plot(
                [bus, xs[k.depth] - 2],
                [ky, ky],
                color=color,
                lw=1.4 if style != "-" else 1,
                linestyle=style,
            )


def _legend(ax, x: float, y: float) -> None:
    from matplotlib.patches import FancyBboxPatch

    for word, style in (("fine-tune", "-"), ("adapter", "--"), ("merge", ":"), ("quantized", "-.")):
        ax.plot([x, x + 30], [y, y], color="#5a6b8c", lw=1.4, linestyle=style)
        ax.text(x + 36, y, word, fontsize=8, va="center")
        x += 110
    ax.add_patch(
        FancyBboxPatch((x, y - 7), 110, 14, boxstyle="round,pad=1", fc=NEW_FILL, ec=NEW_EDGE)
    )
    ax.text(x + 6, y, "new this week", fontsize=8, va="center", fontweight="bold")
