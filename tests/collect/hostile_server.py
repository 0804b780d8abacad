"""A real HTTP server on 127.0.0.1 that misbehaves on purpose, for fetcher and connector tests.

    with HostileServer() as server:
        server.url("/ok")                                  # a small well-behaved feed with
        validators server.add_static("/feed.xml", body, content_type="application/rss+xml")
        server.add_route("/custom", handler)               # handler(request) -> None, writes the
        reply

Built-in routes (query parameters in brackets):
  /ok                  200 RSS with ETag + Last-Modified; 304 on a matching conditional GET
  /slow[?delay=s]      sleeps before sending anything (default 10 s)
  /drip[?every=s]      sends headers, then one byte every `every` seconds, forever
  /drip-headers        sends the status line and headers one byte at a time
  /endless             200 with no length, 64 KiB chunks until the client hangs up
  /big-declared        Content-Length far above any cap, then 1 KiB every 5 s
  /truncated           promises twice the bytes it sends, then hangs up
  /gzip-bomb           Content-Encoding: gzip, ~1 KiB on the wire per MiB once inflated, 1 GiB total
  /deflate[?raw=1]     a deflate-encoded feed (zlib-wrapped, or raw when raw=1)
  /redirect-loop       302 to itself
  /redirect?to=URL     302 to URL (absolute or relative)
  /chain/<n>           n redirects, then /ok
  /status/<code>[?retry_after=v]   that status with an optional Retry-After header and a short body
  /empty               200 with an empty body
  /charset?declared=X&actual=Y     "café" text encoded as Y, Content-Type says charset=X
  /headers             echoes the request headers as JSON (lower-case names)
Every request is counted in `server.hits[path]` and logged in `server.requests` (path, headers with
lower-case names).
"""

from __future__ import annotations

import gzip
import json
import shutil
import ssl
import struct
import subprocess
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Good feed</title><link>http://example.org/</link>
<item><title>Small models win</title><link>http://example.org/1</link><guid>1</guid></item>
</channel></rss>
"""
ETAG = '"v1-good-feed"'
LAST_MODIFIED = "Mon, 02 Dec 2024 10:00:00 GMT"
MAX_HANDLER_SECONDS = 30  # endless routes stop on their own so no thread outlives a test run long

_bomb_cache: dict[int, bytes] = {}


def gzip_bomb(inflated_mib: int = 1024) -> bytes:
    """One valid gzip member that inflates to `inflated_mib` MiB of zeros (~1 KiB on the wire per
    MiB).

    Built from a fully flushed deflate block repeated, so making a 1 GiB bomb takes a fraction of a
    second instead of compressing a gigabyte."""
    if inflated_mib not in _bomb_cache:
        zeros = bytes(1024 * 1024)
        block = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        one_mib = block.compress(zeros) + block.flush(zlib.Z_FULL_FLUSH)
        final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
        crc = 0
        for _ in range(inflated_mib):
            crc = zlib.crc32(zeros, crc)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
        trailer = struct.pack("<II", crc, (inflated_mib << 20) & 0xFFFFFFFF)
        _bomb_cache[inflated_mib] = header + one_mib * inflated_mib + final + trailer
    return _bomb_cache[inflated_mib]


class Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait on ACKs

    def log_message(self, format, *args):  # keep test output quiet
        pass

    # -- helpers other routes and add_route handlers can use

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def reply(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        self.send_response(status)
        headers = {"Content-Type": content_type, **(headers or {})}
        if "Content-Length" not in headers and status not in (204, 304):
            headers["Content-Length"] = str(len(body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if body and status not in (204, 304):
            self.wfile.write(body)

    def _write_forever(self, chunk: bytes, every: float = 0.0) -> None:
        stop = time.monotonic() + MAX_HANDLER_SECONDS
        try:
            while time.monotonic() < stop:
                self.wfile.write(chunk)
                self.wfile.flush()
                if every:
                    time.sleep(every)
        except OSError:
            pass  # the client gave up, which is the point
        self.close_connection = True

    # -- dispatch

    def do_GET(self):
        path = urlsplit(self.path).path
        self.server.record(path, {k.lower(): v for k, v in self.headers.items()})
        custom = self.server.routes.get(path)
        if custom:
            return custom(self)
        parts = path.strip("/").split("/")
        route = getattr(self, "route_" + parts[0].replace("-", "_"), None)
        if route is None:
            return self.reply(404, b"no such route")
        return route(*parts[1:])

    # -- routes

    def route_ok(self):
        validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=900"}
        if (
            self.headers.get("If-None-Match") == ETAG
            or self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return self.reply(304, headers=validators)
        self.reply(200, FEED, validators, content_type="application/rss+xml; charset=utf-8")

    def route_slow(self):
        time.sleep(float(self.query.get("delay", 10)))
        self.reply(200, FEED)

    def route_drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        self._write_forever(b"x", every=float(self.query.get("every", 0.05)))

    def route_drip_headers(self):
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Padding: "
            + b"p" * 10_000
            + b"\r\n\r\nhi"
        )
        try:
            for i in range(len(head)):
                self.wfile.write(head[i : i + 1])
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass
        self.close_connection = True

    def route_endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Connection", "close")
        self.end_headers()
        self._write_forever(b"<item>" + b"a" * 65_530)

    def route_big_declared(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(10 * 1024**3))
        self.end_headers()
        # Then stall: a client that waits for the body instead of trusting the header times out.
        self._write_forever(b"a" * 1024, every=5)

    def route_truncated(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED) * 2))
        self.end_headers()
        self.wfile.write(FEED)
        self.close_connection = True  # hang up with half the promised body unsent

    def route_gzip_bomb(self):
        body = gzip_bomb()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def route_deflate(self):
        if self.query.get("raw"):
            compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            body = compressor.compress(FEED) + compressor.flush()
        else:
            body = zlib.compress(FEED)
        self.reply(200, body, {"Content-Encoding": "deflate"}, content_type="application/rss+xml")

    def route_gzip(self):
        self.reply(
            200,
            gzip.compress(FEED),
            {"Content-Encoding": "gzip"},
            content_type="application/rss+xml",
        )

    def route_redirect_loop(self):
        self.reply(302, b"", {"Location": "/redirect-loop"})

    def route_redirect(self):
        self.reply(302, b"", {"Location": self.query["to"]})

    def route_chain(self, n="1"):
        left = int(n)
        self.reply(302, b"", {"Location": f"/chain/{left - 1}" if left > 1 else "/ok"})

    def route_status(self, code="500"):
        headers = {}
        if "retry_after" in self.query:
            headers["Retry-After"] = self.query["retry_after"]
        self.reply(int(code), f"status {code}".encode(), headers)

    def route_empty(self):
        self.reply(200, b"", content_type="application/rss+xml")

    def route_charset(self):
        declared = self.query.get("declared", "utf-8")
        actual = self.query.get("actual", "utf-8")
        body = (
            "<p>café – naïve</p>".encode(actual, errors="replace")
            if actual != "utf-8"
            else "<p>café – naïve</p>".encode()
        )
        self.reply(200, body, content_type=f"text/html; charset={declared}")

    def route_headers(self):
        echo = {k.lower(): v for k, v in self.headers.items()}
        self.reply(200, json.dumps(echo).encode(), content_type="application/json")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address):
        super().__init__(address, Handler)
        self.routes: dict[str, Callable[[Handler], None]] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-reply is exactly what these routes provoke

    def record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.hits[path] += 1
            self.requests.append((path, headers))


def make_certificates(folder: Path, hostname: str) -> tuple[Path, Path, Path] | None:
    """A throwaway CA and a certificate for `hostname` signed by it, made with the openssl CLI.
    Returns (ca.pem, cert.pem, key.pem), or None when openssl is not installed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, csr, ext = (
        folder / "cert.pem",
        folder / "cert.key",
        folder / "cert.csr",
        folder / "ext.cnf",
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, timeout=30)

    run(
        "req",
        "-x509",
        *ec,
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=abreast test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    run("req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={hostname}")
    ext.write_text(
        f"subjectAltName=DNS:{hostname}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
    )
    run(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return ca, cert, key


class HostileServer:
    def __init__(self, host: str = "127.0.0.1", tls: tuple[Path, Path] | None = None):
        """tls=(cert.pem, key.pem) serves HTTPS (see make_certificates)."""
        self._server = _Server((host, 0))
        self.host = host
        self.port = self._server.server_address[1]
        self.scheme = "https" if tls else "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            # Handshake in the handler thread, so a client that never finishes one cannot stall
            # accept().
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="hostile-server", daemon=True
        )

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def hits(self) -> Counter[str]:
        return self._server.hits

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        return self._server.requests

    def url(self, path: str) -> str:
        return self.base + path

    def add_route(self, path: str, handler: Callable[[Handler], None]) -> str:
        self._server.routes[path] = handler
        return self.url(path)

    def add_static(
        self,
        path: str,
        body: bytes,
        status: int = 200,
        content_type: str = "application/xml",
        headers: dict[str, str] | None = None,
    ) -> str:
        return self.add_route(
            path, lambda h: h.reply(status, body, headers, content_type=content_type)
        )

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
