"""The open-model registry: every source's observations merged into one row per model.

Identity: a Hugging Face repo id when any source gives one; display names (arena, curated lists) are
matched to repos by a loose name key and organisation. Conflicts: every claim is kept in model_facts
with its source; the winner is the most authoritative source, the newest date breaking ties.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ..store import landscape as sql
from ..types import model_slug
from ..understand.entities import (
    SIZE,
    entity_label,
    extract_entities,
    gazetteer,
    model_family,
    normalize_model_name,
)
from . import curated
from .lineage import (
    ORG_FAMILY,
    OfficialWords,
    assign_families,
    base_named_in,
    base_words_in,
    base_words_index,
    family_from_name,
    model_id,
    name_key,
    official_names,
    officials_by_family,
    org_slug,
    public_date,
    quantized_origin_key,
    versionless_base,
)
from .sources import AUTHORITY, Observation, bundled_observations, observation_from_hf_item

MODEL_COLUMNS = ("name", "org", "released", "params_b", "context_length", "license")


@dataclass
class Claim:
    value: object
    source: str
    as_of: str

    @property
    def weight(self) -> tuple[int, str]:
        return AUTHORITY.get(self.source, 0), self.as_of or ""


@dataclass
class Entry:
    id: str
    claims: dict[str, dict[str, Claim]] = field(
        default_factory=lambda: defaultdict(dict)
    )  # field -> source
    bases: dict[str, dict[str, str]] = field(
        default_factory=lambda: defaultdict(dict)
    )  # source -> base
    scores: dict[tuple[str, str], tuple[float | None, int | None]] = field(default_factory=dict)
    first_item: tuple[str, str] | None = (
        None  # (published_at, item key): any item, HF cards included
    )
    first_news: tuple[str, str] | None = None  # the same, news items only (when it became public)
    mentions: dict[str, str] = field(default_factory=dict)  # news item key -> published date

    def claim(self, name: str, value, source: str, as_of: str) -> None:
        old = self.claims[name].get(source)
        if old is None or (as_of or "") >= (old.as_of or ""):
            self.claims[name][source] = Claim(value, source, as_of)

    def value(self, name: str):
        claims = self.claims.get(name)
        if not claims:
            return None
        return max(claims.values(), key=lambda c: c.weight).value

    def winning_bases(self) -> tuple[dict[str, str], str | None]:
        """Bases from the most authoritative source that states any."""
        if not self.bases:
            return {}, None
        src = max(self.bases, key=lambda s: AUTHORITY.get(s, 0))
        return self.bases[src], src


@dataclass
class Registry:
    entries: dict[str, Entry]
    families: dict[str, str | None]
    points: dict[str, float] = field(default_factory=dict)  # news item key -> points/score

    def rows(self) -> tuple[list[dict], list[tuple], list[tuple], list[tuple]]:
        models, bases, facts, scores = [], [], [], []
        for mid, e in sorted(self.entries.items()):
            row = {c: e.value(c) for c in MODEL_COLUMNS}
            row["name"] = row["name"] or mid.split("/")[-1]
            # A model's release is its first public news when the news is about the release (see
            # public_date); the repository date stays in model_facts as the "released" claims.
            row["released"] = public_date(
                _text(row["released"]) if row["released"] else None,
                e.first_news[0][:10] if e.first_news else None,
            )
            row.update(
                id=mid,
                family=self.families.get(mid),
                first_item_key=e.first_item[1] if e.first_item else None,
            )
            models.append(row)
            won, src = e.winning_bases()
            bases += [(mid, b, rel, src) for b, rel in sorted(won.items()) if b in self.entries]
            for name, by_src in e.claims.items():
                facts += [(mid, name, _text(c.value), c.source, c.as_of) for c in by_src.values()]
            for s, by_base in e.bases.items():
                for b, rel in by_base.items():
                    facts.append((mid, f"base:{b}", rel, s, _base_as_of(e, s)))
            if e.first_item:
                facts.append((mid, "first_seen", e.first_item[1], "items", e.first_item[0][:10]))
            if e.first_news:
                facts.append((mid, "first_news", e.first_news[1], "items", e.first_news[0][:10]))
            if not row["released"]:
                known = known_by(e)
                if known:
                    facts.append((mid, "known_by", known[0], known[1], known[0]))
            for key, when in sorted(e.mentions.items()):
                pts = self.points.get(key, 0.0)
                facts.append((mid, f"mention:{key}", _text(float(pts)), "items", when[:10]))
            scores += [
                (mid, board, snap, sc, rk) for (board, snap), (sc, rk) in sorted(e.scores.items())
            ]
        return models, bases, facts, scores


# Sources that list a model as of a date: an undated model existed by the earliest such date.
LISTING_SOURCES = (
    "open-llm-leaderboard-v1",
    "open-llms-list",
    "lmsys-arena-2023",
    "lmarena",
    "open-llm-leaderboard-v2",
)


def known_by(e: Entry) -> tuple[str, str] | None:
    """(date, source) of the earliest listing that names an undated model: it existed by then."""
    dates = [
        (c.as_of[:10], c.source)
        for c in e.claims.get("name", {}).values()
        if c.source in LISTING_SOURCES and len(c.as_of or "") >= 10
    ]
    return min(dates) if dates else None


def _text(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _base_as_of(e: Entry, source: str) -> str:
    for by_src in e.claims.values():
        if source in by_src:
            return by_src[source].as_of
    return ""


class _Resolver:
    """Maps an observation to a model id, preferring repo ids, then organisation + name."""

    def __init__(self, observations: list[Observation]):
        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.official: set[str] = set()
        self.alias: dict[str, str] = {}
        refs = {model_id(o.ref) for o in observations if _is_repo(o.ref)}
        refs |= {b for o in observations for b, _ in o.bases}
        # HF keeps a redirect when a repo is renamed (meta-llama/Meta-Llama-3.1-8B -> Llama-3.1-8B);
        # the two
        # ids are one model. The shorter (newer) name is canonical.
        same: dict[tuple[str, str], list[str]] = defaultdict(list)
        for mid in refs:
            same[(mid.split("/")[0], name_key(mid))].append(mid)
        for ids in same.values():
            canon = min(ids, key=lambda i: (len(i), i))
            self.alias.update({i: canon for i in ids if i != canon})
        for o in observations:
            if _is_repo(o.ref):
                mid = self.canon(model_id(o.ref))
                self.by_key[name_key(o.ref)].add(mid)
                if o.facts.get("official"):
                    self.official.add(mid)

    def canon(self, mid: str) -> str:
        return self.alias.get(mid, mid)

    def resolve(self, o: Observation) -> str:
        if _is_repo(o.ref):
            return self.canon(model_id(o.ref))
        if o.hf_url_repo:
            return self.canon(model_id(o.hf_url_repo))
        return self.by_name(o.ref, o.org) or model_id(o.ref, o.org)

    def by_name(self, name: str, org: str | None = None) -> str | None:
        """A repo for a display name: the organisation's own, else the official one; a lone
        community
        repo of the same name is accepted only when no organisation was given (it could be a
        re-upload)."""
        cands = sorted(self.by_key.get(name_key(name), ()))
        if org:
            same_org = [c for c in cands if c.split("/")[0] == org_slug(org)]
            if same_org:
                return same_org[0]
        official = [c for c in cands if c in self.official]
        if official:
            return official[0]
        return cands[0] if len(cands) == 1 and not org else None


def _is_repo(ref: str) -> bool:
    return bool(re.fullmatch(r"[\w.-]+/[\w.-]+", ref.strip()))


def merge(observations: Iterable[Observation]) -> tuple[dict[str, Entry], _Resolver]:
    obs = list(observations)
    resolver = _Resolver(obs)
    entries: dict[str, Entry] = {}
    for o in obs:
        mid = resolver.resolve(o)
        e = entries.setdefault(mid, Entry(mid))
        aliased = _is_repo(o.ref) and model_id(o.ref) != mid
        for name, value in o.facts.items():
            if not (aliased and name == "name"):
                e.claim(name, value, o.source, o.as_of)
        if aliased:
            e.claim("alias", o.ref, o.source, o.as_of)
        for base, rel in o.bases:
            base = resolver.canon(base)
            if base != mid:
                e.bases[o.source][base] = rel
        for board, snap, score, rank in o.scores:
            e.scores[(board, snap)] = (score, rank)
    add_card_bases(entries, resolver)
    add_referenced_bases(entries, resolver)
    apply_curated(entries)
    infer_from_names(entries, resolver)
    refine_root_bases(entries)
    return entries, resolver


REFINED = "name-refined"


def _chain(entries: dict[str, Entry], mid: str, steps: int = 4) -> list[str]:
    out, cur = [], mid
    for _ in range(steps):
        bases = entries[cur].winning_bases()[0] if cur in entries else {}
        if not bases:
            break
        cur = sorted(bases)[0]
        if cur in out or cur == mid:
            break
        out.append(cur)
    return out


def refine_root_bases(entries: dict[str, Entry]) -> None:
    """The Open LLM Leaderboard's base_model often names the root of a model's tree (Llama-3.1-8B)
    where the model was tuned from a descendant (Llama-3.1-8B-Instruct). When the model's name
    spells out an official model that itself descends from the stated base, that model is the
    parent: recorded as source "name-refined", drawn as inferred from the name."""
    official = {m for m in entries if m.split("/")[0] in ORG_FAMILY} - {
        m for m, e in entries.items() if e.claims.get("generation_of")
    }
    names = official_names(official)
    for mid, e in entries.items():
        won, src = e.winning_bases()
        if src != "open-llm-leaderboard-v2" or len(won) != 1 or mid in official:
            continue
        ((base, rel),) = won.items()
        named = base_named_in(mid, names)
        if not named or named[0] == base or rel not in ("finetune", "adapter"):
            continue
        if base in _chain(entries, named[0]):
            e.bases[REFINED] = {named[0]: rel}


def apply_curated(entries: dict[str, Entry]) -> None:
    """The curated table's lineage (see curated.py): line, base and date, credited to "curated"."""
    for mid, e in entries.items():
        c = curated.lookup(mid, entries)
        if c is None:
            continue
        e.claim("line", c.line, curated.SOURCE, "")
        e.claim("lineage_source", c.source, curated.SOURCE, "")
        if c.released:
            e.claim("released", c.released, curated.SOURCE, c.released)
        if c.base:
            e.bases[curated.SOURCE] = {c.base: c.relation}
        elif c.relation in ("architecture", "copy"):
            e.claim("line_relation", c.relation, curated.SOURCE, "")


CARD = "hf-card"


def add_card_bases(entries: dict[str, Entry], resolver: _Resolver) -> None:
    """The base a collected card's prose names (lineage.base_in_card), resolved like a display name:
    a repo id as is, else the organisation's or the official model of that name. Credited to
    "hf-card"; it wins over the leaderboard (which often names the root of the tree) and loses to
    the card's own base_model metadata."""
    for mid, e in entries.items():
        claim = e.claims.get("card_base", {}).get("hf")
        if claim is None:
            continue
        ref = str(claim.value)
        base = resolver.canon(model_id(ref)) if "/" in ref else resolver.by_name(ref)
        if base and base != mid:
            rel = e.claims.get("card_base_relation", {}).get("hf")
            e.bases[CARD][base] = str(rel.value) if rel else "finetune"


def add_referenced_bases(entries: dict[str, Entry], resolver: _Resolver) -> None:
    """A base model named in metadata but never evaluated or listed still belongs in the tree:
    add it with the facts its id states (name, organisation), credited to the source that named
    it."""
    for e in list(entries.values()):
        for source, by_base in e.bases.items():
            as_of = _base_as_of(e, source)
            for base in by_base:
                if base not in entries:
                    stub = entries[base] = Entry(base)
                    owner, name = base.split("/", 1)
                    stub.claim("name", name, source, as_of)
                    stub.claim("org", owner, source, as_of)
                    resolver.by_key[name_key(base)].add(base)


_TUNE_TOKENS = {"instruct", "chat", "it"}


def infer_from_names(entries: dict[str, Entry], resolver: _Resolver) -> None:
    """Bases the metadata left out but the names state: an org's "X-Instruct" is tuned from its "X"
    or
    "X-Base"; "X-GGUF" is a quantized copy of "X"; a community "Hermes-3-Llama-3.1-8B" is built on
    the
    official model its name spells out, and "NousResearch/Meta-Llama-3-8B" is a re-upload of Meta's.
    Recorded as source "name-inference": drawn as uncertain, "inferred from the name"."""
    # Bases a name can point at: the family makers' own models (a leaderboard's "official provider"
    # flag also marks community orgs uploading their own fine-tunes, which are not bases by name).
    official = {m for m in entries if m.split("/")[0] in ORG_FAMILY} - {
        m for m, e in entries.items() if e.claims.get("generation_of")
    }
    names = official_names(official)
    dates = {m: _text(entries[m].value("released") or "") or None for m in official}
    by_word = base_words_index(names)
    by_family = officials_by_family(dates)
    for mid, e in entries.items():
        _infer_one(mid, e, entries, resolver, names, official, dates, by_word, by_family)


def _infer_one(
    mid: str,
    e: Entry,
    entries: dict[str, Entry],
    resolver: _Resolver,
    names: dict[str, str],
    official: set[str],
    official_dates: dict[str, str | None],
    by_word: dict[str, list[tuple[frozenset[str], str, str]]] | None = None,
    by_family: OfficialWords | None = None,
) -> None:
    if e.bases:
        return
    owner, name = mid.split("/", 1)
    qkey = quantized_origin_key(mid)
    if qkey:
        cands = sorted(
            resolver.by_key.get(qkey, ()),
            key=lambda c: (c.split("/")[0] != owner, c not in resolver.official, c),
        )
        if cands and cands[0] != mid:
            e.bases["name-inference"][cands[0]] = "quantized"
        return
    tokens = name.split("-")
    for i, t in enumerate(tokens):
        if t not in _TUNE_TOKENS:
            continue
        cands = (
            "-".join(tokens[:i] + tokens[i + 1 :]),
            "-".join(tokens[:i] + ["base"] + tokens[i + 1 :]),
        )
        for cand in cands:
            base = f"{owner}/{cand}"
            if base in entries and base != mid:
                e.bases["name-inference"][base] = "finetune"
                return
        # A maker that never published X itself (Mistral's v0.2 base came out later, uploaded by
        # mistral-community): its X-Instruct is tuned from the one re-upload of X elsewhere.
        if owner in ORG_FAMILY:
            for cand in cands:
                others = [b for b in resolver.by_key.get(name_key(cand), ()) if b != mid]
                if len(others) == 1 and others[0] in entries:
                    e.bases["name-inference"][others[0]] = "finetune"
                    return
    if mid in official or e.claims.get("line"):
        return
    released = e.value("released")
    day = _text(released)[:10] if released else None

    def existed(base: str) -> bool:
        # A model cannot be built on one published after it ("orca_mini_v2_7b", July 2023, spells
        # the words of Orca-2-7b, November 2023): the name points elsewhere.
        then = official_dates.get(base)
        return not (day and then and day < then[: len(day)])  # "2023-07": by month

    named = base_named_in(mid, names)
    if named and existed(named[0]):
        e.bases["name-inference"][named[0]] = named[1]
        return
    # Weaker name evidence, in order: the official name's words in another order, then the family
    # and size without a version (the newest such official base the model's date allows).
    words = base_words_in(mid, names, by_word)
    base = (words if words and existed(words) else None) or versionless_base(
        mid, day, official_dates, by_family
    )
    if base:
        e.bases["name-inference"][base] = "finetune"


def stated_families(entries: dict[str, Entry]) -> dict[str, str]:
    """Families the curated phylogeny states for its generation-level models (e.g. "LLaMA" for Llama
    2).
    """
    out = {}
    for mid, e in entries.items():
        c = e.claims.get("generation_of", {}).get("llm-phylogeny")
        if c:
            out[mid] = family_from_name(str(c.value)) or model_slug(str(c.value))
    return out


def build(
    observations: Iterable[Observation],
    mentions: Iterable[tuple[str, str | None, list[str]]] = (),
    points: dict[str, float] | None = None,
) -> Registry:
    """Pure: observations + (item key, published_at, model refs) mentions -> the registry. A ref is
    an
    entity id ("model:qwq-32b") or "repo:<hf id>" for a Hugging Face item, which names itself.
    ``points``: news item key -> points or score, the attention each mention carries."""
    entries, resolver = merge(observations)
    official = {mid for mid, e in entries.items() if e.value("official")}
    listed = {
        mid
        for mid, e in entries.items()
        if any(s in e.claims.get("name", {}) for s in ("lmarena", "open-llms-list"))
    }
    hub = {mid for mid, e in entries.items() if "hf" in e.claims.get("name", {})}
    preferred = official | listed | hub
    index = mention_index(entries, preferred, official, hub - official - listed)
    mentions = [
        m for m in mentions if m[1]
    ]  # an undated item cannot say when a model was first seen
    news_only = _news_only_refs(mentions, index)
    # A ref resolves the same way until the index changes where its key looks (a news-only model
    # added under that key or one extending it): resolved once per ref, not once per mention (a
    # year of news names the same models thousands of times), and an addition forgets only the
    # refs it can change (forgetting them all made every ref resolve again each time: most of
    # `process` at 1M items).
    resolved: dict[str, list[str]] = {}
    refs_of: dict[str, list[str]] = defaultdict(list)  # mention key -> its refs in resolved
    for key, published_at, refs in mentions:
        for ref in refs:
            if ref.startswith("repo:"):
                found = [resolver.canon(model_id(ref[5:]))]
            elif ref in resolved:
                found = resolved[ref]
            else:
                rkey = ref_key(ref)
                found = resolve_key(rkey, index)
                if not found and ref in news_only:
                    found = add_news_only_model(entries, index, ref, published_at)
                    for changed in index.changed:
                        for k in affected_keys(changed):
                            for r in refs_of.pop(k, ()):
                                resolved.pop(r, None)
                    index.changed.clear()
                if found or ref not in news_only:
                    resolved[ref] = found
                    refs_of[rkey].append(ref)
            for mid in found:
                e = entries.get(mid)
                if e is None:
                    continue
                seen = (published_at, key)
                if e.first_item is None or seen < e.first_item:
                    e.first_item = seen
                # Papers cite models long after their release (a Dec 2024 paper benchmarking
                # Vicuna), so
                # only news (HN, Reddit, blogs) can say when a model became public.
                if not ref.startswith("repo:") and not key.startswith("arxiv:"):
                    e.mentions[key] = published_at
                    if e.first_news is None or seen < e.first_news:
                        e.first_news = seen
    bases = {mid: list(e.winning_bases()[0].items()) for mid, e in entries.items()}
    arch = {mid: e.value("architecture") for mid, e in entries.items()}
    stated = stated_families(entries)
    # News-only models have no organisation family to fall back on: "Imagen 3" by Google is not a
    # Gemma.
    stated.update(
        {
            mid: family_from_name(mid)
            for mid, e in entries.items()
            if set(e.claims.get("name", {})) == {"items"}
        }
    )
    families = assign_families(entries, bases, arch, stated)
    return Registry(entries, families, dict(points or {}))


# A name the news uses once may be a typo or a mis-split ("Llama 31 70B"); a release is named again.
NEWS_ONLY_MIN_ITEMS = 2


def _news_only_refs(
    mentions: list[tuple[str, str | None, list[str]]], index: MentionIndex
) -> set[str]:
    items: dict[str, set[str]] = defaultdict(set)
    unresolved: dict[str, bool] = {}  # the index does not change here: one lookup per ref
    for key, _published, refs in mentions:
        for ref in refs:
            if not ref.startswith("model:"):
                continue
            if ref not in unresolved:
                unresolved[ref] = not resolve_mention(ref, index)
            if unresolved[ref]:
                items[ref].add(key)
    return {ref for ref, keys in items.items() if len(keys) >= NEWS_ONLY_MIN_ITEMS}


def mention_key(name: str) -> str:
    """The key an entity id and a model share: the understand stage's normalisation
    ("meta-llama/Llama-3.3-70B-Instruct" and "Llama 3.3 70B" -> "llama-3.3-70b")."""
    return normalize_model_name(name.split("/")[-1])


@dataclass
class MentionIndex:
    keys: dict[str, list[str]]  # mention key -> model ids
    preferred: set[str]  # official releases, ranked or listed models
    # The keys that hold a preferred model, in order, with those models only: a line lookup
    # ("llama-3" -> the preferred Llama 3 models) walks them, not every key with the prefix (a
    # year of Hub items files thousands of community repos under "llama-3-...": walking those per
    # mention was most of `process` at 1M items).
    _pref: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _pref_sorted: list[str] = field(default_factory=list, repr=False)
    # key -> its line (preferred models under "key-..."), computed once until an add changes it:
    # with every Hub repo preferred, "qwen2.5" alone has thousands.
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)
    changed: list[str] = field(default_factory=list, repr=False)  # keys refiled, for callers
    # Among the preferred: the makers' own releases (the leaderboard's official providers), which
    # a line is when they published any of it, and community Hub repos, which join a line only
    # as its sizes (issue 12, round 5).
    official: set[str] = field(default_factory=set)
    community: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for key, mids in self.keys.items():
            best = [m for m in mids if m in self.preferred]
            if best:
                self._pref[key] = best
        self._pref_sorted = sorted(self._pref)

    def add(self, key: str, mids: list[str], preferred: bool = False) -> None:
        """File ``mids`` under ``key`` (replacing what it held); ``preferred`` marks them
        preferred."""
        if preferred:
            fresh = [m for m in mids if m not in self.preferred]
            self.preferred.update(fresh)
            for m in fresh:  # a model filed under another key before is preferred there too now
                other = mention_key(m)
                if other != key and m in self.keys.get(other, ()):
                    self._file(other)
        self._set(key, mids)

    def _set(self, key: str, mids: list[str]) -> None:
        self.keys[key] = mids
        self._file(key)

    def _file(self, key: str) -> None:
        self.changed.append(key)
        for k in affected_keys(key):
            self._lines.pop(k, None)
        mids = self.keys[key]
        best = [m for m in mids if m in self.preferred]
        if best and key not in self._pref:
            bisect.insort(self._pref_sorted, key)
        elif not best and key in self._pref:
            self._pref_sorted.remove(key)
            del self._pref[key]
        if best:
            self._pref[key] = best

    def line(self, key: str) -> list[str]:
        """The preferred models filed under keys that start with ``key + "-"``: the release a
        versioned key names, its makers' own models first.

        A Hub repo that adds a word after the release's name is a derivative, not the release
        ("Phi-4" is not phi-4-abliterated, "Llama 3.2" not llama-3.2-rabbit-ko-3b): from the
        community only the release's sizes count (a re-upload "qwen2.5-7b-..."), and only while
        no maker published the line. Listed products keep their words (Gemini 1.0 is Gemini 1.0
        Pro, Claude 3.5 is Sonnet and Haiku). The family's maker leads ("Llama 3" -> Meta's
        Llama 3, not an official provider's fine-tune that sorts first)."""
        found = self._lines.get(key)
        if found is None:
            prefix, got = key + "-", set()
            i = bisect.bisect_left(self._pref_sorted, prefix)
            while i < len(self._pref_sorted) and self._pref_sorted[i].startswith(prefix):
                k = self._pref_sorted[i]
                sized = bool(SIZE.match(k[len(prefix) :].split("-", 1)[0]))
                got.update(m for m in self._pref[k] if sized or m not in self.community)
                i += 1
            if got & self.official:
                got &= self.official
            maker = _maker_account(key)
            found = self._lines[key] = sorted(got, key=lambda m: (not m.startswith(maker), m))
        return found


def names_a_family(key: str, index: MentionIndex) -> bool:
    """A bare name whose versions the index holds ("llama": Llama 2, Llama 3.1 ...) names the
    family, not the one model filed under it: the phylogeny's "LLaMA" row is Llama 1, and
    "Purple Llama" or "run Llama on a laptop" in December 2023 is not about Llama 1. A bare name
    with no versions under it (BERT, ChatGPT) is the model."""
    if any(ch.isdigit() for ch in key):
        return False
    prefix = key + "-"
    i = bisect.bisect_left(index._pref_sorted, prefix)
    while i < len(index._pref_sorted) and index._pref_sorted[i].startswith(prefix):
        if index._pref_sorted[i][len(prefix) :][:1].isdigit():
            return True
        i += 1
    return False


def affected_keys(key: str) -> list[str]:
    """The mention keys whose resolution a change to ``key`` can change: itself, and each key it
    extends after a dash (its lines: "llama-3.3-70b" is in the lines of "llama" and "llama-3.3")."""
    return [key, *(key[:i] for i, ch in enumerate(key) if ch == "-")]


def _maker_account(key: str) -> str:
    """The Hub account prefix of the family's maker ("llama-3" -> "meta-llama/"); with no maker
    known, a prefix no id has."""
    fam = model_family(key)
    return org_slug(fam.org) + "/" if fam and fam.org else "\0"


def mention_index(
    ids: Iterable[str],
    preferred: set[str],
    official: set[str] | None = None,
    community: Iterable[str] = (),
) -> MentionIndex:
    """mention key -> model ids; when a key has preferred models only those are kept, so "Qwen2.5
    7B" in the news is Qwen's, not one of fifty re-uploads. ``official``: the makers' own
    releases (default: ``preferred``), which lead a release's line; ``community``: preferred Hub
    repos of anyone else, which join a line only as its sizes."""
    keys: dict[str, list[str]] = defaultdict(list)
    for mid in ids:
        k = mention_key(mid)
        if k:
            keys[k].append(mid)
    for k, mids in keys.items():
        best = [m for m in mids if m in preferred]
        keys[k] = sorted(best) if best else sorted(mids)
    return MentionIndex(
        dict(keys),
        set(preferred),
        official=set(preferred if official is None else official),
        community=set(community),
    )


# A versionless name may still name one product line ("QwQ" -> QwQ-32B-Preview) but not a brand
# ("Gemini" -> dozens of models): above this many models, a bare name resolves to none.
BARE_LINE_MAX = 3


def resolve_mention(ref: str, index: MentionIndex) -> list[str]:
    """An entity id ("model:llama-3.3-70b") -> the registry models it names: the exact key when it
    names
    a preferred model, else the preferred models of the line it names ("model:falcon-3" ->
    Falcon3-*),
    else a community repo of exactly that name, else nothing."""
    return resolve_key(ref_key(ref), index)


def ref_key(ref: str) -> str:
    """The mention key of an entity id ("model:llama-3.3-70b" -> "llama-3.3-70b")."""
    return mention_key(ref.split(":", 1)[1] if ref.startswith("model:") else ref)


def resolve_key(key: str, index: MentionIndex) -> list[str]:
    """resolve_mention for a ref's mention key: what it resolves to depends on the key alone."""
    if len(key) < 2:
        return []
    exact = index.keys.get(key, [])
    if (exact and exact[0] in index.preferred) or key in curated_models():
        # A model the entity list names for itself is that model, never its line: "o1" is not
        # o1-mini or o1-preview; with no row of its own it becomes a news-only model.
        return exact
    line = index.line(key)
    if line and (re.search(r"\d", key) or len(line) <= BARE_LINE_MAX):
        return line[:20]
    return exact


def add_news_only_model(
    entries: dict[str, Entry], index: MentionIndex, ref: str, published_at: str
) -> list[str]:
    """A model the news names but no leaderboard or list has (an API model, a release not on the Hub
    yet) still gets a row, so `abreast model` and the weekly section can talk about it. Only
    versioned names: "model:phi-4" yes, a bare "model:gemini" no."""
    slug_ = ref.split(":", 1)[1]
    if not re.search(r"\d", slug_):
        return []
    org = known_maker(slug_)
    mid = model_id(slug_, org or "news")
    e = entries.setdefault(mid, Entry(mid))
    e.claim("name", entity_label(ref), "items", published_at[:10])
    if org:
        e.claim("org", org, "items", published_at[:10])
    index.add(mention_key(slug_), [mid], preferred=True)
    return [mid]


@lru_cache(maxsize=1)
def curated_models() -> frozenset[str]:
    """The model keys the entity list curates one by one (o1, o1-mini, o3, gpt-4o...)."""
    return frozenset(m["id"] for m in gazetteer()["models"])


def known_maker(slug_: str) -> str | None:
    """Who makes a model the news names: its family's maker, else the maker the entity list
    states for that model ("o3" is OpenAI's, though no family "o" exists)."""
    fam = model_family(slug_)
    if fam and fam.org:
        return fam.org
    return next(
        (m.get("org") for m in gazetteer()["models"] if m["id"] == slug_ and m.get("org")), None
    )


# --- I/O: build from the bundled data and the store
# ----------------------------------------------------------
def store_observations(conn: sqlite3.Connection) -> list[Observation]:
    out = []
    for key, published_at, extra, text in sql.hf_items(conn):
        out.append(observation_from_hf_item(key, extra, published_at, text))
    return out


def item_mentions(conn: sqlite3.Connection) -> list[tuple[str, str | None, list[str]]]:
    """Model mentions per item: the understand stage's entity ids, or, for items it has not
    annotated, its extractor run here. HF items mention themselves."""
    out = []
    for key, published_at, title, text, ents in sql.item_entities(conn):
        if key.startswith("hf:"):
            out.append((key, published_at, [f"repo:{key[3:]}"]))
            continue
        if ents is None:
            ents = extract_entities(title, text or "")
        refs = [e for e in ents or [] if e.startswith("model:")]
        if refs:
            out.append((key, published_at, refs))
    return out


@dataclass
class BuildReport:
    models: int
    edges: int
    scores: int
    families: dict[str, int]
    mentioned: int
    written: int = 0  # models whose rows changed (written or removed) in this build


def build_registry(conn: sqlite3.Connection) -> BuildReport:
    """Rebuild the registry from the bundled data and the store; the stored registry becomes
    equal to it in one transaction, only the models whose rows changed written."""
    obs = list(bundled_observations()) + store_observations(conn)
    mentions = item_mentions(conn)
    reg = build(obs, mentions, sql.news_points(conn, (m[0] for m in mentions)))
    models, bases, facts, scores = reg.rows()
    written = sql.update_registry(conn, models, bases, facts, scores)
    fam: dict[str, int] = defaultdict(int)
    for m in models:
        if m["family"]:
            fam[m["family"]] += 1
    return BuildReport(
        len(models),
        len(bases),
        len(scores),
        dict(fam),
        sum(1 for m in models if m["first_item_key"]),
        written,
    )
