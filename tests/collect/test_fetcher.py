"""The fetcher against a real, misbehaving HTTP server on 127.0.0.1 (reliability.md #1-#5, #8, #11,
#12).

No mocks: every test makes real requests through httpx and real sockets. Timeouts are short so the
whole file runs in a few seconds.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from abreast import config
from abreast.collect.fetcher import (
    BlockedAddress,
    EmptyResponse,
    Fetcher,
    FetchError,
    Gone,
    HTTPStatusError,
    Timeout,
    TooLarge,
    TooManyRedirects,
    UnsupportedURL,
    decode_body,
)
from abreast.collect.netguard import parse_allowlist, refusal_reason
from abreast.errors import ConfigError

from .hostile_server import ETAG, FEED, LAST_MODIFIED, HostileServer, gzip_bomb, make_certificates

CAP = 1024 * 1024
TEST_SETTINGS = {
    "allow_private": ["127.0.0.1"],
    "connect_timeout": 1.0,
    "read_timeout": 0.5,
    "deadline": 1.5,
    "max_bytes": CAP,
    "politeness": False,
}


@pytest.fixture(scope="module")
def server():
    with HostileServer() as s:
        yield s


@pytest.fixture
def fetcher():
    with Fetcher(TEST_SETTINGS) as f:
        yield f


class FakeClock:
    """Politeness time: sleeping advances the clock instead of waiting."""

    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def resolver_to_loopback(names: dict[str, list[str]]):
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return names.get(host, [host])

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


# ------------------------------------------------------------------------------------------ good
# path


def test_good_feed_records_body_validators_and_final_url(server, fetcher):
    response = fetcher.get(server.url("/ok"))
    assert response.status == 200
    assert response.body == FEED
    assert response.etag == ETAG and response.last_modified == LAST_MODIFIED
    assert response.final_url == server.url("/ok")
    assert response.headers["cache-control"] == "max-age=900"  # keys are lower-case
    assert "Small models win" in response.text()
    assert response.body_sha256 == hashlib.sha256(FEED).hexdigest()  # spots "200 but unchanged"


def test_user_agent_is_descriptive_with_a_contact_url(server, fetcher):
    sent = json.loads(fetcher.get(server.url("/headers")).body)
    agent = sent["user-agent"]
    assert agent.startswith("abreast/") and "+https://" in agent


def test_conditional_get_round_trip_returns_304_without_body(server, fetcher):
    first = fetcher.get(server.url("/ok"))
    again = fetcher.get(server.url("/ok"), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.status == 304 and again.body == b""
    assert again.etag == ETAG and again.last_modified == LAST_MODIFIED  # kept for the next round
    _, headers = server.requests[-1]
    assert headers["if-none-match"] == ETAG and headers["if-modified-since"] == LAST_MODIFIED
    only_date = fetcher.get(server.url("/ok"), last_modified=LAST_MODIFIED)
    assert only_date.not_modified


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/deflate?raw=1"])
def test_compressed_bodies_are_decoded(server, fetcher, path):
    assert fetcher.get(server.url(path)).body == FEED


def test_redirects_are_followed_and_final_url_recorded(server, fetcher):
    response = fetcher.get(server.url("/chain/3"))
    assert response.final_url == server.url("/ok") and response.url == server.url("/chain/3")
    assert response.body == FEED


def test_allowlist_from_environment_variable_reaches_the_fetcher(server, tmp_path):
    settings = config.load(tmp_path, environ={"ABREAST_FETCH_ALLOW_PRIVATE": "127.0.0.1,::1"})
    with Fetcher(settings.fetch) as f:
        assert f.get(server.url("/ok")).body == FEED


# ------------------------------------------------------------------------------------------ time
# limits


def test_server_that_never_answers_hits_the_read_timeout(server, fetcher):
    started = time.monotonic()
    with pytest.raises(Timeout, match="stopped sending"):
        fetcher.get(server.url("/slow?delay=5"))
    assert time.monotonic() - started < 1.4


def test_body_dripping_forever_is_cut_by_the_total_deadline(server, fetcher):
    # Each byte arrives well within the read timeout; only the total deadline can stop this.
    started = time.monotonic()
    with pytest.raises(Timeout, match="in total"):
        fetcher.get(server.url("/drip?every=0.05"))
    assert 1.4 < time.monotonic() - started < 3.0


def test_headers_dripping_forever_are_cut_by_the_total_deadline(server, fetcher):
    started = time.monotonic()
    with pytest.raises(Timeout):
        fetcher.get(server.url("/drip-headers"))
    assert time.monotonic() - started < 2.5


# ------------------------------------------------------------------------------------------ size
# limits


def test_endless_body_stops_at_the_cap(server, fetcher):
    started = time.monotonic()
    with pytest.raises(TooLarge, match="max_bytes"):
        fetcher.get(server.url("/endless"))
    assert time.monotonic() - started < 1.0


def test_declared_length_over_the_cap_is_refused_before_reading(server, fetcher):
    # The route then stalls, so waiting for the body would end in a Timeout instead.
    with pytest.raises(TooLarge):
        fetcher.get(server.url("/big-declared"))


def test_connection_closed_mid_body_is_an_error_not_a_short_feed(server, fetcher):
    with pytest.raises(FetchError, match="could not fetch"):
        fetcher.get(server.url("/truncated"))


def test_the_bomb_really_is_one(server):
    # Guards the next test: the route must serve a valid gzip stream that inflates enormously.
    assert gzip.decompress(gzip_bomb(4)) == bytes(4 * 1024 * 1024)
    assert len(gzip_bomb()) < 2 * 1024 * 1024  # 1 GiB inflated


def test_gzip_bomb_fails_fast_without_inflating_in_memory(server, fetcher):
    gzip_bomb()  # built before measuring
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(TooLarge):
            fetcher.get(server.url("/gzip-bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2.0
    # Inflating one 64 KiB network chunk whole would already take ~64 MiB.
    assert peak < 8 * CAP, f"peak {peak / 2**20:.1f} MiB"


def test_empty_200_is_a_failure_not_an_empty_feed(server, fetcher):
    with pytest.raises(EmptyResponse, match="empty body"):
        fetcher.get(server.url("/empty"))


# ------------------------------------------------------------------------------------------
# redirects


def test_redirect_loop_gives_up_after_the_limit(server, fetcher):
    with pytest.raises(TooManyRedirects):
        fetcher.get(server.url("/redirect-loop"))
    assert server.hits["/redirect-loop"] >= 6


def test_redirect_chain_one_past_the_limit_is_refused(server, fetcher):
    fetcher.get(server.url("/chain/5"))  # five hops is allowed
    with pytest.raises(TooManyRedirects):
        fetcher.get(server.url("/chain/6"))


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/",  # CGNAT
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "http://127.0.0.2/",  # loopback, but not the allowlisted address
    ],
)
def test_redirect_to_a_private_address_is_refused_even_when_another_ip_is_allowed(
    server, fetcher, target
):
    with pytest.raises(BlockedAddress) as caught:
        fetcher.get(server.url(f"/redirect?to={target}"))
    assert caught.value.url == server.url(f"/redirect?to={target}")
    assert "not public" in str(caught.value)


def test_redirect_to_a_file_url_is_refused(server, fetcher):
    with pytest.raises(UnsupportedURL):
        fetcher.get(server.url("/redirect?to=file:///etc/passwd"))


def test_credentials_are_not_forwarded_to_another_origin(server):
    resolve = resolver_to_loopback({"other.test": ["127.0.0.1"]})
    with Fetcher(TEST_SETTINGS, resolver=resolve) as f:
        elsewhere = f"http://other.test:{server.port}/headers"
        sent = json.loads(
            f.get(server.url(f"/redirect?to={elsewhere}"), headers={"Authorization": "x"}).body
        )
        assert "authorization" not in sent and sent["host"] == f"other.test:{server.port}"
        same = json.loads(
            f.get(server.url("/redirect?to=/headers"), headers={"Authorization": "x"}).body
        )
        assert same["authorization"] == "x"


# ------------------------------------------------------------------------------------------
# addresses


def test_default_fetcher_refuses_loopback_without_connecting(server):
    before = server.hits["/ok"]
    with Fetcher({"politeness": False}) as f, pytest.raises(BlockedAddress):
        f.get(server.url("/ok"))
    assert server.hits["/ok"] == before  # refused before any byte was sent


def test_hostname_resolving_to_loopback_is_refused_without_allowlist(server):
    before = server.hits["/ok"]
    with (
        Fetcher({"politeness": False}) as f,
        pytest.raises(BlockedAddress, match="localhost.*127.0.0.1"),
    ):
        f.get(f"http://localhost:{server.port}/ok")
    assert server.hits["/ok"] == before


def test_a_name_with_any_private_answer_is_refused(server):
    # A rebinding-style DNS answer that mixes an allowed address with a private one.
    resolve = resolver_to_loopback({"mixed.test": ["127.0.0.1", "10.0.0.1"]})
    with (
        Fetcher(TEST_SETTINGS, resolver=resolve) as f,
        pytest.raises(BlockedAddress, match="10.0.0.1"),
    ):
        f.get(f"http://mixed.test:{server.port}/ok")


def test_connection_goes_to_the_address_that_was_checked(server):
    # The system resolver cannot resolve .test names: success proves the socket used our checked
    # answer,
    # and one resolver call per connection proves nothing re-resolved the name after the check.
    resolve = resolver_to_loopback({"feeds.test": ["127.0.0.1"]})
    with Fetcher(TEST_SETTINGS, resolver=resolve) as f:
        assert f.get(f"http://feeds.test:{server.port}/ok").body == FEED
    assert resolve.calls == ["feeds.test"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/feed",
        "gopher://example.org/",
        "javascript:alert(1)",
        "example.org/feed",
        "http:///nohost",
    ],
)
def test_only_http_and_https_urls_are_fetched(fetcher, url):
    with pytest.raises(UnsupportedURL):
        fetcher.get(url)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",
        "64:ff9b:1::1",
        "2002:7f00:1::1",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert refusal_reason(address) is not None


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_are_allowed(address):
    assert refusal_reason(address) is None


def test_allowlist_is_exact_per_address_or_network():
    allow = parse_allowlist(["127.0.0.1", "10.1.0.0/16"])
    assert refusal_reason("127.0.0.1", allow) is None
    assert refusal_reason("::ffff:127.0.0.1", allow) is None
    assert refusal_reason("10.1.2.3", allow) is None
    assert refusal_reason("127.0.0.2", allow) is not None
    assert refusal_reason("10.2.0.1", allow) is not None
    assert refusal_reason("::1", allow) is not None


def test_a_host_name_in_the_allowlist_is_a_config_error():
    with pytest.raises(ConfigError, match="localhost"):
        Fetcher({"allow_private": ["localhost"]})


# ------------------------------------------------------------------------------------------
# statuses


def test_429_carries_retry_after_in_seconds(server, fetcher):
    with pytest.raises(HTTPStatusError) as caught:
        fetcher.get(server.url("/status/429?retry_after=120"))
    assert caught.value.status == 429 and caught.value.retry_after == 120
    assert "429" in str(caught.value)


def test_503_retry_after_as_http_date(server, fetcher):
    when = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    with pytest.raises(HTTPStatusError) as caught:
        fetcher.get(server.url("/status/503?retry_after=" + when.replace(" ", "%20")))
    assert caught.value.status == 503 and 580 <= caught.value.retry_after <= 600


def test_server_errors_are_status_errors_without_retry_after(server, fetcher):
    for _ in range(3):
        with pytest.raises(HTTPStatusError) as caught:
            fetcher.get(server.url("/status/500"))
        assert caught.value.status == 500 and caught.value.retry_after is None


def test_410_is_gone(server, fetcher):
    with pytest.raises(Gone) as caught:
        fetcher.get(server.url("/status/410"))
    assert caught.value.status == 410 and isinstance(caught.value, HTTPStatusError)


def test_unreachable_port_is_a_fetch_error(fetcher):
    with pytest.raises(FetchError, match="could not fetch"):
        fetcher.get("http://127.0.0.1:1/")


# ------------------------------------------------------------------------------------------
# charsets


def test_utf8_body_wins_over_a_wrong_latin1_declaration(server, fetcher):
    text = fetcher.get(server.url("/charset?declared=iso-8859-1&actual=utf-8")).text()
    assert "café – naïve" in text


def test_latin1_body_declared_utf8_still_decodes(server, fetcher):
    text = fetcher.get(server.url("/charset?declared=utf-8&actual=windows-1252")).text()
    assert "café – naïve" in text


def test_declared_charset_is_used_when_body_is_not_utf8(server, fetcher):
    text = fetcher.get(server.url("/charset?declared=koi8-r&actual=koi8-r")).text()
    assert "caf" in text and "\ufffd" not in text


def test_bom_and_meta_charsets_are_respected():
    assert decode_body("\ufeffcafé".encode("utf-16-le"), "text/xml") == "café"
    assert decode_body(codecs.BOM_UTF8 + "café".encode()) == "café"
    meta = '<html><meta charset="iso-8859-7"><p>αβγ</p>'.encode("iso-8859-7")
    assert "αβγ" in decode_body(meta, "text/html")
    prolog = '<?xml version="1.0" encoding="iso-8859-7"?><t>αβγ</t>'.encode("iso-8859-7")
    assert "αβγ" in decode_body(prolog, "")


def test_undecodable_bytes_never_raise():
    assert decode_body(b"\x81\x8d\x8f\x90\x9d", "text/plain; charset=bogus-charset")


# ------------------------------------------------------------------------------------------
# politeness


def test_same_host_waits_host_delay_other_hosts_do_not(server):
    clock = FakeClock()
    resolve = resolver_to_loopback({"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]})
    settings = {**TEST_SETTINGS, "politeness": True, "host_delay": 2.0}
    with Fetcher(settings, clock=clock, sleep=clock.sleep, resolver=resolve) as f:
        f.get(f"http://a.test:{server.port}/ok")
        f.get(f"http://b.test:{server.port}/ok")
        assert clock.slept == []
        clock.now += 0.5
        f.get(f"http://a.test:{server.port}/ok")
        assert clock.slept == [pytest.approx(1.5)]


def test_arxiv_gets_three_seconds_even_with_a_smaller_host_delay(server):
    clock = FakeClock()
    resolve = resolver_to_loopback({"export.arxiv.org": ["127.0.0.1"]})
    settings = {**TEST_SETTINGS, "politeness": True, "host_delay": 0.0}
    with Fetcher(settings, clock=clock, sleep=clock.sleep, resolver=resolve) as f:
        for _ in range(3):
            f.get(f"http://export.arxiv.org:{server.port}/ok")
    assert clock.slept == [pytest.approx(3.0), pytest.approx(3.0)]


def test_politeness_off_never_waits(server):
    clock = FakeClock()
    resolve = resolver_to_loopback({"arxiv.org": ["127.0.0.1"]})
    with Fetcher(
        {**TEST_SETTINGS, "host_delay": 5.0}, clock=clock, sleep=clock.sleep, resolver=resolve
    ) as f:
        for _ in range(3):
            f.get(f"http://arxiv.org:{server.port}/ok")
    assert clock.slept == []


# ------------------------------------------------------------------------------------------
# isolation


def test_good_url_still_works_after_hostile_ones_in_the_same_fetcher(server, fetcher):
    hostile = [
        "/endless",
        "/gzip-bomb",
        "/redirect-loop",
        "/status/500",
        "/empty",
        "/slow?delay=5",
        "/redirect?to=http://10.0.0.1/",
    ]
    for path in hostile:
        with pytest.raises(FetchError):
            fetcher.get(server.url(path))
    response = fetcher.get(server.url("/ok"))
    assert response.status == 200 and response.body == FEED


# ------------------------------------------------------------------------------------------ https


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    made = make_certificates(tmp_path_factory.mktemp("tls"), "feeds.test")
    assert made is not None, (
        "the HTTPS tests make their certificate with openssl: apt-get install openssl"
    )
    ca, cert, key = made
    with HostileServer(tls=(cert, key)) as s:
        s.ca = ca
        yield s


def test_https_checks_the_certificate_name_while_connecting_to_the_checked_address(
    https_server, monkeypatch
):
    monkeypatch.setenv(
        "SSL_CERT_FILE", str(https_server.ca)
    )  # trust the throwaway CA, as a user behind
    resolve = resolver_to_loopback({"feeds.test": ["127.0.0.1"]})  # a corporate proxy would
    with Fetcher(TEST_SETTINGS, resolver=resolve) as f:
        assert f.get(f"https://feeds.test:{https_server.port}/ok").body == FEED


def test_https_with_a_certificate_for_another_name_is_refused(https_server, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(https_server.ca))
    resolve = resolver_to_loopback({"other.test": ["127.0.0.1"]})
    with (
        Fetcher(TEST_SETTINGS, resolver=resolve) as f,
        pytest.raises(FetchError, match="Hostname mismatch"),
    ):
        f.get(f"https://other.test:{https_server.port}/ok")


def test_https_with_an_untrusted_certificate_is_refused(https_server):
    resolve = resolver_to_loopback({"feeds.test": ["127.0.0.1"]})
    with (
        Fetcher(TEST_SETTINGS, resolver=resolve) as f,
        pytest.raises(FetchError, match="certificate verify failed"),
    ):
        f.get(f"https://feeds.test:{https_server.port}/ok")


def test_https_drip_is_cut_by_the_total_deadline(https_server, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(https_server.ca))
    resolve = resolver_to_loopback({"feeds.test": ["127.0.0.1"]})
    started = time.monotonic()
    with Fetcher(TEST_SETTINGS, resolver=resolve) as f, pytest.raises(Timeout, match="in total"):
        f.get(f"https://feeds.test:{https_server.port}/drip?every=0.05")
    assert time.monotonic() - started < 2.5
