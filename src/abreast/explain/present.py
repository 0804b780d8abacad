"""Text the CLI prints for explain/: a story with its cited summary and jargon, a term, the llm
audit log.

Plain Markdown strings (the CLI prints them with Rich's Markdown, the draft embeds them), so what a
terminal shows and what a post contains cannot drift apart.
"""

from __future__ import annotations

from ..stories.model import Story
from ..write.markdown import link, safe_url
from .glossary import Explanation, story_jargon
from .summary import Summary, escape_markdown, render_markdown


def story_markdown(story: Story, summary: Summary | None = None, with_jargon: bool = True) -> str:
    """``### title``, the cited summary, how much of it verified, the sources, and the jargon it
    uses."""
    summary = summary or (Summary.from_dict(story.summary) if story.summary else None)
    lines = [f"### {escape_markdown(story.title)}", ""]
    if summary and summary.sentences:
        lines += [render_markdown(summary), "", f"*{verification_note(summary)}*", ""]
    for n, m in enumerate(story.members, start=1):
        lines.append(f"{n}. {link(m.title, m.url)} ({escape_markdown(m.source)})")
    terms = story_jargon(story) if with_jargon else []
    if terms:
        lines += ["", "Jargon: " + "; ".join(term_line(t) for t in terms)]
    return "\n".join(lines) + "\n"


def verification_note(summary: Summary) -> str:
    if summary.method == "extractive":
        return (
            f"quoted from the sources; {summary.verified}/{len(summary.sentences)} quotes verified"
        )
    note = (
        f"{summary.verified}/{summary.total} sentences by {summary.model} verified against "
        "their sources"
    )
    if summary.method == "fallback":
        note += "; too few verified, so quoted from the sources instead"
    return note


def term_line(t: Explanation) -> str:
    return f"**{escape_markdown(t.term)}**: {escape_markdown(t.definition)}"


def term_markdown(
    t: Explanation,
    mentions: list[tuple[str, str, str | None]] = (),
    in_context: Summary | None = None,
) -> str:
    """A term's definition, its link, a verified longer explanation if any, and (key, title, url)
    mentions."""
    lines = [f"## {escape_markdown(t.term)}", "", escape_markdown(t.definition)]
    if safe_url(t.url):
        lines += ["", f"More: <{safe_url(t.url)}>"]
    if in_context and in_context.sentences:
        lines += [
            "",
            "This week: " + render_markdown(in_context),
            "",
            f"*{verification_note(in_context)}*",
        ]
    if mentions:
        lines += ["", "Where it appears:"]
        lines += [
            f"- {escape_markdown(title)} ({key})" + (f" <{safe_url(url)}>" if safe_url(url) else "")
            for key, title, url in mentions
        ]
    return "\n".join(lines) + "\n"


def llm_log_rows(totals: list[dict]) -> list[list[str]]:
    """Rows for ``abreast llm-log``: week, model, calls, tokens in/out, seconds; plus a total
    row."""
    rows = [
        [
            t["week"],
            t["model"],
            str(t["calls"]),
            str(t["tokens_in"]),
            str(t["tokens_out"]),
            f"{t['ms'] / 1000:.1f}",
        ]
        for t in totals
    ]
    if totals:
        rows.append(
            [
                "total",
                "",
                str(sum(t["calls"] for t in totals)),
                str(sum(t["tokens_in"] for t in totals)),
                str(sum(t["tokens_out"] for t in totals)),
                f"{sum(t['ms'] for t in totals) / 1000:.1f}",
            ]
        )
    return rows
