"""New vs. known: link a week's stories to related stories of earlier weeks.

A story is represented by the normalised mean of its members' embeddings (its centroid) and its
entities. An earlier story is related when the centroids are very close, or when they share a
versioned model entity ("model:llama-3.3-70b", not the bare family "model:llama" or a product name
like "model:chatgpt") and are close (a follow-up about "o3" a week later reads differently from the
launch but is about the same thing). Two stories made only of arXiv papers are different
publications, never a follow-up of each other: topically close papers embed very close. A story with
no related earlier story is new. Checked by eye on the demo weeks (see
bench/data/STORIES_LABELLING.md); not measured.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..types import Story
from .versions import names_model
from .versions import version as _version

__all__ = ["names_model"]  # also read by retrieve/mentions.py


@dataclass(frozen=True)
class NoveltyParams:
    related: float = 0.88  # centroid cosine that alone makes two stories related
    related_with_model: float = 0.70  # ... when they also share a versioned model entity
    max_related: int = 3


@dataclass
class StoryProfile:
    id: str
    week: str
    centroid: np.ndarray  # L2-normalised; zeros when no member had an embedding
    entities: frozenset[str]
    only_papers: bool = False  # every member is an arXiv paper


def centroid(vectors: np.ndarray) -> np.ndarray:
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    c = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    n = np.linalg.norm(c)
    unit: np.ndarray = c / n if n > 0 else c
    return unit


def link_to_earlier(
    current: Sequence[StoryProfile],
    earlier: Sequence[StoryProfile],
    params: NoveltyParams | None = None,
) -> list[list[str]]:
    """For each current story, ids of related earlier stories, most similar first."""
    p = params or NoveltyParams()
    dims = [e.centroid.size for e in earlier if e.centroid.size]
    if not current or not dims:
        return [[] for _ in current]
    dim = dims[0]
    older = [e for e in earlier if e.centroid.size == dim]
    mat = np.stack([e.centroid for e in older])
    usable = [i for i, s in enumerate(current) if s.centroid.size == dim]
    out: list[list[str]] = [[] for _ in current]
    if not usable:
        return out
    sims = np.stack([current[i].centroid for i in usable]) @ mat.T  # one product, not one per story
    for row, i in enumerate(usable):
        models = {
            e for e in current[i].entities if e.startswith("model:") and any(c.isdigit() for c in e)
        }
        cand = np.flatnonzero(sims[row] >= p.related_with_model)
        cand = cand[np.argsort(-sims[row, cand], kind="stable")]
        hits = [
            older[j].id
            for j in cand.tolist()
            if not (current[i].only_papers and older[j].only_papers)
            and (sims[row, j] >= p.related or models & older[j].entities)
        ]
        out[i] = hits[: p.max_related]
    return out


# --- continuity: the earlier story a story continues -----------------------------------------


@dataclass(frozen=True)
class Continuation:
    story_id: str  # the earlier story
    week: str
    title: str
    model: str  # the current story's model, e.g. "o3"
    predecessor: str  # the earlier model it continues, e.g. "o1"
    url: str | None = None  # the earlier story's lead item, to link to

    def note(self) -> str:
        """`continues "OpenAI o1 System Card" (2024-W49): o3 follows o1`, or `...: more on o1` when
        the earlier story is about the same model."""
        return f'continues "{self.title}" ({self.week}): {self._how()}'

    def markdown(self) -> str:
        """The note with the earlier story's title linked to its lead item."""
        from ..write.markdown import escape, link

        return f"continues {link(self.title, self.url)} ({self.week}): {escape(self._how())}"

    def _how(self) -> str:
        if self.model == self.predecessor:
            return f"more on {self.model}"
        return f"{self.model} follows {self.predecessor}"


def predecessors(entity: str, known: set[str]) -> list[str]:
    """The earlier versions of ``entity`` among ``known`` entities, closest first: the highest lower
    version of the same family ("model:o1" for "model:o3"; "model:llama-3.1-70b" for
    "model:llama-3.3-70b"), the same size or variant preferred."""
    me = _version(entity)
    if me is None:
        return []
    family, version, rest = me
    found = []
    for e in known:
        v = _version(e)
        if v and v[0] == family and v[1] < version:
            found.append((v[2] == rest, v[1], v[2] == "", e))
    found.sort(reverse=True)
    if not found:
        return []
    # The version of the same size or variant (Llama 3.3 70B follows 3.1 70B, not 3.2 3B), then
    # every entity of that version: "Llama 3.1 405B" is also about the line 3.3 continues.
    version_of = found[0][1]
    return [f[-1] for f in found if f[1] == version_of]


def continuations(conn: sqlite3.Connection, story: Story) -> list[Continuation]:
    """The earlier stories ``story`` continues through model lineage: for each versioned model its
    title names, the best earlier story (of the last LOOKBACK_WEEKS) about its predecessor (o3
    continues o1; Llama 3.3 continues Llama 3.1). Lineage comes from the version in the name, not
    from similar titles. A story made only of papers that use a model continues nothing."""
    from ..store.continuity import lead_url, model_entities_before, stories_naming

    if all(m.kind == "arxiv" for m in story.members):
        return []
    week, entities, title = story.week, story.entities, story.title
    orgs = {e.removeprefix("org:").split("-")[0] for e in entities if e.startswith("org:")}
    mine = [e for e in entities if _version(e) and names_model(e, title)]
    if not mine:
        return []
    since = _weeks_before(week, LOOKBACK_WEEKS)
    known = model_entities_before(conn, week, since)
    out: list[Continuation] = []
    for e in mine:
        # The same model's own lab page of an earlier week comes first (o1 in OpenAI's API
        # continues "OpenAI o1 System Card"); only a lab's page makes an earlier story about the
        # same model the one to continue, not every forum thread that named it. Else the line's
        # predecessor (o3 continues o1).
        # A tier of the same version ("Gemini 2.0 Flash Thinking") follows that version's launch
        # ("Introducing Gemini 2.0"), not the previous version.
        me = _version(e)
        tiers = (
            sorted(k for k in known if k != e and (v := _version(k)) and v[:2] == me[:2])
            if me
            else []
        )
        same, preds = [], []
        for x in [e, *tiers]:
            same = [
                c
                for c in stories_naming(conn, [x], week, since)
                if names_model(x, c.title)
                and "/" not in c.title
                and _own_page(conn, c.id, x, linked=True)
            ]
            if same:
                preds = [x]
                break
        preds = preds or predecessors(e, known)
        if not preds:
            continue
        # A community repo named after the predecessor ("org/Llama3.1-70B-Chat") is not its line.
        cands = same or [
            c
            for c in stories_naming(conn, preds, week, since)
            if names_model(preds[0], c.title) and "/" not in c.title
        ]
        name = _name(preds[0])
        urls = {c.id: lead_url(conn, c.id) for c in cands}
        pages = {c.id: _own_page(conn, c.id, preds[0]) for c in cands}
        # The predecessor's own lab ("OpenAI o1 System Card" on openai.com for OpenAI's o3), then a
        # title about the predecessor ("Llama 3.1 405B now runs...") over one that only names it
        # ("QwQ: Alibaba's O1 Like Reasoning LLM"), then any lab's post, then the story's score.
        # A story holding the predecessor's own page ("OpenAI o1 System Card") comes before the
        # rest whichever title it was given.
        cands.sort(
            key=lambda s: (
                not _same_org(urls[s.id], orgs),
                pages[s.id] is None,
                not _leads_with(preds[0], s.title),
                not _lab(urls[s.id]),
                -s.score,
                s.week,
                s.id,
            )
        )
        if cands and all(c.story_id != cands[0].id for c in out):
            s = cands[0]
            title, url = pages[s.id] or (s.title, urls[s.id])
            out.append(Continuation(s.id, s.week, title, _name(e), name, url))
    return out


def _own_page(
    conn: sqlite3.Connection, story_id: str, entity: str, linked: bool = False
) -> tuple[str, str] | None:
    """The title and link of the predecessor's own page among the earlier story's members: the
    lab's post that names the model ("OpenAI o1 System Card" on openai.com), not the newsletter
    section that quotes it and leads the story ("Quote from OpenAI o1 System Card"). An item is
    the lab's own page when its own address, not only its link, is on the lab's site; with
    ``linked``, an item that links to the lab's page or to the model's own Hugging Face page also
    counts (a newsletter's section on "Introducing Claude 2.1" is still that launch's story)."""
    from ..store.stories import load_story

    story = load_story(conn, story_id)
    if story is None:
        return None
    own = [
        m
        for m in story.members
        if m.url
        and names_model(entity, m.title)
        and (_lab(m.url) or (linked and _model_repo(m.url, entity)))
        and (linked or not m.key.startswith("feed:") or _lab(m.key.removeprefix("feed:")))
        and m.kind != "arxiv"
    ]
    # The lab's own feed entry before a forum post linking to it; a title that leads with the
    # model before one that mentions it.
    own.sort(key=lambda m: (m.kind != "feed", not _leads_with(entity, m.title), len(m.title)))
    return (own[0].title, own[0].url) if own and own[0].url else None


def _model_repo(url: str, entity: str) -> bool:
    """A Hugging Face model page named for the model ("huggingface.co/meta-llama/Llama-3.3-70B-
    Instruct"): where an open model is released, the launch's own page when no lab post is."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = [p for p in parts.path.split("/") if p]
    return (parts.hostname or "").removeprefix("www.") == "huggingface.co" and (
        len(path) == 2 and names_model(entity, path[1])
    )


def _same_org(url: str | None, orgs: set[str]) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "") if url else ""
    return any(o and o in host for o in orgs)


def _lab(url: str | None) -> bool:
    from ..types import Member
    from .rank import is_lab_post

    return bool(url) and is_lab_post(Member(key="", kind="feed", source="", title="", url=url))


def _leads_with(entity: str, title: str) -> bool:
    """The model is named in the first two words ("OpenAI o1 System Card")."""
    return names_model(entity, " ".join(title.split()[:2]))


LOOKBACK_WEEKS = 12  # a model line continues within a season; a year-old GPT-3.5 paper is not news


def _weeks_before(week: str, n: int) -> str:
    from datetime import date, timedelta

    y, w = week.split("-W")
    d = date.fromisocalendar(int(y), int(w), 1) - timedelta(weeks=n)
    iy, iw, _ = d.isocalendar()
    return f"{iy}-W{iw:02d}"


def _name(entity: str) -> str:
    return entity.removeprefix("model:")
