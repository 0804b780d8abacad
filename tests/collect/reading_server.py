"""A small multi-site web on 127.0.0.1 for the reading stage: several host names (resolved to
loopback by the fetcher's resolver), each with its own robots.txt and pages, and a log of when each
request arrived per site (to check per-site politeness and cross-site concurrency)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.log.append((host, path, time.monotonic()))
        page = self.server.pages.get((host, path))
        if page is None:
            status, body, ctype = 404, b"not found", "text/plain"
        else:
            status, body, ctype = page
        if self.server.delay:
            time.sleep(self.server.delay)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class SitesServer:
    def __init__(self, delay: float = 0.0):
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.pages = {}
        self._httpd.log = []
        self._httpd.lock = threading.Lock()
        self._httpd.delay = delay
        self.port = self._httpd.server_address[1]

    def add(
        self, host: str, path: str, body: bytes | str, ctype="text/html; charset=utf-8", status=200
    ):
        body = body.encode() if isinstance(body, str) else body
        self._httpd.pages[(host, path)] = (status, body, ctype)

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def log(self) -> list[tuple[str, str, float]]:
        return list(self._httpd.log)

    def requested(self, host: str, path: str) -> int:
        return sum(1 for h, p, _ in self.log if (h, p) == (host, path))

    @staticmethod
    def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host.endswith(".test") else [host]

    def __enter__(self) -> SitesServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def article(title: str, sentences: int = 6) -> str:
    body = " ".join(
        f"{title} was announced this week, and sentence {i} explains one more detail of it."
        for i in range(sentences)
    )
    return (
        f"<html><head><title>{title}</title><script>track()</script></head><body>"
        f"<nav>Home | About</nav><article><h1>{title}</h1><p>{body}</p>"
        f"<p>The team says the release is available today for everyone.</p></article>"
        "<footer>(c) site</footer></body></html>"
    )


PAYWALL = (
    '<html><head><script type="application/ld+json">{"@type":"NewsArticle",'
    '"isAccessibleForFree": false}</script></head><body><article><h1>Big news</h1>'
    '<p>The first line of the story.</p><div class="paywall">Subscribe to continue reading.</div>'
    "</article></body></html>"
)
SCRIPT_ONLY = (
    '<html><head><title>App</title></head><body><div id="root"></div>'
    "<noscript>You need to enable JavaScript to run this app.</noscript>"
    '<script src="/static/js/main.js"></script><script>render()</script></body></html>'
)
