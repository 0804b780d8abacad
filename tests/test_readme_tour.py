"""Every line of the README's tour works as written on the demo home (issue 14).

The tour block is parsed from README.md, so an edited tour is tested as edited. Its `abreast demo
run` line is what built the session's demo home (the `demo_run` fixture runs exactly that command);
it is checked by that fixture, not run a second time here (minutes on two cores)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from typer.testing import CliRunner

from abreast.cli import context
from abreast.cli.main import app

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner(env={"COLUMNS": "160"})


def tour_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A 10-line tour") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the README's tour has a ```sh block"
    lines = []
    for raw in block.group(1).splitlines():
        line = re.sub(r"\s+#\s.*$", "", raw).strip()  # the comment after the command
        if line:
            lines.append(line)
    return lines


def test_the_tour_is_a_handful_of_commands():
    lines = tour_lines()
    assert 8 <= len(lines) <= 14
    assert lines[0].startswith("export ABREAST_HOME=") and lines[1] == "abreast demo run"
    assert all(line.startswith("abreast ") for line in lines[1:])


def test_every_tour_line_works_on_the_demo_home(demo_run, tmp_path, monkeypatch):
    home, built = demo_run
    assert "2024-W51" in built.stdout  # `abreast demo run` ran and showed the demo week
    monkeypatch.chdir(tmp_path)
    failures = []
    for line in tour_lines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            # a copy: the tour writes a draft and files. Not the -wal/-shm files a reader in
            # another test worker holds open (they vanish when it closes; the build that wrote
            # the database has checkpointed and closed, so they hold nothing of it)
            shutil.copytree(home, tmp_path / value, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
            monkeypatch.setenv(name, str(tmp_path / value))
            context.reset()
            continue
        if line == "abreast demo run":
            continue  # the demo home above is its result (see the module docstring)
        args = shlex.split(line)[1:]
        context.reset()
        r = runner.invoke(app, args)
        if r.exit_code != 0 or r.exception is not None:
            failures.append(f"{line}: exit {r.exit_code}: {r.output[-400:]}")
            continue
        if args[0] == "why":
            raw = [w for w in r.output.split() if re.fullmatch(r"[a-z]+_[a-z_]+", w)]
            assert raw == [], f"`why` shows raw feature names: {raw}"
    context.reset()
    assert failures == [], "\n".join(failures)
    assert (tmp_path / "llama.png").stat().st_size > 1000  # the tree line wrote its picture
