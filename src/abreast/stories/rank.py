"""An explainable story score: seven parts, each a value in [0, 1] times a weight, with a sentence
saying why. ``score == sum(part["points"])``, so `abreast why story:ID` can show exactly what
counted.

  attention  how much the crowd engaged, as a percentile WITHIN its own source and week (100 HN
  points
             and a 100-score Reddit post are not the same thing); the story takes its best member
  breadth    how many independent sources covered it (one source is fine, more is a signal)
  authority  a lab's own announcement, or an arXiv paper
  recency    how late in the week the story was still active
  release    a lab's own page releases a model, the subject of its title ("OpenAI o1 and new tools
             for developers" on openai.com; not "Long context prompting for Claude 2.1", a guide;
             see release.py): a launch is one of the week's main stories whether or not the
             crowd's threads about it joined the story
  novelty    new this week, a new version of a known model line, or a follow-up of a story
             already told
  substance  whether the story gives the reader something to read: a paper, an article, a lab's
             post, a forum post with text. A one-word image post ("Finally", 1,884 points on
             r/LocalLLaMA) drew as much crowd attention as a discussed article; without this part
             it ranked above Anthropic's Clio research post
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NotRequired, TypedDict
from urllib.parse import urlsplit

from ..types import Member, Story
from ..understand.urls import media_kind


class ScorePart(TypedDict):
    """One part of a story's score, as `abreast why` and the story page show it."""

    value: float  # 0..1
    why: str
    weight: NotRequired[float]
    points: NotRequired[float]  # value x weight


WEIGHTS = {
    "attention": 0.23,
    "breadth": 0.14,
    "authority": 0.17,
    "recency": 0.07,
    "novelty": 0.11,
    "release": 0.13,
    "substance": 0.15,
}

# Hosts where an AI lab (or the maintainers of a major open model) publish their own announcements.
LAB_HOSTS = (
    "openai.com",
    "anthropic.com",
    "deepmind.google",
    "deepmind.com",
    "blog.google",
    "research.google",
    "ai.meta.com",
    "ai.google.dev",
    "mistral.ai",
    "qwenlm.github.io",
    "deepseek.com",
    "x.ai",
    "ai21.com",
    "cohere.com",
    "huggingface.co/blog",
    "microsoft.com/en-us/research",
    "nvidia.com",
    "allenai.org",
    "stability.ai",
    "together.ai",
    "apple.com/machine-learning",
    "machinelearning.apple.com",
)
# A lab's own account on X announces as its blog does (Mistral released Mixtral as a tweet with a
# magnet link; Meta's Llama 3.3 post is a tweet): a post there is the lab speaking, not commentary.
LAB_ACCOUNTS = frozenset(
    {
        "openai",
        "anthropicai",
        "googledeepmind",
        "googleai",
        "aiatmeta",
        "metaai",
        "mistralai",
        "alibaba_qwen",
        "deepseek_ai",
        "huggingface",
        "stabilityai",
        "xai",
        "cohere",
        "ai21labs",
        "allen_ai",
        "nvidiaai",
        "togethercompute",
    }
)
X_HOSTS = ("twitter.com", "x.com", "mobile.twitter.com")
PAPER_AUTHORITY = 0.4
NEW_VERSION = 0.9  # novelty of a story that continues a model line (see _novelty)
HUB_ATTENTION = 0.5
# Substance: a forum post's own text counts in full from this many characters (a few sentences).
READ_CHARS = 400
# An image, video or one-line post whose title names a model or an organisation ("What's the
# longest you've got o1-pro to think for?") tells the reader a little; a bare "Finally" nothing.
NAMED_POST = 0.3
# ... and one naming a term of the field ("Llama 3.3 (70B) Finetuning - now with 90K context
# length", "TGI v3.0 - 13x faster than vLLM on long prompts") has something to learn from even
# when its text was not recorded: the thread discusses that.
TERM_POST = 0.6
HUB_SUBSTANCE = 0.5  # a model repo: a card to read, rarely an article
FORUM_HOSTS = ("reddit.com", "news.ycombinator.com")


@dataclass
class AttentionScale:
    """Sorted attention values of every item of the week, per source kind."""

    by_kind: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def of(cls, items: Iterable[tuple[str, dict[str, float]]]) -> AttentionScale:
        by: dict[str, list[float]] = {}
        for kind, signals in items:
            v = attention_value(signals)
            if v is not None:
                by.setdefault(kind, []).append(v)
        return cls({k: sorted(v) for k, v in by.items()})

    def percentile(self, kind: str, value: float) -> float:
        """Mid-rank percentile in [0, 1] of value among the week's items of this kind."""
        vals = self.by_kind.get(kind)
        if not vals:
            return 0.0
        lo, hi = bisect_left(vals, value), bisect_right(vals, value)
        return (lo + hi) / 2 / len(vals)


def attention_value(signals: dict[str, float] | None) -> float | None:
    """One number per item: HN points + comments, Reddit score + comments, HF likes; None if
    unknown."""
    s = signals or {}
    keys = [k for k in ("points", "score", "likes", "comments") if s.get(k) is not None]
    if not keys:
        return None
    return float(sum(float(s[k]) for k in keys))


def is_lab_post(m: Member) -> bool:
    """The lab's own page: a lab feed entry, or an HN/Reddit post that links straight to it or to
    the lab's own account on X (the story then has its primary source even when abreast does not
    follow that lab's feed)."""
    if m.kind == "arxiv" or not m.url:
        return False
    parts = urlsplit(m.url)
    host = (parts.hostname or "").removeprefix("www.")
    if host in X_HOSTS:
        account = parts.path.strip("/").split("/")[0].lower()
        return account in LAB_ACCOUNTS
    where = host + parts.path
    return any(
        where == h or where.startswith(h + "/") or host.endswith("." + h) or host == h
        for h in LAB_HOSTS
    )


def week_end(week: str) -> datetime:
    year, w = week.split("-W")
    return datetime.fromisocalendar(int(year), int(w), 7).replace(tzinfo=UTC) + timedelta(days=1)


def score_story(
    story: Story, scale: AttentionScale, weights: dict[str, float] | None = None
) -> dict[str, ScorePart]:
    """The score parts of one story: {part: {"value", "weight", "points", "why"}}."""
    w = weights or WEIGHTS
    parts = {
        "attention": _attention(story.members, scale),
        "breadth": _breadth(story.members),
        "authority": _authority(story.members),
        "recency": _recency(story.members, story.week),
        "novelty": _novelty(story),
        "release": _release(story),
        "substance": _substance(story.members),
    }
    for name, part in parts.items():
        part["weight"] = w[name]
        part["points"] = round(part["value"] * w[name], 4)
    return parts


def rank_stories(
    stories: Sequence[Story], scale: AttentionScale, weights: dict[str, float] | None = None
) -> None:
    """Fill score, score_parts and rank (1 = first) in place; ties break on the story id."""
    for s in stories:
        s.score_parts = score_story(s, scale, weights)
        s.score = round(sum(p["points"] for p in s.score_parts.values()), 4)
    for i, s in enumerate(sorted(stories, key=lambda s: (-s.score, s.id)), start=1):
        s.rank = i


def explain(story: Story) -> list[str]:
    """Lines for `abreast why story:ID`."""
    lines = [f"score {story.score:.3f} = sum of the parts below (value x weight)"]
    for name, p in story.score_parts.items():
        lines.append(
            f"  {name:<9} {p['value']:.2f} x {p['weight']:.2f} = {p['points']:.3f}  {p['why']}"
        )
    return lines


# --- the parts -------------------------------------------------------------------------------


def _attention(members: Sequence[Member], scale: AttentionScale) -> ScorePart:
    best, who = 0.0, None
    for m in members:
        v = attention_value(m.signals)
        if v is None:
            continue
        # Likes on a model repo are counted against other repos of the week, most of them community
        # merges nobody discusses: a repo alone is worth half the attention of a discussion.
        pct = scale.percentile(m.kind, v) * (HUB_ATTENTION if m.kind == "hf" else 1.0)
        if pct > best or who is None:
            best, who = pct, (m, v)
    if who is None:
        return {"value": 0.0, "why": "no attention signals (no HN/Reddit discussion found)"}
    m, v = who
    what = "likes, a model repo counted at half weight" if m.kind == "hf" else "points+comments"
    return {
        "value": round(best, 4),
        "why": f"{m.key}: {v:.0f} {what}, above {best:.0%} of {m.kind} items this week",
    }


def _breadth(members: Sequence[Member]) -> ScorePart:
    sources = sorted({m.source or m.kind for m in members})
    value = min(1.0, (len(sources) - 1) / 3) if sources else 0.0
    return {
        "value": round(value, 4),
        "why": f"{len(sources)} independent source(s): {', '.join(sources)}",
    }


def _authority(members: Sequence[Member]) -> ScorePart:
    lab = next((m for m in members if is_lab_post(m)), None)
    if lab is not None:
        return {"value": 1.0, "why": f"the lab's own post: {lab.url}"}
    paper = next((m for m in members if m.kind == "arxiv"), None)
    if paper is not None:
        return {"value": PAPER_AUTHORITY, "why": f"a paper: {paper.key}"}
    return {"value": 0.0, "why": "no primary source (lab post or paper) among the members"}


def _release(story: Story) -> ScorePart:
    """The model the story's lab page releases (o1 in OpenAI's API, Gemini 2.0, Bamba): the
    subject of its title (stories/release.py), not a model it is a guide to ("Long context
    prompting for Claude 2.1") or one the release is built on (Bamba's "hybrid Mamba2 model").
    Forum threads about a launch often land in stories of their own (a comparison, a benchmark),
    so without this a launch the feeds carried alone ranked below them."""
    from .release import page_naming, story_release

    found = story_release((m.title, is_lab_post(m), m.text) for m in story.members)
    page = page_naming(found, [m for m in story.members if is_lab_post(m)]) if found else None
    if found is None or page is None:
        return {"value": 0.0, "why": "no lab's own page releases a model"}
    return {"value": 1.0, "why": f"{found.said} on the lab's own page: {page.url}"}


def _recency(members: Sequence[Member], week: str) -> ScorePart:
    times = [t for t in (_parse(m.published_at) for m in members) if t is not None]
    if not times:
        return {"value": 0.5, "why": "no publication times; neutral"}
    end = week_end(week)
    latest = min(max(times), end)
    value = max(0.0, 1.0 - (end - latest).total_seconds() / (7 * 86400))
    return {"value": round(value, 4), "why": f"last activity {latest:%a %d %b %H:%M} UTC"}


def _novelty(story: Story) -> ScorePart:
    if story.is_new:
        return {"value": 1.0, "why": "new this week: no related story in earlier weeks"}
    if story.continues:
        # A new version of a known model line is a launch, not a follow-up thread (o3 is news in
        # its own right); it lacks only what a new topic has, that the reader never met the line.
        return {"value": NEW_VERSION, "why": "; ".join(story.continues[:2])}
    return {"value": 0.3, "why": f"follow-up of {', '.join(story.related[:3])}"}


def member_substance(m: Member) -> tuple[float, str]:
    """What one member gives the reader to read, in [0, 1], with the reason."""
    if m.kind == "arxiv":
        return 1.0, f"a paper to read: {m.key}"
    if m.kind == "hf":
        return HUB_SUBSTANCE, f"a model repo, its card to read: {m.key}"
    parts = urlsplit(m.url or "")
    host = (parts.hostname or "").removeprefix("www.").removeprefix("old.")
    terms, names = m.jargon[:2], [e.split(":", 1)[-1] for e in m.entities[:2]]  # model:sora
    picture = media_kind(m.url) is not None
    if host and not picture and host not in FORUM_HOSTS:
        return 1.0, f"{m.key} links a page to read on {host}"
    text = len(m.text.strip())
    if not picture and text >= READ_CHARS:
        return 1.0, f"{m.key} is a post of {text} characters"
    what = (
        "an image or video post"
        if picture
        else f"a post of {text} characters"
        if text
        else "a post with no text to read"
    )
    if terms or names:
        value = max(TERM_POST if terms else NAMED_POST, text / READ_CHARS)
        said = f"the term {', '.join(terms)}" if terms else ", ".join(names)
        return value, f"{m.key} is {what}; its title names {said}"
    return text / READ_CHARS if not picture else 0.0, f"{m.key} is {what}, naming no model or term"


def _substance(members: Sequence[Member]) -> ScorePart:
    """The member with the most to read stands for the story: a meme thread that joined a lab's
    post does not take the post's substance away."""
    best = max(
        (member_substance(m) for m in members), key=lambda vw: vw[0], default=(0.0, "no members")
    )
    value, why = best
    return {"value": round(min(1.0, value), 4), "why": why}


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        dt = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
