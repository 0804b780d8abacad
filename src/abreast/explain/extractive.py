"""The default summary: 2-4 sentences copied from the story's own sources, each cited. No LLM.

Faithful by construction (every sentence is a verbatim slice of a member's title or text), and still
checked like any other summary, so the quality report measures it rather than assumes it.

Scoring is centroid-based over TF-IDF within the story (Radev et al.'s MEAD idea): a sentence that
shares the words the story's sources have in common is central. Each source weighs the same in the
centroid so one long feed body cannot drown three abstracts. Maximal Marginal Relevance then keeps
the next pick from repeating an earlier one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from ..types import Member, Story
from .citations import STOPWORDS, normalize, quote_in_source
from .sentences import split_sentences
from .summary import Sentence, Summary, input_hash

MIN_WORDS, LONG_WORDS, MAX_WORDS = 5, 40, 70
MMR_LAMBDA = 0.7
REDUNDANT = 0.55  # cosine similarity above which a candidate repeats an earlier pick
_URL = re.compile(r"https?://|www\.|\bthis https URL\b", re.IGNORECASE)
_MATHY = re.compile(r"[$\\^{}]")


@dataclass
class Candidate:
    text: str
    cite: int
    position: int  # 0 = title, 1.. = sentences of the text in order
    vector: dict[str, float]


def source_text(member: Member) -> str:
    """What a source said, as stored: the text quotes are checked against."""
    return f"{member.title}\n\n{member.text}" if member.text else member.title


def extractive_summary(story: Story, max_sentences: int = 3) -> Summary:
    """Pick up to ``max_sentences`` central, non-redundant sentences from the story's members."""
    candidates = _candidates(story.members, story.title)
    picked = _mmr(candidates, _centroid(candidates), max(1, max_sentences))
    picked.sort(key=lambda c: (c.cite, c.position))  # read in the sources' own order
    sentences = [_cited(c, story.members[c.cite - 1]) for c in picked]
    return Summary(method="extractive", sentences=sentences, input_hash=input_hash(story))


def _cited(c: Candidate, member: Member) -> Sentence:
    # Checked, not assumed: a splitter bug that cut or altered text would show up as unverified.
    verified = quote_in_source(c.text, source_text(member))
    return Sentence(
        text=c.text,
        cite=c.cite,
        key=member.key,
        url=quoted_at(member),
        quote=c.text,
        verified=verified,
    )


def quoted_at(m: Member) -> str | None:
    """The page that holds a member's own words, which a sentence quoting them links: for a
    newsletter's section, the newsletter (Simon Willison on Anthropic's post writes his own
    words; Anthropic's page does not hold them), else the member's URL."""
    url = m.extra.get("newsletter_url")
    if m.extra.get("section_of") and isinstance(url, str) and url:
        return url
    return m.url


def _candidates(members: list[Member], story_title: str = "") -> list[Candidate]:
    titles = {normalize(m.title) for m in members}
    chosen: list[tuple[str, int, int]] = []
    for n, m in enumerate(members, start=1):
        for i, sentence in enumerate(split_sentences(m.text), start=1):
            text = _unbullet(sentence)
            # Feeds often repeat the headline as the body's first line: the story header shows it
            # already.
            if _readable(text) and normalize(text) not in titles:
                chosen.append((text, n, i))
    if len(chosen) < 2:
        # Headlines are used when the texts give too little: first those of sources that gave no
        # sentence
        # (title-only HN and Reddit items), readable ones first, any title if nothing else is left.
        cited = {n for _, n, _ in chosen}
        with_text = {
            normalize(members[n - 1].title) for n in cited
        }  # their headline is the same news
        # A headline that restates the story's own title says nothing the reader has not just read
        # (issue 12: "GitHub Copilot is now available for free [1] (1/1 verified)").
        titles_left = [
            (m.title.strip(), n, 0)
            for n, m in enumerate(members, start=1)
            if m.title.strip()
            and n not in cited
            and normalize(m.title) not in with_text
            and not (story_title and repeats_title(m.title, [story_title]))
        ]
        chosen += [r for r in titles_left if _readable(r[0])] or ([] if chosen else titles_left)
    vectors = _tfidf([t for t, _, _ in chosen])
    return [Candidate(t, n, pos, v) for (t, n, pos), v in zip(chosen, vectors, strict=True)]


_ENDS_SENTENCE = re.compile(r"[.!?…][\"”’)\]]*$")

# A sentence that opens by pointing back ("Instead, they were building ...", "Plus, check out ...",
# "However, his own words ...", "It gives us ...") needs the one before it; quoted alone under a
# headline it reads as a non sequitur. "This paper introduces ..." names its subject and stands.
_LEANS_BACK = re.compile(
    r"^(?:(?:Instead|However|But|And|Or|So|Also|Plus|Still|Yet|Thus|Therefore|Hence|Meanwhile"
    r"|Moreover|Furthermore|Additionally|Nevertheless|Nonetheless|Otherwise|Similarly|Likewise"
    r"|Then|Even so|As a result|In addition|In contrast|On the other hand)\b"
    r"|(?:It|It['’]s|They|They['’](?:re|ve)|He|She|Its|Their)\s"
    r"|(?:This|That)\s+(?:is|was|means|makes|will|would|can|could|has|had|isn['’]t|wasn['’]t)\b)"
)


def _unbullet(sentence: str) -> str:
    # "- Gemini 2.0 Flash: ..." from a flattened list: the marker is layout, not words.
    return re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", sentence)


def _readable(sentence: str) -> bool:
    n_words = len(sentence.split())
    if not MIN_WORDS <= n_words <= MAX_WORDS or _URL.search(sentence) or " | " in sentence:
        return False  # " | " joins metadata fields ("Organization: X | Source: Y"), not prose
    if sentence.rstrip().endswith(":"):
        return False  # introduces code or a list that is not part of the summary
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.6 * len(sentence) and len(_MATHY.findall(sentence)) < 3


def _tokens(text: str) -> list[str]:
    return [w for w in normalize(text).split() if w not in STOPWORDS and len(w) > 1]


def _tfidf(texts: list[str]) -> list[dict[str, float]]:
    docs = [Counter(_tokens(t)) for t in texts]
    df = Counter(w for d in docs for w in d)
    n = len(docs)
    vectors = []
    for d in docs:
        v = {w: (1 + math.log(c)) * math.log((1 + n) / (1 + df[w]) + 1) for w, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({w: x / norm for w, x in v.items()})
    return vectors


def _centroid(candidates: list[Candidate]) -> dict[str, float]:
    by_source: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_source.setdefault(c.cite, []).append(c)
    centroid: Counter = Counter()
    for group in by_source.values():
        for c in group:
            for w, x in c.vector.items():
                centroid[w] += x / len(group) / len(by_source)
    return dict(centroid)


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(x * b.get(w, 0.0) for w, x in a.items())
    nb = math.sqrt(sum(x * x for x in b.values())) or 1.0
    na = math.sqrt(sum(x * x for x in a.values())) or 1.0
    return dot / (na * nb)


def _relevance(c: Candidate, centroid: dict[str, float]) -> float:
    # Opening sentences of abstracts and posts state the point.
    # Very long sentences are hard to read in a digest.
    position_bonus = 0.0 if c.position == 0 else 0.15 / c.position
    length_penalty = 0.1 if len(c.text.split()) > LONG_WORDS else 0.0
    return _cosine(c.vector, centroid) + position_bonus - length_penalty


def _mmr(candidates: list[Candidate], centroid: dict[str, float], k: int) -> list[Candidate]:
    relevance = {id(c): _relevance(c, centroid) for c in candidates}
    picked: list[Candidate] = []
    pool = list(candidates)
    while pool and len(picked) < k:

        def gain(c: Candidate) -> float:
            overlap = max((_cosine(c.vector, p.vector) for p in picked), default=0.0)
            return MMR_LAMBDA * relevance[id(c)] - (1 - MMR_LAMBDA) * overlap

        best = max(pool, key=gain)
        pool.remove(best)
        if any(_cosine(best.vector, p.vector) > REDUNDANT for p in picked):
            continue
        picked.append(best)
    return picked


# --- "What happened" on the story card -----------------------------------------------------------

# A sentence whose content words are this much a title's says nothing the headline does not.
TITLE_OVERLAP = 0.8
# Sources whose own text states the news first: the lab's or author's post, then the article a
# discussion links to, then a paper's abstract, a post's self-text, a model card.
PRIMARY_ORDER = {"feed": 0, "hn": 1, "arxiv": 2, "reddit": 3, "hf": 4}
# The makers' own sites: their post about their model comes before anyone's commentary on it.
LAB_HOSTS = (
    "openai.com",
    "anthropic.com",
    "deepmind.google",
    "blog.google",
    "research.google",
    "ai.meta.com",
    "mistral.ai",
    "deepseek.com",
    "x.ai",
    "microsoft.com",
    "nvidia.com",
    "qwenlm.github.io",
)


@dataclass
class Happened:
    """Verbatim sentences of the story's sources that are not its headline, in reading order."""

    sentences: list[Sentence]
    # Why fewer than two were found, in words a reader understands; "" when there are enough.
    reason: str = ""


# Words a sentence may add to a title it quotes whole and still say nothing more (and at most as
# many as the title has: "Barnstormer of an essay by Bruce Schneier about AI and trust" says more
# than "AI and Trust").
TITLE_AROUND = 8


def repeats_title(sentence: str, titles: list[str]) -> bool:
    """True when ``sentence`` merely restates one of ``titles`` (the same words, give or take)."""
    words = [w for w in _tokens(sentence)]
    if not words:
        return True
    for title in titles:
        title_words = set(_tokens(title))
        if not title_words:
            continue
        if normalize(sentence) in normalize(title) or normalize(title) == normalize(sentence):
            return True
        # the whole title with a few words around it ("Huge announcement from Google this
        # morning: Introducing Gemini 2.0: our new AI model for the agentic era.")
        if normalize(title) in normalize(sentence) and len(words) <= len(title_words) + min(
            TITLE_AROUND, len(title_words)
        ):
            return True
        inside = sum(w in title_words for w in words) / len(words)
        if inside >= TITLE_OVERLAP and len(words) <= len(title_words) + 3:
            return True
    return False


def primary_order(members: list[Member]) -> list[int]:
    """Indexes of the members that have text, the one most likely to be the primary source first."""
    with_text = [i for i, m in enumerate(members) if m.text.strip()]
    return sorted(
        with_text,
        key=lambda i: (
            # a newsletter's section links the lab's post but its words are the newsletter's
            not _from_lab(members[i].url) or bool(members[i].extra.get("section_of")),
            PRIMARY_ORDER.get(members[i].kind, 9),
            members[i].role != "lead",
            i,
        ),
    )


def _from_lab(url: str | None) -> bool:
    """A page on the maker's own site: the primary source of what the maker announced."""
    host = re.sub(r"^https?://(?:www\.)?", "", url or "").split("/", 1)[0].lower()
    return any(host == h or host.endswith("." + h) for h in LAB_HOSTS)


def happened(
    members: list[Member],
    max_sentences: int = 3,
    min_sentences: int = 2,
    *,
    cut_tails: bool = False,
) -> Happened:
    """2-3 central sentences copied from the primary source's text, never a headline.

    Only texts are read: a title is not evidence of anything beyond itself, so a sentence that
    repeats a title is left out and none is "verified" against a title. The primary source (the
    maker's own post first) is read first; the next source with text is added only while fewer than
    ``min_sentences`` were found.

    A sentence its publisher cut off ("There are three components: a 27 page "Responsible Use
    Guide", a new open…", a feed's or a newsletter's excerpt) is shown only when it is all there
    is, ending in its "…": beside a whole sentence it reads as the summary breaking off, so the
    card says the whole one alone. ``cut_tails`` keeps it (``says_little`` counts what a text
    gives, excerpt or not)."""
    titles = [m.title for m in members if m.title]
    order = primary_order(members)
    if not order:
        return Happened([], "no article text yet")
    whole: list[tuple[str, int, int]] = []
    cut: list[tuple[str, int, int]] = []
    picked: list[Candidate] = []
    for i in order:
        parts = split_sentences(members[i].text)
        for pos, sentence in enumerate(parts, start=1):
            text = _unbullet(sentence)
            if _readable(text) and not repeats_title(text, titles):
                # A feed excerpt cut mid-sentence ("... the brand new Gemini…") reads badly, and
                # so does a line that ends like no sentence: a feed's subtitle ("Making AI more
                # helpful for everyone") or a list item, the tail of "... has delivered:" ("A 23%
                # increase in product clicks"). Each is used only when whole sentences are too few.
                ends_cut = text.endswith(("…", "...")) and pos == len(parts)
                fragment = not _ENDS_SENTENCE.search(text) or bool(_LEANS_BACK.match(text))
                (cut if ends_cut or fragment else whole).append((text, i + 1, pos))
        for pool in (whole, whole + cut):
            if not pool:
                continue
            vectors = _tfidf([t for t, _, _ in pool])
            candidates = [Candidate(t, n, p, v) for (t, n, p), v in zip(pool, vectors, strict=True)]
            picked = _mmr(candidates, _centroid(candidates), max_sentences)
            if len(picked) >= min_sentences:
                break
        if len(picked) >= min_sentences:
            break
    whole_picks = [c for c in picked if not cut_off(c.text)]
    dropped_cut = not cut_tails and bool(whole_picks) and len(whole_picks) < len(picked)
    if dropped_cut:
        picked = whole_picks
    picked.sort(key=lambda c: (order.index(c.cite - 1), c.position))
    sentences = []
    for c in picked:
        m = members[c.cite - 1]
        # Checked against the text alone: a sentence can only be verified by what the source said.
        ok = quote_in_source(c.text, m.text)
        if ok:
            sentences.append(
                Sentence(
                    text=c.text,
                    cite=c.cite,
                    key=m.key,
                    url=quoted_at(m),
                    quote=c.text,
                    verified=True,
                )
            )
    reason = ""
    if len(sentences) < min_sentences:
        reason = (
            "the sources' text has no sentence beyond the headline"
            if not sentences
            else "the rest of what its sources say breaks off mid-sentence in the excerpts we have"
            if dropped_cut
            else "the sources' text has only one sentence beyond the headline"
        )
    return Happened(sentences, reason)


def cut_off(sentence: str) -> bool:
    """True when ``sentence`` ends in an ellipsis: an excerpt its publisher cut mid-sentence
    ("... built around the brand new Gemini…"), whatever follows it in the text."""
    return sentence.rstrip().endswith(("…", "..."))


def says_little(title: str, text: str, kind: str = "feed") -> bool:
    """True when ``text`` gives a card fewer than two sentences beyond ``title``: a one-line feed
    teaser ("Introducing OpenAI o1, Realtime API improvements ... for developers."), a lab feed's
    subtitle. The reading stage reads such an item's article page as well (issue 12)."""
    if not text.strip():
        return True
    member = Member(key="", kind=kind, source="", title=title, url=None, text=text)
    return len(happened([member], cut_tails=True).sentences) < 2
