"""Feed HTML made harmless at ingest (reliability.md #21), and HTML turned into plain text.

Decision: connectors store plain text in ``Item.text``; the web app escapes it at render. HTML is
first cleaned with an nh3 allowlist so nothing executable (script/style/iframe content, ``on*``
attributes, ``javascript:`` URLs) survives even inside the text, then flattened. ``sanitize_html``
is public for anyone who wants to show rich feed HTML (or model output, #27) as HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# nh3's defaults minus tags we never want to render from a feed; no attribute allows scripts,
# styles, or event handlers, and only these URL schemes survive in href/src.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with everything inside them, not just unwrapped.
DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "svg",
    "math",
    "form",
    "textarea",
    "select",
    "button",
    "frameset",
    "frame",
    "applet",
    "head",
    "title",
}

BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "hr",
    "dd",
    "dt",
    "dl",
    "figure",
    "figcaption",
    "section",
    "article",
    "header",
    "footer",
    "details",
    "summary",
    "caption",
}
PARAGRAPH_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "table",
    "figure",
    "hr",
    "dl",
}


def sanitize_html(fragment: str) -> str:
    """Allowlist-clean an HTML fragment; links get ``rel="noopener noreferrer"``."""
    if not fragment:
        return ""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            if tag != "li" and self.parts and self.parts[-1] == "- ":
                return  # <li><p>text</p></li> reads as one bullet, not a bullet and a paragraph
            # A blank line before paragraphs even when the HTML never closes them (HN's bare <p>).
            self.parts.append("\n\n" if tag in PARAGRAPH_TAGS else "\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS and tag not in ("li", "br"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_SPACES = re.compile(r"[ \t\f\v\r\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# C0 controls other than tab/newline are never meaningful text and break XML exports later.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: sanitized first, block elements become line breaks,
    runs of spaces collapse, at most one blank line in a row. Plain text input passes through."""
    if not fragment:
        return ""
    cleaned = sanitize_html(fragment)
    collector = _TextCollector()
    collector.feed(cleaned)
    collector.close()
    return tidy_text("".join(collector.parts))


def tidy_text(text: str) -> str:
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clip(text: str, limit: int) -> str:
    """Cut at a word boundary near ``limit`` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def one_line(text: str | None) -> str:
    """Titles: HTML-free, one line, no surrounding space."""
    return " ".join(html_to_text(text).split())
