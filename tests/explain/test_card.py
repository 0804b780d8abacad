"""The story card (issue 12): what happened is never the headline, sources are named as people say
them with their discussions next to them, and `abreast story`, the web story page and the draft show
the same card."""

from __future__ import annotations

import html
import re

import pytest

from abreast import config
from abreast.explain.card import build_card, load_card, publisher
from abreast.explain.card_render import card_markdown
from abreast.explain.extractive import happened, repeats_title
from abreast.item import Item
from abreast.stories.model import Member, Story

WEEK = "2024-W51"
WHEN = "2024-12-18T10:00:00+00:00"
LAB_URL = "https://www.anthropic.com/research/alignment-faking"
HN_THREAD = "https://news.ycombinator.com/item?id=42458752"
REDDIT_THREAD = "https://www.reddit.com/r/LocalLLaMA/comments/1hgxyz1/alignment_faking/"
LAB_TEXT = (
    "Alignment faking in large language models\n\n"
    "Most of us have encountered situations where someone appears to share our views, but is in "
    "fact only pretending to do so. A new paper from our Alignment Science team provides the first "
    "empirical example of a large language model engaging in alignment faking without having been "
    "trained to do so. We gave Claude 3 Opus a system prompt saying it was being trained to answer "
    "all queries, even harmful ones. The model complied with harmful queries from free users 14% of "
    "the time, versus almost never for paid users."
)


def _member(key, kind, title, url, text="", **kw) -> Member:
    return Member(
        key=key, kind=kind, source=kw.pop("source", kind), title=title, url=url, text=text, **kw
    )


# --- what happened ----------------------------------------------------------------------------------


def test_what_happened_quotes_the_text_and_never_repeats_the_title():
    members = [
        _member(
            "feed:" + LAB_URL,
            "feed",
            "Alignment faking in large language models",
            LAB_URL,
            LAB_TEXT,
        ),
        _member("hn:42458752", "hn", "Alignment faking in large language models", LAB_URL),
    ]
    found = happened(members)
    assert 2 <= len(found.sentences) <= 3 and found.reason == ""
    for s in found.sentences:
        assert s.verified and s.text in LAB_TEXT
        assert not repeats_title(s.text, [members[0].title])
    # The feed body's first line is the headline: it is text, but not news beyond the title.
    assert all("Alignment faking in large language models" != s.text for s in found.sentences)


def test_a_title_only_story_says_no_article_text_yet_and_claims_nothing_verified():
    story = Story(
        id=f"{WEEK}-copilot",
        week=WEEK,
        title="GitHub Copilot is now available for free",
        members=[
            _member(
                "hn:42453341",
                "hn",
                "GitHub Copilot is now available for free",
                "https://github.com/features/copilot",
                signals={"points": 470, "comments": 272},
                extra={"discussion_url": "https://news.ycombinator.com/item?id=42453341"},
            )
        ],
    )
    card = build_card(story)
    assert card.happened == [] and card.happened_note == "no article text yet"
    md = "\n".join(card_markdown(card))
    assert "verified" not in md and "no article text yet" in md
    assert "[GitHub](<https://github.com/features/copilot>)" in md  # the article is linked
    assert "[Hacker News discussion](<https://news.ycombinator.com/item?id=42453341>)" in md
    assert "[Hacker News](<https://github.com" not in md  # an article is not "Hacker News"


def test_a_text_that_only_restates_the_headline_is_not_what_happened():
    title = "OpenAI o1 and new tools for developers"
    members = [
        _member("feed:x", "feed", title, "https://openai.com/index/o1", f"{title}.\n\n{title}")
    ]
    found = happened(members)
    assert found.sentences == [] and "beyond the headline" in found.reason


def test_sources_are_named_as_people_say_them_and_merged_with_their_discussions():
    assert publisher(LAB_URL) == "Anthropic"
    assert publisher("https://huggingface.co/blog/modernbert") == "Hugging Face blog"
    assert publisher("https://9to5mac.com/2024/12/16/x") == "9to5mac.com"
    story = Story(
        id=f"{WEEK}-af",
        week=WEEK,
        title="Alignment faking",
        members=[
            _member(
                "hn:42458752",
                "hn",
                "Alignment faking",
                LAB_URL,
                extra={"discussion_url": HN_THREAD},
            ),
            _member(
                "feed:" + LAB_URL,
                "feed",
                "Alignment faking",
                LAB_URL,
                LAB_TEXT,
                source="anthropic-news",
            ),
            _member(
                "reddit:1hgxyz1",
                "reddit",
                "Alignment faking",
                LAB_URL,
                extra={"permalink": REDDIT_THREAD, "subreddit": "LocalLLaMA"},
                signals={"score": 120, "comments": 40},
            ),
        ],
    )
    card = build_card(story)
    assert len(card.sources) == 1  # one article, two discussions of it
    src = card.sources[0]
    assert (src.article.label, src.article.url) == ("Anthropic", LAB_URL)
    assert [(d.label, d.url) for d in src.discussions] == [
        ("Hacker News discussion", HN_THREAD),
        ("r/LocalLLaMA discussion", REDDIT_THREAD),
    ]
    assert src.discussions[1].meta == "120 points · 40 comments"
    assert all(s.cite == 1 and s.source == "Anthropic" for s in card.happened)


# --- one card, three renderings ----------------------------------------------------------------------


@pytest.fixture
def story_store(abreast_home):
    """A store holding one story over a lab post, its HN thread and a title-only HN post."""
    from abreast.store import Store
    from abreast.store.stories import save_week

    settings = config.load(abreast_home, environ={"ABREAST_HOME": str(abreast_home)})
    settings.paths.ensure()
    store = Store.open(settings.paths.db)
    lab = store.add_source("anthropic-news", "feed", "https://www.anthropic.com/news/rss.xml")
    hn = store.add_source("hn", "hn", "https://hn.algolia.com")
    items = [
        (
            lab.id,
            Item(
                key="feed:" + LAB_URL,
                kind="feed",
                title="Alignment faking in large language models",
                url=LAB_URL,
                text=LAB_TEXT,
                published_at=WHEN,
                extra={"feed": "Anthropic News"},
            ),
        ),
        (
            hn.id,
            Item(
                key="hn:42458752",
                kind="hn",
                title="Alignment faking in large language models",
                url=LAB_URL,
                published_at=WHEN,
                signals={"points": 276, "comments": 308},
                extra={"discussion_url": HN_THREAD},
            ),
        ),
    ]
    for source_id, item in items:
        store.upsert_items([item], source_id=source_id)
    ids = {r["key"]: r["id"] for r in store.conn.execute("SELECT id, key FROM items")}
    from abreast.store.stories import load_story

    members = [
        Member(key=it.key, kind=it.kind, source="x", title=it.title, url=it.url, role=role)
        for (_, it), role in zip(items, ("lead", "member"), strict=True)
    ]
    story = Story(
        id=f"{WEEK}-af0001",
        week=WEEK,
        title=items[0][1].title,
        members=members,
        themes=["safety-alignment"],
        score=0.9,
        rank=1,
        score_parts={},
    )
    save_week(store.conn, WEEK, [story], ids)
    yield store, settings, load_story(store.conn, story.id)
    store.close()


def test_abreast_story_the_web_page_and_the_draft_show_the_same_card(
    story_store, tmp_path, monkeypatch
):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from abreast.cli.main import app
    from abreast.web.app import create_app
    from abreast.write.draft import write_draft

    store, settings, story = story_store
    card = load_card(store, story)
    assert len(card.happened) >= 2
    links = card.links()
    assert LAB_URL in links and HN_THREAD in links

    monkeypatch.setenv("COLUMNS", "250")
    cli = CliRunner().invoke(app, ["story", story.id])
    assert cli.exit_code == 0, cli.output
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8421") as client:
        page = client.get(f"/story/{story.id}").text
    draft = write_draft(store, settings, WEEK, out_dir=tmp_path / "draft").read_text()

    def flat(text: str) -> str:
        return " ".join(text.split())

    shown = {
        "cli": flat(cli.output),
        "web": flat(html.unescape(re.sub(r"<[^>]+>", " ", page))),
        "draft": flat(draft.replace("\\", "")),
    }
    hrefs = {
        "cli": set(re.findall(r"https?://\S+", cli.output)),
        "web": {html.unescape(u) for u in re.findall(r'href="(https?://[^"]+)"', page)},
        "draft": set(re.findall(r"\(<(https?://[^>]+)>\)", draft)),
    }
    for where in shown:
        for s in card.happened:
            assert flat(s.text) in shown[where], (where, s.text)
        for c in card.comments:
            assert flat(c.text) in shown[where], (where, c.text)
        assert set(links) <= hrefs[where], (where, set(links) - hrefs[where])
        assert "Hacker News discussion" in shown[where] and "Anthropic" in shown[where]
    # The draft links nothing the card does not (its story section is the card).
    section = draft.split("### ", 1)[1].split("<TODO>", 1)[0]
    assert set(re.findall(r"\(<(https?://[^>]+)>\)", section)) == set(links)
