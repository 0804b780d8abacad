"""`abreast feed`: the weekly digests as an Atom feed and a JSON Feed, for the reader you already
use.

One entry per week: the week's top stories, each with its cited summary and links to its sources.
Entry content is HTML built only from escaped text and stored item URLs.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, time
from xml.sax.saxutils import escape, quoteattr

from ..explain.summary import Summary
from ..stories.model import Story
from .compose import week_dates

TOP = 10
FEED_ID = "urn:abreast:weekly-digest"


def _story_html(s: Story) -> str:
    lead = s.lead
    parts = [
        f'<h3><a href="{html.escape(lead.url or "", quote=True)}">{html.escape(s.title)}</a></h3>'
    ]
    if s.summary and s.summary.get("sentences"):
        sents = []
        for sent in Summary.from_dict(s.summary).sentences:
            cite = (
                f' <a href="{html.escape(sent.url, quote=True)}">[{sent.cite}]</a>'
                if sent.url and sent.url.startswith(("http://", "https://"))
                else f" [{sent.cite}]"
            )
            sents.append(html.escape(sent.text) + cite)
        parts.append("<p>" + " ".join(sents) + "</p>")
    links = [
        f'<a href="{html.escape(m.url, quote=True)}">{html.escape(m.source)}</a>'
        for m in s.members
        if m.url
    ]
    if links:
        parts.append("<p>Sources: " + " · ".join(dict.fromkeys(links)) + "</p>")
    return "\n".join(parts)


def week_entry(week: str, stories: list[Story]) -> dict:
    _, sunday = week_dates(week)
    updated = datetime.combine(sunday, time(23, 59, 59), tzinfo=UTC).isoformat()
    body = "\n".join(_story_html(s) for s in stories[:TOP])
    return {
        "id": f"{FEED_ID}:{week}",
        "title": f"The State of the LLM space: {week}",
        "updated": updated,
        "html": body,
        "week": week,
    }


def atom(entries: list[dict], title: str = "abreast: weekly AI digest") -> str:
    updated = max((e["updated"] for e in entries), default="1970-01-01T00:00:00+00:00")
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title>",
        f"<id>{FEED_ID}</id>",
        f"<updated>{updated}</updated>",
        "<author><name>abreast</name></author>",
    ]
    for e in sorted(entries, key=lambda e: e["week"], reverse=True):
        out += [
            "<entry>",
            f"<id>{escape(e['id'])}</id>",
            f"<title>{escape(e['title'])}</title>",
            f"<updated>{e['updated']}</updated>",
            f"<content type={quoteattr('html')}>{escape(e['html'])}</content>",
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def json_feed(entries: list[dict], title: str = "abreast: weekly AI digest") -> str:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "items": [
            {
                "id": e["id"],
                "title": e["title"],
                "date_modified": e["updated"],
                "content_html": e["html"],
            }
            for e in sorted(entries, key=lambda e: e["week"], reverse=True)
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
