"""URL canonicalization: the same article reached through different URLs is one thing."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(
    r"^(utm_\w+|ref|ref_src|ref_url|fbclid|gclid|mc_cid|mc_eid|igshid|si|s|source|via|__s)$"
)
ARXIV = re.compile(
    r"^/(?:abs|pdf|html)/([a-z\-]+/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$", re.I
)


def canonicalize(url: str) -> str:
    """Lower-case scheme and host, drop www., fragments, tracking parameters and trailing slashes;
    map arXiv abs/pdf/html/version variants to https://arxiv.org/abs/<id>."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if host in ("arxiv.org", "export.arxiv.org"):
        m = ARXIV.match(parts.path)
        if m:
            return f"https://arxiv.org/abs/{m.group(1)}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING.match(k.lower())
        )
    )
    path = parts.path.rstrip("/") or ""
    netloc = host + (f":{parts.port}" if parts.port and parts.port not in (80, 443) else "")
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme.lower()
    return urlunsplit((scheme, netloc, path, query, ""))


# Query parameters a reader is never shown or sent with: how they arrived (TRACKING: campaign tags,
# click ids, referrers) and Meta's `_fb_noscript=1`, which asks its pages for their no-JavaScript
# variant. Not in TRACKING, because item keys depend on that list and must not change; the store
# keeps every URL as fetched, and only what a reader sees drops these.
READER_NOISE = re.compile(r"^_fb_noscript$")


def reader_url(url: str) -> str:
    """The address a reader is shown and sent to for a stored ``url``: the same, less the query
    parameters that only say how someone arrived (utm_*, fbclid, ref, ...). Everything else
    (scheme, host, path, fragment, the other parameters and their order) stays as stored."""
    if "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and not _is_noise(unquote(pair.split("=", 1)[0]).lower())
    ]
    query = "&".join(kept)
    return url if query == parts.query else urlunsplit(parts._replace(query=query))


def _is_noise(name: str) -> bool:
    return bool(TRACKING.match(name) or READER_NOISE.match(name))


# An address in prose ends before the punctuation that follows it ("...: https://x/y; a paper").
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]")


def reader_text(text: str) -> str:
    """``text`` with every address in it as ``reader_url`` gives it (a score's "why" names the
    page it counted: "the lab's own post: https://ai.meta.com/...")."""
    return _URL_IN_TEXT.sub(lambda m: reader_url(m.group(0)), text)


# Where a link leads to a picture or a video, not a page to read: the story card says so ("An image
# post with nothing to quote") and the week's ranking gives such a post little substance; one list,
# so the two cannot disagree.
IMAGE_HOSTS = ("i.redd.it", "preview.redd.it", "i.imgur.com", "imgur.com", "pbs.twimg.com")
VIDEO_HOSTS = ("v.redd.it", "youtube.com", "youtu.be", "vimeo.com", "streamable.com")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def media_kind(url: str | None) -> str | None:
    """ "image", "video" or "gallery" where ``url`` shows a picture or a video, else None."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.").removeprefix("old.")
    path = parts.path.lower()
    if host in IMAGE_HOSTS or path.endswith(IMAGE_SUFFIXES):
        return "image"
    if host in VIDEO_HOSTS or host.endswith(".youtube.com"):
        return "video"
    if host.endswith("reddit.com") and path.startswith("/gallery"):
        return "gallery"
    return None
