"""Thin renderers of a StoryCard: Markdown (the draft), terminal text (`abreast story`). The web
page
renders the same card with templates/_card.html. None of them chooses anything: every sentence,
comment and link comes from the card, so the three show the same story (tests/explain/test_card.py).
"""

from __future__ import annotations

from rich.markup import escape

from ..write import markdown as md
from .card import NO_TEXT, StoryCard


def happened_note(card: StoryCard) -> str:
    """The line under "What happened": where the sentences come from, or why there are none."""
    if card.happened:
        labels = list(dict.fromkeys(s.source for s in card.happened))
        note = f"Quoted word for word from {', '.join(labels)}; "
        note += "each sentence checked against its text."
        if card.happened_note:
            note += f" Only {len(card.happened)}: {card.happened_note}."
        return note
    return card.happened_note or NO_TEXT


def model_line(m) -> str:
    facts = [f for f in (m.org, m.size, m.weights, m.parent) if f]
    return f"{m.name} ({'; '.join(facts)})" if facts else m.name


def comment_where(c) -> str:
    return f"{c.where}, {c.score:,} points" if c.score else c.where


# --- Markdown (the draft) -------------------------------------------------------------------------


def card_markdown(card: StoryCard, heading: str = "###", fmt: str = "plain") -> list[str]:
    """The card as Markdown lines, starting with a heading that links the primary article. Every
    piece of stored text goes through write.markdown (escape, link) for the draft's format."""

    def escape_markdown(text: str) -> str:
        return md.escape(text, fmt)

    def _md_link(text: str, url: str | None) -> str:
        return md.link(text, url, fmt)

    primary = card.primary
    title = _md_link(card.title, primary.article.url if primary else None)
    out = [f"{heading} {title}", ""]
    if card.happened:
        said = " ".join(
            f"{escape_markdown(s.text)} {_md_link(f'[{s.cite}]', s.url)}" for s in card.happened
        )
        out += [f"**What happened.** {said}", "", f"*{escape_markdown(happened_note(card))}*", ""]
    else:
        link = _md_link(primary.article.label, primary.article.url) if primary else ""
        out += [f"**What happened.** *{escape_markdown(happened_note(card))}*: {link}", ""]
    out += ["**Sources.**", ""]
    for src in card.sources:
        label = _md_link(src.article.label, src.article.url)
        line = f"{src.n}. {label}: {escape_markdown(src.article.title)}"
        if src.article.meta:
            line += f" ({escape_markdown(src.article.meta)})"
        for d in src.discussions:
            line += f" · {_md_link(d.label, d.url)}"
            if d.meta:
                line += f" ({escape_markdown(d.meta)})"
        out.append(line)
    out.append("")
    if card.comments:
        out += ["**What people say.**", ""]
        for c in card.comments:
            quoted = "\n> ".join(
                escape_markdown(line) for line in c.text.splitlines() if line.strip()
            )
            out += [
                f"> {quoted}",
                f"> — {escape_markdown(c.author)}, {_md_link(comment_where(c), c.url)}",
                "",
            ]
    if card.terms:
        out += ["**Terms.**"]
        out += [
            f"- **{escape_markdown(t.term)}**: {escape_markdown(t.definition)}" for t in card.terms
        ]
        out += [""]
    context = []
    if card.models:
        context.append("Models: " + "; ".join(escape_markdown(model_line(m)) for m in card.models))
    if card.earlier:
        context.append(
            "Continues: "
            + "; ".join(f"“{_md_link(e.title, e.url)}” ({e.week})" for e in card.earlier)
        )
    if context:
        out += ["**Context.** " + ". ".join(context) + ".", ""]
    return out


# --- terminal (`abreast story`) -------------------------------------------------------------------


def card_terminal(card: StoryCard) -> list[str]:
    """Rich markup lines; every piece of stored text is escaped, every link printed in full."""
    state = "new" if card.is_new else "known"
    out = [f"[bold]{escape(card.title)}[/]  ({card.week}, rank {card.rank}, {state})", ""]
    out.append("[bold]What happened[/]")
    for s in card.happened:
        out.append(f"  {escape(s.text)} [{s.cite}]")
    if card.happened:
        out.append(f"  [dim]{escape(happened_note(card))}[/]")
    else:
        url = card.primary.article.url if card.primary else ""
        out.append(f"  [dim]{escape(happened_note(card))}[/]: {escape(url)}")
    out += ["", "[bold]Sources[/]"]
    for src in card.sources:
        meta = f" ({escape(src.article.meta)})" if src.article.meta else ""
        out.append(f"  [{src.n}] {escape(src.article.label)}: {escape(src.article.title)}{meta}")
        out.append(f"      {escape(src.article.url)}")
        for d in src.discussions:
            meta = f" ({escape(d.meta)})" if d.meta else ""
            out.append(f"      {escape(d.label)}{meta}: {escape(d.url)}")
    out += ["", "[bold]What people say[/]"]
    for c in card.comments:
        out.append(f"  “{escape(' '.join(c.text.split()))}”")
        out.append(f"    [dim]— {escape(c.author)}, {escape(comment_where(c))}: {escape(c.url)}[/]")
    if not card.comments:
        out.append(f"  [dim]{escape(card.comments_note or 'no comments stored')}[/]")
    if card.terms:
        out += ["", "[bold]Terms[/]"]
        out += [f"  [magenta]{escape(t.term)}[/]: {escape(t.definition)}" for t in card.terms]
    if card.models or card.earlier:
        out += ["", "[bold]Context[/]"]
        out += [f"  model: {escape(model_line(m))}" for m in card.models]
        for e in card.earlier:
            url = f" {escape(e.url)}" if e.url else ""
            out.append(f"  continues: {escape(e.title)} ({e.week}, `abreast story {e.id}`){url}")
    return out
