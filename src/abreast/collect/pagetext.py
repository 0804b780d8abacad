"""Page text: for items whose source gives only a title (HN, Reddit link posts, bare feeds), fetch
the linked article through the same hardened fetcher and keep its main text (trafilatura).

Optional per source (`config.page_text = true`): it costs one request per item, so it is off by
default. A page that fails (refused address, timeout, not HTML) costs that item its text, never the
fetch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..item import Item
from .sanitize import clip, tidy_text

MAX_CHARS = 4000  # enough to summarize and cite; we are not an archive of other people's pages
MAX_PAGES_PER_FETCH = 50  # one fetch of one source never turns into hundreds of page requests
SKIP_HOSTS = ("news.ycombinator.com", "reddit.com", "www.reddit.com", "twitter.com", "x.com")


def extract_main_text(html: str, url: str | None = None) -> str:
    import trafilatura  # heavy: only when page text is asked for

    text = (
        trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
        )
        or ""
    )
    return clip(tidy_text(text), MAX_CHARS)


def wants_page(item: Item) -> bool:
    if item.text.strip() or not item.url or not item.url.startswith(("http://", "https://")):
        return False
    host = item.url.split("/")[2].lower()
    return not any(host == h or host.endswith("." + h) for h in SKIP_HOSTS)


if TYPE_CHECKING:
    from .fetcher import Fetcher


def fill_page_text(
    items: list[Item], fetcher: Fetcher, limit: int = MAX_PAGES_PER_FETCH
) -> list[str]:
    """Fill ``text`` in place for items that lack it; returns one warning per page that failed."""
    from .fetcher import FetchError

    warnings = []
    for item in [it for it in items if wants_page(it)][:limit]:
        assert item.url is not None  # wants_page() only takes items with a web URL
        try:
            resp = fetcher.get(item.url, accept="text/html,application/xhtml+xml")
        except FetchError as e:
            warnings.append(f"page text of {item.key}: {e}")
            continue
        if "html" not in resp.headers.get("content-type", "text/html"):
            warnings.append(f"page text of {item.key}: not an HTML page")
            continue
        item.text = extract_main_text(resp.text(), resp.final_url)
    return warnings
