"""`abreast serve`: the local web app."""

from __future__ import annotations

import typer

from . import context as ctx


def serve(
    host: str = typer.Option(
        None, "--host", help="Address to bind (default 127.0.0.1; \\[web] host in abreast.toml)."
    ),
    port: int = typer.Option(
        None,
        "--port",
        "-p",
        min=1,
        max=65535,
        help="Port (default 8421; \\[web] port in abreast.toml).",
    ),
    token: str = typer.Option(
        None,
        "--token",
        envvar="ABREAST_WEB_TOKEN",
        help="Access token required on every request. Required off loopback; "
        "generated and printed when missing there.",
    ),
) -> None:
    """Open the web app: the week's stories, items and search, trends, models, draft, sources."""
    import uvicorn

    from ..web.app import create_app
    from ..web.security import is_loopback, new_token

    settings = ctx.settings()
    host = host or settings.web.host
    port = port or settings.web.port
    if not is_loopback(host) and not token:
        # Never serve the store to a network without a token (reliability.md #22): make one.
        token = new_token()
        ctx.err_console.print(
            f"{host} is not a loopback address, so an access token is required; generated one."
        )
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"
    ctx.console.print(
        f"abreast is at {url}{'?token=' + token if token else ''}  (Ctrl-C to stop)", soft_wrap=True
    )
    if settings.understand.topics:
        # The configured topics are the reader's cold start (learn/personal.py): bring the saved
        # model up to them here, where settings are at hand; the app ranks with the saved model.
        from ..learn.personal import current

        current(ctx.store(), settings)
    app = create_app(settings, token=token)
    uvicorn.run(
        app, host=host, port=port, log_level="warning", server_header=False, proxy_headers=False
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
