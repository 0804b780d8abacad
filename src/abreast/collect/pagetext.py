"""Page text: the items that matter (those of ranked stories) get their article's main text, read
through the one hardened fetcher and kept with trafilatura.

Reading other people's pages has rules, all kept here:
- robots.txt is asked first (protego) and a page it disallows for us is not fetched;
- one request at a time per site, ``fetch.host_delay`` apart (the fetcher's politeness), while
  different sites are read concurrently (one worker per site, ``text.workers`` at once);
- a per-run budget of page requests (``text.pages_per_run``); what is left waits for the next run;
- a paywall, a PDF, an image, a page that needs JavaScript or a refusal is recorded as the item's
  "no article text" reason (items.text_note), never an error; a timeout or 5xx is retried next run.
An item without text gets the page as its text; an item whose source gave only a teaser keeps the
teaser and gets the page beside it (items.page_text): the store never overwrites the source's words.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..types import Item
from .sanitize import clip, html_to_text, tidy_text

if TYPE_CHECKING:
    from protego import Protego

    from .fetcher import Fetcher

MAX_CHARS = 4000  # enough to summarize and cite; we are not an archive of other people's pages
MIN_CHARS = 120  # less than this is a teaser, a cookie notice or a login form, not the article
MAX_PAGES_PER_FETCH = 50  # one fetch of one source never turns into hundreds of page requests
ROBOTS_AGENT = "abreast"  # the product token robots.txt rules name us by
# Discussion sites (their threads are read through their APIs) and sites that show no article.
SKIP_HOSTS = (
    "news.ycombinator.com",
    "reddit.com",
    "redd.it",
    "twitter.com",
    "x.com",
    "youtube.com",
    "youtu.be",
)
MEDIA = re.compile(r"\.(png|jpe?g|gif|webp|svg|mp4|mov|webm|mp3|zip|gz)$", re.IGNORECASE)
PDF = re.compile(r"(\.pdf$)|(^/pdf/)", re.IGNORECASE)
PAYWALL = re.compile(
    r"""isAccessibleForFree["']?\s*:\s*["']?false|class=["'][^"']*\b(paywall|subscriber-only|"""
    r"""premium-content|meter-wall)\b|subscribe (now )?to (continue|keep) reading|"""
    r"""this (article|story) is (only )?(available )?(for|to) (paid )?subscribers""",
    re.IGNORECASE,
)
NEEDS_JS = re.compile(
    r"(enable|requires?|turn on) javascript|javascript (is )?(required|disabled)", re.IGNORECASE
)

# What items.text_note says, in words a reader understands.
NOTE_ROBOTS = "its site's robots.txt asks us not to fetch it"
NOTE_PAYWALL = "behind a paywall or login"
NOTE_PDF = "a PDF, not a web page"
NOTE_MEDIA = "an image or video, not an article"
NOTE_SCRIPT = "the page shows its text only with JavaScript"
NOTE_EMPTY = "no article text on the page"
NOTE_NOT_HTML = "not a web page"
NOTE_CARD = "its model card says nothing beyond its metadata"
NOTE_NOT_RECORDED = "no recorded copy of its page in the replay (the demo snapshot)"
CARD_CHARS = 1500


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


def why_no_text(html: str) -> str:
    """The page gave no article text: say why in a reader's words (paywall, JavaScript, nothing)."""
    if PAYWALL.search(html):
        return NOTE_PAYWALL
    body = re.sub(r"(?is)<(script|style|noscript)\b.*?</\1>", " ", html)
    visible = html_to_text(body)
    if NEEDS_JS.search(html) or (html.lower().count("<script") and len(visible) < MIN_CHARS):
        return NOTE_SCRIPT
    return NOTE_EMPTY


def first_card_section(markdown: str) -> str:
    """A Hugging Face model card's first section in plain text: what the model is, in its authors'
    words, without the YAML metadata, badges, images or HTML. '' when it has no prose."""
    text = re.sub(r"\A---\n.*?\n---\s*\n", "", markdown.replace("\r\n", "\n"), flags=re.DOTALL)
    text = re.sub(r"(?s)<!--.*?-->", "", text)
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if block.startswith("#"):
            if paragraphs:
                break  # the next heading ends the first section
            continue  # the title
        if block.startswith(("|", "```", "<")):
            continue  # tables, code, raw HTML
        block = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", block)  # images and badges
        block = re.sub(r"\[\s*\]\([^)]*\)", "", block)  # links left empty by that
        block = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", block)
        block = re.sub(r"\*{1,3}|`+|(?<!\w)_{1,2}|_{1,2}(?!\w)", "", block)  # emphasis, code
        if block.strip():
            paragraphs.append(" ".join(block.split()))
    return clip(tidy_text(html_to_text("\n\n".join(paragraphs))), CARD_CHARS)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def wants_page(item: Item) -> bool:
    if item.text.strip() or not item.url or not item.url.startswith(("http://", "https://")):
        return False
    host = _host(item.url)
    return not any(host == h or host.endswith("." + h) for h in SKIP_HOSTS)


def note_before_fetching(url: str) -> str | None:
    """A reason known from the URL alone, so the file is never downloaded."""
    path = urlsplit(url).path
    if PDF.search(path):
        return NOTE_PDF
    if MEDIA.search(path):
        return NOTE_MEDIA
    return None


@dataclass
class PageResult:
    key: str
    url: str
    text: str = ""
    note: str | None = None  # why there is no text; stored on the item
    retry: str | None = None  # a passing failure (timeout, 5xx): not stored, tried again next run


@dataclass
class ReadReport:
    results: list[PageResult] = field(default_factory=list)
    left_for_next_run: int = 0  # pages the budget had no room for
    requests: int = 0  # page requests made (robots.txt not counted)

    @property
    def texts(self) -> int:
        return sum(1 for r in self.results if r.text)

    def summary(self) -> str:
        notes = sum(1 for r in self.results if r.note)
        retries = sum(1 for r in self.results if r.retry)
        out = f"article text for {self.texts} items"
        if notes:
            out += f", {notes} without (paywall, PDF, robots.txt...)"
        if retries:
            out += f", {retries} to retry"
        if self.left_for_next_run:
            out += f"; budget spent, {self.left_for_next_run} left for the next run"
        return out


class RobotsRules:
    """robots.txt per site, fetched once per run through the fetcher."""

    def __init__(self, fetcher: Fetcher, agent: str = ROBOTS_AGENT) -> None:
        self.fetcher, self.agent = fetcher, agent
        self._rules: dict[str, Protego] = {}
        self._lock = threading.Lock()

    def allows(self, url: str) -> bool:
        """True/False as robots.txt says; raises FetchError when robots.txt itself could not be read
        for a passing reason (then the page waits for the next run rather than being fetched
        blind)."""
        from protego import Protego

        from .fetcher import HTTPStatusError

        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            rules = self._rules.get(origin)
        if rules is None:
            try:
                resp = self.fetcher.get(origin + "/robots.txt", accept="text/plain")
                rules = Protego.parse(resp.text())
            except HTTPStatusError as e:
                if e.status >= 500 or e.status == 429:
                    raise
                rules = Protego.parse("")  # no robots.txt (4xx): everything is allowed
            with self._lock:
                self._rules[origin] = rules
        return bool(rules.can_fetch(url, self.agent))


class PageReader:
    """Reads many items' pages: concurrently across sites, one at a time per site, in a budget."""

    def __init__(self, fetcher: Fetcher, budget: int, workers: int = 8) -> None:
        self.fetcher = fetcher
        self.budget = budget
        self.workers = max(1, workers)
        self.robots = RobotsRules(fetcher)
        self._lock = threading.Lock()
        self._requests = 0

    def _spend(self) -> bool:
        with self._lock:
            if self._requests >= self.budget:
                return False
            self._requests += 1
            return True

    def read(
        self,
        targets: list[tuple[str, str]],
        on_result: Callable[[PageResult], None] | None = None,
    ) -> ReadReport:
        """targets: (item key, url). Results come back per item; nothing is stored here."""
        by_host: dict[str, list[tuple[str, str]]] = {}
        for key, url in targets:
            by_host.setdefault(_host(url), []).append((key, url))
        report = ReadReport()
        skipped: list[int] = []
        with ThreadPoolExecutor(self.workers, thread_name_prefix="abreast-page") as pool:
            futures = [pool.submit(self._read_site, pages, skipped) for pages in by_host.values()]
            for fut in futures:
                for result in fut.result():
                    report.results.append(result)
                    if on_result:
                        on_result(result)
        report.left_for_next_run = sum(skipped)
        report.requests = self._requests
        return report

    def _read_site(self, pages: list[tuple[str, str]], skipped: list[int]) -> list[PageResult]:
        from .fetcher import BlockedAddress, FetchError, UnsupportedURL

        out = []
        for i, (key, url) in enumerate(pages):
            note = note_before_fetching(url)
            if note:
                out.append(PageResult(key, url, note=note))
                continue
            try:
                allowed = self.robots.allows(url)
            except (BlockedAddress, UnsupportedURL) as e:
                out.append(PageResult(key, url, note=f"could not be fetched: {e}"))
                continue
            except FetchError as e:
                # robots.txt could not be read for a passing reason: the site waits a run.
                out += [PageResult(k, u, retry=f"robots.txt unreadable: {e}") for k, u in pages[i:]]
                break
            if not allowed:
                out.append(PageResult(key, url, note=NOTE_ROBOTS))
                continue
            if not self._spend():
                skipped.append(len(pages) - i)
                break
            out.append(self._fetch(key, url))
        return out

    def _fetch(self, key: str, url: str) -> PageResult:
        from .fetcher import FetchError, HTTPStatusError, Timeout

        try:
            resp = self.fetcher.get(url, accept="text/html,application/xhtml+xml")
        except HTTPStatusError as e:
            if e.status in (401, 402, 403, 451):
                return PageResult(key, url, note=f"{NOTE_PAYWALL} (HTTP {e.status})")
            if e.status >= 500 or e.status == 429:
                return PageResult(key, url, retry=str(e))
            if e.status == 404 and self.fetcher.replay:
                # Through a replay (the demo) a 404 says the snapshot holds no copy, not that
                # the publisher took the page down; the reader is told which.
                return PageResult(key, url, note=NOTE_NOT_RECORDED)
            return PageResult(key, url, note=f"the page is gone (HTTP {e.status})")
        except Timeout as e:
            return PageResult(key, url, retry=str(e))
        except FetchError as e:
            return PageResult(key, url, note=f"could not be fetched: {e}")
        ctype = resp.headers.get("content-type", "text/html").lower()
        if urlsplit(url).path.endswith("/README.md"):
            section = first_card_section(resp.text())
            return (
                PageResult(key, url, text=section)
                if section
                else PageResult(key, url, note=NOTE_CARD)
            )
        if "pdf" in ctype:
            return PageResult(key, url, note=NOTE_PDF)
        if "html" not in ctype:
            return PageResult(key, url, note=NOTE_NOT_HTML)
        html = resp.text()
        text = extract_main_text(html, resp.final_url)
        if len(text) < MIN_CHARS:
            return PageResult(key, url, note=why_no_text(html))
        return PageResult(key, url, text=text)


def fill_page_text(
    items: list[Item], fetcher: Fetcher, limit: int = MAX_PAGES_PER_FETCH
) -> list[str]:
    """For a source that opted in (`page_text = true`): fill ``text`` in place for the items of this
    fetch that lack it; returns one warning per page without text."""
    targets = {it.key: it for it in items if wants_page(it)}
    reader = PageReader(fetcher, budget=limit)
    report = reader.read([(k, it.url) for k, it in targets.items() if it.url])
    warnings = []
    for r in report.results:
        if r.text:
            targets[r.key].text, targets[r.key].text_source = r.text, "page"
        else:
            warnings.append(f"page text of {r.key}: {r.note or r.retry}")
    if report.left_for_next_run:
        warnings.append(f"page budget spent; {report.left_for_next_run} pages not read")
    return warnings
