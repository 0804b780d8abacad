"""Screenshots of every page of the web app at a laptop and a phone width, over the demo home.

    python scripts/screenshots.py [--home .demo-home] [--out docs/screenshots]

Serves the app on a free 127.0.0.1 port, opens each page in Debian's Chromium (Playwright) at 1280
and 390 px and writes <page>-<width>.png (the first 3,000 px of the page). Prints each page's width
in CSS pixels: a page wider than the window scrolls sideways, which is what this is meant to catch.
Needs a demo home (`abreast demo run`); exits non-zero when a page fails or scrolls sideways.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from pathlib import Path

WEEK = "2024-W51"
PAGES = {
    "week": f"/?week={WEEK}",
    "story": None,  # the week's top story, found on the week page
    "items": f"/items?week={WEEK}",
    "ask": "/ask",
    "trends": f"/trends?week={WEEK}",
    "models": "/models",
    "draft": f"/draft?week={WEEK}",
    "sources": "/sources",
    "saved": "/saved",
    "interests": "/interests",
}
WIDTHS = {"laptop": (1280, 900), "phone": (390, 844)}
MAX_HEIGHT = 3000
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-sync"]


def serve(home: Path) -> tuple[str, object]:
    import uvicorn

    from abreast import config
    from abreast.web.app import create_app

    settings = config.load(home, environ={"ABREAST_HOME": str(home)})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=srv.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise SystemExit("the web app did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", srv


def page_width(page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=Path(".demo-home"))
    ap.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = ap.parse_args()
    if not (args.home / "abreast.db").is_file():
        print(f"no demo store at {args.home}: run `abreast demo run` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    base, srv = serve(args.home.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for label, (width, height) in WIDTHS.items():
            ctx = browser.new_context(viewport={"width": width, "height": height})
            page = ctx.new_page()
            page.set_default_timeout(180_000)  # the first trends page draws its charts
            page.goto(base + PAGES["week"])
            story = page.locator("li.story h2 a").first.get_attribute("href")
            for name, path in PAGES.items():
                resp = page.goto(base + (path or story))
                page.wait_for_load_state("networkidle")
                wide = page_width(page)
                status = resp.status if resp else 0
                ok = status == 200 and wide <= width
                if not ok:
                    failed.append(f"{name} at {width}px: HTTP {status}, {wide}px wide")
                full = int(page.evaluate("document.documentElement.scrollHeight"))
                shot = args.out / f"{name}-{label}.png"
                page.screenshot(
                    path=str(shot),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT)},
                )
                print(f"{shot}: {width}px window, page {wide}px wide, {full}px tall")
            ctx.close()
        browser.close()
    srv.should_exit = True
    for f in failed:
        print("FAIL", f, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
