"""`abreast todo`: find every <TODO>...</TODO> in any Markdown draft and propose material from the store.

Proposals are references (stored items with links and a one-line reason) and, where the TODO asks for
a picture of model lineage, the family tree image. When the store has nothing on a TODO's key terms
we say so plainly and offer the closest material instead of pretending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import yaml

from ..store import Store
from ..store.items import fts_query
from . import markdown as md

TODO_OPEN, TODO_CLOSE = re.compile("<TODO>", re.I), re.compile("</TODO>", re.I)
BLOCK_OPEN = re.compile(r"\n?<!-- abreast:proposals -->")
BLOCK_CLOSE = re.compile(r"<!-- /abreast:proposals -->\n?")
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
MAX_TODOS = 200  # each TODO costs several store searches; more is not a draft but a flood

# Words that shape a TODO but say nothing about its topic.
STOP = set(
    """a an and the of to in on for from with about some any few first more maybe research researching
references reference read reading keep up date different coming open-source source image picture diagram
chart figure find look into add write check this that these those my me i we our it its is are be was
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
                f"> - Nothing in your store mentions {md.escape(', '.join(map(repr, self.missing)), fmt)}; "
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


def _reason(row, terms: list[str]) -> str:
    import json

    text = f"{row['title']} {row['text']}".lower()
    hits = [t for t in terms if t.lower().split(".")[0] in text]
    sig = json.loads(row["score_json"] or "{}")
    where = {
        "hn": "Hacker News",
        "arxiv": "arXiv paper",
        "reddit": "Reddit",
        "hf": "Hugging Face",
    }.get(row["kind"], row["source"] or row["kind"])
    parts = [f"{where}, {str(row['published_at'] or '')[:10]}"]
    if sig.get("points"):
        parts.append(f"{sig['points']} points")
    if sig.get("score") and row["kind"] == "reddit":
        parts.append(f"score {sig['score']}")
    if hits:
        parts.append("mentions " + ", ".join(hits[:3]))
    return "; ".join(parts)


def propose(
    store: Store, todo: str, around: date | None, limit: int = 5, image_maker=None
) -> Proposal:
    terms = keywords(todo)
    prop = Proposal(todo=" ".join(todo.split()))
    since = until = None
    if around:
        since = (around - WINDOW_BEFORE).isoformat()
        until = (around + WINDOW_AFTER).isoformat()
    # Terms the store has never seen (e.g. a company name) are reported, then left out of the search.
    known = []
    for t in terms:
        if store.search(fts_query([t]), limit=1):
            known.append(t)
        elif t[0].isupper() or "." in t:
            prop.missing.append(t)
    rows = []
    if ASKS_PAPERS.search(todo) and around:
        rows = _week_papers(store, around)
    if known and not rows:
        for window in ((since, until), (None, None)):
            rows = _search(store, known, limit * 4, *window)
            if rows:
                break
    seen = set()
    for r in rows:
        if r["url"] and r["url"] not in seen:
            seen.add(r["url"])
            prop.references.append(Reference(r["key"], r["title"], r["url"], _reason(r, known)))
        if len(prop.references) >= limit:
            break
    if image_maker and ASKS_IMAGE.search(todo):
        made = image_maker(todo, terms)
        if made:
            prop.image, prop.image_caption = made
    return prop


def _search(store, terms, limit, since, until):
    """Names (capitalized terms like Llama, Fixie) must match; other words rank. Among matches, what
    people paid attention to (points, a lab's own post) goes first."""
    names = [t for t in terms if t[0].isupper()]
    words = [t for t in terms if t not in names]
    queries = []
    if names and words:
        queries.append(f"{fts_query(names, 'AND')} AND ({fts_query(words)})")
    if names:
        queries.append(fts_query(names, "AND"))
    queries.append(fts_query(terms, "AND"))
    queries.append(fts_query(terms, "OR"))
    for q in queries:
        rows = store.search(q, limit=limit, since=since, until=until, ai_only=True)
        if len(rows) >= 3:
            return sorted(rows, key=_attention_rank)
    return sorted(rows, key=_attention_rank)


def _attention_rank(row) -> float:
    import json
    import math

    sig = json.loads(row["score_json"] or "{}")
    attention = math.log1p(float(sig.get("points") or sig.get("score") or 0)) / 3
    lab = 1.0 if row["kind"] == "feed" else 0.0
    return row["rank"] - attention - lab  # bm25: lower is better


def _week_papers(store, around: date) -> list:
    """Papers worth reading around the draft's date: arXiv items of that week's top-ranked stories."""
    from ..store.stories import load_week

    rows = []
    for d in (around, around - timedelta(weeks=1)):
        y, w, _ = d.isocalendar()
        for s in load_week(store.conn, f"{y}-W{w:02d}")[:40]:
            rows += [m.key for m in s.members if m.kind == "arxiv"]
    keys = list(dict.fromkeys(rows))[:10]
    order = {k: i for i, k in enumerate(keys)}
    return sorted(store.item_rows(keys=keys), key=lambda r: order[r["key"]])


def spans(text: str, opener: re.Pattern, closer: re.Pattern) -> list[tuple[int, int, int, int]]:
    """(start, inner start, inner end, end) of every opener...closer pair, in one pass over ``text``.

    What ``opener(.*?)closer`` finds, without its cost: that regex rescans to the end of the text from
    every unclosed opener, so a file of repeated ``<TODO>`` took 48 s for 848 kB (issue 18)."""
    out, pos = [], 0
    while (o := opener.search(text, pos)) and (c := closer.search(text, o.end())):
        out.append((o.start(), o.end(), c.start(), c.end()))
        pos = c.end()
    return out


def todo_notes(markdown: str) -> list[str]:
    """The text of every <TODO>...</TODO> note, in order."""
    return [markdown[a:b] for _, a, b, _ in spans(markdown, TODO_OPEN, TODO_CLOSE)]


def draft_format(markdown: str) -> str:
    """jekyll when the front matter names a layout, else hugo. Braces are neutralised either way
    (markdown.TEMPLATED): we cannot know which site a file given to `todo` goes to."""
    front = FRONT.match(markdown)
    return "jekyll" if front and re.search(r"^layout:", front.group(1), re.M) else "hugo"


def resolve(
    markdown: str, store: Store, image_maker=None, fmt: str | None = None
) -> tuple[str, list[Proposal]]:
    """The draft with a proposals block under every TODO (earlier blocks replaced, TODO text kept)."""
    from ..errors import AbreastError

    clean, last = [], 0
    for start, _, _, end in spans(markdown, BLOCK_OPEN, BLOCK_CLOSE):
        clean += [markdown[last:start], "\n"]
        last = end
    clean = "".join([*clean, markdown[last:]])
    fmt = fmt or draft_format(clean)
    found = spans(clean, TODO_OPEN, TODO_CLOSE)
    if len(found) > MAX_TODOS:
        raise AbreastError(
            f"the file has {len(found)} <TODO> notes; `abreast todo` handles at most {MAX_TODOS}."
        )
    around = draft_date(clean)
    proposals: list[Proposal] = []
    out, last = [], 0
    for _, inner, inner_end, end in found:
        prop = propose(store, clean[inner:inner_end], around, image_maker=image_maker)
        proposals.append(prop)
        out += [clean[last:end], "\n", prop.render(fmt)]
        last = end
    out.append(clean[last:])
    return "".join(out), proposals
