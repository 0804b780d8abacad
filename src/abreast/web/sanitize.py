"""Turning untrusted text (feed content, model output, the draft's Markdown) into safe page text.

Two rules: text is shown as text (tags stripped, then Jinja escapes it), and the only HTML we emit
from Markdown passes markdown-it with raw HTML disabled and then nh3 with an allowlist. Links must
be http(s) and get rel="noopener noreferrer"; images must come from the app itself, so a remote
image in a draft (Markdown image exfiltration) is dropped here and blocked by the CSP as well.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3

from ..understand.urls import reader_url

MD_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "br",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "sup",
    "sub",
}
MD_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s) (what a link may point to), as a reader should see it (no
    utm_* or other arrival tags: understand.urls.reader_url), else None."""
    if not url or any(c in url for c in " \n\r\t<>\"'`"):
        return None
    parts = urlsplit(url.strip())
    ok = parts.scheme in ("http", "https") and parts.netloc
    return reader_url(url.strip()) if ok else None


def plain_text(text: str | None, limit: int | None = None) -> str:
    """Stored item text (sanitized HTML or plain) -> plain text for display; Jinja escapes it
    later."""
    if not text:
        return ""
    flat = " ".join(html.unescape(nh3.clean(text, tags=set())).split())
    if limit and len(flat) > limit:
        flat = flat[:limit].rsplit(" ", 1)[0] + " …"
    return flat


def _is_local(src: str) -> bool:
    parts = urlsplit(src)
    return not parts.scheme and not parts.netloc and not src.startswith("//")


def _attribute_filter(asset_base: str):
    def keep(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            # Only the bundle's own files: a relative name, served by the app under asset_base.
            return (
                asset_base + value.lstrip("./") if _is_local(value) and ".." not in value else None
            )
        if tag == "a" and attr == "href":
            return value if safe_url(value) or (value.startswith("#") and len(value) > 1) else None
        return value

    return keep


def markdown_to_html(markdown: str, asset_base: str = "") -> str:
    """Markdown -> sanitized HTML, rendered as a blog would show it (tables and strikethrough on).
    Relative image paths are rewritten under ``asset_base``; any other image is dropped."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )
    body = md.render(_strip_front_matter(markdown))
    clean = nh3.clean(
        body,
        tags=MD_TAGS,
        attributes=MD_ATTRS,
        attribute_filter=_attribute_filter(asset_base),
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
    )
    return show_todos(clean)


# The draft's <TODO>...</TODO> notes reach the sanitized HTML as escaped text; mark them so the
# writer sees each one (the text between was escaped by the renderer and cleaned by nh3 already).
_TODO = re.compile(r"&lt;TODO&gt;(.*?)&lt;/TODO&gt;", re.S)


def show_todos(html_text: str) -> str:
    return _TODO.sub(lambda m: f'<mark class="todo">TODO: {m.group(1)}</mark>', html_text)


def _strip_front_matter(markdown: str) -> str:
    """Hugo/Jekyll front matter is metadata, not page text."""
    for fence in ("---", "+++"):
        if markdown.startswith(fence + "\n"):
            end = markdown.find("\n" + fence, len(fence))
            if end != -1:
                return markdown[end + len(fence) + 1 :].lstrip("\n")
    return markdown
