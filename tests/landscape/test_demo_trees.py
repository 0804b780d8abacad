"""Issue 19 on the demo store (real collected news): the weeks a user writes about."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from abreast.cli import context as ctx
from abreast.cli.models import app
from abreast.landscape.tree import TreeSpec, family_tree_as_of
from abreast.landscape.weekly import week_families

runner = CliRunner(env={"COLUMNS": "220"})


def test_falcon_3s_week_gets_the_falcon_tree(demo_store):
    assert week_families(demo_store.conn, "2024-W51")[0] == "falcon"


def test_w51_llama_tree_shows_the_most_discussed_descendants(demo_store):
    t = family_tree_as_of(
        demo_store.conn,
        TreeSpec("llama", as_of="2024-12-22", new_from="2024-12-16", new_to="2024-12-23"),
    )
    titles = {n.title for n in t.root.walk()}
    for known in (
        "Hermes-3-Llama-3.1-8B",
        "Llama-3.1-Nemotron-70B-Instruct-HF",
        "Reflection-Llama-3.1-70B",
    ):
        assert known in titles, known
    l33 = next(n for n in t.root.walk() if n.title == "Llama-3.3-70B-Instruct")
    assert l33.subtitle.endswith("2024-12-06")  # its first news, not the repo date (2024-11-26)
    assert "as of 2024-12-22" in t.caption and "mentions" in t.caption


def test_cli_tree_defaults_to_the_week_the_other_commands_use(demo_db, abreast_home):
    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, abreast_home / "abreast.db")
    ctx.reset()
    out = abreast_home / "t.png"
    res = runner.invoke(app, ["tree", "--family", "llama", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "as of 2024-12-22" in res.output  # 2024-W51, not the stray 2025-W01
    res = runner.invoke(app, ["tree", "--family", "llama", "--as-of", "2023-12-10", "-o", "-"])
    assert (
        res.exit_code == 0
        and "Llama-2-13b-hf" in res.output
        and "Meta-Llama-3-8B" not in res.output
    )
    res = runner.invoke(app, ["tree", "--as-of", "December"])
    assert res.exit_code == 1 and "not a date" in res.output
    ctx.reset()
