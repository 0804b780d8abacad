"""Settings as a user meets them: one commented default file, typed values, one-line errors."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
from typer.testing import CliRunner

from abreast import config
from abreast.cli.main import app
from abreast.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _write(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "abreast.toml").write_text(text)


def _error(home: Path, text: str, environ: dict | None = None) -> str:
    _write(home, text)
    with pytest.raises(ConfigError) as e:
        config.load(home, environ=environ or {})
    message = str(e.value)
    assert "\n" not in message
    return message


def test_the_default_file_is_every_setting_at_its_default_with_one_line_of_help():
    text = config.DEFAULT_TOML
    uncommented = re.sub(r"(?m)^# (\w+ = )", r"\1", text)
    parsed = tomllib.loads(uncommented)
    defaults = config.Settings(paths=config.Paths(Path(".")))
    assert list(parsed) == list(config.SECTIONS)
    for name, cls in config.SECTIONS.items():
        assert parsed[name] == {
            f.name: getattr(getattr(defaults, name), f.name) for f in fields(cls)
        }
        for f in fields(cls):
            line = f"# {f.name} = "
            before = text.split(line)[0].rstrip("\n").rsplit("\n", 1)[-1]
            assert before.startswith("# ") and len(before) > 10, f"{name}.{f.name} has no help line"
    assert "# politeness = true" in text  # the hand-written file had forgotten it


def test_init_writes_the_default_file_and_it_loads_to_the_defaults(abreast_home):
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert (abreast_home / "abreast.toml").read_text() == config.DEFAULT_TOML
    s = config.load(abreast_home, environ={})
    assert s.fetch == config.FetchSettings() and s.web.port == 8421


def test_cluster_defaults_come_from_the_stories_settings():
    from abreast.stories.build import cluster_params
    from abreast.stories.cluster import ClusterParams

    d = config.StoriesSettings()
    assert (ClusterParams().threshold, ClusterParams().title_weight) == (
        d.threshold,
        d.title_weight,
    )
    tuned = config.load(overrides={"stories": {"threshold": 0.8}})
    assert (
        cluster_params(tuned).threshold == 0.8
        and cluster_params(tuned).model_boost == d.model_boost
    )


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[fetch]\nhost_dealy = 2", "unknown key [fetch] host_dealy; did you mean host_delay?"),
        ("[fech]\nhost_delay = 2", "unknown section [fech]; did you mean [fetch]?"),
        ("[web]\nprot = 9000", "unknown key [web] prot; did you mean port?"),
        ("[web]\nzzz = 1", "unknown key [web] zzz; known: host, port."),
        (
            "[understand.themes.evals]\nlabel = 'Evals'\nkeywrds = ['eval']",
            "unknown key 'keywrds'; did you mean keywords?",
        ),
    ],
)
def test_an_unknown_key_names_it_and_the_closest_valid_one(abreast_home, toml, expected):
    assert expected in _error(abreast_home, toml)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[web]\nport = "abc"',
            '[web] port = "abc" is not allowed: expected a whole number from 1 to 65535',
        ),
        (
            "[web]\nport = 70000",
            "[web] port = 70000 is not allowed: expected a whole number from 1",
        ),
        ("[web]\nport = 0", "[web] port = 0 is not allowed"),
        (
            '[fetch]\nhost_delay = "abc"',
            '[fetch] host_delay = "abc" is not allowed: expected a number of at least 0',
        ),
        ("[explain]\nmodel = 5", "[explain] model = 5 is not allowed: expected a string"),
        (
            "[fetch]\nmax_bytes = -1",
            "[fetch] max_bytes = -1 is not allowed: expected a whole number of at least 1",
        ),
        (
            "[fetch]\nread_timeout = 0",
            "[fetch] read_timeout = 0 is not allowed: expected a number greater than 0",
        ),
        ("[fetch]\ndeadline = nan", "[fetch] deadline = nan is not allowed"),
        (
            "[fetch]\nmax_redirects = 1.5",
            "[fetch] max_redirects = 1.5 is not allowed: expected a whole number",
        ),
        (
            '[fetch]\npoliteness = "no"',
            '[fetch] politeness = "no" is not allowed: expected true or false',
        ),
        ("[fetch]\npause_after_errors = true", "[fetch] pause_after_errors = true is not allowed"),
        ('[fetch]\nallow_private = ["localhost"]', "'localhost' is not an IP address or network"),
        ('[fetch]\nallow_private = "127.0.0.1"', "expected a list of strings"),
        (
            '[fetch]\nuser_agent = "a\\nb"',
            '[fetch] user_agent = "a\\nb" is not allowed: control characters',
        ),
        (
            '[write]\nformat = "docx"',
            '[write] format = "docx" is not allowed: expected one of "hugo", "jekyll", "plain"',
        ),
        ("[understand]\nrelevance_threshold = 2", "expected a number from 0 to 1"),
        (
            '[understand]\nsource_trust = { hn = "high" }',
            "expected a table of names to numbers, each number from 0 to 1",
        ),
        ("[understand]\ntopics = 'robots'", '[understand] topics = "robots" is not allowed'),
        ("[understand]\nthemes = { evals = 3 }", "[understand] themes = "),
        (
            "[stories]\nthreshold = 7",
            "[stories] threshold = 7 is not allowed: expected a number from 0 to 1",
        ),
        ("fetch = 3", "[fetch] must be a table of settings"),
    ],
)
def test_a_wrong_value_is_one_line_naming_key_value_and_what_is_allowed(
    abreast_home, toml, expected
):
    message = _error(abreast_home, toml)
    assert expected in message and str(abreast_home / "abreast.toml") in message


def test_a_huge_value_is_shown_cut_short(abreast_home):
    message = _error(abreast_home, f"[explain]\nmodel = [{', '.join(['1'] * 5000)}]")
    assert len(message) < 300


def test_environment_overrides_are_typed_and_checked():
    s = config.load(
        environ={
            "ABREAST_FETCH_HOST_DELAY": "0",
            "ABREAST_FETCH_POLITENESS": "false",
            "ABREAST_FETCH_ALLOW_PRIVATE": "127.0.0.1, ::1",
            "ABREAST_WEB_PORT": "9000",
            "ABREAST_UNDERSTAND_SOURCE_TRUST": '{"hn": 0.3}',
            "ABREAST_WEB_TOKEN": "not a setting, the serve token",
        }
    )
    assert s.fetch.host_delay == 0.0 and isinstance(s.fetch.host_delay, float)
    assert s.fetch.politeness is False and s.fetch.allow_private == ["127.0.0.1", "::1"]
    assert s.web.port == 9000 and s.understand.source_trust == {"hn": 0.3}
    with pytest.raises(
        ConfigError, match=r"ABREAST_WEB_PORT: \[web\] port = \"abc\" is not allowed"
    ):
        config.load(environ={"ABREAST_WEB_PORT": "abc"})
    with pytest.raises(
        ConfigError, match='politeness = "maybe" is not allowed: expected true or false'
    ):
        config.load(environ={"ABREAST_FETCH_POLITENESS": "maybe"})
    with pytest.raises(ConfigError, match="did you mean ABREAST_FETCH_HOST_DELAY"):
        config.load(environ={"ABREAST_FETCH_HOST_DELAYS": "2"})


def test_precedence_is_file_then_environment_then_command_overrides(abreast_home):
    _write(abreast_home, "[fetch]\nhost_delay = 5\nmax_redirects = 2\n[web]\nport = 9001\n")
    s = config.load(
        abreast_home,
        environ={"ABREAST_FETCH_HOST_DELAY": "3", "ABREAST_WEB_PORT": "9002"},
        overrides={"fetch": {"host_delay": 0.0}},
    )
    assert (s.fetch.host_delay, s.fetch.max_redirects, s.web.port) == (0.0, 2, 9002)
    with pytest.raises(ConfigError, match="override: unknown key \\[fetch\\] host_delays"):
        config.load(abreast_home, environ={}, overrides={"fetch": {"host_delays": 0}})


def test_a_bad_setting_is_one_line_and_exit_1_from_the_command_line(abreast_home):
    _write(abreast_home, '[web]\nport = "abc"\n')
    res = runner.invoke(app, ["db", "info"])
    assert res.exit_code == 1
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert lines == [
        f'Error: {abreast_home / "abreast.toml"}: [web] port = "abc" is not allowed: '
        "expected a whole number from 1 to 65535."
    ]


def test_config_option_does_not_leak_into_the_environment_or_the_next_command(
    abreast_home, tmp_path
):
    other = tmp_path / "other.toml"
    other.write_text('[web]\nport = "abc"\n')
    assert runner.invoke(app, ["--config", str(other), "db", "info"]).exit_code == 1
    assert "ABREAST_CONFIG" not in os.environ
    res = runner.invoke(app, ["db", "info"])
    assert res.exit_code == 0, res.output


ENVIRON_WRITES = re.compile(
    r"os\.environ\s*\[[^\]]+\]\s*=[^=]|os\.environ\.(setdefault|update|pop|clear)\(|os\.putenv\("
)


def test_no_module_configures_itself_through_the_environment():
    """Commands pass overrides to config.load(); os.environ changes leak into later commands."""
    offenders = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
        for path in (ROOT / "src" / "abreast").rglob("*.py")
        for text in [path.read_text()]
        for m in ENVIRON_WRITES.finditer(text)
    ]
    assert offenders == []
