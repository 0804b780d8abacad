"""Fuzzed URLs through links.normalize_url, the one door every stored URL enters by (issue 18)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from abreast.links import normalize_url

UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\"<>`\\{}|^]")
pieces = st.sampled_from(
    ["http://", "https://", "HTTPS://", "javascript:", "data:", "//", "ftp://", "", "www."]
)
hosts = st.sampled_from(
    ["example.org", "Bücher.example", "ex.com:8080", "[::1]", "a@b.example", "x..y", "", "💩.la"]
)


@settings(max_examples=400, deadline=None)
@given(pieces, hosts, st.text(max_size=60))
def test_a_normalised_url_is_http_safe_and_stable(scheme, host, rest):
    url = normalize_url(scheme + host + "/" + rest)
    if url is None:
        return
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.hostname
    assert not UNSAFE.search(url), (
        url
    )  # nothing that can end an attribute, a tag or a Markdown link
    assert url.isascii() and "@" not in parts.netloc
    assert normalize_url(url) == url  # normalised once: again changes nothing


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_anything_that_is_not_an_http_url_is_no_link(text):
    url = normalize_url(text)
    assert url is None or url.startswith(("http://", "https://"))
