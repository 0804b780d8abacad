"""The web app factory: FastAPI + Jinja2 (autoescape) + HTMX, behind the security middleware.

Routes are plain ``def`` functions, so FastAPI runs them in its thread pool; each thread keeps its
own SQLite connection (a connection is not shared across threads; WAL lets readers run while a
fetch writes).
"""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__, config
from ..config import Settings
from ..errors import AbreastError, NotFound
from ..store import Store
from . import api, ask, pages
from .security import SecurityMiddleware
from .templates import HERE, render, templates, wants_html


class Stores:
    """One Store per worker thread, all on the same database file, and ONE cache of views shared by
    them.

    A cached view is valid while the database files are unchanged: any commit, by this app (a
    feedback click) or another process (a fetch, a rebuild), changes the WAL or the database file,
    and the next request rebuilds. Shared, and built once per key at a time, because 40 worker
    threads each building the same cold week page is what made the page slow under load
    (BENCHMARKS.md). Views are read-only.
    """

    CACHE_SIZE = 64

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()
        self._cache: dict = {}
        self._stamp: tuple | None = None
        self._building: dict = {}

    def _files_stamp(self) -> tuple:
        out = []
        for p in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                st = p.stat()
                out += [st.st_mtime_ns, st.st_size]
            except FileNotFoundError:
                out += [0, 0]
        return tuple(out)

    def view(self, key: tuple, build):
        """``build(store)``, or its result from the shared cache when nothing changed since."""
        st = self.get()
        stamp = self._files_stamp()
        with self._lock:
            if stamp != self._stamp:
                self._cache, self._stamp, self._building = {}, stamp, {}
            if key in self._cache:
                return self._cache[key]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:  # one thread builds a view; the others wait for it instead of repeating the work
            with self._lock:
                if self._stamp == stamp and key in self._cache:
                    return self._cache[key]
            value = build(st)
            with self._lock:
                if self._stamp == stamp:
                    if len(self._cache) >= self.CACHE_SIZE:
                        self._cache.clear()
                    self._cache[key] = value
            return value

    def get(self) -> Store:
        st = getattr(self._local, "store", None)
        if st is None:
            st = Store.open(self.path)
            self._local.store = st
            with self._lock:
                self._all.append(st)
        return st

    def close(self) -> None:
        with self._lock:
            for st in self._all:
                st.close()
            self._all.clear()


def error_status(request: Request, exc: AbreastError) -> int:
    """404 when what the URL of a GET names does not exist; 400 for everything else a user can fix,
    including a POST whose body names something missing (the URL itself exists: RFC 9110 15.5.5)."""
    return 404 if isinstance(exc, NotFound) and request.method in ("GET", "HEAD") else 400


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    app.state.stores.close()


def create_app(
    settings: Settings, token: str | None = None, allowed_hosts: list[str] | None = None
) -> FastAPI:
    """The app over the database in ``settings``. ``token``: required on every request when set
    (always set it when binding to a non-loopback address). ``allowed_hosts``: Host names accepted
    without a token (default: loopback names only)."""
    settings.paths.ensure()
    app = FastAPI(
        title="abreast",
        version=__version__,
        description="Read the week's AI stories, give feedback, review the weekly draft. "
        "State changes are POST only and need the CSRF token from GET /api/csrf "
        "(header X-CSRF-Token) unless authenticated with Authorization: Bearer.",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.stores = Stores(settings.paths.db)
    app.state.stores.get()  # open (and migrate) once now, so a broken database fails at start
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.include_router(api.router)
    app.include_router(ask.router)
    app.include_router(pages.router)

    @app.exception_handler(AbreastError)
    def abreast_error(request: Request, exc: AbreastError):
        status = error_status(request, exc)
        if wants_html(request):
            return render(
                request,
                "error.html",
                status_code=status,
                title="Not found" if status == 404 else "Something needs fixing",
                message=str(exc),
            )
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(sqlite3.Error)
    def database_error(request: Request, exc: sqlite3.Error):
        """The database failing under a request (damaged, read-only, full, locked) is the line that
        says what to do, as on the command line (store/repair.py); anything else stays a bug."""
        from ..store.repair import explain

        known = explain(exc, settings.paths.db)
        if known is None:
            raise exc
        if wants_html(request):
            return render(
                request,
                "error.html",
                status_code=503,
                title="The database needs attention",
                message=str(known),
            )
        return JSONResponse({"detail": str(known)}, status_code=503)

    app.add_middleware(SettleAfterFirstUse)  # innermost: sees the route the router matched
    app.add_middleware(SecurityMiddleware, token=token, allowed_hosts=allowed_hosts)
    app.add_middleware(HeadAsGet)  # outermost: every layer below sees a GET
    return app


class SettleAfterFirstUse:
    """After the first request of each route, one full garbage collection and then gc.freeze():
    what the first use built and keeps (the search window's index, the registry's mention index,
    cached views: ~400k objects at 1M items) moves out of the collector's generations. Without
    this, every full collection walked them all again, and the request that happened to trigger
    one took 250-300 ms more (CPU, measured at 1M: a page's p99 was a collector pause, not the
    page). Cost: that one collection on a route's first request, which builds its caches anyway;
    a reference cycle among frozen objects that later becomes garbage is not collected (objects
    without cycles are freed by reference counting as always), so what is frozen is bounded by
    the routes' first uses."""

    def __init__(self, app):
        self.app = app
        self.settled: set[object] = set()

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)
        if scope["type"] != "http":
            return
        route = scope.get("endpoint")
        if route is not None and route not in self.settled:
            self.settled.add(route)
            gc.collect()
            gc.freeze()


class HeadAsGet:
    """HEAD is GET without the body (RFC 9110: every GET resource answers it; link checkers and
    uptime probes use it), but FastAPI routes answer only the methods they name. Headers, status and
    Content-Length stay those of the GET."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def without_body(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def app_from_env() -> FastAPI:
    """For `uvicorn --factory abreast.web.app:app_from_env`: settings from ABREAST_HOME and the
    environment, token from ABREAST_WEB_TOKEN (loopback only without one)."""
    return create_app(config.load(), token=os.environ.get("ABREAST_WEB_TOKEN") or None)
