"""The week as a digest (issue 14): the brief on the first screen, the tail folded by kind, no page
wider than a phone, the Sources page's counts, a Saved page, and one number for each shared rule
(default week, trend baseline, story count) in the CLI, the web pages and the draft."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from abreast.cli.main import app as cli

from .conftest import WEEK, csrf_of
from .test_browser import browser, server  # noqa: F401  (the browser tests' fixtures)

runner = CliRunner(env={"COLUMNS": "200"})

PAGES = [
    f"/?week={WEEK}",
    "/items",
    f"/items?week={WEEK}&source=arxiv",
    "/ask",
    f"/trends?week={WEEK}",
    "/models",
    f"/draft?week={WEEK}",
    "/sources",
    "/saved",
]
WIDTHS = [(1280, 900), (390, 844)]


def cli_json(*args: str) -> dict:
    r = runner.invoke(cli, list(args))
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


# --- in Chromium, at a laptop's and a phone's width ----------------------------------------------


@pytest.fixture(params=WIDTHS, ids=lambda wh: f"{wh[0]}px")
def sized(request, browser, server):  # noqa: F811
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.base, pg.width, pg.height = server, width, height
    yield pg
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_no_page_scrolls_sideways(sized):
    sized.goto(sized.base + f"/?week={WEEK}")
    story = sized.locator("li.story h2 a").first.get_attribute("href")
    wide = {}
    for path in [*PAGES, story]:
        resp = sized.goto(sized.base + path)
        assert resp is not None and resp.status == 200, path
        sized.wait_for_load_state("networkidle")
        width = sized.evaluate("document.documentElement.scrollWidth")
        if width > sized.width:
            wide[path] = width
    assert wide == {}, f"pages wider than the {sized.width}px window: {wide}"


@pytest.mark.browser
@pytest.mark.slow
def test_week_first_screen_holds_the_brief_and_five_stories(sized):
    sized.goto(sized.base + "/")
    brief = sized.locator("section.brief")
    box = brief.bounding_box()
    assert box is not None and box["y"] + box["height"] <= sized.height, box
    lines = brief.locator("ol.brief-lines li a")
    assert lines.count() >= 5
    # each line is one of the top stories, in rank order, and jumps to its card
    cards = sized.locator("li.story").evaluate_all("els => els.map(e => '#' + e.id)")
    assert [lines.nth(i).get_attribute("href") for i in range(5)] == cards[:5]
    assert re.search(r"[\d,]+ stories from [\d,]+ items", brief.inner_text())


@pytest.mark.browser
@pytest.mark.slow
def test_sources_page_shows_counts(sized, store):
    sized.goto(sized.base + "/sources")
    text = sized.locator("table.sources").inner_text()
    assert "built-in method" not in text
    counts = store.source_item_counts()
    shown = {}
    for row in sized.locator("table.sources tr").all()[1:]:
        cells = row.locator("td").all_inner_texts()
        first = cells[0].split("\n")[0].strip()  # "OpenAI (openai-news)" or "hn-custom"
        name = first.rsplit("(", 1)[1].rstrip(")") if first.endswith(")") else first
        shown[name] = int(cells[2])
    expected = {s.name: counts.get(s.id, 0) for s in store.sources()}
    assert shown == expected and sum(shown.values()) > 0


@pytest.mark.browser
@pytest.mark.slow
def test_jargon_definition_stays_inside_a_phone_screen(browser, server):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.goto(server + f"/?week={WEEK}")
    term = pg.locator("p.jargon abbr").last
    term.focus()
    # the definition is drawn under its jargon line, as wide as that line: measure the line
    line = term.evaluate(
        "a => { const r = a.parentElement.getBoundingClientRect();"
        " const s = getComputedStyle(a, '::after');"
        " return {left: r.left, right: r.right, content: s.content, pos: s.position}; }"
    )
    context.close()
    assert line["content"] not in ("none", "normal") and line["pos"] == "absolute"
    assert line["left"] >= 0 and line["right"] <= 390


# --- the digest's parts ---------------------------------------------------------------------------


def test_week_page_is_a_digest(client, store):
    from abreast.learn.personal import week_for_reader
    from abreast.web.digest import TOP, kind_count

    stories = week_for_reader(store, WEEK, None)
    page = client.get("/").text
    cards = re.findall(r'<li class="story" id="story-([^"]+)"', page)
    assert cards == [s.id for s in stories[:TOP]]
    assert "Words of the week" in page
    # the tail: every other story, folded by the kind of its lead item, each fold searchable
    rest: dict[str, int] = {}
    for s in stories[TOP:]:
        rest[s.lead.kind] = rest.get(s.lead.kind, 0) + 1
    for kind, n in rest.items():
        assert f"<summary>+{kind_count(kind, n)}</summary>" in page
    assert sum(rest.values()) == len(stories) - TOP
    papers = client.get(f"/items?week={WEEK}&source=arxiv").text
    assert papers.count('<li class="item">') > 0 and "kind-arxiv" in papers


def test_a_top_storys_sources_name_each_publisher_once():
    from abreast.explain.card import build_card
    from abreast.types import Member, Story
    from abreast.web.digest import compact_card

    def member(key, title, url):
        return Member(key=key, kind="feed", source="feed", title=title, url=url)

    # 2023-W49's Gemini launch read "Google DeepMind, Google DeepMind, Google"
    story = Story(
        "2023-W49-x",
        "2023-W49",
        "Introducing Gemini",
        [
            member("feed:a", "Introducing Gemini", "https://deepmind.google/discover/blog/gemini/"),
            member("hn:1", "Gemini – Google DeepMind", "https://deepmind.google/technologies/x/"),
            member("hn:2", "Gemini: Google's most capable AI model", "https://blog.google/x/"),
        ],
    )
    compact = compact_card(story, build_card(story), {}, None, None)
    assert [s["label"] for s in compact["sources"]] == ["Google DeepMind", "Google"]


def test_new_is_marked_only_when_it_distinguishes():
    from abreast.web.digest import distinguishing_mark

    def week(*new: bool):
        return [SimpleNamespace(is_new=n) for n in new]

    assert distinguishing_mark(week(True, True, True)) is None  # "new" on every card says nothing
    assert distinguishing_mark(week(True, True, False)) == "continues"
    assert distinguishing_mark(week(False, False, True)) == "new"


def test_feedback_is_on_the_story_not_on_each_source(client, store):
    from abreast.store.stories import load_week

    story = max(load_week(store.conn, WEEK), key=lambda s: len(s.members))
    page = client.get(f"/story/{story.id}").text
    assert page.count('class="feedback"') == 1 and 'name="item_key"' not in page


def test_saved_page_lists_what_was_saved(client, store):
    from abreast.store.stories import load_week

    story = load_week(store.conn, WEEK)[3]
    assert story.title not in client.get("/saved").text
    r = client.post(
        "/api/feedback",
        json={"signal": "save", "story_id": story.id},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert r.status_code == 200
    page = client.get("/saved").text
    assert f'href="/story/{story.id}"' in page


# --- one number per shared rule: the CLI, the web pages and the draft agree ---------------------


def test_default_week_is_one_rule(client, store):
    from abreast.stories.weeks import default_week
    from abreast.web import media

    week = default_week(store.conn)
    assert week == WEEK  # the demo's last full week (2024-W52 and 2025-W01 hold stray items)
    assert cli_json("week", "--json", "-n", "1")["week"] == week
    assert f"The week in brief: {week}" in client.get("/").text
    assert f"Trends: {week}" in client.get("/trends").text
    assert f"Draft: {week}" in client.get("/draft").text
    assert media.models_view(store)["week"] == week
    from abreast.cli.landscape import _latest_week

    assert _latest_week(store.conn) == week


def test_trend_baseline_is_one_rule(client, store):
    from abreast.stories.trends import week_trends
    from abreast.write.gather import gather

    trends = week_trends(store.conn, WEEK)
    assert trends, "the demo week has rising terms"
    cli_out = runner.invoke(cli, ["trends", "--week", WEEK]).output
    web = client.get(f"/trends?week={WEEK}").text
    for t in trends[:5]:
        row = next(line for line in cli_out.splitlines() if f" {t.label} " in line)
        assert f" {t.count} " in row and f" {t.baseline:.1f} " in row, row
        assert t.sentence.replace("'", "&#39;") in web
    material = gather(store, WEEK)
    assert material.rising
    by_label = {t.label: t for t in trends}
    for r in material.rising:  # the draft's "would predict N" is the same expectation
        assert r.previous == by_label[r.label].baseline and r.count == by_label[r.label].count


def test_story_count_is_one_rule(client):
    total = cli_json("week", WEEK, "--json", "-n", "1")["total"]
    page = client.get(f"/?week={WEEK}").text
    assert f"{total:,} stories from" in page
    assert client.get(f"/api/weeks/{WEEK}/stories?limit=1").json()["total"] == total


def test_the_week_pages_words_are_the_drafts_new_terms_first(client, store):
    """The digest's words of the week are the draft's list (same top stories, same trends, same
    known terms): the week's new words lead, and a basic such as LLM is not among the first."""
    from abreast.write.gather import draft_stories, words_of_the_week

    page = client.get(f"/?week={WEEK}").text
    section = page.split("Words of the week", 1)[1].split("</section>", 1)[0]
    shown = [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<dt>(.*?) <span", section)]
    stories = draft_stories(store, WEEK)[0]
    assert shown == [w.term for w in words_of_the_week(stories, store, WEEK)]
    assert "Reasoning model" in shown
    assert "Large language model (LLM)" not in shown[:4]
