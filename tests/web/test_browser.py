"""End to end in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against
a real uvicorn server on 127.0.0.1 over the demo data. Screenshots go to tests/screenshots/
(gitignored).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .conftest import WEEK, log_draft

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(web_settings):
    import uvicorn

    from abreast.web.app import create_app

    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(web_settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), (
        "Debian chromium is not installed (/usr/bin/chromium missing): run `make browser-deps` "
        "or apt-get install -y chromium"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    foreign: list[str] = []  # requests to anywhere but the app that the browser actually sent
    blocked: list[
        str
    ] = []  # ... and the ones the CSP stopped (Chromium reports them, then fails them)
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(server) else None)
    pg.on(
        "requestfailed",
        lambda r: (
            (blocked.append(r.url), foreign.remove(r.url))
            if r.failure == "csp" and r.url in foreign
            else None
        ),
    )
    pg.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    pg.problems, pg.foreign, pg.blocked, pg.base = problems, foreign, blocked, server
    yield pg
    context.close()


def shot(pg, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_every_page_in_the_browser(page):
    pages = {
        "week": f"/?week={WEEK}",
        "items": "/items",
        "search": "/items?q=agents",
        "trends": f"/trends?week={WEEK}",
        "models": "/models",
        "draft": f"/draft?week={WEEK}",
        "sources": "/sources",
    }
    for name, path in pages.items():
        resp = page.goto(page.base + path)
        assert resp.status == 200, path
        assert page.locator("nav a[aria-current=page]").count() == 1, path
        page.wait_for_load_state("networkidle")
        broken = page.eval_on_selector_all(
            "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )
        assert broken == [], (path, broken)  # trend charts and the family tree are drawn and served
        shot(page, name)
    page.goto(page.base + f"/?week={WEEK}")
    first = page.locator("li.story h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/story/**")
    assert page.locator("h1").inner_text().startswith(title)
    assert page.locator("ol.members li").count() >= 1
    assert page.get_by_text("Why is this here").is_visible()
    shot(page, "story")
    assert page.problems == [], page.problems  # no CSP violation, no script error
    assert page.foreign == [], page.foreign  # nothing but the app itself was contacted


def test_feedback_click_updates_in_place_and_persists(page, store):
    page.goto(page.base + "/items")
    form = page.locator("li.item form.feedback").first
    key = form.locator("input[name=item_key]").get_attribute("value")
    url_before = page.url
    form.locator("button.fb-save").click()
    page.locator("li.item form.feedback").first.locator("button.fb-save.active").wait_for(
        timeout=5000
    )
    assert page.url == url_before  # HTMX swapped the buttons; no navigation
    rows = store.conn.execute("SELECT item_key, signal FROM feedback").fetchall()
    assert [tuple(r) for r in rows] == [(key, "save")]
    page.reload()
    assert page.locator("li.item form.feedback").first.locator("button.fb-save.active").count() == 1
    shot(page, "items-after-feedback")
    assert page.problems == [], page.problems


def test_switch_weeks_and_filter(page):
    page.goto(page.base + f"/?week={WEEK}")
    first_titles = page.locator("li.story h2 a").all_inner_texts()
    page.select_option(
        "select[name=week]", "2024-W50"
    )  # HTMX reloads the list on change, no button needed
    page.wait_for_url("**week=2024-W50**")
    page.wait_for_function("document.querySelector('h1').innerText.endsWith('2024-W50')")
    assert page.locator("h1").inner_text().endswith("2024-W50")
    assert page.locator("li.story").count() > 0
    assert page.locator("li.story h2 a").all_inner_texts() != first_titles
    theme = page.locator("select[name=theme] option").nth(1).get_attribute("value")
    page.select_option("select[name=theme]", theme)
    page.get_by_role("button", name="Show").click()  # and the plain form still works without HTMX
    page.wait_for_url(f"**theme={theme}**")
    page.wait_for_load_state("load")  # the form's own navigation, after HTMX's swap
    page.locator("li.story").first.wait_for()
    badges = page.locator("li.story").count()
    assert badges > 0 and page.locator(f"li.story a.theme[href$='theme={theme}']").count() == badges
    shot(page, "week-filtered")
    assert page.problems == [], page.problems


def test_jargon_definition_on_hover(page):
    page.goto(page.base + f"/?week={WEEK}")
    term = page.locator("p.jargon abbr").first
    assert term.count() > 0, "a story of the demo week uses a glossary term"
    term.hover()
    assert term.get_attribute("title")
    shot(page, "jargon-hover")


def test_hostile_story_is_inert_in_the_browser(page, store):
    """A story with hostile feed text and hostile model output: no script runs, nothing remote
    loads."""
    from abreast.store.stories import save_week
    from abreast.types import Item, Member, Story

    evil = (
        "<img src=x onerror=alert(1)><script>alert(2)</script>![x](https://evil.example/leak.png)"
        '<svg onload=alert(3)></svg><a href="javascript:alert(4)">go</a>'
    )
    src = store.add_source("evil", "feed", "https://evil.example/feed")
    store.upsert_items(
        [
            Item(
                key="feed:https://evil.example/1",
                kind="feed",
                title="Evil " + evil,
                url="javascript:alert(5)",
                text=evil,
                published_at="2024-12-24T10:00:00+00:00",
            )
        ],
        source_id=src.id,
    )
    item_id = store.conn.execute(
        "SELECT id FROM items WHERE key = 'feed:https://evil.example/1'"
    ).fetchone()[0]
    summary = {
        "method": "abstractive",
        "sentences": [
            {
                "text": evil,
                "cite": 1,
                "key": "feed:https://evil.example/1",
                "url": "https://evil.example/leak.png",
                "quote": "q",
                "verified": False,
            }
        ],
    }
    save_week(
        store.conn,
        "2024-W52",
        [
            Story(
                id="2024-W52-evil",
                week="2024-W52",
                title="Evil " + evil,
                members=[
                    Member(
                        key="feed:https://evil.example/1",
                        kind="feed",
                        source="evil",
                        title="Evil",
                        url=None,
                        role="lead",
                    )
                ],
                rank=1,
                summary=summary,
            )
        ],
        {"feed:https://evil.example/1": item_id},
    )
    for path in ("/?week=2024-W52", "/story/2024-W52-evil", "/items?week=2024-W52"):
        page.goto(page.base + path)
        page.wait_for_load_state("networkidle")
    shot(page, "hostile-items")
    assert not [p for p in page.problems if p.startswith("dialog")], page.problems
    assert page.foreign == [], page.foreign


def test_hostile_svg_opened_directly_runs_nothing(page, web_settings):
    folder = web_settings.paths.drafts / "2024-W52"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text("![chart](evil.svg)\n", encoding="utf-8")
    (folder / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        '<script>alert(2)</script><image href="https://evil.example/x.png"/></svg>',
        encoding="utf-8",
    )
    log_draft(web_settings, "2024-W52", folder, ["index.md", "evil.svg"])
    page.goto(page.base + "/draft?week=2024-W52")
    page.goto(page.base + "/draft/2024-W52/files/evil.svg")
    page.wait_for_load_state("networkidle")
    assert not [p for p in page.problems if p.startswith("dialog")], page.problems
    assert page.foreign == [] and page.blocked == ["https://evil.example/x.png"], (
        page.foreign,
        page.blocked,
    )
    csp_reports = [p for p in page.problems if "Content Security Policy" in p]
    assert len(csp_reports) >= 3  # onload, <script> and the remote image were each refused


def test_draft_preview_and_bundle_download(page):
    page.goto(page.base + f"/draft?week={WEEK}")
    assert page.locator("article.preview").count() > 0, "the demo drafts this week"
    assert page.locator("article.preview h2").count() > 0  # Markdown rendered as the blog shows it
    assert "## " in page.locator("pre.markdown").inner_text()  # and the Markdown beside it
    with page.expect_download() as info:
        page.get_by_text("Download page bundle").click()
    import zipfile

    names = zipfile.ZipFile(info.value.path()).namelist()
    assert f"{WEEK}/index.md" in names
    assert page.problems == [], page.problems


def test_why_a_story_is_here_reads_on_a_phone_without_scrolling_sideways(browser, server):
    """At 390 px the score table shows each part's points and reason inside the screen (value and
    weight are left to the laptop view)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    try:
        pg.goto(server + f"/?week={WEEK}")
        pg.locator("li.story h2 a").first.click()
        pg.wait_for_url("**/story/**")
        table = pg.locator("table.why")
        box = table.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        assert pg.locator("table.why td:last-child").first.is_visible()
        assert not pg.locator("table.why th", has_text="weight").is_visible()
    finally:
        ctx.close()


def test_sources_read_and_remove_on_a_phone_without_scrolling_sideways(browser, server):
    """At 390 px each source is a block of its own: its name, the address its data comes from,
    its labelled facts and its Remove button all inside the screen (the table scrolled sideways
    inside its box to reach Remove before)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    pg = ctx.new_page()
    try:
        pg.goto(server + "/sources")
        rows = pg.locator("table.sources tr:has(button)")
        assert rows.count() >= 10
        for i in (0, rows.count() - 1):
            row = rows.nth(i)
            row.scroll_into_view_if_needed()
            for part in ("td.name", "td[data-label=status]", "button.danger"):
                box = row.locator(part).bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, part
        assert "https://hn.algolia.com" in pg.locator("table.sources").inner_text()
        scroll = pg.locator("div.scroll:has(table.sources)")
        assert scroll.evaluate("e => e.scrollWidth <= e.clientWidth")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        ctx.close()
