"""`abreast models ...` and `abreast model ID` as a user meets them (sub-app run directly)."""

import shutil

import click
import pytest
import typer
from typer.testing import CliRunner

from abreast.cli import context as ctx
from abreast.cli.models import app, model_show

runner = CliRunner(env={"COLUMNS": "220"})
show_app = typer.Typer()
show_app.command("model")(model_show)
show_app.command("noop", help="(second command so `model` stays a sub-command)")(lambda: None)


@pytest.fixture(scope="module")
def built_db(tmp_path_factory):
    """`models build` once per module, into a home of its own; each test gets a copy of that
    database."""
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("ABREAST_HOME", str(home))
    ctx.reset()
    res = runner.invoke(app, ["build"])
    ctx.reset()  # closes the store, so the file is complete on its own
    mp.undo()
    assert res.exit_code == 0, res.output
    return home / "abreast.db", res.output


@pytest.fixture()
def registry(built_db, abreast_home):
    abreast_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(built_db[0], abreast_home / "abreast.db")
    ctx.reset()
    return built_db[1]


def test_build_reports_what_it_made(registry):
    assert "models" in registry and "Largest families: llama" in registry


def test_list_family_shows_qwq_with_its_base(registry):
    res = runner.invoke(app, ["list", "--family", "qwen", "--limit", "0"])
    assert res.exit_code == 0
    line = next(ln for ln in res.output.splitlines() if "qwen/qwq-32b-preview " in ln)
    assert "qwen/qwen2.5-32b (finetune)" in line and "2024-11-27" in line and "33B" in line


def test_list_new_this_week_by_org_and_license(registry):
    res = runner.invoke(app, ["list", "--new-this-week", "--week", "2024-W50", "--org", "tiiuae"])
    assert res.exit_code == 0
    assert "new in 2024-W50" in res.output and "tiiuae/falcon3-10b-instruct" in res.output
    assert "tiiuae/falcon3-7b-base" not in res.output  # uploaded 2024-11-21, another week
    res = runner.invoke(app, ["list", "--license", "llama3.3"])
    assert "meta-llama/llama-3.3-70b-instruct" in res.output and "qwen/" not in res.output


def test_model_show_gives_every_fact_with_its_source(registry):
    res = runner.invoke(show_app, ["model", "QwQ-32B-Preview"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "qwen/qwq-32b-preview" in out and "family qwen" in out
    row = next(ln for ln in out.splitlines() if "│ license" in ln and "lmarena" in ln)
    assert "Apache 2.0" in row
    assert "qwen/qwen2.5-32b" in out and "open-llm-leaderboard-v2" in out and "1152.0" in out


def test_model_show_by_old_repo_name(registry):
    res = runner.invoke(show_app, ["model", "meta-llama/Meta-Llama-3.1-8B"])
    assert res.exit_code == 0 and "(meta-llama/llama-3.1-8b)" in res.output


def test_unknown_model_is_one_line_error(registry):
    res = runner.invoke(show_app, ["model", "no-such-model-xyz"])
    assert res.exit_code == 1
    assert res.output.strip().count("\n") == 0 and res.output.startswith("Error: no model")


def test_tree_writes_svg_png_and_mermaid(registry, tmp_path):
    for name in ("llama.svg", "llama.png", "llama.mmd"):
        res = runner.invoke(
            app, ["tree", "--family", "llama", "--week", "2024-W51", "--out", str(tmp_path / name)]
        )
        assert res.exit_code == 0, res.output
        assert (tmp_path / name).stat().st_size > 1000
    assert "Llama-3.3-70B-Instruct" in (tmp_path / "llama.svg").read_text()
    assert (tmp_path / "llama.mmd").read_text().startswith("flowchart LR")
    res = runner.invoke(
        app, ["tree", "--family", "qwen", "--since", "2024-12-01", "--week", "2024-W51", "-o", "-"]
    )
    assert res.exit_code == 0 and res.output.startswith("flowchart LR")
    assert "%% As of " in res.output and "Drawn: Alibaba's own releases" in res.output


def test_tree_errors_are_one_line(registry, tmp_path):
    res = runner.invoke(app, ["tree", "--family", "nosuchfamily", "--out", str(tmp_path / "x.svg")])
    assert res.exit_code == 1 and res.output.startswith("Error: no models in family 'nosuchfamily'")
    res = runner.invoke(app, ["tree", "--out", str(tmp_path / "x.gif")])
    assert res.exit_code == 1 and "use a .svg, .png or .mmd" in res.output


def test_week_section_markdown(registry):
    res = runner.invoke(app, ["week", "2024-W51"])
    assert (
        res.exit_code == 0 and "new: **Gemini-2.0-Flash-Thinking-Exp-1219** at rank 1" in res.output
    )


def test_every_command_and_option_has_help():
    cmd = typer.main.get_command(app)
    commands = list(cmd.commands.values()) + [typer.main.get_command(show_app).commands["model"]]
    for c in commands:
        assert (c.help or "").strip(), c.name
        for p in c.params:
            if isinstance(p, click.Option):
                assert (p.help or "").strip(), (c.name, p.name)
            if isinstance(p, click.Argument):
                assert getattr(p, "help", None), (c.name, p.name)


def test_tree_without_out_writes_a_picture_and_says_where(registry, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["tree", "--family", "llama", "--week", "2024-W51"])
    assert res.exit_code == 0, res.output
    written = tmp_path / "llama-tree-2024-12-22.svg"
    assert written.is_file() and "<svg" in written.read_text()[:2000]
    assert "Wrote llama-tree-2024-12-22.svg" in res.output and "flowchart" not in res.output
