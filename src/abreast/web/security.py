"""What every request passes through: access token, Host check, CSRF, security headers, CSP nonce.

One pure ASGI middleware so the rules hold for pages, the JSON API, static files and errors alike
(reliability.md #22-24):

- Bound to loopback with no token: only requests whose Host names a loopback address are served, so
a
  web page that DNS-rebinds its own name to 127.0.0.1 cannot read the app.
- With a token (required off loopback): ``?token=`` once sets an HttpOnly cookie and redirects to
the
  same URL without it (the token leaves the address bar and history); later requests carry the
  cookie, API clients send ``Authorization: Bearer``.
- CSRF: double-submit. A random token lives in an HttpOnly, SameSite=Strict cookie; pages embed it
  and send it back in the ``X-CSRF-Token`` header (HTMX) or a ``csrf_token`` form field. Every
  POST/PUT/PATCH/DELETE must match it. A request authenticated by an Authorization header is exempt:
  browsers never attach that header by themselves, so a forged request cannot carry it.
- Every response gets nosniff, DENY framing, no-referrer and a CSP whose script/style nonce is fresh
  per request; images only from the app itself, so Markdown image exfiltration cannot load.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse

log = logging.getLogger("abreast.web")
TOKEN_COOKIE = "abreast_token"
CSRF_COOKIE = "abreast_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
MAX_FORM_BYTES = 5 * 1024 * 1024  # an OPML upload is the largest form we accept


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IPs (127.0.0.0/8, ::1); a bind address or a Host header
    name."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """'127.0.0.1:8421' -> '127.0.0.1'; '[::1]:8421' -> '::1'."""
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1:].split("]", 1)[0]
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def new_token() -> str:
    return secrets.token_urlsafe(24)


def csp(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self'",
            "connect-src 'self'",
            "font-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def security_headers(nonce: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", csp(nonce).encode()),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
    ]


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _cookies(headers: Headers) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is the client's problem: treat as no cookies
        return {}
    return {k: m.value for k, m in jar.items()}


def _cookie_header(name: str, value: str, path: str = "/") -> tuple[bytes, bytes]:
    return b"set-cookie", f"{name}={value}; Path={path}; HttpOnly; SameSite=Strict".encode()


class SecurityMiddleware:
    def __init__(self, app, token: str | None = None, allowed_hosts: Iterable[str] | None = None):
        self.app = app
        self.token = token
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        cookies = _cookies(headers)
        nonce = secrets.token_urlsafe(16)
        csrf = cookies.get(CSRF_COOKIE) or new_token()
        extra = security_headers(nonce)
        if CSRF_COOKIE not in cookies:
            extra.append(_cookie_header(CSRF_COOKIE, csrf))
        scope.setdefault("state", {})
        scope["state"].update(csp_nonce=nonce, csrf_token=csrf)

        refusal, bearer = self._check_access(scope, headers, cookies)
        if refusal is None and scope["method"] in UNSAFE_METHODS and not bearer:
            refusal, receive = await self._check_csrf(
                scope, receive, headers, cookies.get(CSRF_COOKIE)
            )

        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        if refusal is not None:
            return await refusal(scope, receive, send_with_headers)
        try:
            return await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette's own 500 is sent from outside this middleware, without these headers;
            # answer here instead, with them, in one line, and log the traceback for the operator.
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            await PlainTextResponse(
                "Internal error: abreast hit a bug. The traceback is in the server's log.",
                status_code=500,
            )(scope, receive, send_with_headers)

    # --- access ---------------------------------------------------------------------------------
    def _check_access(self, scope, headers: Headers, cookies: dict[str, str]):
        """(refusal response or None, authenticated-by-header?)."""
        if self.token is None:
            host = host_name(headers.get("host", ""))
            allowed = (
                host in self.allowed_hosts if self.allowed_hosts is not None else is_loopback(host)
            )
            if not allowed:
                return PlainTextResponse(
                    "This abreast server only answers to a loopback host name (127.0.0.1 or "
                    "localhost).",
                    status_code=421,
                ), False
            return None, False
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and same(auth[7:].strip(), self.token):
            return None, True
        query = dict(
            parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        )
        if "token" in query and same(query["token"], self.token) and scope["method"] == "GET":
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            target = scope["path"] + (f"?{rest}" if rest else "")
            resp = RedirectResponse(target, status_code=303)
            resp.raw_headers.append(_cookie_header(TOKEN_COOKIE, self.token))
            return resp, False
        if same(cookies.get(TOKEN_COOKIE), self.token):
            return None, False
        return JSONResponse(
            {
                "detail": "an access token is required: open the URL printed by `abreast serve` "
                "(it ends in ?token=...) or send Authorization: Bearer TOKEN"
            },
            status_code=401,
        ), False

    # --- CSRF -----------------------------------------------------------------------------------
    async def _check_csrf(self, scope, receive, headers: Headers, cookie_token: str | None):
        """(refusal or None, the receive callable the app should read the body from)."""
        site = headers.get("sec-fetch-site")
        if site and site not in ("same-origin", "none"):
            return _csrf_refusal("cross-site request refused"), receive
        sent = headers.get(CSRF_HEADER)
        if sent is None and _is_form(headers):
            body, receive = await _buffer(receive)
            if body is None:
                return PlainTextResponse("form too large", status_code=413), receive
            sent = await _form_field(scope, body, CSRF_FIELD)
        if not same(sent, cookie_token):
            return _csrf_refusal(
                "missing or wrong CSRF token; reload the page and try again"
            ), receive
        return None, receive


def _csrf_refusal(why: str) -> JSONResponse:
    return JSONResponse({"detail": why}, status_code=403)


def _is_form(headers: Headers) -> bool:
    ct = headers.get("content-type", "")
    return ct.startswith("application/x-www-form-urlencoded") or ct.startswith(
        "multipart/form-data"
    )


async def _buffer(receive):
    """Read the whole body (capped) and return a receive() that replays it to the app."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_FORM_BYTES:
            return None, receive
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _form_field(scope, body: bytes, name: str) -> str | None:
    async def once():
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, once).form()
    except Exception:  # unparsable form: no token found
        return None
    value = form.get(name)
    await form.close()
    return value if isinstance(value, str) else None
