"""`abreast todo`: find every <TODO>...</TODO> in any Markdown draft and propose material from the
store.

Proposals are references (stored items with links and a one-line reason) and, where the TODO asks
for a picture of model lineage, the family tree image. When the store has nothing on a TODO's key
terms we say so plainly and offer the closest material instead of pretending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import yaml

from ..store import Store
from . import markdown as md

TODO_OPEN, TODO_CLOSE = re.compile("<TODO>", re.I), re.compile("</TODO>", re.I)
BLOCK_OPEN = re.compile(r"\n?<!-- abreast:proposals -->")
BLOCK_CLOSE = re.compile(r"<!-- /abreast:proposals -->\n?")
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
MAX_TODOS = 200  # each TODO costs several store searches; more is not a draft but a flood

# Words that shape a TODO but say nothing about its topic.
STOP = set(
    """a an and the of to in on for from with about some any few first more maybe research
researching
references reference read reading keep up date different coming open-source source image picture
diagram
chart figure find look into add write check this that these those my me i we our it its is are be
was
projects project pet things stuff e g eg etc what how why which who also maybe models model
foundational foundation ai""".split()
)
ASKS_IMAGE = re.compile(r"\b(image|picture|diagram|chart|figure|graph|tree)\b", re.I)
ASKS_PAPERS = re.compile(r"\bpapers?\b", re.I)
WINDOW_BEFORE, WINDOW_AFTER = timedelta(weeks=8), timedelta(weeks=2)


@dataclass
class Reference:
    key: str
    title: str
    url: str
    reason: str
    origin: str = "store"  # "store": an item of your store; "background": from the bundled canon


@dataclass
class Proposal:
    todo: str
    references: list[Reference] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # key terms the store has nothing on
    image: str | None = None  # relative path of a picture we made
    image_caption: str = ""

    def render(self, fmt: str = "hugo") -> str:
        lines = [
            "<!-- abreast:proposals -->",
            "> **abreast found** (proposals only; keep what helps):",
        ]
        if self.missing:
            lines.append(
                "> - Nothing in your store mentions "
                f"{md.escape(', '.join(map(repr, self.missing)), fmt)}; "
                "the closest material follows."
            )
        for r in self.references:
            lines.append(f"> - {md.link(r.title, r.url, fmt)}: {md.escape(r.reason, fmt)}")
        if not self.references and not self.image:
            lines.append(
                "> - Nothing relevant found in your store. Try `abreast fetch` or add sources."
            )
        if self.image:
            lines += [">", f"> {md.image(self.image_caption, self.image, fmt)}"]
        lines.append("<!-- /abreast:proposals -->")
        return "\n".join(lines)


def draft_date(markdown: str) -> date | None:
    m = FRONT.match(markdown)
    if not m:
        return None
    try:
        meta = yaml.safe_load(m.group(1)) or {}
        d = meta.get("date")
        return d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
    except (yaml.YAMLError, ValueError, TypeError):
        return None


def keywords(todo: str) -> list[str]:
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9.+-]*[A-Za-z0-9]|[A-Za-z0-9]", todo)
    out = []
    for w in words:
        w = w.strip(".")
        if w.lower() not in STOP and len(w) > 1 and w.lower() not in (x.lower() for x in out):
            out.append(w)
    return out


@dataclass(frozen=True)
class Horizon:
    """Which items a draft's TODOs draw from: published from ``before`` ahead of the draft's
    front-matter date to ``after`` past it (a post of 7 December wants that autumn's news)."""

    before: timedelta = WINDOW_BEFORE
    after: timedelta = WINDOW_AFTER

    def around(self, day: date | None) -> tuple[str | None, str | None]:
        if day is None:
            return None, None
        return (day - self.before).isoformat(), (day + self.after).isoformat()


def _when(published_at: str | None, around: date | None) -> str:
    if around is None or not published_at:
        return "in your store"
    try:
        day = date.fromisoformat(published_at[:10])
    except ValueError:
        return "in your store"
    return "this week" if abs((day - around).days) <= 7 else "recent"


def propose(
    store: Store,
    todo: str,
    around: date | None,
    limit: int = 5,
    image_maker=None,
    context: str = "",
    horizon: Horizon | None = None,
) -> Proposal:
    """References for one TODO from the retrieval core (abreast.retrieve): the TODO with its section
    and paragraph as the query, within the draft's horizon; names no item mentions are reported."""
    from ..retrieve.query import Request, known_names, search

    terms = keywords(todo)
    prop = Proposal(todo=" ".join(todo.split()))
    if not prop.todo:
        return prop  # an empty TODO asks for nothing; its block says nothing was found
    since, until = (horizon or Horizon()).around(around)
    _, prop.missing = known_names(store, todo)
    hits = []
    if ASKS_PAPERS.search(todo) and around:
        hits = _week_papers(store, around)[:3]
    req = Request(_without(todo, prop.missing), context)
    for window in ((since, until), (None, None)):
        found = search(store, req, since=window[0], until=window[1], limit=limit * 2)
        if found:
            break
    seen = {h.key for h in hits}
    hits += [h for h in found if h.key not in seen]
    seen_urls: set[str] = set()
    for h in hits:
        if h.url and h.url not in seen_urls:
            seen_urls.add(h.url)
            reason = f"{_when(h.published_at, around)}: {h.reason}"
            prop.references.append(Reference(h.key, h.title, h.url, reason))
        if len(prop.references) >= limit:
            break
    _add_background(prop, todo, around, limit)
    if image_maker and ASKS_IMAGE.search(todo):
        # The picture shows what the post's reader could see on its date: a December 2023 post
        # gets the Llama 2 era tree, not the Llama 3.3 one.
        made = image_maker(todo, terms, around.isoformat() if around else None)
        if made:
            prop.image, prop.image_caption = made
    return prop


BACKGROUND_BESIDE = 2  # landmarks offered beside a full list of this week's references


def _add_background(prop: Proposal, todo: str, around: date | None, limit: int) -> None:
    """Landmarks from the bundled canon (retrieve/canon.py) for the families and terms the TODO
    names,
    published before the draft: two beside the store's references, more when the store had few."""
    from ..retrieve.canon import for_request
    from ..retrieve.query import names

    room = max(BACKGROUND_BESIDE, limit - len(prop.references))
    seen = {r.url.rstrip("/") for r in prop.references}
    for lm in for_request(todo, names(todo), limit=room + len(seen)):
        if around and lm.date[:10] > around.isoformat():
            continue
        if lm.url.rstrip("/") in seen or room <= 0:
            continue
        prop.references.append(Reference(lm.id, lm.title, lm.url, lm.reason(), "background"))
        room -= 1


def _without(todo: str, missing: list[str]) -> str:
    """The TODO without the names nothing mentions (they would only pull in look-alike words)."""
    for m in missing:
        todo = todo.replace(m, " ")
    return " ".join(todo.split())


def _week_papers(store: Store, around: date) -> list:
    """Papers worth reading around the draft's date: arXiv items of its week's top stories."""
    from ..retrieve.query import Hit
    from ..store.retrieval import top_story_papers

    out = []
    for d in (around, around - timedelta(weeks=1)):
        y, w, _ = d.isocalendar()
        for r in top_story_papers(store.conn, f"{y}-W{w:02d}"):
            if r.url and all(h.key != r.key for h in out):
                out.append(
                    Hit(
                        key=r.key,
                        title=r.title,
                        url=r.url,
                        kind=r.kind,
                        source=r.source,
                        published_at=r.published_at,
                        story_id=r.story_id,
                        score=r.score,
                        relevance=1.0,
                        importance=r.score,
                        reason=f"arXiv paper, {(r.published_at or '')[:10]}; "
                        f"in story #{r.rank} of {r.week}",
                    )
                )
    return out[:10]


HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.M)


def context_of(markdown: str, start: int) -> str:
    """The prose a TODO at ``start`` belongs to: its section heading and the paragraph (or list
    item) just before it, without Markdown marks."""
    before = markdown[:start]
    heads = HEADING.findall(before)
    para = re.split(r"\n\s*\n|\n(?=\s*[-*+] )|\n(?=#)", before.rstrip())[-1]
    para = strip_blocks(para, " ")
    text = f"{heads[-1] if heads else ''}. {para}"
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|<[^>]+>|[_*`#>]", " ", text)
    return " ".join(text.split())[:1500]


def spans(text: str, opener: re.Pattern, closer: re.Pattern) -> list[tuple[int, int, int, int]]:
    """(start, inner start, inner end, end) of every opener...closer pair, in one pass over
    ``text``.

    What ``opener(.*?)closer`` finds, without its cost: that regex rescans to the end of the text
    from every unclosed opener, so a file of repeated ``<TODO>`` took 48 s for 848 kB (issue 18)."""
    out, pos = [], 0
    while (o := opener.search(text, pos)) and (c := closer.search(text, o.end())):
        out.append((o.start(), o.end(), c.start(), c.end()))
        pos = c.end()
    return out


def strip_blocks(text: str, repl: str) -> str:
    """``text`` with every earlier proposals block replaced by ``repl``."""
    out, last = [], 0
    for start, _, _, end in spans(text, BLOCK_OPEN, BLOCK_CLOSE):
        out += [text[last:start], repl]
        last = end
    return "".join([*out, text[last:]])


def todo_notes(markdown: str) -> list[str]:
    """The text of every <TODO>...</TODO> note, in order."""
    return [markdown[a:b] for _, a, b, _ in spans(markdown, TODO_OPEN, TODO_CLOSE)]


def draft_format(markdown: str) -> str:
    """jekyll when the front matter names a layout, else hugo. Braces are neutralised either way
    (markdown.TEMPLATED): we cannot know which site a file given to `todo` goes to."""
    front = FRONT.match(markdown)
    return "jekyll" if front and re.search(r"^layout:", front.group(1), re.M) else "hugo"


def resolve(
    markdown: str,
    store: Store,
    image_maker=None,
    horizon: Horizon | None = None,
    fmt: str | None = None,
) -> tuple[str, list[Proposal]]:
    """The draft with a proposals block under every TODO (earlier blocks replaced, TODO text
    kept)."""
    from ..errors import AbreastError

    clean = strip_blocks(markdown, "\n")
    fmt = fmt or draft_format(clean)
    found = spans(clean, TODO_OPEN, TODO_CLOSE)
    if len(found) > MAX_TODOS:
        raise AbreastError(
            f"the file has {len(found)} <TODO> notes; `abreast todo` handles at most {MAX_TODOS}."
        )
    around = draft_date(clean)
    proposals: list[Proposal] = []
    out, last = [], 0
    for start, inner, inner_end, end in found:
        prop = propose(
            store,
            clean[inner:inner_end],
            around,
            image_maker=image_maker,
            context=context_of(clean, start),
            horizon=horizon,
        )
        proposals.append(prop)
        out += [clean[last:end], "\n", prop.render(fmt)]
        last = end
    out.append(clean[last:])
    return "".join(out), proposals
