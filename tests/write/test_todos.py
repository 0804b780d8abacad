"""`abreast todo` on the user's real draft (../shared/seed), against the demo store's 2023
window."""

import re
from pathlib import Path

import pytest

from abreast.write.todos import keywords, resolve

pytestmark = pytest.mark.slow

SEED = (
    Path(__file__).resolve().parents[2]
    / "tests"
    / "write"
    / "fixtures"
    / "state-of-llms-2023-12-07.md"
)


def _proposals(demo_store):
    text, props = resolve(
        SEED.read_text(),
        demo_store,
        image_maker=lambda todo, terms, as_of: (
            ("llama-family.png", f"tree as of {as_of}") if "Llama" in terms else None
        ),
    )
    return text, props


def test_every_todo_of_the_users_draft_gets_proposals_and_keeps_its_text(demo_store):
    text, props = _proposals(demo_store)
    assert len(props) == 4
    for p in props:
        assert len(p.references) >= 3, p.todo
        assert f"<TODO>{p.todo}" in " ".join(text.split()) or p.todo in text
    assert text.count("<!-- abreast:proposals -->") == 4


def test_llama_todo_brings_llama_material_and_the_family_tree(demo_store):
    _, props = _proposals(demo_store)
    llama = props[0]
    assert all("llama" in (r.title + r.reason).lower() for r in llama.references)
    assert llama.image == "llama-family.png"
    # The picture is asked for as of the draft's front-matter date (2023-12-07), not today.
    assert llama.image_caption == "tree as of 2023-12-07"


def test_fixie_todo_says_plainly_that_the_store_has_nothing_on_fixie(demo_store):
    _, props = _proposals(demo_store)
    fixie = props[1]
    assert "Fixie.ai" in fixie.missing
    assert any("agent" in r.title.lower() for r in fixie.references)


def test_alignment_and_papers_todos(demo_store):
    _, props = _proposals(demo_store)
    alignment = props[2].references
    assert sum("alignment" in r.title.lower() for r in alignment) >= 3
    # A lab's own alignment work, not only papers using the word.
    assert any("openai.com" in r.url for r in alignment)
    # No other sense of the word ("label alignment", "domain alignment").
    assert not any("label alignment" in r.title.lower() for r in alignment)
    assert not any("conditional alignment" in r.title.lower() for r in alignment)
    papers = props[3].references
    assert sum(r.key.startswith("arxiv:") for r in papers) >= 3


def test_every_reference_says_when_and_why(demo_store):
    _, props = _proposals(demo_store)
    for p in props:
        for r in p.references:
            assert r.reason.split(":")[0] in ("this week", "recent", "background"), r.reason
            assert "20" in r.reason  # its date
            assert (r.origin == "background") == r.reason.startswith("background")


def test_background_landmarks_come_from_the_canon_and_predate_the_draft(demo_store):
    _, props = _proposals(demo_store)
    llama = [r for r in props[0].references if r.origin == "background"]
    assert llama and llama[0].title.startswith("LLaMA")  # the family's own paper
    agents = [r.title for r in props[1].references if r.origin == "background"]
    assert any("ReAct" in t for t in agents)
    for p in props:
        for r in p.references:
            if r.origin == "background":
                day = re.search(r", (\d{4}(?:-\d\d){0,2})\. ", r.reason).group(1)
                assert day[:7] <= "2023-12"  # nothing from after the draft


def test_fixie_proposals_are_about_agents_not_the_word_specific(demo_store):
    _, props = _proposals(demo_store)
    titles = [r.title.lower() for r in props[1].references]
    assert len(titles) >= 3
    assert not any("specific" in t and "agent" not in t for t in titles)


def test_rerunning_in_place_replaces_the_earlier_proposals(demo_store):
    once, _ = _proposals(demo_store)
    twice, _ = resolve(once, demo_store)
    assert twice.count("<!-- abreast:proposals -->") == 4
    assert twice.count("<TODO>") == 4


def test_keywords_keep_names_and_drop_filler():
    assert keywords(
        "Research different open-source foundational models coming from Llama. Maybe an image?"
    ) == ["Llama"]
    assert keywords("Fixie.ai and task specific agents.") == [
        "Fixie.ai",
        "task",
        "specific",
        "agents",
    ]


def test_todo_command_draws_the_family_tree_as_of_the_drafts_date(
    demo_store, abreast_home, tmp_path
):
    """The December 2023 post's picture is the tree a reader could see then, drawn beside the
    draft (and its caption says so), not the tree of the store's latest weeks."""
    from typer.testing import CliRunner

    from abreast.cli.main import app

    abreast_home.mkdir(parents=True, exist_ok=True)
    demo_store.conn.execute("VACUUM INTO ?", (str(abreast_home / "abreast.db"),))
    draft = tmp_path / "post" / "index.md"
    draft.parent.mkdir()
    draft.write_text(SEED.read_text())
    res = CliRunner().invoke(app, ["todo", str(draft)])
    assert res.exit_code == 0, res.output
    assert (draft.parent / "llama-family.png").stat().st_size > 10_000
    out = (draft.parent / "index.todo.md").read_text()
    assert "descend from Llama as of 2023-12-07" in out


def test_a_first_todo_run_loads_neither_matplotlib_nor_the_wordllama_package(
    demo_store, abreast_home, tmp_path
):
    """What made the first run after `process` slow (issue 13): matplotlib to draw the tree (~1.2 s)
    and the wordllama package's imports (~0.2 s). The run below is a first run (no kept query
    vectors) that draws the tree and embeds the draft's new text, in a new process as a user runs
    it; the two must stay out of it."""
    import os
    import subprocess
    import sys

    abreast_home.mkdir(parents=True, exist_ok=True)
    demo_store.conn.execute("VACUUM INTO ?", (str(abreast_home / "abreast.db"),))
    draft = tmp_path / "post" / "index.md"
    draft.parent.mkdir()
    draft.write_text(SEED.read_text())
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['abreast', 'todo', {str(draft)!r}]\n"
        "try:\n"
        "    runpy.run_module('abreast', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('LOADED', sorted(m for m in ('matplotlib', 'wordllama') if m in sys.modules))\n"
    )
    env = {**os.environ, "ABREAST_HOME": str(abreast_home)}
    res = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr[-2000:]
    # The draft's text was new, so the model did load and embed it (and kept the vectors).
    assert (abreast_home / "cache" / "query-vectors.sqlite").stat().st_size > 0
    assert (draft.parent / "llama-family.png").stat().st_size > 10_000
    assert "LOADED []" in res.stdout
