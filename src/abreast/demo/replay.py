"""The replay server: the bundled recorded snapshot served over HTTP on 127.0.0.1.

Each real service is a "virtual host" under a path prefix, so the real connectors can be pointed at
it by changing only their base URL:

    http://127.0.0.1:PORT/hn.algolia.com/api/v1/search_by_date?tags=story&...
    http://127.0.0.1:PORT/export.arxiv.org/api/query?search_query=cat:cs.CL&...
    http://127.0.0.1:PORT/openai.com/news/rss.xml

Responses carry Content-Type, ETag (a hash of the body), Last-Modified (the newest recorded record
behind the answer) and honour If-None-Match / If-Modified-Since with 304, so conditional GET in the
fetcher is exercised for real. Bodies are gzip-encoded when the client accepts it, like the real
hosts.

    python -m abreast.demo.replay --port 8400
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import threading
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .emulate import Response, arxiv, feeds, hf, hn, json_response, pages, reddit
from .recording import FEEDS, Recording

REDDIT_HOSTS = {"www.reddit.com", "reddit.com", "old.reddit.com"}
GZIP_MIN_BYTES = 1024


def route(recording: Recording, target: str) -> Response:
    """Answer one request target ('/<real host>/<real path>?<query>') from the recording. Pure."""
    parts = urlsplit(target)
    host, _, rest = unquote(parts.path).lstrip("/").partition("/")
    path = "/" + rest
    params = parse_qs(parts.query, keep_blank_values=True)
    if not host:
        return json_response(index())
    if host in ("hn.algolia.com", "hacker-news.firebaseio.com"):
        return hn.respond(path, params, recording.hn_hits, host)
    if host == "export.arxiv.org":
        return arxiv.respond(path, params, recording.arxiv_entries)
    if host in REDDIT_HOSTS:
        return reddit.respond(path, params, recording.reddit_posts, recording.reddit_threads)
    if host == "huggingface.co" and path.startswith("/api/"):
        return hf.respond(path, params, recording.hf_models)
    page = pages.respond(host + path, recording)
    if page is not None:
        return page
    return feeds.respond(host + path, recording)


def index() -> dict:
    """What `GET /` answers: the virtual hosts and feed paths this server knows."""
    return {
        "replay": "abreast demo snapshot",
        "apis": [
            "/hn.algolia.com/api/v1/search_by_date",
            "/hn.algolia.com/api/v1/search",
            "/hacker-news.firebaseio.com/v0/item/<id>.json",
            "/export.arxiv.org/api/query",
            "/www.reddit.com/r/<subreddit>/new.json",
            "/www.reddit.com/comments/<post id>.json (recorded threads only)",
            "/huggingface.co/api/models",
            "/huggingface.co/api/models/<repo id>",
        ],
        "feeds": ["/" + f.path for f in FEEDS],
        "pages": "recorded article pages at /<host>/<path> of the article (PROVENANCE.md)",
    }


# ---------------------------------------------------------------- conditional GET (pure)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def not_modified(headers, etags: set[str], last_modified: datetime) -> bool:
    """RFC 9110: If-None-Match wins when present; otherwise compare If-Modified-Since to seconds."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        offered = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in offered or bool(offered & etags)
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= since
    return False


# ---------------------------------------------------------------- HTTP


class _Handler(BaseHTTPRequestHandler):
    server_version = "abreast-replay/1"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    recording: Recording
    fallback_modified: datetime
    verbose = False

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        try:
            resp = route(self.recording, self.path)
        except (
            Exception
        ) as exc:  # a replay bug must show up as a 500 to the client, not a hung socket
            resp = Response(500, f"replay error: {exc!r}\n".encode(), "text/plain; charset=utf-8")
        body, headers = resp.body, {"Content-Type": resp.content_type, "Vary": "Accept-Encoding"}
        if resp.status == 200:
            modified = resp.last_modified or self.fallback_modified
            etag = etag_of(body)
            gz_etag = etag[:-1] + '-gzip"'
            headers["Last-Modified"] = http_date(modified)
            if not_modified(self.headers, {etag, gz_etag}, modified):
                headers["ETag"] = gz_etag if self._wants_gzip(body) else etag
                self._send(304, headers, b"", send_body=False)
                return
            if self._wants_gzip(body):
                body = gzip.compress(body, mtime=0)
                headers["Content-Encoding"] = "gzip"
                etag = gz_etag
            headers["ETag"] = etag
        self._send(resp.status, headers, body, send_body)

    def _wants_gzip(self, body: bytes) -> bool:
        return len(body) >= GZIP_MIN_BYTES and "gzip" in self.headers.get("Accept-Encoding", "")

    def _send(self, status: int, headers: dict, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        if self.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A client closing its kept-alive connection (the reading stage's pool, at the end of a
        # run) is not an error of the replay; anything else is printed as before.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class ReplayServer:
    """The replay server in a background thread; use as a context manager or start()/stop().

    >>> with ReplayServer() as server:
    ...     server.url   # 'http://127.0.0.1:54321'
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        self.host, self.port, self.verbose = host, port, verbose
        self.recording = Recording()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the replay server is not started; call start() first")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ReplayServer:
        last_day = self.recording.manifest["keep_ranges"][-1][1]
        handler = type(
            "Handler",
            (_Handler,),
            {
                "recording": self.recording,
                "fallback_modified": datetime.fromisoformat(last_day).replace(tzinfo=UTC),
                "verbose": self.verbose,
            },
        )
        self._httpd = _Server((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="abreast-replay", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m abreast.demo.replay",
        description="Serve the bundled demo snapshot on 127.0.0.1.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8400, help="port to bind (0 picks a free one)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    from .sources import demo_sources

    server = ReplayServer(args.host, args.port, verbose=args.verbose).start()
    print(f"Replaying the demo snapshot at {server.url} (Ctrl-C to stop). Sources:")
    print(json.dumps(demo_sources(server.url), indent=1))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
