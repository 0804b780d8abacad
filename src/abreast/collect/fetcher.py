"""The one HTTP chokepoint: every connector, OPML import and page extraction fetches through
`Fetcher`.

What it promises (reliability.md #1-#5, #8, #11, #12), each covered by tests/collect/test_fetcher.py
against a hostile local server:
- only http/https; non-public destinations refused on the resolved address of every hop
(netguard.py);
- separate connect and read timeouts plus a total deadline that also bounds slow-drip servers;
- the body is capped AFTER decompression while streaming, so a gzip bomb stops at the cap;
- redirects are followed here, hop by hop, up to a limit, and the final URL is recorded;
- conditional GET, Retry-After parsed into seconds, per-host politeness (arXiv: >= 3 s between
requests).
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from ..config import FetchSettings, fetch_settings
from ..errors import AbreastError
from .decider import parse_retry_after
from .netguard import AddressRefused, GuardedBackend, Resolver, parse_allowlist, request_deadline

# httpx logs every request at INFO, and wordllama turns the root logger on at INFO when it is
# imported: a run printed one line per page and thread read. What went wrong is reported by abreast.
logging.getLogger("httpx").setLevel(logging.WARNING)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# arXiv's API terms: at most one request every three seconds, on one connection.
POLITE_FLOORS = {"arxiv.org": 3.0}
# Headers that must not follow a redirect to another origin.
_CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")


class FetchError(AbreastError):
    """A fetch failed; str() is a short message for the user, .url the URL that was asked for."""

    def __init__(self, url: str, message: str):
        super().__init__(message)
        self.url = url
        self.message = message


class BlockedAddress(FetchError):
    """The destination (or a redirect hop) is not a public address and is not in
    fetch.allow_private."""


class UnsupportedURL(FetchError):
    """Not an http(s) URL, or not a URL at all."""


class TooLarge(FetchError):
    pass


class EmptyResponse(FetchError):
    """A success status with no body: treated as a failure, never as 'the feed is now empty'."""


class Timeout(FetchError):
    pass


class TooManyRedirects(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(
        self, url: str, status: int, retry_after: float | None = None, message: str | None = None
    ):
        wait = f"; retry after {retry_after:.0f} s" if retry_after is not None else ""
        super().__init__(url, message or f"HTTP {status} from {_host(url)}{wait}")
        self.status = status
        self.retry_after = retry_after


class Gone(HTTPStatusError):
    def __init__(self, url: str, status: int = 410, retry_after: float | None = None):
        super().__init__(
            url, status, retry_after, f"{_host(url)} says this URL is gone for good (HTTP 410)"
        )


@dataclass
class Response:
    url: str  # what was asked for
    final_url: str  # after redirects; connectors should resolve relative links against this
    status: int
    headers: dict[str, str] = field(repr=False)  # lower-case keys
    body: bytes = field(repr=False)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # True on 304; body is then b""

    def text(self) -> str:
        return decode_body(self.body, self.headers.get("content-type", ""))

    @property
    def body_sha256(self) -> str:
        """Hex digest of the body: a 200 with the same hash as last time needs no re-parse
        (reliability.md #6)."""
        return hashlib.sha256(self.body).hexdigest()


# ----------------------------------------------------------------------------------------------
# charsets

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_DOC_CHARSET = re.compile(
    rb"""<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)|<meta[^>]*charset\s*=\s*["']?([\w.:-]+)""",
    re.IGNORECASE,
)


def _try_decode(body: bytes, charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def decode_body(body: bytes, content_type: str = "") -> str:
    """Bytes to text: BOM, then valid UTF-8 (it beats a wrong declared charset: servers often say
    latin-1 by default), then the HTTP charset, then the XML prolog / HTML meta, then windows-1252.
    Never raises: undecodable bytes become U+FFFD."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            text = _try_decode(body[len(bom) :], name)
            if text is not None:
                return text
    text = _try_decode(body, "utf-8")
    if text is not None:
        return text
    match = _HTTP_CHARSET.search(content_type or "")
    text = _try_decode(body, match.group(1)) if match else None
    if text is not None:
        return text
    doc = _DOC_CHARSET.search(body[:4096])
    if doc:
        text = _try_decode(body, (doc.group(1) or doc.group(2)).decode("ascii", "replace"))
        if text is not None:
            return text
    return body.decode("windows-1252", errors="replace")


# ----------------------------------------------------------------------------------------------
# bodies


class _Overflow(Exception):
    pass


class _Inflater:
    """Decompresses into at most `cap` bytes: zlib's max_length keeps a bomb from ever expanding
    past the cap in memory (httpx's own decoder inflates each network chunk completely)."""

    def __init__(self, encoding: str, cap: int):
        self.encoding = encoding
        self.cap = cap
        self.total = 0
        self._z: zlib._Decompress | None = None

    def _new(self, first: bytes) -> zlib._Decompress:
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped, but some servers send raw deflate; the header tells.
        zlib_header = (
            len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
        )
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.encoding == "identity":
            yield self._count(data)
            return
        while data:
            if self._z is None:
                self._z = self._new(data)
            piece = self._z.decompress(data, self.cap - self.total + 1)
            yield self._count(piece)
            if self._z.eof:
                # Another gzip member may follow; anything that is not one is trailing junk we
                # ignore.
                data = self._z.unused_data
                self._z = None
                if self.encoding == "deflate" or not data.startswith(b"\x1f\x8b"):
                    return
            elif not piece and self._z.unconsumed_tail == data:
                return  # needs more input
            else:
                data = self._z.unconsumed_tail

    def _count(self, piece: bytes) -> bytes:
        self.total += len(piece)
        if self.total > self.cap:
            raise _Overflow
        return piece


# ----------------------------------------------------------------------------------------------
# fetcher


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except Exception:  # an unparseable URL still needs a message
        return url


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool built on netguard's checking backend."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits):
        # Not calling super().__init__: it would build (and load CA certificates for) a second pool.
        # handle_request and close only use self._pool.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class Fetcher:
    def __init__(
        self,
        settings_fetch: FetchSettings | Mapping[str, object] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        resolver: Resolver | None = None,
    ):
        """settings_fetch: the [fetch] settings, or a mapping of some of its keys (checked the same
        way; the others take their defaults). clock/sleep drive politeness only (tests pass fakes);
        resolver(host, port) -> [ip, ...] lets tests point names at 127.0.0.1; the timeouts always
        use real time."""
        s = fetch_settings(settings_fetch)
        self.user_agent = s.user_agent
        self.connect_timeout = s.connect_timeout
        self.read_timeout = s.read_timeout
        self.deadline = s.deadline
        self.max_bytes = s.max_bytes
        self.max_redirects = s.max_redirects
        self.host_delay = s.host_delay
        self.politeness = s.politeness
        self.replay = s.replay.rstrip("/")
        self._clock, self._sleep = clock, sleep
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        backend = GuardedBackend(parse_allowlist(s.allow_private), resolver)
        self._client = httpx.Client(
            transport=GuardedTransport(
                backend, httpx.Limits(max_connections=10, max_keepalive_connections=10)
            ),
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the address check
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- politeness

    def delay_for(self, host: str) -> float:
        """Minimum seconds between two requests to host (0 when politeness is off, e.g. replay
        benches)."""
        if not self.politeness:
            return 0.0
        delay = self.host_delay
        for domain, floor in POLITE_FLOORS.items():
            if host == domain or host.endswith("." + domain):
                delay = max(delay, floor)
        return delay

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            last = self._last_request.get(host)
        if last is None:
            return
        wait = last + self.delay_for(host) - self._clock()
        if wait > 0:
            self._sleep(wait)

    def _done_with(self, host: str) -> None:
        with self._lock:
            self._last_request[host] = self._clock()

    # -- fetching

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict[str, str] | None = None,
        accept: str | None = None,
    ) -> Response:
        """GET url following redirects; raises a FetchError subclass on anything but a usable
        response."""
        url = self.via_replay(url)
        request_headers = {k.lower(): v for k, v in (headers or {}).items()}
        if accept:
            request_headers["accept"] = accept
        if etag:
            request_headers["if-none-match"] = etag
        if last_modified:
            request_headers["if-modified-since"] = last_modified
        budget = self.deadline
        current = url
        for _hop in range(self.max_redirects + 1):
            target = self._check_url(url, current)
            self._wait_turn(target.host)
            started = time.monotonic()
            token = request_deadline.set(started + budget)
            try:
                result = self._one_hop(
                    url, target, request_headers, started + budget, etag, last_modified
                )
            finally:
                request_deadline.reset(token)
                self._done_with(target.host)
                budget -= time.monotonic() - started
            if isinstance(result, Response):
                return result
            following = urljoin(current, result)
            if httpx.URL(following).netloc != target.netloc:
                for name in _CREDENTIAL_HEADERS:
                    request_headers.pop(name, None)
            current = following
        raise TooManyRedirects(url, f"more than {self.max_redirects} redirects (last: {current})")

    def _check_url(self, asked: str, current: str) -> httpx.URL:
        try:
            target = httpx.URL(current)
        except (httpx.InvalidURL, TypeError) as e:
            raise UnsupportedURL(asked, f"not a valid URL: {current!r}") from e
        if target.scheme not in ("http", "https"):
            raise UnsupportedURL(
                asked,
                f"only http and https URLs are fetched, not {target.scheme or 'this'}: {current}",
            )
        if not target.host:
            raise UnsupportedURL(asked, f"URL has no host: {current}")
        return target

    def via_replay(self, url: str) -> str:
        """With ``fetch.replay`` set (the demo), a real site's URL is asked of the recording
        server instead, at <replay>/<host>/<path>: the demo reads recorded article pages through
        this same fetcher and never reaches a real site. URLs already on the replay are kept."""
        if not self.replay or url.startswith(self.replay + "/"):
            return url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return url
        return f"{self.replay}/{parts.netloc}{parts.path or '/'}" + (
            f"?{parts.query}" if parts.query else ""
        )

    def _one_hop(
        self,
        asked: str,
        target: httpx.URL,
        request_headers: dict[str, str],
        deadline_at: float,
        etag: str | None,
        last_modified: str | None,
    ) -> Response | str:
        """One request; a str return value is the Location of a redirect."""
        budget = max(0.001, deadline_at - time.monotonic())
        timeout = httpx.Timeout(
            connect=min(self.connect_timeout, budget),
            read=min(self.read_timeout, budget),
            write=min(self.read_timeout, budget),
            pool=min(self.connect_timeout, budget),
        )
        try:
            response = self._client.send(
                self._client.build_request("GET", target, headers=request_headers, timeout=timeout),
                stream=True,
            )
            try:
                return self._interpret(asked, target, response, deadline_at, etag, last_modified)
            finally:
                response.close()
        except AddressRefused as e:
            raise BlockedAddress(
                asked,
                f"refused to fetch {e.host}: it resolves to {e.address}, which is not public "
                f"({e.why}); "
                "list it in fetch.allow_private if you really mean to",
            ) from e
        except httpx.TimeoutException as e:
            raise self._timeout_error(asked, target, e, deadline_at) from e
        except httpx.TransportError as e:
            raise FetchError(
                asked, f"could not fetch from {target.host}: {e or type(e).__name__}"
            ) from e

    def _timeout_error(
        self, asked: str, target: httpx.URL, exc: httpx.TimeoutException, deadline_at: float
    ) -> Timeout:
        if time.monotonic() >= deadline_at - 0.01:
            return Timeout(asked, f"{target.host} took longer than {self.deadline:g} s in total")
        if isinstance(exc, httpx.ConnectTimeout):
            return Timeout(
                asked, f"no connection to {target.host} within {self.connect_timeout:g} s"
            )
        return Timeout(asked, f"{target.host} stopped sending for {self.read_timeout:g} s")

    def _interpret(
        self,
        asked: str,
        target: httpx.URL,
        response: httpx.Response,
        deadline_at: float,
        etag: str | None,
        last_modified: str | None,
    ) -> Response | str:
        status = response.status_code
        location = response.headers.get("location")
        if status in REDIRECT_STATUSES and location:
            return str(location)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status == 410:
            raise Gone(asked, status, retry_after)
        if status == 304:
            return self._response(
                asked, target, response, b"", etag, last_modified, not_modified=True
            )
        if not 200 <= status < 300:
            raise HTTPStatusError(asked, status, retry_after)
        body = self._read_body(asked, target, response, deadline_at)
        if not body:
            raise EmptyResponse(asked, f"{target.host} answered HTTP {status} with an empty body")
        return self._response(asked, target, response, body, None, None)

    def _response(
        self,
        asked: str,
        target: httpx.URL,
        response: httpx.Response,
        body: bytes,
        etag: str | None,
        last_modified: str | None,
        not_modified: bool = False,
    ) -> Response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Response(
            url=asked,
            final_url=str(target),
            status=response.status_code,
            headers=headers,
            body=body,
            etag=headers.get("etag") or etag,
            last_modified=headers.get("last-modified") or last_modified,
            not_modified=not_modified,
        )

    def _read_body(
        self, asked: str, target: httpx.URL, response: httpx.Response, deadline_at: float
    ) -> bytes:
        encoding = (
            response.headers.get("content-encoding", "identity").strip().lower() or "identity"
        )
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(
                asked, f"{target.host} sent an unsupported content encoding ({encoding})"
            )
        declared = response.headers.get("content-length", "")
        too_large = TooLarge(
            asked,
            f"{target.host} sent more than {self.max_bytes:,} bytes (the fetch.max_bytes cap)",
        )
        if encoding == "identity" and declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large  # refuse before reading a byte
        inflater = _Inflater(encoding, self.max_bytes)
        body = bytearray()
        try:
            for raw in response.iter_raw():
                for piece in inflater.feed(raw):
                    body += piece
                if time.monotonic() > deadline_at:
                    raise Timeout(
                        asked, f"{target.host} took longer than {self.deadline:g} s in total"
                    )
        except _Overflow:
            raise too_large from None
        except zlib.error as e:
            raise FetchError(asked, f"{target.host} sent a corrupt {encoding} body") from e
        return bytes(body)
