"""Hostile item text and URLs in drafts and `todo` output, hostile files given to `todo` (issue 18).

A feed controls an item's title, text and link. None of them may become a live <script>, a link of
its choosing or a template directive that runs in the user's Hugo or Jekyll build.
"""

from __future__ import annotations

import html
import os
import re
import stat
import subprocess
import sys
import time

import pytest
from markdown_it import MarkdownIt

from abreast.item import Item
from abreast.store import Store
from abreast.stories.model import Member, Story
from abreast.write.compose import compose
from abreast.write.material import WeekMaterial
from abreast.write.todos import Proposal, Reference, resolve

SCRIPT_URL = 'https://x.example/?q="><script>alert(1)</script>'
TEMPLATES = [
    "{{< youtube dQw4w9WgXcQ >}}",
    '{{% ref "secret.md" %}}',
    "{{ site.github.token }}",
    "{% include /etc/passwd %}",
]
HOSTILE_TITLE = "Big news " + " and ".join(TEMPLATES)


def _story(url: str = SCRIPT_URL, title: str = HOSTILE_TITLE) -> Story:
    lead = Member("feed:1", "feed", "evil", title, url, text=" ".join(TEMPLATES), role="lead")
    summary = {
        "method": "extractive",
        "sentences": [
            {
                "text": "It says {{< youtube x >}} and {% include y %} out loud.",
                "cite": 1,
                "key": "feed:1",
                "url": url,
                "quote": "x",
                "verified": True,
            }
        ],
    }
    return Story("s1", "2024-W51", title, [lead], themes=["research"], summary=summary)


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


@pytest.mark.parametrize("fmt", ["hugo", "jekyll", "plain"])
def test_a_script_in_an_item_url_never_becomes_a_live_script_in_the_draft(fmt):
    text = compose(WeekMaterial("2024-W51", [_story()]), {}, {}, fmt)
    html = _html(text)
    assert "<script" not in html.lower()
    assert '"><' not in text
    # The link still goes where the feed said, with the dangerous characters percent-encoded.
    assert 'href="https://x.example/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"' in html


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "//evil.example"]
)
def test_an_item_url_that_is_not_http_is_written_without_a_link(url):
    text = compose(WeekMaterial("2024-W51", [_story(url=url)]), {}, {}, "hugo")
    assert url not in text
    assert "javascript" not in _html(text)


@pytest.mark.parametrize("fmt", ["hugo", "jekyll"])
def test_hugo_shortcodes_and_liquid_in_items_are_inert_in_the_draft(fmt):
    text = compose(WeekMaterial("2024-W51", [_story()]), {}, {}, fmt)
    # Hugo reads {{< >}} / {{% %}}, Jekyll reads {{ }} / {% %}, in the raw file before Markdown.
    assert "{{" not in text and "{%" not in text, text
    # The reader still sees what the item said.
    shown = html.unescape(_html(text))
    for t in TEMPLATES:
        assert t in shown


def test_a_plain_draft_keeps_braces_as_they_are():
    text = compose(WeekMaterial("2024-W51", [_story()]), {}, {}, "plain")
    assert "{{\\< youtube dQw4w9WgXcQ \\>}}" in text  # Markdown escaped, braces kept


def test_the_store_normalises_every_item_url_it_is_given(tmp_path):
    store = Store.open(tmp_path / "a.db")
    items = [
        Item("feed:a", "feed", "a", url=SCRIPT_URL),
        Item("feed:b", "feed", "b", url="javascript:alert(1)"),
        Item("feed:c", "feed", "c", url="https://bücher.example/a b\x00"),
        Item("feed:d", "feed", "d", url="https://Bücher.Example/a b"),
        Item("feed:e", "feed", "e", url="https://trusted.example@evil.example/"),
    ]
    store.upsert_items(items)
    urls = {r["key"]: r["url"] for r in store.item_rows()}
    assert urls["feed:a"] == "https://x.example/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
    assert urls["feed:b"] is None and urls["feed:c"] is None
    assert urls["feed:d"] == "https://xn--bcher-kva.example/a%20b"
    assert urls["feed:e"] == "https://evil.example/"
    # Stored once, normalised once: the same items again change nothing.
    assert store.upsert_items(items).unchanged == len(items)


def test_a_source_url_must_be_http(tmp_path):
    from abreast.errors import StoreError

    store = Store.open(tmp_path / "a.db")
    with pytest.raises(StoreError, match="not an http"):
        store.add_source("x", "feed", "file:///etc/passwd")
    assert (
        store.add_source("y", "feed", "https://e.example/f<x>").url == "https://e.example/f%3Cx%3E"
    )


# --- todo output ---------------------------------------------------------------------------------


def test_todo_proposals_neutralise_scripts_and_templates():
    prop = Proposal(
        "t", references=[Reference("feed:1", HOSTILE_TITLE, SCRIPT_URL, "mentions {{ site.x }}")]
    )
    for fmt in ("hugo", "jekyll"):
        block = prop.render(fmt)
        assert "{{" not in block and "{%" not in block
        assert "<script" not in _html(block).lower()


def test_todo_on_a_jekyll_draft_writes_no_liquid(monkeypatch):
    from abreast.write import todos

    def hostile_find(store, todo, around, **kw):  # what the store found: one hostile item
        ref = Reference("feed:1", HOSTILE_TITLE, SCRIPT_URL, "mentions {% include x %}")
        return Proposal(todo, references=[ref])

    monkeypatch.setattr(todos, "propose", hostile_find)
    draft = "---\nlayout: post\n---\n<TODO>Llama news</TODO>\n"
    out, props = resolve(draft, store=None)
    assert props and props[0].references
    assert "{{" not in out and "{%" not in out
    assert "<script" not in _html(out).lower()


def test_unclosed_todos_are_parsed_in_linear_time():
    # 848 kB of "<TODO>" with no closing tag took 48 s with the old regex.
    text = "<TODO>x" * 120_000
    start = time.perf_counter()
    out, props = resolve(text, store=None)
    assert props == [] and out == text
    assert time.perf_counter() - start < 2.0
    text = "<!-- abreast:proposals -->" * 40_000
    start = time.perf_counter()
    assert resolve(text, store=None)[0] == text
    assert time.perf_counter() - start < 2.0


# --- files given to todo -------------------------------------------------------------------------


def _todo(*args, timeout=30, env=None):
    return subprocess.run(
        [sys.executable, "-m", "abreast", "todo", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def _one_line(res) -> str:
    assert res.returncode != 0
    assert "Traceback" not in res.stdout + res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


def test_todo_refuses_dev_zero_at_once():
    start = time.perf_counter()
    line = _one_line(_todo("/dev/zero"))
    assert "not a regular file" in line
    assert time.perf_counter() - start < 20


def test_todo_on_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "draft.md"
    os.mkfifo(fifo)
    line = _one_line(_todo(str(fifo), timeout=30))  # hung forever before
    assert "not a regular file" in line


def test_todo_refuses_a_file_over_the_size_limit(tmp_path):
    big = tmp_path / "big.md"
    big.write_text("<TODO>x</TODO>\n" + "a" * 5000)
    line = _one_line(_todo(str(big), env={"ABREAST_WRITE_TODO_MAX_BYTES": "1000"}))
    assert "larger than 1,000 bytes" in line and "todo_max_bytes" in line


def test_todo_refuses_a_file_that_is_not_utf8(tmp_path):
    f = tmp_path / "bin.md"
    f.write_bytes(b"<TODO>\xff\xfe</TODO>")
    assert "not UTF-8" in _one_line(_todo(str(f)))


def test_todo_in_place_keeps_the_files_mode(demo_db, tmp_path):
    import shutil

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(demo_db, home / "abreast.db")
    draft = tmp_path / "post.md"
    draft.write_text("<TODO>Llama news</TODO>\n")
    os.chmod(draft, 0o664)
    res = _todo(str(draft), "--in-place", timeout=120, env={"ABREAST_HOME": str(home)})
    assert res.returncode == 0, res.stderr
    assert "abreast:proposals" in draft.read_text()
    assert stat.S_IMODE(draft.stat().st_mode) == 0o664  # was 600


def test_new_drafts_get_the_users_umask(tmp_path):
    from abreast.write.files import umask, write_atomic

    path = write_atomic(tmp_path / "new" / "index.md", "x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask()
    assert umask() == (os.umask(umask()) & 0o777)


def test_no_markdown_is_written_outside_the_one_escape_function():
    """Every place that puts item text into Markdown goes through write.markdown (escape/link)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "abreast"
    for path in root.rglob("*.py"):
        if path.name == "markdown.py":
            continue
        src = path.read_text()
        assert not re.search(r"\]\(<\{", src), f"{path.name} writes a link without markdown.link"
