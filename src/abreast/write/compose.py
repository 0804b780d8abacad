"""Turn a week's material into the Markdown draft. Pure and deterministic: the same material gives
byte-identical output, so rerunning `abreast draft` on an unchanged week changes nothing.

Grounding rule: every sentence that states a fact carries a link, and every link is a stored item's
URL. Our own words (section intros, glossary definitions) state no news and link to where the term
was seen. What the user must write is a <TODO>.
"""

from __future__ import annotations

from datetime import date

import yaml

from ..explain.card import StoryCard, build_card
from ..explain.card_render import card_markdown
from ..learn.budget import below_note
from ..types import Member, Story, slug
from . import markdown as md
from .material import WeekMaterial

THEME_ORDER = [
    "open-models",
    "fine-tuning-agents",
    "applications",
    "deployment",
    "safety-alignment",
    "research",
    "business",
]
STORIES_PER_THEME = 4
WORDS_PER_MINUTE = 200


def week_dates(week: str) -> tuple[date, date]:
    year, w = week.split("-W")
    return date.fromisocalendar(int(year), int(w), 1), date.fromisocalendar(int(year), int(w), 7)


def link(m: Member, fmt: str = "plain") -> str:
    return md.link(m.title, m.url, fmt)


def tags_for(material: WeekMaterial, labels: dict[str, str], limit: int = 8) -> list[str]:
    from collections import Counter

    ent = Counter()
    themes = Counter()
    for s in material.stories[:25]:
        ent.update(s.entities)
        themes.update(s.themes)
    tags = [
        slug(labels.get(e, e.split(":", 1)[-1]))
        for e, _ in sorted(ent.items(), key=lambda x: (-x[1], x[0]))
    ]
    tags = tags[:limit] + [t for t, _ in sorted(themes.items(), key=lambda x: (-x[1], x[0]))]
    return ["ai", *dict.fromkeys(t for t in tags if t and t != "ai")]


def front_matter(material: WeekMaterial, fmt: str, labels: dict[str, str], author: str = "") -> str:
    _, sunday = week_dates(material.week)
    meta = {
        "title": f"The State of the LLM space: {material.week}",
        "date": sunday.isoformat(),
        "draft": True,
        "tags": tags_for(material, labels),
    }
    if author:  # [write] author
        meta["author"] = author
    if fmt == "jekyll":
        meta = {"layout": "post", **meta, "published": False}
    if fmt == "plain":
        return f"<!-- {meta['title']} -->\n"
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def story_block(story: Story, card: StoryCard | None = None, fmt: str = "plain") -> list[str]:
    """The story card (explain/card.py, the same one `abreast story` and the web page show), then
    the author's prompt."""
    out = card_markdown(card or build_card(story), fmt=fmt)
    if not story.is_new and story.related:
        out += ["*A follow-up to a story from an earlier week.*", ""]
    out += [f"<TODO>Your take on “{md.escape(story.title, fmt).strip(chr(34))}”.</TODO>", ""]
    return out


def compose(
    material: WeekMaterial,
    theme_labels: dict[str, str],
    entity_labels: dict[str, str] | None = None,
    fmt: str = "hugo",
    author: str = "",
) -> str:
    entity_labels = entity_labels or {}
    top = material.stories[:3]
    out = [
        front_matter(material, fmt, entity_labels, author),
        "# The State of the LLM space",
        "",
        "<TODO>Open with what you learned this week, in your own words. Some prompts:",
    ]
    out += [f"- What do you make of {link(s.lead, fmt)}?" for s in top]
    out += ["</TODO>", ""]
    rank = {s.id: i for i, s in enumerate(material.stories)}
    placed: set[str] = set()
    crowded: set[str] = set()  # left out of their first theme's full section
    for theme in THEME_ORDER:
        first = [
            s for s in material.stories if s.themes and s.themes[0] == theme and s.id not in placed
        ]
        crowded.update(s.id for s in first[STORIES_PER_THEME:])
        stories = first[:STORIES_PER_THEME]
        # A story its first section had no room for goes under its second theme (o1's launch
        # after four other releases: under "Fine-tuning", not out of the post), and so does one
        # that outranks every story of the section (the week's top story, Gemini's launch, under
        # "Open & foundation models" rather than "Business", its first theme by a tie).
        best = min((rank[s.id] for s in stories), default=len(rank))
        stories += [
            s
            for s in material.stories
            if theme in s.themes[1:]
            and s.id not in placed
            and s not in stories
            and (len(stories) < 2 or s.id in crowded or rank[s.id] < best)
        ]
        stories = sorted(stories[:STORIES_PER_THEME], key=lambda s: rank[s.id])
        if not stories:
            continue
        out += [f"## {md.escape(theme_labels.get(theme, theme), fmt)}", ""]
        for s in stories:
            placed.add(s.id)
            out += story_block(s, material.cards.get(s.id), fmt)
    if material.new_models or material.tree_image:
        out += ["## This week in models", ""]
        for nm in material.new_models:
            out.append(
                f"- **{md.escape(nm.name, fmt)}**: {md.escape(nm.facts, fmt)} "
                f"({link(nm.seen_in, fmt)})"
            )
        if material.tree_image:
            out += [
                "",
                md.image(material.tree_caption, material.tree_image, fmt),
                f"*{md.escape(material.tree_caption, fmt)}*",
            ]
        out += ["", "<TODO>Which of these models matter for what you build?</TODO>", ""]
    if material.words:
        out += ["## Words of the week", ""]
        for w in material.words:
            out.append(
                f"- **{md.escape(w.term, fmt)}**: {md.escape(w.definition, fmt)} "
                f"(seen {w.count}× this week, e.g. in {link(w.seen_in, fmt)})"
            )
        out.append("")
    if material.rising:
        out += ["## Trends", ""]
        for r in material.rising:
            out.append(
                f"- **{md.escape(r.label, fmt)}**: {r.count} mentions this week, "
                f"where its share of earlier weeks would predict {r.previous:.0f} (e.g. "
                f"{link(r.seen_in, fmt)})"
            )
        if material.trend_image:
            out += ["", md.image("Weekly mentions of the rising terms", material.trend_image, fmt)]
        out.append("")
    out += ["## What's next", ""]
    if material.papers:
        out += ["Papers worth reading this week:", ""]
        out += [
            f"{i}. {link(p.member, fmt)}: {md.escape(p.why, fmt)}"
            for i, p in enumerate(material.papers, 1)
        ]
        out.append("")
    if material.followups:
        out += ["Follow-ups on earlier weeks' stories:", ""]
        out += [f"- {link(s.lead, fmt)}" for s in material.followups]
        out.append("")
    out += ["<TODO>What's next for you: papers to read, things to try, pet projects.</TODO>", ""]
    if material.below_budget:
        note = below_note(material.below_budget, material.budget_minutes)
        out.append(
            f"<!-- abreast: {note} ([week] reading_minutes); `abreast week {material.week}` lists "
            "every story. -->"
        )
    minutes = round(material.words_read / WORDS_PER_MINUTE)
    out.append(
        f"<!-- abreast: read {material.items_read} items ({material.words_read} words) for this "
        "draft; "
        f"about {minutes} minutes of reading saved at {WORDS_PER_MINUTE} words per minute. "
        "This is a draft: abreast never publishes. -->"
    )
    return "\n".join(out).rstrip() + "\n"
