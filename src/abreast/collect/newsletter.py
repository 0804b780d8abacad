"""Newsletters are digests of digests: one feed entry (Simon Willison's newsletter, a lab's weekly
roundup) bundles many posts, links and quotes. Split such an entry into sections, each with its own
title, link and text, so each section can join the story it talks about and lend its author's
explanation, quoted verbatim and attributed.

A section starts at an <h2>/<h3> heading or after an <hr> separator (how newsletter tools lay out
digests). An entry is split only when it has at least MIN_SECTIONS sections with a link and some
prose; otherwise it is one article, whatever its subheadings (<h4> and below never split).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from .sanitize import clip, html_to_text, one_line

MIN_SECTIONS = 3
MIN_TEXT = 60  # a section with less prose than this is a subscribe box or a table of contents
MAX_TEXT = 4000
BOUNDARY = re.compile(r"(?=<h[23][\s>])|<div[^>]*>\s*<hr[^>]*>\s*</div>|<hr[^>]*>", re.IGNORECASE)
DATED_TITLE = re.compile(r"\s+[-–—]\s+(\d{4}-\d{2}-\d{2})\s*$")
KIND_LABEL = re.compile(r"^\s*(Link|Quote|Note|TIL|Release)\s+(\d{4}-\d{2}-\d{2})?\s*", re.I)


@dataclass
class Section:
    title: str
    url: str  # what the section is about: its heading's link, else its first link
    text: str  # the section's own words, plain text
    links: list[str] = field(default_factory=list)
    day: str | None = None  # a date the section states for itself (YYYY-MM-DD), else None


class _Links(HTMLParser):
    """The hrefs of a fragment in order, and the heading (h2/h3) text and link if it starts with
    one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, anchor text)
        self.heading_text = ""
        self.heading_link: str | None = None
        self._in_heading = False
        self._seen_other = False
        self._href: str | None = None
        self._anchor: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "h3") and not self._seen_other and not self.heading_text:
            self._in_heading = True
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._anchor = []
        elif tag in ("p", "ul", "ol", "blockquote", "div", "img") and not self._in_heading:
            self._seen_other = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3") and self._in_heading:
            self._in_heading = False
            self._seen_other = True
        elif tag == "a" and self._href:
            self.links.append((self._href, "".join(self._anchor).strip()))
            if self._in_heading and self.heading_link is None:
                self.heading_link = self._href
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.heading_text += data
        if self._href is not None:
            self._anchor.append(data)


def chunks(html: str) -> list[str]:
    """The entry's HTML cut at section boundaries (headings h2/h3, horizontal rules)."""
    return [c for c in BOUNDARY.split(html or "") if c and c.strip()]


def split_sections(html: str, base_url: str | None = None) -> list[Section]:
    """The sections of a digest entry; [] when the entry is not a digest."""
    found = [s for s in (parse_section(c, base_url) for c in chunks(html)) if s is not None]
    return found if len(found) >= MIN_SECTIONS else []


def parse_section(fragment: str, base_url: str | None) -> Section | None:
    parser = _Links()
    parser.feed(fragment)
    links = [
        (urljoin(base_url or "", href), text)
        for href, text in parser.links
        if href and not href.startswith(("#", "mailto:", "javascript:"))
    ]
    links = [(u, t) for u, t in links if u.startswith(("http://", "https://"))]
    text = html_to_text(fragment)
    if not links or len(text) < MIN_TEXT:
        return None
    day = None
    if parser.heading_text.strip():
        title = one_line(parser.heading_text)
        m = DATED_TITLE.search(title)
        if m:
            title, day = title[: m.start()], m.group(1)
        url = urljoin(base_url or "", parser.heading_link) if parser.heading_link else links[0][0]
        body = (
            text[len(one_line(parser.heading_text)) :].strip()
            if text.startswith(one_line(parser.heading_text)[:20])
            else text
        )
    else:
        label = KIND_LABEL.match(text)
        if label:
            day = label.group(2)
        # A link post names its subject in its first link; a quote names its source in its last.
        is_quote = bool(label and label.group(1).lower() == "quote")
        url, anchor = links[-1] if is_quote else links[0]
        title = one_line(anchor) or clip(one_line(text), 100)
        if is_quote:
            title = f"Quote from {title}"
        body = text[label.end() :] if label else text
    body = body.strip().removeprefix(title).lstrip(" :\n")
    return Section(
        title=clip(title, 200),
        url=url,
        text=clip(body or text, MAX_TEXT),
        links=list(dict.fromkeys(u for u, _ in links)),
        day=day,
    )
