"""The CLI as a user meets it: help everywhere, docs that match, one-line errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from abreast.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _commands():
    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_cli_docs import command_paths

    return list(command_paths(typer.main.get_command(app)))


def test_every_command_has_help_text_and_every_option_too():
    for path, cmd in _commands():
        assert (cmd.help or "").strip(), f"`abreast {' '.join(path)}` has no help text"
        for p in cmd.params:
            if p.param_type_name == "option" and p.name != "help":
                assert (p.help or "").strip(), (
                    f"option {p.opts} of `abreast {' '.join(path)}` has no help"
                )
        res = runner.invoke(app, [*path, "--help"])
        assert res.exit_code == 0, res.output


def test_docs_cli_md_is_generated_from_the_current_help():
    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_cli_docs import render

    doc = (ROOT / "docs" / "cli.md").read_text()
    for path, _ in _commands():
        assert f"## abreast {' '.join(path)}\n" in doc, (
            f"docs/cli.md lacks `abreast {' '.join(path)}`: run make docs"
        )
    assert doc.strip() == render().strip(), "docs/cli.md is stale: run `make docs`"


def _run(*args, env=None):
    e = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "abreast", *args], capture_output=True, text=True, env=e, timeout=60
    )


def _one_line_error(res):
    assert res.returncode != 0
    assert "Traceback" not in res.stderr + res.stdout
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


def test_no_arguments_is_one_clear_line_and_exit_2():
    res = _run()
    assert res.returncode == 2
    assert "abreast --help" in _one_line_error(res)


def test_version():
    res = _run("--version")
    assert res.returncode == 0 and res.stdout.startswith("abreast ")


def test_missing_config_file_is_one_clear_line(tmp_path):
    res = _run("db", "info", env={"ABREAST_CONFIG": str(tmp_path / "nope.toml")})
    assert res.returncode == 1
    assert "does not exist" in _one_line_error(res)


def test_invalid_config_file_is_one_clear_line(abreast_home):
    abreast_home.mkdir(parents=True)
    (abreast_home / "abreast.toml").write_text("[fetch\nbroken")
    assert "not valid TOML" in _one_line_error(_run("db", "info"))


def test_unwritable_home_is_one_clear_line(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        res = _run("db", "info", env={"ABREAST_HOME": str(ro / "home")})
        if os.geteuid() == 0:  # root ignores file modes; use a path under a regular file instead
            (tmp_path / "file").write_text("x")
            res = _run("db", "info", env={"ABREAST_HOME": str(tmp_path / "file" / "home")})
        assert "not writable" in _one_line_error(res)
    finally:
        ro.chmod(0o700)


def test_corrupt_database_is_one_clear_line(abreast_home):
    abreast_home.mkdir(parents=True)
    (abreast_home / "abreast.db").write_bytes(b"this is not sqlite at all" * 100)
    assert "not a readable SQLite database" in _one_line_error(_run("db", "info"))


def test_bad_usage_exits_2():
    res = runner.invoke(app, ["fetch", "--since", "yesterday-ish"])
    assert res.exit_code == 2


def test_init_writes_a_commented_config_and_env_overrides_it(abreast_home):
    res = runner.invoke(app, ["init"])
    assert res.exit_code == 0, res.output
    text = (abreast_home / "abreast.toml").read_text()
    assert "[fetch]" in text and "# " in text
    from abreast import config

    s = config.load(
        environ={"ABREAST_FETCH_ALLOW_PRIVATE": "127.0.0.1,::1", "ABREAST_FETCH_MAX_REDIRECTS": "2"}
    )
    assert s.fetch.allow_private == ["127.0.0.1", "::1"]
    assert s.fetch.max_redirects == 2


def test_db_backup_command(abreast_home, tmp_path):
    assert runner.invoke(app, ["db", "backup", str(tmp_path / "b.db")]).exit_code == 0
    assert (tmp_path / "b.db").stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["week", "-n", "-1"], "Invalid value for '--limit' / '-n'"),
        (["models", "list", "--limit", "-3"], "Invalid value for '--limit' / '-n'"),
        (["serve", "--port", str(10**30)], "Invalid value for '--port' / '-p'"),
        (["serve", "--port", "0"], "Invalid value for '--port' / '-p'"),
        (["demo", "serve", "--port", "70000"], "Invalid value for '--port' / '-p'"),
        (["models", "tree", "qwen", "--width", "-5"], "Invalid value for '--width'"),
        (["sources", "add"], "Missing argument"),
        (["fetch", "--since", "yesterday-ish"], "is not a date like 2024-12-18"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(args, expected):
    """Negative limits used to act as Python slices; a huge port gave an OverflowError traceback."""
    res = _run(*args)
    assert res.returncode == 2
    line = _one_line_error(res)
    command = args[: 2 if args[0] in ("models", "demo", "sources") else 1]
    assert expected in line and f"`abreast {' '.join(command)} --help`" in line


def test_a_very_long_model_id_is_one_line():
    """60,000 characters used to end in SQLite's "LIKE or GLOB pattern too complex" traceback."""
    res = _run("model", "x" * 60_000)
    assert res.returncode == 1
    line = _one_line_error(res)
    assert "at most 200 characters" in line and len(line) < 200


def test_explain_known_marks_a_term_and_not_known_takes_it_back(abreast_home):
    import sqlite3

    res = runner.invoke(app, ["explain", "LLM", "--known"])
    assert res.exit_code == 0, res.output
    assert "known" in res.output
    db = next(abreast_home.rglob("abreast.db"))
    rows = sqlite3.connect(db).execute("SELECT term_id FROM known_terms").fetchall()
    assert rows == [("llm",)]
    res = runner.invoke(app, ["explain", "LLM", "--not-known"])
    assert res.exit_code == 0 and "no longer" in res.output
    assert sqlite3.connect(db).execute("SELECT count(*) FROM known_terms").fetchone() == (0,)
