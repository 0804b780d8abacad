"""Jinja2 templates (autoescape on) and rendering a page with what every page needs."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import __version__

HERE = Path(__file__).parent


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["signals"] = lambda s: " · ".join(
        f"{v:,} {k}"
        for k, v in (s or {}).items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    )
    env.filters["day"] = lambda iso: (iso or "")[:10]
    return env


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    env: Environment = request.app.state.templates
    html = env.get_template(name).render(
        request=request,
        nonce=request.state.csp_nonce,
        csrf_token=request.state.csrf_token,
        path=request.url.path,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        version=__version__,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")
