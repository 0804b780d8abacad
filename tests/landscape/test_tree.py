"""Family trees as a reader sees them: legible at blog width, new models highlighted, tails
collapsed."""

from PIL import Image

from abreast.landscape.picture import render
from abreast.landscape.tree import (
    Node,
    TreeSpec,
    build_tree,
    family_tree,
    layout,
    subtitle,
    to_mermaid,
)

W51 = dict(new_from="2024-12-16", new_to="2024-12-23")


def _titles(root: Node) -> list[str]:
    return [n.title for n in root.walk()]


def test_llama_tree_draws_meta_releases_by_generation_and_collapses_the_tail(built):
    root, left_out = family_tree(built[0].conn, TreeSpec("llama", **W51))
    gens = [g.title for g in root.children]
    assert {"Llama 2", "Llama 3", "Llama 3.1", "Llama 3.2", "Llama 3.3"} <= set(gens)
    assert (
        gens.index("Llama 2") < gens.index("Llama 3.1") < gens.index("Llama 3.3")
    )  # by release date
    llama33 = next(g for g in root.children if g.title == "Llama 3.3")
    assert [c.title for c in llama33.children] == ["Llama-3.3-70B-Instruct"]
    assert "meta-llama · 71B · 2024-11-26" in llama33.children[0].subtitle
    counts = [n.title for n in root.walk() if n.kind == "count"]
    assert any("fine-tunes" in c for c in counts)
    assert left_out["not_drawn"] > 300  # hundreds of community models are summarised, not drawn
    assert sum(1 for _ in root.walk()) < 90


def test_this_weeks_official_releases_are_highlighted_but_not_every_community_upload(built):
    # 2024-W48: QwQ-32B-Preview (Qwen's own) is new; community uploads of that week that no news
    # item named are not "new this week".
    root, _ = family_tree(
        built[0].conn,
        TreeSpec("qwen", as_of="2024-12-01", new_from="2024-11-25", new_to="2024-12-02"),
    )
    new = [n for n in root.walk() if n.new]
    assert [n.title for n in new] == ["QwQ-32B-Preview"]
    assert all("2024-11-25" <= n.subtitle[-10:] < "2024-12-02" for n in new)


def test_since_keeps_only_recent_models_and_their_chain(built):
    root, left = family_tree(built[0].conn, TreeSpec("qwen", since="2024-11-25", **W51))
    titles = _titles(root)
    assert "QwQ-32B-Preview" in titles and "Qwen2.5-32B" in titles  # its base, for context
    assert "Qwen2-7B" not in titles
    assert left["before_since"] > 100


def test_png_at_blog_width_has_no_overlapping_labels(built, tmp_path):
    root, _ = family_tree(built[0].conn, TreeSpec("llama", **W51))
    info = render(root, tmp_path / "llama.png", title="The Llama family")
    assert info["overlaps"] == 0
    with Image.open(tmp_path / "llama.png") as im:
        assert im.size[0] == 1200 and 600 < im.size[1] < 3000
    render(root, tmp_path / "llama.svg")
    svg = (tmp_path / "llama.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg


def test_a_parent_sits_between_its_children_and_rows_do_not_collide():
    leaf = [Node(f"m/{i}", f"m{i}") for i in range(5)]
    root = Node(
        "family:x",
        "X",
        kind="family",
        children=[Node("a", "a", children=leaf[:3]), Node("b", "b", children=leaf[3:])],
    )
    placed = {p.node.key: p for p in layout(root)}
    assert placed["a"].row == 1.0 and placed["b"].row == 3.5
    by_col: dict[int, list[float]] = {}
    for p in placed.values():
        by_col.setdefault(p.depth, []).append(p.row)
    for rows in by_col.values():
        rows.sort()
        assert all(b - a >= 1 for a, b in zip(rows, rows[1:], strict=False))


def test_mermaid_text_has_edges_relations_and_highlight():
    models = {
        "qwen/base": {
            "name": "Qwen2.5-32B",
            "org": "Qwen",
            "params_b": 32.8,
            "released": "2024-09-15",
        },
        "qwen/qwq": {
            "name": "QwQ-32B-Preview",
            "org": "Qwen",
            "params_b": 32.8,
            "released": "2024-11-27",
        },
        "x/qwq-gguf": {"name": "QwQ-32B-Preview-GGUF", "org": "x", "released": "2024-11-28"},
    }
    edges = [("qwen/qwq", "qwen/base", "finetune"), ("x/qwq-gguf", "qwen/qwq", "quantized")]
    root, _ = build_tree(
        models, edges, TreeSpec("qwen", new_from="2024-11-25", new_to="2024-12-02")
    )
    text = to_mermaid(root)
    assert text.startswith("flowchart LR")
    assert "QwQ-32B-Preview<br/><small>Qwen · 33B · 2024-11-27</small>" in text
    assert "+1 quantized" in text  # quantized copies fold into a count under their origin
    assert "class " in text and "classDef new" in text


def test_a_month_only_release_date_is_shown_as_approximate():
    # the curated open-LLM list gives Falcon 180B "2023-05": a month, not a day
    label = subtitle({"org": "tiiuae", "params_b": 180.0, "released": "2023-05"})
    assert label.endswith("~2023-05")
    assert subtitle({"org": "tiiuae", "released": "2023-09-06"}).endswith(" 2023-09-06")
