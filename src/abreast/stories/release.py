"""Which model a title releases, if any: the title's subject, not every model it names.

"Bamba: Inference-Efficient Hybrid Mamba2 Model" releases Bamba, a model built on Mamba 2; "Long
context prompting for Claude 2.1" is a guide to Claude 2.1, not its launch; "OpenAI just announced
O3 and O3 mini" announces o3. The score's release part (rank.py) and the card's model line
(explain/card.py) both read the release from here, so the "why is this here" and the card never
disagree on what was released.

A title releases a model when
  - it says so: "Introducing X", "Welcome X", "<maker> releases X", "X is here", "X 发布"; or
  - X is the whole subject of the title (the part before ":" or " - ", or the opening noun phrase),
    and X is a model with a version ("Veo 2: Our video generation model", "OpenAI o1 System Card")
    or the rest of the title calls it a model ("Bamba: Inference-Efficient Hybrid Mamba2 Model"),
    or the title introduces X and its page's opening calls it one ("Introducing ModernBERT").
A model named after "for", "with" or "on" is what the page is about, not what it releases; a model
named as what X is built on ("hybrid Mamba2 model", "based on Mistral Large 2") is the base.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from ..types import Member
from .versions import version

# "Introducing X", "Welcome the X family": the verb comes first.
_LEADING = re.compile(
    r"(?:^|[:,.!?\-–—]\s*|\bwe(?:'re| are)\s+)"
    r"(?P<verb>introducing|announcing|welcome|meet|say hello to|presenting|unveiling|releasing|"
    r"launching|open[- ]sourcing)\s+(?P<x>.+)$",
    re.I,
)
# "Meta releases X", "OpenAI just announced X": a maker's verb before the model.
_MAKER_VERB = re.compile(
    r"^(?P<who>[\w.&' -]{2,40}?)\s+(?:just\s+|has\s+|have\s+|officially\s+)?"
    r"(?P<verb>releases?|released|launch(?:es)?|launched|announces?|announced|unveils?|unveiled|"
    r"introduces?|introduced|open[- ]sources?|open[- ]sourced|drops|dropped|ships|shipped|debuts)"
    r"\s+(?P<x>.+)$",
    re.I,
)
# "X is here", "X just dropped", "X Released - ...", "DeepSeek-V2.5-1210 发布".
_TRAILING = re.compile(
    r"^(?P<x>.+?)\s*(?:(?:is|are)\s+(?:now\s+)?(?:here|out|live|available|released|launched)|"
    r"(?:just\s+)?(?P<verb>released|launched|dropped|now available|announced)|(?P<zh>发布))"
    r"(?=$|[\s:,.!?\-–—])",
    re.I,
)
# An announcement is not yet a release one can use (o3 was announced with its evals in 2024-W51).
_ANNOUNCE = ("announc", "unveil")
# Where a subject ends: a heading's colon or dash, a sentence's comma or stop, or the first word
# that starts what the page does with it ("prompting for X", "evals for X", "X and new tools").
_SEPARATOR = re.compile(r"\s*(?::|\s[-–—|]\s|[,!?(]|\.\s|\s[-–—]$)\s*")
_PHRASE_END = re.compile(
    r"\s(?:and|for|with|on|in|at|to|from|by|via|using|vs\.?|versus|of|about|into|against|as|"
    r"w/|&)\s",
    re.I,
)
# Words that may stand beside a model's name in a subject that is still only the model.
_FILLER = frozenset(
    "the a an our new open family models model series system card sizes weights release "
    "of its latest first instruct chat base preview".split()
)
# The last word of a phrase that says "this is a model".
_MODEL_NOUN = re.compile(
    r"\b(?:model|models|llm|llms|lm|lms|vlm|vlms|slm|slms|fine-?tunes?)$", re.I
)
# What a model is said to be built on, after the description ("a vision model based on X").
_BUILT_ON = (
    r"based on|built on|on top of|fine-?tuned? (?:of|from|on)|distilled from|derived from|"
    r"continued from"
)
# A page about using, prompting or evaluating a model: its guide, not its launch.
_GUIDE = (
    r"how to|guide|tips|tutorial|prompting|prompts?|evals?|evaluating|benchmark(?:ing|s)?|"
    r"cookbook|practices|vs|versus|review|compared"
)
_A_GUIDE = re.compile(rf"\b(?:{_GUIDE})\b", re.I)
# Words that make a phrase about doing something with a model (a guide, an evaluation, a
# deployment), not a description of one.
_NOT_A_DESCRIPTION = re.compile(
    rf"\b(?:for|with|using|to|in|on|at|via|from|by|into|about|against|why|{_GUIDE})\b", re.I
)
# "the Apollo family of Large Multimodal Models": the name, and what it says the family is.
_FAMILY_OF = re.compile(r"^(?P<x>.+?)\s+(?:family|series|suite|collection)\s+of\s+(?P<d>.+)$", re.I)
# What a model is built on, as a title writes it.
_BASE_CUES = (
    re.compile(rf"\b(?:{_BUILT_ON})\s+(?:the\s+)?(?P<x>[\w.\-]+(?:\s+[\w.\-]+){{0,2}})", re.I),
    re.compile(r"\bhybrid\s+(?P<x>[\w.\-]+(?:\s+[\w.\-]+)?)", re.I),
    re.compile(r"(?P<x>[\w.\-]+(?:\s+[\w.\-]+)?)[\s-](?:based|fine-?tunes?|architecture)\b", re.I),
    re.compile(r"(?P<x>[\w.\-]+)\s+(?:model|llm)s?$", re.I),
)


@dataclass(frozen=True)
class Release:
    """What a title releases: the name as the title writes it, the entity when the entity list
    knows it, and the model it is built on."""

    name: str  # "Bamba", "o3", "Falcon 3"
    entity: str | None  # "model:o3"; None for a name the entity list does not know ("Bamba")
    base: str | None = None  # "model:mamba-2"
    announced: bool = False  # "announced"/"unveiled": shown, not yet released

    @property
    def verb(self) -> str:
        return "announced" if self.announced else "released"

    @property
    def said(self) -> str:
        """ "Bamba, built on Mamba 2, released", "o3 announced": as a reader says it."""
        built = f", built on {_label(self.base)}," if self.base else ""
        return f"{self.name}{built} {self.verb}"


def title_release(title: str, text: str = "") -> Release | None:
    """The model ``title`` releases, or None (a guide, a deployment, a comparison, a tool).
    ``text``, the page's own words, may say what a name the title introduces is ("introduces
    ModernBERT, a family of ... encoder-only models")."""
    title = _clean(title)
    if not title:
        return None
    worded = _worded(title)
    if worded is not None:
        subject, verb, rest = worded
        found = _subject_model(subject, rest, worded=True, text=text)
        if found is not None:
            return Release(*found, announced=verb.lower().startswith(_ANNOUNCE))
        return None  # "Introducing ChatGPT Pro": it says what it launches, and that is no model
    head, rest = _head(title)
    found = _subject_model(head, rest, worded=False)
    return Release(*found) if found is not None else None


# --- the title's subject ------------------------------------------------------------------------


def _clean(title: str) -> str:
    # Emoji, quotes and bullets are decoration ("Bamba ... Model 🐍", "QwQ: "Reflect ..."").
    title = re.sub(r"[^\w\s.,:;!?()'&/+\-–—|]", " ", title)
    return re.sub(r"\s+", " ", title).strip()


def _worded(title: str) -> tuple[str, str, str] | None:
    """(subject, verb, the rest) of a title that says it releases something."""
    for rx in (_LEADING, _MAKER_VERB):
        m = rx.search(title)
        if m is None:
            continue
        if rx is _MAKER_VERB and not _is_maker(m.group("who")):
            continue  # "Will OpenAI release ...?", "Pixtral Large Released - ...": no maker's verb
        head, rest = _head(m.group("x"))
        return head, m.group("verb"), rest
    m = _TRAILING.match(title)
    if m is not None:
        head, _ = _head(m.group("x"))
        if head == m.group("x").strip():  # "X is here", not "Tips: X is here"
            rest = title[m.end() :].lstrip(" :-–—|")
            return head, m.group("verb") or "released", rest
    return None


def _is_maker(who: str) -> bool:
    """ "OpenAI", "Meta AI", "Hugging Face", "We": who releases models, not a question's words."""
    words = [flat_name(w) for w in who.split()]
    return bool(words) and all(w == "we" or w in _org_words() or w == "ai" for w in words)


def _head(text: str) -> tuple[str, str]:
    """The subject of a title (before its colon or dash, or its opening noun phrase) and the
    rest: what the title says the subject is, then whatever follows."""
    text = text.strip()
    m = _SEPARATOR.search(text)
    head, rest = (text[: m.start()], text[m.end() :]) if m else (text, "")
    family = _FAMILY_OF.match(head)
    if family is not None:
        return family.group("x").strip(" .'\""), f"{family.group('d')}: {rest}".strip(" :")
    p = _PHRASE_END.search(head)
    if p is not None:
        head, rest = head[: p.start()], f"{head[p.start() :]} {rest}".strip()
    return head.strip(" .'\""), rest.strip()


def _subject_model(
    subject: str, rest: str, worded: bool, text: str = ""
) -> tuple[str, str | None, str | None] | None:
    """(name, entity, base) when ``subject`` is a model and only that."""
    subject = re.sub(r"^(?:the|our|a|an|new)\s+", "", subject, flags=re.I).strip()
    if not subject:
        return None
    # What the title says the subject is: the clause right after it ("Bamba: Inference-Efficient
    # Hybrid Mamba2 Model"), not a later sentence of a long Reddit title.
    said = re.split(r"[:.!?(|]|\s[-–—]\s", rest, maxsplit=1)[0]
    described = _describes_a_model(said)
    base = _base(said)
    for entity in _entities(subject):
        if not _is_only(subject, entity):
            continue
        # A bare name ("Sora", "QwQ") is released only when the title says so or calls it a
        # model: "Claude: How to use system prompts" is a guide, "ChatGPT" a product. A named
        # version is the page's subject unless the page is a guide to it.
        versioned = version(entity) is not None and not _A_GUIDE.search(rest)
        if worded or described or versioned:
            return _label(entity), entity, base if base != entity else None
    # A name the entity list does not know ("Bamba", "Genie 2"): only a proper name the title
    # calls a model, or one it introduces and the page's opening calls a model, so a tool ("the
    # Synthetic Data Generator, a user-friendly application") or a plan is not a release.
    name = _proper_name(subject)
    if name is not None and (described or (worded and _text_calls_a_model(name, text))):
        return name, None, base
    return None


def _text_calls_a_model(name: str, text: str) -> bool:
    """The page's opening says what ``name`` is, and that is a model: "ModernBERT, a family of
    state-of-the-art encoder-only models"; not "the Synthetic Data Generator, a user-friendly
    application that ... creat[es] datasets with Large Language Models"."""
    opening = " ".join(text[:800].split())
    for m in re.finditer(rf"\b{re.escape(name)}\b,?\s+(?:is\s+|as\s+)?(?:a|an|our)\s+", opening):
        phrase = re.split(r"[.,;:()]", opening[m.end() : m.end() + 160], maxsplit=1)[0]
        words = phrase.split()
        for i in range(1, len(words) + 1):
            if _MODEL_NOUN.search(" ".join(words[:i])):
                return not _NOT_A_DESCRIPTION.search(" ".join(words[:i]))
    return False


def _is_only(subject: str, entity: str) -> bool:
    """The subject is the model's name and nothing else but its maker and filler words ("OpenAI
    o1 System Card", "the Falcon 3 Family of Open Models"), not "ChatGPT Pro" or "Purple Llama"."""
    names = [flat_name(_label(entity)), flat_name(entity.removeprefix("model:"))]
    for word in re.split(r"[\s/]+", subject):
        w = flat_name(word)
        if not w or w in _FILLER or w in _org_words():
            continue
        if any(w in n or (len(n) > 3 and w.startswith(n)) for n in names):
            continue  # part of the name, or the name with a dated suffix ("DeepSeek-V2.5-1210")
        if re.fullmatch(r"\d+(?:\.\d+)?[bm]", word.lower()):
            continue  # a size: "Falcon 3 10B"
        return False
    return True


def _describes_a_model(phrase: str) -> bool:
    """ "Inference-Efficient Hybrid Mamba2 Model", "A large-scale foundation world model": a noun
    phrase whose last word is model/LLM; not "Making discoveries using Large Language Models"."""
    phrase = re.sub(r"\s+(?:yet|ever|so far)$", "", _clean(phrase).strip(" .!?"), flags=re.I)
    phrase = re.sub(rf"\s+(?:{_BUILT_ON})\s+.*$", "", phrase, flags=re.I)  # "... model based on X"
    return (
        bool(phrase) and bool(_MODEL_NOUN.search(phrase)) and not _NOT_A_DESCRIPTION.search(phrase)
    )


def _base(rest: str) -> str | None:
    """The model the release is built on, when the title says so ("hybrid Mamba2 model", "based
    on Mistral Large 2"); a model it is only compared with ("O1 Like Reasoning LLM") is not."""
    rest = _clean(rest).strip(" .!?")
    for rx in _BASE_CUES:
        for m in rx.finditer(rest):
            found = _entities(m.group("x"))
            if found:
                return found[0]
    return None


def _proper_name(subject: str) -> str | None:
    """ "Bamba", "Genie 2": a name, each word capitalised or a number; not "Deliberative
    alignment" (a sentence-case phrase) or a long clause."""
    words = subject.split()
    if not 1 <= len(words) <= 4:
        return None
    if not all(w[:1].isupper() or w[:1].isdigit() for w in words):
        return None
    return subject


# --- helpers ------------------------------------------------------------------------------------


def flat_name(text: str) -> str:
    """A name as letters and digits only, for comparing spellings ("Llama-3.3" and "llama 3.3")."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@lru_cache(maxsize=4096)
def _entities(text: str) -> list[str]:
    from ..understand.entities import extract_entities

    return [e for e in extract_entities(text) if e.startswith("model:")]


def _label(entity: str) -> str:
    from ..understand.entities import entity_label

    return entity_label(entity)


@lru_cache(maxsize=1)
def _org_words() -> frozenset[str]:
    from ..understand.entities import gazetteer

    words: set[str] = set()
    for org in gazetteer()["orgs"]:
        for alias in [org["label"], *org.get("aliases", [])]:
            words.add(flat_name(str(alias)))
            words.update(flat_name(w) for w in str(alias).split())
    return frozenset(w for w in words if len(w) > 2)


def story_release(titles: Iterable[tuple[str, bool, str]]) -> Release | None:
    """The release a story's titles make, given (title, is the lab's own page, its text) per
    member.

    The lab's own page must name the model: its title releases it ("Veo 2: Our video generation
    model"), or it names a model another member's title announces ("Early Evals for OpenAI O3" on
    openai.com beside "OpenAI just announced O3 and O3 mini"). A forum thread alone is not a
    release; a lab's guide to a model is not either. What the release is built on may come from
    any member's title ("Google released PaliGemma 2, ... based on Gemma 2")."""
    items = [(title, lab, title_release(title, text)) for title, lab, text in titles]
    found = next((r for _, lab, r in items if lab and r is not None), None)
    if found is None:
        lab_models = {e for title, lab, _ in items if lab for e in _entities(_clean(title))}
        found = next(
            (r for _, lab, r in items if not lab and r is not None and r.entity in lab_models),
            None,
        )
    if found is not None and found.base is None:
        base = next((r.base for _, _, r in items if r and r.base and r.name == found.name), None)
        found = replace(found, base=base)
    return found


def page_naming(found: Release, pages: list[Member]) -> Member | None:
    """The first of ``pages`` (the lab's own) whose title releases or names ``found``."""
    for m in pages:
        own = title_release(m.title, m.text)
        if own is not None and own.name == found.name:
            return m
    for m in pages:
        if found.entity is not None and found.entity in _entities(_clean(m.title)):
            return m
    return None
