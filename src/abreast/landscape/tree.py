"""Family trees: which models of a family are drawn (pure), a left-to-right layered layout (pure),
and Mermaid text; the picture itself is drawn by picture.py.

Readability rules (blog width, 1200 px): one row per drawn leaf, one column per depth, labels sit
right of their node inside their column and columns are as wide as their widest label, so labels
cannot overlap; long tails of fine-tunes, merges and quantized copies become one "+N ..." node.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from ..errors import AbreastError
from ..store import landscape as sql
from ..types import RegistryModel
from .lineage import FAMILY_TITLES, ORG_FAMILY, generation

HOME_ORG = {fam: org for org, fam in ORG_FAMILY.items()}
RELATION_WORDS = {
    "finetune": "fine-tune",
    "adapter": "adapter",
    "merge": "merge",
    "quantized": "quantized",
    "copy": "re-upload",
    "architecture": "same design, trained anew",
    "unknown": "derived",
}
# The makers by the names a reader knows (the Hugging Face owner is "tiiuae", the maker TII).
MAKERS = {
    "meta-llama": "Meta",
    "qwen": "Alibaba",
    "mistralai": "Mistral AI",
    "tiiuae": "TII",
    "google": "Google",
    "microsoft": "Microsoft",
    "deepseek-ai": "DeepSeek",
    "01-ai": "01.AI",
    "ibm-granite": "IBM",
}
# Generation names as a newcomer knows them ("LLaMA" is Llama 1).
GENERATION_TITLES = {("llama", "Llama"): "Llama 1 (LLaMA)"}
OTHER = "other"


@dataclass
class Node:
    key: str
    title: str
    subtitle: str = ""
    kind: str = "model"  # family | generation | model | count
    new: bool = False
    relation: str | None = None  # how this node was made from its parent
    uncertain: bool = False  # the edge to its parent is only inferred from the name
    children: list[Node] = field(default_factory=list)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class TreeSpec:
    family: str
    since: str | None = None  # only models released on/after this date (plus their ancestors)
    as_of: str | None = None  # drawn as of this date (inclusive): nothing released later appears
    new_from: str | None = None  # highlight window [new_from, new_to)
    new_to: str | None = None
    max_depth: int = 3  # community model levels drawn below a generation
    max_rows: int = 48  # about 1,700 px tall at blog width


def size_label(params_b: float | None) -> str:
    if not params_b:
        return ""
    return f"{params_b:.0f}B" if params_b >= 10 else f"{params_b:.1f}B".replace(".0B", "B")


def subtitle(row: Mapping) -> str:
    when = (row.get("released") or "")[:10]
    if len(when) == 7:  # a list gave the month only ("2023-05"): say it is approximate
        when = f"~{when}"
    if not when and row.get("known_by"):
        when = f"by {row['known_by'][:10]}"
    parts = [row.get("org") or "", size_label(row.get("params_b")), when]
    return " · ".join(p for p in parts if p)


def count_label(hidden: Mapping[str, int]) -> str:
    words = dict(RELATION_WORDS, architecture="model")

    def word(rel: str, n: int) -> str:
        w = words.get(rel, rel)
        return w + "s" if n > 1 and w not in ("quantized", "derived") else w

    parts = [
        f"{n} {word(rel, n)}" for rel, n in sorted(hidden.items(), key=lambda x: (-x[1], x[0])) if n
    ]
    return "+" + ", ".join(parts)


def attention(
    models: Mapping[str, Mapping],
    mentions: Mapping[str, tuple[float, float]],
    official: set[str],
    as_of: str | None = None,
) -> dict[str, float]:
    """What a newcomer has met, as one number per model: news mentions (and their points) up to the
    tree's date weigh most, then Hugging Face likes, a leaderboard entry, a place in the curated
    lineage table and an official provider. Logs keep one viral post from outweighing steady
    coverage.
    Likes accumulate for years, so the score fades with age at ``as_of`` (halved after a year): in
    December 2024 a newcomer meets Hermes 3 before a 2023 Llama 2 fine-tune with more likes."""
    out = {}
    today = date.fromisoformat(as_of[:10]) if as_of else None
    for mid, row in models.items():
        n, pts = mentions.get(mid, (0, 0.0))
        born = (row.get("released") or row.get("known_by") or "")[:10]
        fade = 1.0
        if today and len(born) == 10:
            fade = 1.0 / (1.0 + max(0, (today - date.fromisoformat(born)).days) / 365.0)
        out[mid] = fade * (
            (10.0 if mid in official else 0.0)
            + 12.0 * n
            + 4.0 * math.log1p(pts)
            + 7.0 * math.log1p(float(row.get("hearts") or 0))
            + (10.0 if row.get("on_board") else 0.0)
            + (30.0 if row.get("line") else 0.0)
        )
    return out


def effective_dates(models: Mapping[str, Mapping], edges: list[tuple]) -> dict[str, str | None]:
    """When each model existed by: its public release, else the earliest listing that names it, else
    (a base only named in metadata) the earliest date of a model built on it."""
    out = {m: (r.get("released") or r.get("known_by") or None) for m, r in models.items()}
    for _ in range(3):  # a few levels of undated bases are enough in practice
        for child, base, *_ in edges:
            if base in out and not out[base] and out.get(child):
                out[base] = out[child]
    return out


def build_tree(
    models: Mapping[str, Mapping],
    edges: list[tuple],
    spec: TreeSpec,
    rank: Mapping[str, float] | None = None,
    generations: Mapping[str, Mapping] | None = None,
) -> tuple[Node, dict[str, int]]:
    """The tree for ``spec``: the family's own releases (and this week's news) always, then
    community
    models in order of attention, as many as fit ``spec.max_rows`` rows (found by bisection), each
    drawn with the chain it came from; everything else becomes "+N ..." counts. When even the
    releases overflow, the oldest release lines are folded into one count each."""
    lo, hi = 0, spec.max_rows
    root, left_out = _build_tree(models, edges, spec, rank, generations, 0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        r, lout = _build_tree(models, edges, spec, rank, generations, mid)
        if _leaves(r) <= spec.max_rows:
            lo, root, left_out = mid, r, lout
        else:
            hi = mid - 1
    for gen in root.children[:-1]:  # oldest first; the newest line always stays
        if _leaves(root) <= spec.max_rows:
            break
        hidden = sum(1 for n in gen.walk() if n.kind == "model")
        gen.children = [Node(f"{gen.key}#folded", f"{hidden} models, folded", kind="count")]
    return root, left_out


def _leaves(root: Node) -> int:
    return sum(1 for n in root.walk() if not n.children)


# How a community model may be drawn one by one; merges, quantized copies and re-uploads are
# counted.
DRAWN_RELATIONS = {"finetune", "adapter", "unknown", "architecture", None}


def _build_tree(
    models: Mapping[str, Mapping],
    edges: list[tuple],
    spec: TreeSpec,
    rank: Mapping[str, float] | None,
    generations: Mapping[str, Mapping] | None,
    community: int,
) -> tuple[Node, dict[str, int]]:
    """Pure. models: id -> row (name, org, params_b, released, known_by, line, official); edges:
    (child, base, relation[, source]) within the family, source "name-inference" marking an
    uncertain
    edge; rank: attention per model (see attention()); generations: release-line rows from a curated
    source ("Llama 2", Meta AI, 2023-07-18) that label the generation nodes; community: how many
    community models to draw, best attention first. Returns the tree and what was left out:
    {"not_drawn", "before_since", "after_as_of"}."""
    rank = dict(rank or {})
    edges = _fold_copies(edges)
    when = effective_dates(models, edges)
    in_time = {m for m in models if not spec.as_of or (when[m] and when[m][:10] <= spec.as_of)}
    gen_rows = {
        generation(r.get("name") or "", spec.family): r
        for r in (generations or {}).values()
        if not spec.as_of or (r.get("released") or "9")[:10] <= spec.as_of
    }
    kids: dict[str, list[tuple[str, str]]] = defaultdict(list)
    parent: dict[str, tuple[str, str]] = {}
    uncertain = set()
    for child, base, rel, *src in edges:
        if child in in_time and base in in_time and child != base and child not in parent:
            kids[base].append((child, rel))
            parent[child] = (base, rel)
            if src and src[0] in ("name-inference", "name-refined"):
                uncertain.add(child)
    subtree = _subtree_sizes({m: models[m] for m in in_time}, kids)
    home = HOME_ORG.get(spec.family)

    def is_home(mid: str) -> bool:
        return bool(home and mid.split("/")[0] == home)

    def is_new(mid: str) -> bool:
        # New this week: made public in the week by its first news, or an official release dated in
        # it; a community upload nobody wrote about is not news.
        d = (models[mid].get("released") or "")[:10]
        in_week = bool(spec.new_from and d and spec.new_from <= d < (spec.new_to or "9999"))
        return in_week and (
            is_home(mid) or bool(models[mid].get("official")) or bool(models[mid].get("first_seen"))
        )

    in_range = {m for m in in_time if not spec.since or (when[m] or "") >= spec.since}
    keep = {m for m in in_range if is_home(m) or is_new(m)}
    # Asked once per candidate drawn: the bases are indexed once, not per question.
    up = _bases(edges)
    must = _with_ancestors(keep, up) & in_time  # a kept model is drawn with the chain it came from

    def depth(m: str) -> int:
        d, seen = 1, {m}
        while m in parent and parent[m][0] not in seen:
            m = parent[m][0]
            seen.add(m)
            d += 1
        return d

    def drawable(m: str) -> bool:
        return parent.get(m, (None, None))[1] in DRAWN_RELATIONS and depth(m) <= spec.max_depth + 1

    candidates = sorted(
        (m for m in in_range if m not in must and drawable(m) and rank.get(m, 0.0) > 0),
        key=lambda m: (-rank.get(m, 0.0), m),
    )
    chosen = set(must)
    for m in candidates[:community]:
        chosen |= {a for a in _with_ancestors({m}, up) if a in in_time}

    def model_node(mid: str, rel: str | None) -> Node:
        row = models[mid]
        node = Node(
            mid,
            row.get("name") or mid,
            subtitle(row),
            "model",
            is_new(mid),
            rel,
            uncertain=mid in uncertain,
        )
        children = [(c, r) for c, r in kids.get(mid, []) if c in in_range or c in must]
        drawn = [c for c, _ in children if c in chosen]
        hidden = _hidden_counts([(c, r) for c, r in children if c not in chosen], subtree)
        order = sorted(drawn, key=lambda c: ((when[c] or ""), c))
        rel_of = dict(children)
        node.children = [model_node(c, rel_of[c]) for c in order]
        if hidden:
            node.children.append(Node(f"{mid}#more", count_label(hidden), kind="count"))
        return node

    roots = [m for m in in_range | must if m not in parent]
    groups: dict[str, list[str]] = defaultdict(list)
    for m in roots:
        groups[_line_of(models[m], m, spec.family, is_home(m))].append(m)
    fam_title = FAMILY_TITLES.get(spec.family, spec.family.title())
    root = Node(f"family:{spec.family}", f"{fam_title} family", kind="family")
    for gen, members in sorted(
        groups.items(),
        key=lambda g: (g[0] == OTHER, min(when[m] or "9" for m in g[1]), g[0]),
    ):
        shown = [m for m in members if m in chosen]
        rest = [m for m in members if m not in chosen]
        if not shown:
            continue
        title = GENERATION_TITLES.get((spec.family, gen), gen)
        if gen == OTHER:
            title = "Other (base not stated)"
        gnode = Node(
            f"gen:{gen}", title, subtitle(gen_rows[gen]) if gen in gen_rows else "", "generation"
        )
        ordered = sorted(shown, key=lambda m: ((when[m] or ""), m))
        gnode.children = [model_node(m, models[m].get("line_relation")) for m in ordered]
        if rest:
            gnode.children.append(
                Node(
                    f"gen:{gen}#more",
                    f"+{sum(subtree.get(m, 1) for m in rest)} other models",
                    kind="count",
                )
            )
        root.children.append(gnode)
    drawn_ids = {n.key for n in root.walk()}
    left_out = {
        "not_drawn": sum(1 for m in in_range if m not in drawn_ids),
        "before_since": len(in_time) - len(in_range),
        "after_as_of": len(models) - len(in_time),
    }
    return root, left_out


def _fold_copies(edges: list[tuple]) -> list[tuple]:
    """Re-uploads fold into their original: what was built on a copy (Hermes 2 Pro on
    NousResearch/Meta-Llama-3-8B) is drawn under the original (Meta-Llama-3-8B)."""
    origin = {e[0]: e[1] for e in edges if e[2] == "copy"}

    def orig(m: str) -> str:
        seen = set()
        while m in origin and m not in seen:
            seen.add(m)
            m = origin[m]
        return m

    return [(e[0], orig(e[1]) if e[2] != "copy" else e[1], *e[2:]) for e in edges]


def _line_of(row: Mapping, mid: str, family: str, official: bool) -> str:
    """The generation a root is drawn under: the curated line, else the version its name states; a
    community model whose name states no version goes to "other" (its base is not known)."""
    if row.get("line"):
        return row["line"]
    gen = generation(row.get("name") or mid, family) or OTHER
    if not official and gen == FAMILY_TITLES.get(family, family):
        return OTHER
    return gen


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


def _bases(edges: list[tuple]) -> dict[str, list[str]]:
    """Each model's bases, by the model's id."""
    up: dict[str, list[str]] = defaultdict(list)
    for child, base, *_ in edges:
        up[child].append(base)
    return up


def _with_ancestors(ids: set[str], up: Mapping[str, list[str]]) -> set[str]:
    out, stack = set(), list(ids)
    while stack:
        m = stack.pop()
        if m not in out:
            out.add(m)
            stack.extend(up.get(m, []))
    return out


@dataclass
class FamilyTree:
    root: Node
    left_out: dict[str, int]
    caption: str  # how the drawn models were chosen, for the picture's note and the post's caption
    # What a newcomer has met, per model id (see attention): lists order the family by it too.
    attention: dict[str, float] = field(default_factory=dict)


def family_tree(conn: sqlite3.Connection, spec: TreeSpec) -> tuple[Node, dict[str, int]]:
    t = family_tree_as_of(conn, spec)
    return t.root, t.left_out


def family_tree_as_of(conn: sqlite3.Connection, spec: TreeSpec) -> FamilyTree:
    """The family's tree as of ``spec.as_of`` with its caption (see build_tree and attention)."""
    rows = sql.list_models(conn, family=spec.family)
    if not rows:
        raise AbreastError(
            f"no models in family {spec.family!r}. `abreast models build` fills the registry; "
            "`abreast models list` shows the families."
        )
    lines = sql.facts_by_field(conn, "generation_of")
    seen = sql.first_news_dates(conn)
    extra = {
        f: sql.facts_by_field(conn, f)
        for f in ("hearts", "official", "known_by", "line", "line_relation")
    }
    on_board = sql.scored_ids_upto(conn, spec.as_of)
    models = {
        r.id: dict(
            _flat(r),
            first_seen=seen.get(r.id),
            on_board=r.id in on_board,
            **{f: v.get(r.id) for f, v in extra.items()},
        )
        for r in rows
        if r.id not in lines
    }
    generations = {r.id: _flat(r) for r in rows if r.id in lines}
    edges = [
        (b.model_id, b.base_id, b.relation, b.source)
        for b in sql.all_bases(conn)
        if b.model_id in models
    ]
    # An item naming ten models ("the week's Korean fine-tunes") gives each a tenth of its
    # attention.
    mentions: dict[str, tuple[float, float]] = {}
    for mid, _key, _day, pts, named in sql.mentions(conn, upto=spec.as_of):
        if mid in models:
            n, p = mentions.get(mid, (0.0, 0.0))
            mentions[mid] = (n + 1.0 / named, p + pts / named)
    official = {m for m in models if models[m].get("official")}
    rank = attention(models, mentions, official, spec.as_of)
    root, left_out = build_tree(models, edges, spec, rank, generations)
    return FamilyTree(root, left_out, caption(spec, left_out, mentions, models), rank)


def _flat(row: RegistryModel) -> dict[str, object]:
    """A registry row as a dict: what ``asdict`` gives for its plain fields, without its deep copy
    of every value (a tenth of a second over a large family)."""
    return {f.name: getattr(row, f.name) for f in fields(row)}


def caption(
    spec: TreeSpec,
    left_out: Mapping[str, int],
    mentions: Mapping[str, tuple[float, float]],
    models: Mapping[str, Mapping],
) -> str:
    """Says how the picture was made, so a reader can judge it: the date, the selection, the
    sources.
    """
    fam = FAMILY_TITLES.get(spec.family, spec.family.title())
    home = HOME_ORG.get(spec.family)
    maker = f"{MAKERS.get(home, home)}'s own releases" if home else "official releases"
    news = round(sum(n for m, (n, _) in mentions.items() if m in models))
    parts = [
        f"{fam} models as of {spec.as_of}: nothing released later is drawn."
        if spec.as_of
        else f"All {fam} models in the registry.",
        f"Drawn: {maker}, then the descendants a newcomer has most likely met: named in your "
        f"collected news ({news} mention{'' if news == 1 else 's'}"
        f"{' to ' + spec.as_of if spec.as_of else ''}), liked on "
        "Hugging Face, ranked on a leaderboard, or in the curated lineage table.",
    ]
    if left_out.get("not_drawn"):
        parts.append(f"{left_out['not_drawn']} other {fam} models are folded into the counts.")
    parts.append(
        "Lineage: the curated table (cited), Hugging Face base_model metadata and card text, "
        "leaderboard metadata; dotted lines are inferred from the name only."
    )
    return " ".join(parts)


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
            arrow = (
                "-.->"
                if n.kind in ("family", "generation") or c.kind == "count" or c.uncertain
                else "-->"
            )
            word = (
                RELATION_WORDS.get(c.relation or "")
                if c.relation and c.relation != "finetune"
                else ""
            )
            if c.uncertain:
                word = "inferred from the name" + (f": {word}" if word else "")
            lines.append(f"    {ids[n.key]} {arrow}{'|' + word + '|' if word else ''} {ids[c.key]}")
    new = [ids[n.key] for n in root.walk() if n.new]
    lines.append("    classDef new fill:#ffe8c2,stroke:#e07b00,stroke-width:2px")
    if new:
        lines.append(f"    class {','.join(new)} new")
    return "\n".join(lines) + "\n"
