"""The Interests page and the story page's "not for you?" line (issue 16): what abreast learnt from
this reader's feedback, in words, what they muted and which terms they know; each can be undone
here. The changes themselves go through learn/personal.py and store/known_terms.py, as the CLI's
do."""

from __future__ import annotations

from typing import Any

from ..errors import AbreastError
from ..explain.glossary import find_term
from ..learn import personal
from ..store import Store
from ..store import known_terms as kt
from ..store import learn as sql
from .sanitize import plain_text

MUTE_KIND_WORDS = {"source": "source", "domain": "site", "term": "term"}
LINKED_KINDS = ("hn", "reddit", "feed")  # items that link to a site (learn/personal.py's rule)


def interests_view(store: Store) -> dict[str, Any]:
    # The model as last saved, with the topics it started from (the web app has no settings of
    # its own; `abreast serve` refits on a change of topics when it starts).
    model = personal.current(store)
    more, less = personal.in_words(model)
    glossary = _glossary()
    muted = [
        {
            "kind": kind,
            "value": value,
            "what": MUTE_KIND_WORDS.get(kind, kind),
            "label": personal.label(f"term:{value}") if kind == "term" else value,
        }
        for kind, value in sql.mutes(store.conn)
    ]
    known = sorted(
        (
            {"id": tid, "term": getattr(glossary.get(tid), "term", tid)}
            for tid in kt.known(store.conn)
        ),
        key=lambda t: t["term"].lower(),
    )
    return {
        "signals": model.signals,
        "topics": [plain_text(t) for t in model.topics],
        "more": [plain_text(x) for x in more],
        "less": [plain_text(x) for x in less],
        "muted": muted,
        "known": known,
    }


def mute_targets(story: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """What a story page offers to mute: its sources, the sites its links point to, its terms."""
    sources: dict[str, str] = {}
    sites: dict[str, str] = {}
    for m in story.get("members", []):
        sources.setdefault(m["source"], m["label"])
        host = sql.domain_of(m["url"]) if m["kind"] in LINKED_KINDS else ""
        if host:
            sites.setdefault(host, host)
    return {
        "source": [{"value": v, "label": lab} for v, lab in sources.items()],
        "domain": [{"value": v, "label": lab} for v, lab in sites.items()],
        "term": [{"value": t["id"], "label": t["term"]} for t in story.get("jargon", [])],
    }


def mute(store: Store, target: str, kind: str) -> str:
    if kind not in sql.MUTE_KINDS:
        raise AbreastError(f"can only mute a source, a site or a term; got {kind!r}.")
    k, value, added = personal.mute(store, target.strip(), kind)
    what = MUTE_KIND_WORDS[k]
    return f"muted the {what} {value}" if added else f"the {what} {value} was already muted"


def unmute(store: Store, kind: str, value: str) -> str:
    if not sql.remove_mute(store.conn, kind, value):
        raise AbreastError(f"{value!r} is not muted.")
    return f"unmuted {value}"


def mark_known(store: Store, term: str, known: bool = True) -> str:
    t = find_term(term.strip())
    if t is None:
        raise AbreastError(f"{term!r} is not a glossary term.")
    kt.mark(store.conn, t.term_id, known=known)
    return f"{t.term}: known" if known else f"{t.term}: no longer marked as known"


def reset(store: Store) -> str:
    n = personal.reset(store)
    return f"forgot {n} signals; ranking is back to everyone's default"


def _glossary() -> dict:
    from ..understand.jargon import glossary

    return glossary()
