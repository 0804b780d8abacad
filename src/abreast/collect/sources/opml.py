"""OPML import and export of feed sources, compatible with what Miniflux and FreshRSS write.

Both write one level of category outlines (`<outline text="Category">`) holding feed outlines with
`xmlUrl`/`htmlUrl`/`title`/`text`; other tools nest deeper. Like Miniflux, a feed's category is its
nearest enclosing outline. XML safety (reliability.md #14): the size is capped before parsing and
documents declaring entities are refused, so neither external entities nor "billion laughs" apply.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from ..sanitize import one_line
from ._util import ParseError, web_url

MAX_OPML_BYTES = 5 * 1024 * 1024
_BARE_AMPERSAND = re.compile(rb"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def parse_opml(data: bytes) -> list[dict[str, Any]]:
    """OPML bytes -> [{name, kind: "feed", url, category, html_url}], in document order, one per
    feed URL (the first wins). Outlines whose xmlUrl is not http(s) are ignored (reliability.md
    #1)."""
    root = _parse_xml(data)
    if root.tag.lower() != "opml":
        raise ParseError(f"not an OPML document (root element <{root.tag}>).")
    body = next((child for child in root if child.tag.lower() == "body"), None)
    if body is None:
        raise ParseError("the OPML document has no <body>.")
    found: list[dict[str, Any]] = []
    _walk(body, category=None, out=found, seen=set())
    return found


def _parse_xml(data: bytes) -> ET.Element:
    if len(data) > MAX_OPML_BYTES:
        raise ParseError(f"the OPML file is larger than {MAX_OPML_BYTES // (1024 * 1024)} MiB.")
    # Checked on the decoded text too, so a UTF-16 document cannot hide its declarations.
    text = data.decode("utf-16", errors="ignore") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
    if b"<!ENTITY" in data.upper() or "<!ENTITY" in text.upper():
        raise ParseError("the OPML file declares XML entities; refused for safety.")
    try:
        return ET.fromstring(data)
    except (LookupError, ValueError) as exc:  # LookupError: an encoding= Python does not know
        raise ParseError(f"the OPML file cannot be decoded ({exc}).") from exc
    except ET.ParseError:
        pass
    # Some exporters write raw '&' inside URLs (Miniflux's parser accepts them); escape and retry
    # once.
    try:
        return ET.fromstring(_BARE_AMPERSAND.sub(b"&amp;", data))
    except (ET.ParseError, LookupError, ValueError) as exc:
        raise ParseError(f"the OPML file is not well-formed XML ({exc}).") from exc


def _attr(el: ET.Element, name: str) -> str | None:
    """Attribute lookup ignoring case and namespaces (xmlUrl, xmlurl, XMLURL all occur)."""
    wanted = name.lower()
    for key, value in el.attrib.items():
        if key.rsplit("}", 1)[-1].lower() == wanted:
            return value
    return None


def _walk(
    parent: ET.Element, *, category: str | None, out: list[dict[str, Any]], seen: set[str]
) -> None:
    for el in parent:
        if el.tag.rsplit("}", 1)[-1].lower() != "outline":
            continue
        label = one_line(_attr(el, "title") or _attr(el, "text")) or None
        xml_url = _attr(el, "xmlUrl")
        if xml_url is None:
            _walk(el, category=label or category, out=out, seen=seen)
            continue
        url = web_url(xml_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        html_url = web_url(_attr(el, "htmlUrl"))
        out.append(
            {
                "name": label or html_url or url,
                "kind": "feed",
                "url": url,
                "category": category,
                "html_url": html_url,
            }
        )


def export_opml(sources: Iterable[object], title: str = "abreast sources") -> bytes:
    """Feed sources -> OPML 2.0 bytes in Miniflux/FreshRSS shape: one outline per category, sorted
    by name, each holding its feeds (`type="rss"`, `text` and `title`, `xmlUrl`, `htmlUrl` when
    known). Accepts dicts or objects with name/kind/url and a category (attribute, key, or
    config["category"]). Sources of other kinds (hn, arxiv, ...) have no OPML form and are left
    out."""
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(opml, "body")
    groups: dict[str, list[dict[str, Any]]] = {}
    for src in sources:
        row = _as_row(src)
        if row["kind"] == "feed" and row["url"]:
            groups.setdefault(row["category"] or "", []).append(row)
    for category in sorted(groups):
        holder = ET.SubElement(body, "outline", text=category, title=category) if category else body
        for row in groups[category]:
            attrs = {"type": "rss", "text": row["name"], "title": row["name"], "xmlUrl": row["url"]}
            if row.get("html_url"):
                attrs["htmlUrl"] = row["html_url"]
            ET.SubElement(holder, "outline", attrs)
    ET.indent(opml, space="  ")
    data: bytes = ET.tostring(opml, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _as_row(src: object) -> dict[str, Any]:
    get = src.get if isinstance(src, dict) else (lambda k, d=None: getattr(src, k, d))
    config = get("config") or {}
    category = get("category") or (config.get("category") if isinstance(config, dict) else None)
    html_url = get("html_url") or (config.get("html_url") if isinstance(config, dict) else None)
    return {
        "name": get("name") or get("url"),
        "kind": get("kind", "feed"),
        "url": get("url"),
        "category": category,
        "html_url": html_url,
    }
