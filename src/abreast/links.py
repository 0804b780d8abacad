"""Every URL that enters the store, parsed and normalised once (issue 18).

A URL from a feed, an API or a user is untrusted text. Before it is stored it becomes an absolute
http(s) URL that is safe to place anywhere we write one (Markdown ``(<...>)``, an HTML attribute, a
terminal): no control characters, no raw ``"<>``, backtick, backslash or whitespace (they are
percent-encoded, so the link still works), a host in punycode (a look-alike Unicode host shows as
``xn--...``), no ``user:password@`` part (``https://trusted.com@evil.example/`` reads as trusted).
Anything that cannot be made so (``javascript:``, ``data:``, relative leftovers, a bad port or host)
is no link at all: ``None``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from urllib.parse import quote, urlsplit, urlunsplit

import idna

SCHEMES = ("http", "https")
MAX_URL = 4096  # longer is never a real article link; it would only bloat pages and the store
# C0 and C1 control characters and DEL: a terminal or an HTML parser may act on them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# RFC 3986 reserved and unreserved characters plus "%": left as they are, all else percent-encoded.
_SAFE = "/:@!$&'()*+,;=-._~%?#[]"
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$")


def normalize_url(value: object) -> str | None:
    """An absolute http(s) URL made safe to store and write, or None when ``value`` is not one."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_URL or _CONTROL.search(value):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:  # a bad port or an unbalanced IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        return None
    host = _ascii_host(parts.hostname)
    if host is None:
        return None
    netloc = host + (f":{port}" if port is not None else "")
    return urlunsplit(
        (
            scheme,
            netloc,
            _encode(parts.path),
            _encode(parts.query),
            _encode(parts.fragment),
        )
    )


def _encode(part: str) -> str:
    # quote() leaves "%" alone, so an existing escape stays as it is; a stray "%" becomes "%25".
    part = _BAD_PERCENT.sub("%25", part)
    return quote(part, safe=_SAFE).replace("[", "%5B").replace("]", "%5D")


def _ascii_host(host: str) -> str | None:
    """The host in lower-case ASCII (punycode for Unicode names), an IP literal as is, or None."""
    host = host.lower().rstrip(".")
    if ":" in host:  # an IPv6 literal (urlsplit removed its brackets)
        return f"[{host}]" if re.fullmatch(r"[0-9a-f:.]+", host) else None
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            try:  # IDNA 2003, which browsers still accept for names IDNA 2008 refuses (emoji)
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                return None
    return host if _HOST.match(host) else None


def is_web_url(value: object) -> bool:
    """True when ``value`` is already a normalised http(s) URL (what the store holds)."""
    return isinstance(value, str) and normalize_url(value) == value


# --- bare domains in text ------------------------------------------------------------------------

# A host followed by a path, without scheme: "evil.top/x", "bit.ly/abc". Only the path makes it a
# link-like thing; without one, "app.py" or "README.md" would look like domains (py, md are TLDs).
_DOMAIN_PATH = re.compile(
    r"(?<![\w@.-])((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+([^\W\d_]{2,63}|xn--[a-z0-9-]+))/",
    re.IGNORECASE,
)


@cache
def top_level_domains() -> frozenset[str]:
    """Every top-level domain of the Public Suffix List, ASCII (punycode) and Unicode. Read from the
    snapshot the ``tld`` package ships (never fetched: abreast reads no network at run time)."""
    text = (
        resources.files("tld")
        .joinpath("res", "effective_tld_names.dat.txt")
        .read_text(encoding="utf-8")
    )
    out: set[str] = set()
    for line in text.splitlines():
        rule = line.strip().lstrip("!*.")
        if not rule or rule.startswith("//"):
            continue
        top = rule.rsplit(".", 1)[-1].lower()
        out.add(top)
        if not top.isascii():
            try:
                out.add(top.encode("idna").decode("ascii"))
            except UnicodeError:
                pass
    return frozenset(out)


def bare_domains(text: str) -> list[str]:
    """Hosts with a path in ``text`` whose last label is a real top-level domain."""
    tlds = top_level_domains()
    return [m.group(1) for m in _DOMAIN_PATH.finditer(text) if m.group(2).lower() in tlds]
