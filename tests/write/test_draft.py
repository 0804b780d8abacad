"""The weekly draft on the real demo data: Hugo conventions, grounding, determinism, user edits
kept."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from abreast import config
from abreast.store.compact import decode_extra
from abreast.understand.urls import reader_url
from abreast.write.draft import write_draft

pytestmark = pytest.mark.slow

LINK = re.compile(r"\]\(<?([^)>\s]+)>?\)")


@pytest.fixture
def demo_draft(demo_run, tmp_path):
    """The draft `abreast demo run` wrote for a week (a copy, with its images), by week."""

    def draft(week: str) -> Path:
        bundle = tmp_path / "demo-drafts" / week
        shutil.copytree(demo_run[0] / "drafts" / week, bundle)
        return bundle / "index.md"

    return draft


def _stored_urls(store) -> set[str]:
    """Item URLs and the discussion pages the connectors recorded with them (HN item pages, Reddit
    threads): the story cards link them all."""
    urls = {r[0] for r in store.conn.execute("SELECT url FROM items WHERE url IS NOT NULL")}
    for (extra,) in store.conn.execute("SELECT extra_json FROM items WHERE extra_json != '{}'"):
        found = decode_extra(extra)
        urls |= {found[k] for k in ("discussion_url", "permalink") if isinstance(found.get(k), str)}
    # ... and the permalinks of the comments a card quotes.
    urls |= {r[0] for r in store.conn.execute("SELECT url FROM discussion_comments")}
    # each as a reader is sent to it (no utm_* or ?_fb_noscript=1)
    return {reader_url(u) for u in urls}


@pytest.mark.parametrize("week", ["2024-W51", "2023-W49"])
def test_draft_is_a_hugo_page_bundle_whose_links_are_all_stored_items(demo_store, demo_draft, week):
    path = demo_draft(week)
    text = path.read_text()
    assert path.name == "index.md"
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["draft"] is True and front["title"] and front["date"] and front["tags"]
    assert all(re.fullmatch(r"[a-z0-9.-]+", t) for t in front["tags"]), front["tags"]
    links = LINK.findall(text)
    assert links, "a draft without links grounds nothing"
    urls = _stored_urls(demo_store)
    for target in links:
        if target.startswith(("http://", "https://")):
            assert target in urls, f"{target} is not a stored item's URL"
        else:  # an image: relative to the page, present in the bundle
            assert not target.startswith("/") and (path.parent / target).is_file(), target
    assert "<TODO>" in text and "abreast: read" in text


def test_every_summary_sentence_in_the_draft_links_to_its_source(demo_draft):
    text = demo_draft("2024-W51").read_text()
    sections = text.split("## Words of the week")[0]
    body = sections.split("---\n", 2)[2]
    paragraphs = [p.strip() for p in body.split("\n\n")]
    # The story card's own-words parts (definitions, registry facts, notes) state no news.
    own_words = ("#", "<TODO>", "*A follow-up", "- What", "**Terms.**", "**Context.**", "*Quoted")
    own_words += ("**Sources.**", "**What people say.**")
    paragraphs = [p for p in paragraphs if p and not p.startswith(own_words)]
    for p in paragraphs:
        if p.startswith("<TODO>") or "</TODO>" in p:
            continue
        assert LINK.search(p), f"paragraph without a source link: {p[:120]}"


def test_draft_2024_w51_covers_the_weeks_big_stories(demo_draft):
    text = demo_draft("2024-W51").read_text()
    assert "arcprize.org/blog/oai-o3-pub-breakthrough" in text  # o3 on ARC-AGI, 2024-12-20
    assert "anthropic.com/research/alignment-faking" in text


def test_rerunning_an_unchanged_week_writes_the_same_bytes(demo_store, demo_draft):
    settings = config.load()
    first = demo_draft("2023-W49")  # written by `abreast demo run`
    before = first.read_bytes()
    second = write_draft(demo_store, settings, "2023-W49", out_dir=first.parent)
    assert second.name == "index.md" and second.read_bytes() == before


def test_a_draft_the_user_edited_is_never_overwritten(demo_store, tmp_path):
    settings = config.load()
    path = write_draft(demo_store, settings, "2024-W51", out_dir=tmp_path)
    edited = path.read_text().replace("<TODO>Open with", "My own opening words.\n<TODO>Open with")
    path.write_text(edited)
    again = write_draft(demo_store, settings, "2024-W51", out_dir=tmp_path)
    assert again.name == "index.new.md"
    assert path.read_text() == edited
    forced = write_draft(demo_store, settings, "2024-W51", out_dir=tmp_path, force=True)
    assert forced == path and "My own opening words." not in path.read_text()


def test_jekyll_and_plain_formats(demo_store, tmp_path):
    settings = config.load()
    jekyll = write_draft(
        demo_store, settings, "2024-W51", fmt="jekyll", out_dir=tmp_path / "j"
    ).read_text()
    front = yaml.safe_load(jekyll.split("---\n")[1])
    assert front["layout"] == "post" and front["published"] is False and front["draft"] is True
    plain = write_draft(
        demo_store, settings, "2024-W51", fmt="plain", out_dir=tmp_path / "p"
    ).read_text()
    assert not plain.startswith("---") and "# The State of the LLM space" in plain


def test_unknown_format_is_a_clear_error(demo_store, tmp_path):
    from abreast.errors import AbreastError

    with pytest.raises(AbreastError, match="choose one of hugo, jekyll, plain"):
        write_draft(demo_store, config.load(), "2024-W51", fmt="docx", out_dir=tmp_path)


def test_the_configured_format_and_author_are_used_unless_format_is_given(
    demo_store, tmp_path, abreast_home
):
    settings = config.load(overrides={"write": {"format": "jekyll", "author": "Ada"}})
    text = write_draft(demo_store, settings, "2024-W51", out_dir=tmp_path / "a").read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["layout"] == "post" and front["author"] == "Ada"
    plain = write_draft(demo_store, settings, "2024-W51", fmt="plain", out_dir=tmp_path / "b")
    assert not plain.read_text().startswith("---")


def test_the_draft_command_honours_write_format(demo_store, abreast_home):
    """`abreast draft` used to write Hugo whatever [write] format said."""
    from typer.testing import CliRunner

    from abreast.cli.main import app

    abreast_home.mkdir(parents=True, exist_ok=True)
    demo_store.conn.execute("VACUUM INTO ?", (str(abreast_home / "abreast.db"),))
    (abreast_home / "abreast.toml").write_text('[write]\nformat = "jekyll"\n')
    runner = CliRunner()
    res = runner.invoke(app, ["draft", "--week", "2024-W51"])
    assert res.exit_code == 0, res.output
    text = (abreast_home / "drafts" / "2024-W51" / "index.md").read_text()
    assert yaml.safe_load(text.split("---\n")[1])["layout"] == "post"
    res = runner.invoke(app, ["draft", "--week", "2024-W51", "--format", "plain", "--force"])
    assert res.exit_code == 0, res.output
    assert not (abreast_home / "drafts" / "2024-W51" / "index.md").read_text().startswith("---")


def test_a_section_makes_room_for_the_weeks_bigger_stories_by_their_second_theme():
    """Gemini's launch (#1, tagged business then open-models by a tie) is filed under "Open &
    foundation models" above the section's own lesser stories, not under "Business"; a fifth
    release that "Open & foundation models" has no room for appears under its second theme
    instead of leaving the post."""
    from abreast.types import Member, Story
    from abreast.understand.themes import THEMES
    from abreast.write.compose import compose
    from abreast.write.material import WeekMaterial

    def story(i, title, themes):
        m = Member(key=f"hn:{i}", kind="hn", source="hn", title=title, url=f"https://x.org/{i}")
        return Story(id=f"s{i}", week="2023-W49", title=title, members=[m], themes=themes)

    w49 = [
        story(1, "Introducing Gemini", ["business", "open-models"]),
        story(2, "StableLM Zephyr 3B", ["open-models"]),
        story(3, "Long context prompting for Claude 2.1", ["open-models", "applications"]),
        story(4, "Mistral AI valued at $2B", ["business"]),
    ]
    text = compose(WeekMaterial(week="2023-W49", stories=w49), THEMES)
    models = text.index("## Open & foundation models")
    business = text.index("## Business & industry")

    def at(title):
        return text.index(f"### [{title}]")

    assert models < at("Introducing Gemini") < at("StableLM Zephyr 3B") < business
    assert at("Mistral AI valued at $2B") > business

    w51 = [story(i, f"Release {i}", ["open-models", "fine-tuning-agents"]) for i in range(1, 6)]
    text = compose(WeekMaterial(week="2024-W51", stories=w51), THEMES)
    tuning = text.index("## Fine-tuning, small task-specific models & agents")
    assert at("Release 4") < tuning < at("Release 5")
