"""Recorded article pages, served at the article's own address (host + path), as HTML.

Only pages the snapshot records exist (`snapshot/pages/`, each with its origin; PROVENANCE.md): any
other article answers 404, so the demo's reading stage says "no article text" for it rather than
reaching the real site. robots.txt of those sites was not recorded either: it answers 404, which a
crawler reads as "everything allowed", as for a site without one.
"""

from __future__ import annotations

from ..recording import Recording
from . import Response

HTML = "text/html; charset=utf-8"


def page_key(url_or_host_path: str) -> str:
    """'https://huggingface.co/blog/modernbert/' -> 'huggingface.co/blog/modernbert'."""
    rest = url_or_host_path.split("://", 1)[-1]
    return rest.split("#", 1)[0].split("?", 1)[0].rstrip("/")


def respond(host_path: str, recording: Recording) -> Response | None:
    """The recorded page at host_path, or None when the snapshot records no page there."""
    page = recording.pages.get(page_key(host_path))
    if page is None:
        return None
    return Response(200, page.encode("utf-8"), HTML)
