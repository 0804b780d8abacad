"""`make demo` end to end (the session's `demo run`): what the user sees and where results are."""

import json
import os
import subprocess

import pytest
import yaml
from typer.testing import CliRunner

from abreast.cli import context
from abreast.cli.main import app

pytestmark = pytest.mark.slow


def _abreast(home, *args):
    """`abreast ARGS` against the demo home, in this process (as from a shell, minus start-up)."""
    env = {k: None for k in os.environ if k.startswith("ABREAST_")}
    env.update(ABREAST_HOME=str(home), COLUMNS="200")
    context.reset()
    try:
        res = CliRunner(env=env).invoke(app, list(args))
    finally:
        context.reset()
    return subprocess.CompletedProcess(["abreast", *args], res.exit_code, res.stdout, res.stderr)


def test_demo_prints_items_per_source_and_week_and_both_draft_paths(demo_run):
    home, proc = demo_run
    out = proc.stdout
    assert "items per source" in out and "items per ISO week" in out
    for source in ("hn", "arxiv", "openai-news", "anthropic-news", "r-localllama", "hf-models"):
        assert source in out
    for week in ("2024-W51", "2023-W49"):
        path = home / "drafts" / week / "index.md"
        assert f"Draft: {path}" in out
        front = yaml.safe_load(path.read_text().split("---\n")[1])
        assert front["draft"] is True
    assert "2024-W51" in out and "stories" in out  # the ranked stories of the last full demo week


def test_sources_list_after_the_demo_shows_last_fetch_count_and_status(demo_run):
    home, _ = demo_run
    res = _abreast(home, "sources", "list")
    assert res.returncode == 0, res.stderr
    lines = [
        line for line in res.stdout.splitlines() if "│" in line and ("feed" in line or "hn" in line)
    ]
    assert lines
    for line in lines:
        assert "never" not in line and "ok" in line, line


def test_exports_exist_for_every_demo_week(demo_run, tmp_path):
    home, _ = demo_run
    for week in DEMO_WEEKS:
        res = _abreast(home, "export", "stories", "--week", week, "--format", "json")
        assert res.returncode == 0, res.stderr
        stories = json.loads(res.stdout)
        assert stories and {"id", "title", "score", "rank", "is_new", "members"} <= set(stories[0])
        assert [s["rank"] for s in stories] == sorted(s["rank"] for s in stories)
        items = _abreast(home, "export", "items", "--week", week)
        rows = [json.loads(line) for line in items.stdout.splitlines()]
        assert rows and {
            "key",
            "url",
            "source",
            "title",
            "published_at",
            "relevance",
            "is_ai",
            "themes",
            "entities",
            "duplicate_of",
            "jargon",
        } == set(rows[0])


def test_week_with_summaries_and_why(demo_run):
    home, _ = demo_run
    res = _abreast(home, "week", "2024-W51", "--summaries", "-n", "5")
    assert res.returncode == 0 and "verified" in res.stdout
    story_id = json.loads(_abreast(home, "export", "stories", "--week", "2024-W51").stdout)[0]["id"]
    why = _abreast(home, "why", f"story:{story_id}")
    assert why.returncode == 0 and "scores" in why.stdout
    item = _abreast(home, "why", "arxiv:2412.14093")  # Alignment faking in large language models
    assert item.returncode == 0 and "about AI" in item.stdout


def test_feed_writes_atom_and_json_feed(demo_run, tmp_path):
    home, _ = demo_run
    res = _abreast(home, "feed", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    import xml.etree.ElementTree as ET

    atom = ET.parse(tmp_path / "digest.atom").getroot()
    entries = atom.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) >= 7
    feed = json.loads((tmp_path / "digest.json").read_text())
    assert feed["version"].startswith("https://jsonfeed.org/") and feed["items"][0]["content_html"]


DEMO_WEEKS = [
    "2023-W47",
    "2023-W48",
    "2023-W49",
    "2023-W50",
    "2024-W47",
    "2024-W48",
    "2024-W49",
    "2024-W50",
    "2024-W51",
]


def test_trend_charts_exist_for_every_demo_week(demo_run):
    home, _ = demo_run
    for week in DEMO_WEEKS:
        folder = home / "charts" / week
        svgs, pngs = list(folder.glob("*.svg")), list(folder.glob("*.png"))
        assert svgs and pngs, week
        assert pngs[0].read_bytes()[:4] == b"\x89PNG" and b"<svg" in svgs[0].read_bytes()[:2000]
