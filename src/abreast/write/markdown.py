"""The one way text from items and models enters Markdown we write (issue 18).

Drafts, `todo` proposals and cited summaries are read by Markdown renderers and, before that, by the
user's site generator. Text from a feed or a model is untrusted, so it goes through ``escape`` and
links through ``link``; nothing else puts item text into Markdown.

- Markdown syntax (links, images, emphasis, code, raw HTML, autolinks) is backslash-escaped; URLs in
  the text are shown as inert code, never as links; a line cannot start a heading, list or quote.
- Template syntax is neutralised for the format the draft is for: Hugo reads shortcodes
  (``{{< >}}``, ``{{% %}}``) and Jekyll reads Liquid (``{{ }}``, ``{% %}``) in the raw file before
  Markdown, so every brace (and a percent sign beside one) is backslash-escaped. The template
  engine then sees no ``{{``/``{%`` and the Markdown renderer shows ``\\{`` as ``{``. A plain draft
  goes through no template engine and keeps its braces.
- A link's destination is a normalised http(s) URL (links.normalize_url): no ``"<>``, no spaces, no
  ``javascript:``. Anything else is written as plain text, without a link.
"""

from __future__ import annotations

import re

from ..links import normalize_url
from ..understand.urls import reader_url

FORMATS = ("hugo", "jekyll", "plain")
TEMPLATED = ("hugo", "jekyll")  # formats whose site generator runs a template engine over content

_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"'`]+", re.IGNORECASE)
# Characters that can start Markdown links, images, emphasis, code, HTML or autolinks.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_MD_AND_TEMPLATE = re.compile(r"([\\`*_\[\]<>{}])")
_PERCENT_BY_BRACE = re.compile(r"(?<=\{)%|%(?=\\\})")
_BLOCK_START = ("#", "-", "+", "=", ">", "|")


def escape(text: str, fmt: str = "plain") -> str:
    """Untrusted text as inert inline Markdown for a draft of format ``fmt`` (one line)."""
    special = _MD_AND_TEMPLATE if fmt in TEMPLATED else _MD_SPECIAL
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(special.sub(r"\\\1", text[last : m.start()]))
        # Backslashes do not work inside code spans, so braces there are percent-encoded instead.
        code = m.group(0).replace("`", "")
        if fmt in TEMPLATED:
            code = code.replace("{", "%7B").replace("}", "%7D")
        out.append("`" + code + "`")
        last = m.end()
    out.append(special.sub(r"\\\1", text[last:]))
    flat = " ".join("".join(out).split())
    if fmt in TEMPLATED:  # "\{%" still holds "{%": a percent sign next to a brace is escaped too
        flat = _PERCENT_BY_BRACE.sub(r"\\%", flat)
    return "\\" + flat if flat.startswith(_BLOCK_START) else flat


def safe_url(url: str | None) -> str | None:
    """``url`` as a link destination we may write, as a reader should see it (no utm_* or other
    arrival tags: understand.urls.reader_url), or None (then write no link)."""
    dest = normalize_url(url) if url else None
    return reader_url(dest) if dest else None


def link(title: str, url: str | None, fmt: str = "plain") -> str:
    """``[title](<url>)`` with the title escaped, or the escaped title alone when ``url`` is
    unsafe."""
    dest = safe_url(url)
    return f"[{escape(title, fmt)}](<{dest}>)" if dest else escape(title, fmt)


_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def image(alt: str, name: str, fmt: str = "plain") -> str:
    """``![alt](name)`` for a picture abreast drew into the bundle (``name``: a plain file
    name)."""
    if not _FILE_NAME.fullmatch(name):
        raise ValueError(f"not a bundle file name: {name!r}")
    return f"![{escape(alt, fmt)}]({name})"
