"""Gather one week's material for the draft from the store (the I/O half of writing a draft)."""

from __future__ import annotations

from pathlib import Path

from ..errors import AbreastError
from ..explain.card import CardLoader, StoryCard
from ..landscape.lineage import FAMILY_TITLES
from ..landscape.weekly import TREE_FAMILIES, draw_family_tree, this_week, week_families
from ..learn.budget import within
from ..learn.personal import week_for_reader
from ..store import Store
from ..store import drafts as q
from ..store.known_terms import known
from ..store.stories import term_history
from ..stories.trends import chart, term_label, week_trends
from ..types import Story
from .material import NewModelLine, Paper, Rising, WeekMaterial, Word
from .words import HISTORY_WEEKS, select

MAX_STORIES = 20
MAX_WORDS = 8
MAX_RISING = 5
MAX_PAPERS = 5
MAX_NEW_MODELS = 8


def draft_stories(
    store: Store, week: str, minutes: int = 0, loader: CardLoader | None = None
) -> tuple[list[Story], int, dict[str, StoryCard]]:
    """The stories the draft is written from, for this reader, within ``minutes`` of reading their
    cards (0: no budget); how many more the budget left out; and their cards."""
    loader = loader or CardLoader(store)
    stories = week_for_reader(store, week, None)[:MAX_STORIES]
    cards = {s.id: loader.card(s) for s in stories}
    kept, below = within(stories, minutes, cards)
    return kept, below, {s.id: cards[s.id] for s in kept}


def gather(store: Store, week: str, bundle: Path | None = None, minutes: int = 0) -> WeekMaterial:
    """Everything the draft shows, each fact paired with a stored item to link to.
    With ``bundle``, the images (trend chart, family tree) are rendered into that folder;
    ``minutes``: the reader's reading budget (learn/budget.py)."""
    loader = CardLoader(store)
    stories, below, cards = draft_stories(store, week, minutes, loader)
    items_read, words_read = q.week_reading(store.conn, week)
    m = WeekMaterial(week=week, stories=stories, items_read=items_read, words_read=words_read)
    m.budget_minutes, m.below_budget = minutes, below
    m.cards = cards
    m.words = words_of_the_week(stories, store, week)
    m.rising = rising(store, week, stories)
    m.papers = papers(stories)
    m.followups = [s for s in stories if not s.is_new and s.related][:5]
    m.new_models = new_models(store, week)
    if bundle is not None:
        m.trend_image = trend_chart(store, week, m.rising, bundle)
        m.tree_image, m.tree_caption = family_tree_image(store, week, bundle)
        # Each picture is drawn as .svg and .png; the pair is what abreast wrote into the bundle.
        for name in (m.trend_image, m.tree_image):
            if name:
                stem = Path(name).stem
                m.files += [f for f in (f"{stem}.svg", f"{stem}.png") if (bundle / f).is_file()]
    return m


def _members(stories: list[Story]):
    for s in stories:
        yield from s.members


def words_of_the_week(
    stories: list[Story], store: Store | None = None, week: str = ""
) -> list[Word]:
    """New and rising jargon of the week first, basics last, known terms never (write/words.py)."""
    if store is None:
        return select(stories, limit=MAX_WORDS)
    return select(
        stories,
        week,
        known=known(store.conn),
        limit=MAX_WORDS,
        history=lambda terms: term_history(store.conn, terms, week, HISTORY_WEEKS),
    )


def label_of(term: str) -> str:
    return term_label(term)


def rising(store: Store, week: str, stories: list[Story]) -> list[Rising]:
    out = []
    for t in week_trends(store.conn, week):
        term = t.term
        seen = next(
            (
                mem
                for mem in _members(stories)
                if mem.url
                and (term in mem.entities or (term.startswith("term:") and term[5:] in mem.jargon))
            ),
            None,
        )
        if seen is None:  # nothing in this week's stories to link to: not shown (grounding rule)
            continue
        out.append(Rising(t.label, t.count, t.baseline, seen))
        if len(out) >= MAX_RISING:
            break
    return out


def papers(stories: list[Story]) -> list[Paper]:
    out, seen = [], set()
    for s in stories:  # stories come best-ranked first
        for mem in s.members:
            if mem.kind == "arxiv" and mem.key not in seen and mem.url:
                seen.add(mem.key)
                others = sorted({x.source for x in s.members if x.kind != "arxiv"})
                why = (
                    f"part of this week's #{s.rank} story"
                    if s.rank
                    else "part of this week's stories"
                )
                if others:
                    why += ", also covered by " + ", ".join(others)
                out.append(Paper(mem, s, why))
    return out[:MAX_PAPERS]


def new_models(store: Store, week: str) -> list[NewModelLine]:
    # No registry built yet: no new models, so the section is left out.
    w = this_week(store.conn, week, limit=MAX_NEW_MODELS * 2)
    out = []
    for nm in w.new_models:
        member = q.model_first_item(store.conn, nm.id)
        if member is None or not member.url:
            continue
        facts = []
        if nm.bases:
            base, rel = nm.bases[0]
            facts.append(f"{rel.replace('finetune', 'fine-tune')} of {base}")
        if nm.params_b:
            facts.append(f"{nm.params_b:g}B parameters")
        if nm.license:
            facts.append(f"license {nm.license}")
        facts.append(f"released {nm.released[:10]}")
        out.append(NewModelLine(nm.name, ", ".join(facts), member))
        if len(out) >= MAX_NEW_MODELS:
            break
    return out


def trend_chart(store: Store, week: str, rising_terms: list[Rising], bundle: Path) -> str | None:
    if not rising_terms:
        return None
    top = rising_terms[0]
    term = next(t for t in q.trend_terms(store.conn, week) if label_of(t) == top.label)
    weeks = [w for w in q.item_weeks(store.conn) if w <= week][-12:]
    counts = dict(
        zip(weeks, q.trend_series(store.conn, term, upto=week)[-len(weeks) :], strict=False)
    )
    svg, _png = chart(top.label, weeks, counts, bundle, highlight=week)
    return svg.name


def family_tree_image(
    store: Store, week: str, bundle: Path, family: str | None = None
) -> tuple[str | None, str]:
    """The family tree of the week's stories (Falcon 3's week gets the Falcon tree; Llama when the
    stories name no open family), drawn as of the end of the week with its new models highlighted;
    no picture rather than an illegible one."""
    if family is None:
        family = next((f for f in week_families(store.conn, week) if f in TREE_FAMILIES), "llama")
    name = f"{family}-family.png"
    try:
        info = draw_family_tree(store.conn, family, week, bundle / name)
        draw_family_tree(store.conn, family, week, bundle / f"{family}-family.svg")
    except AbreastError:
        return None, ""
    title = FAMILY_TITLES.get(family, family.title())
    # The caption's first sentence states the date; say it once, in the reader's words.
    how = info["caption"].split(". ", 1)[-1]
    return name, f"The {title} family tree as of {info['as_of']} (nothing later is drawn). {how}"
