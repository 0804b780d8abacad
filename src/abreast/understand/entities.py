"""Entities: which models, organisations and people an item mentions, as stable ids.

Ids look like ``model:llama-3.3-70b``, ``org:openai``, ``person:sam-altman``; they double as Hugo
tags (``entity_slug``) and as the join key of the model registry (``normalize_model_name``).

What a model key keeps and drops (the rule the registry and the tags share):
  kept    family, version, size and product tier: ``llama-3.3-70b``, ``qwen-2.5-coder-32b``,
  ``gpt-4o-mini``,
          ``claude-3.5-sonnet``, ``mixtral-8x7b``, ``deepseek-v3``. A version glued to a known
          family name is split off (``Qwen2.5`` -> ``qwen-2.5``, ``Falcon3`` -> ``falcon-3``) so
          that every spelling agrees.
  dropped how a checkpoint is tuned, packaged or staged: ``instruct``, ``chat``, ``it``, ``hf``,
  ``base``,
          ``preview``, ``exp``, ``latest``, precision/quant formats (``fp8``, ``gguf``, ``awq``...),
          context length (``128k``), revisions after the size (``-v0.1``) and release dates,
          *unless* the date is the only version the name has (``mistral-large-2411`` stays,
          ``deepseek-v2.5-1210`` -> ``deepseek-v2.5``). A news reader cares that "Llama 3.3 70B"
          came out, not which of its checkpoints a post linked; the registry keeps exact hub ids
          beside the key.
  curated aliases override the rule where a stage is a different product (``o1-preview`` is not
  ``o1``).

Known ambiguity, accepted: "Gemini" the zodiac sign, "Whisper"/"Sora"/"Grok" as ordinary capitalised
words, "O1" as a visa class. Family names that are common words (Phi, Falcon, Granite, Mistral,
Yi...) only count with a version, size or tier after them ("Phi-4", not "phi" in prose).
"""

from __future__ import annotations

import json
import operator
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from pathlib import Path
from types import ModuleType
from typing import Any

import ahocorasick_rs as _compiled_search

# The compiled multi-pattern search (a dependency). bench/entities_speed.py --no-ac sets this to
# None to time the pure-Python scanner, which also serves text whose lower() changes its length.
ahocorasick_rs: ModuleType | None = _compiled_search

DATA = Path(__file__).parent / "data"

# Claude and Gemini names are written tier-first as often as version-first ("Sonnet 3.5", "Gemini
# Flash 2.0").
TIER_AFTER_VERSION = {"claude", "gemini"}
# Families whose labels join with hyphens, as their makers write them (GPT-4o, not "GPT 4o").
HYPHEN_LABELS = {"gpt", "deepseek", "phi", "command-r"}
LABEL_WORDS = {
    "vl": "VL",
    "moe": "MoE",
    "r1": "R1",
    "xl": "XL",
    "xxl": "XXL",
    "tts": "TTS",
    "4o": "4o",
}

SIZE = re.compile(r"^(?:a?\d+(?:\.\d+)?[bmt]|\d+x\d+(?:\.\d+)?[bm])$")
VERSION = re.compile(r"^v?\d+(?:\.\d+)*$")
CONTEXT = re.compile(r"^\d+k$")
DATE8 = re.compile(r"^(?:19|20)\d{6}$")
DATE4 = re.compile(r"^(?:(?:0[1-9]|1[0-2])[0-3]\d|2[3-6](?:0[1-9]|1[0-2]))$")  # MMDD or YYMM
REVISION = re.compile(r"^0\d\d$")  # gemini-1.5-pro-002
GLUED = re.compile(r"^([a-z]+)(\d+(?:\.\d+)*)([a-z]*)$")
DIGIT_WORD = re.compile(r"^(\d+(?:\.\d+)*)([a-z]+)$")
DATE_PAREN = re.compile(r"\((?:\d{8}|\d{4}-\d{2}-\d{2}|\d{2}-\d{4})\)")
ISO_DATE = re.compile(r"[-\s]?\b20\d\d-\d\d-\d\d\b")
MONTH_YEAR = re.compile(r"-(?:0[1-9]|1[0-2])-20\d\d\b")
TRAILING_MMDD = re.compile(r"(?<=[a-z0-9])-(?:0[1-9]|1[0-2])-[0-3]\d$")


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    org: str | None
    bare: bool  # the family name alone is an entity ("Claude"); else something must follow it
    tail: bool  # version/size/tier words may follow ("ChatGPT" takes none)
    heads: tuple[str, ...]
    exact_case: bool
    tail_words: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Any]:  # entities.json, a checked-in file of known shape
    data: dict[str, Any] = json.loads((DATA / "entities.json").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """The generated part (scripts/build_entities.py); empty when it has not been built."""
    path = DATA / "models_lexicon.json"
    if not path.exists():
        return {"families": [], "models": {}, "hub_ids": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def families() -> dict[str, Family]:
    out: dict[str, Family] = {}
    for f in gazetteer()["families"]:
        out[f["id"]] = Family(
            f["id"],
            f["label"],
            f.get("org"),
            f.get("bare", False),
            f.get("tail", True),
            tuple(f["heads"]),
            f.get("case") == "exact",
            tuple(f.get("tail_words", ())),
        )
    # Families learnt from leaderboards never stand alone: their names may be ordinary words.
    for f in lexicon()["families"]:
        if f["id"] not in out:
            out[f["id"]] = Family(f["id"], f["label"], f.get("org"), False, True, (f["id"],), False)
    return out


@lru_cache(maxsize=1)
def _family_tokens() -> frozenset[str]:
    """Curated families only: keys must not change when the learnt lexicon is rebuilt."""
    toks = set()
    for fam in list(families().values())[: len(gazetteer()["families"])]:
        toks.add(fam.id)
        toks.update(_basic(h) for h in fam.heads if "-" not in _basic(h))
    return frozenset(toks)


@lru_cache(maxsize=1)
def _tail_words() -> frozenset[str]:
    return frozenset(gazetteer()["tail_words"])


@lru_cache(maxsize=1)
def _drop_words() -> frozenset[str]:
    return frozenset(gazetteer()["drop_words"])


@lru_cache(maxsize=1)
def _rewrites() -> list[tuple[list[str], list[str]]]:
    pairs = [(k.split("-"), v.split("-")) for k, v in gazetteer()["rewrite_heads"].items()]
    return sorted(pairs, key=lambda p: -len(p[0]))


@lru_cache(maxsize=1)
def model_aliases() -> dict[str, str]:
    """Curated spelling -> model key, keyed by the spelling's token form before anything is
    dropped."""
    out = {}
    for m in gazetteer()["models"]:
        out[m["id"]] = m["id"]
        for a in m["aliases"]:
            out["-".join(_tokens(a))] = m["id"]
    return out


def _basic(name: str) -> str:
    """Lower-case ASCII, separators as single hyphens; no knowledge of model names yet."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = s.replace("+", "-plus").replace("·", "-")
    s = re.sub(r"(\d)_(\d)", r"\1.\2", s)
    s = re.sub(r"[^a-z0-9.]+", "-", s)
    return re.sub(r"-{2,}", "-", s).strip("-.")


def _tokens(name: str) -> list[str]:
    """Name -> tokens with the head rewritten and glued versions split: 'Meta-Llama-3.1' -> llama,
    3.1."""
    s = name.strip()
    if "/" in s:
        s = s.rsplit("/", 1)[1]
    s = DATE_PAREN.sub(" ", s.replace("\u00b7", "-"))
    s = _basic(ISO_DATE.sub("", s))
    s = TRAILING_MMDD.sub("", MONTH_YEAR.sub("", s))
    toks = [t for t in s.split("-") if t]
    for old, new in _rewrites():
        if toks[: len(old)] == old:
            toks = new + toks[len(old) :]
            break
    return _split_glued(toks)


def _split_glued(toks: list[str]) -> list[str]:
    fams, tails = _family_tokens(), _tail_words()
    out: list[str] = []
    for t in toks:
        m = GLUED.match(t)
        if m and m.group(1) in fams and not SIZE.match(t):
            if m.group(3) in ("o", "b", "m"):  # gpt4o; "Qwen3b" is Qwen at 3B, not Qwen 3 "b"
                out += [m.group(1), m.group(2) + m.group(3)]
            else:
                out += [m.group(1), m.group(2)] + ([m.group(3)] if m.group(3) else [])
            continue
        m = DIGIT_WORD.match(t)
        if m and m.group(2) in tails and t != "4o":
            out += [m.group(1), m.group(2)]
            continue
        out.append(t)
    return out


def _drop_variants(toks: list[str]) -> list[str]:
    drop = _drop_words()
    versioned = any(VERSION.match(t) and not DATE4.match(t) for t in toks[1:]) or any(
        SIZE.match(t) for t in toks
    )
    out: list[str] = []
    seen_size = False
    for i, t in enumerate(toks):
        if i > 0 and (t in drop or CONTEXT.match(t) or DATE8.match(t) or REVISION.match(t)):
            continue
        if i > 0 and DATE4.match(t) and versioned:
            continue
        if seen_size and t.startswith("v") and VERSION.match(t):
            continue
        seen_size = seen_size or bool(SIZE.match(t))
        out.append(t)
    return out


def _reorder_tier(toks: list[str]) -> list[str]:
    if (
        len(toks) >= 3
        and toks[0] in TIER_AFTER_VERSION
        and not VERSION.match(toks[1])
        and VERSION.match(toks[2])
    ):
        return [toks[0], toks[2], toks[1], *toks[3:]]
    return toks


def normalize_model_name(name: str) -> str:
    """Any spelling of a model -> its key: 'meta-llama/Llama-3.3-70B-Instruct', 'Llama 3.3 70B' and
    'llama-3.3-70b' -> 'llama-3.3-70b'. See the module docstring for what is kept and dropped."""
    toks = _tokens(name)
    if not toks:
        return ""
    aliases = model_aliases()
    raw = "-".join(toks)
    if raw in aliases:
        return aliases[raw]
    key = "-".join(_reorder_tier(_drop_variants(toks)))
    return aliases.get(key, key)


def model_family(key: str) -> Family | None:
    """The family a model key belongs to: the longest family id that starts it, token-wise."""
    fams = families()
    toks = key.split("-")
    for n in range(len(toks), 0, -1):
        fam = fams.get("-".join(toks[:n]))
        if fam is not None:
            return fam
    return None


def entity_slug(entity_id: str) -> str:
    """Hugo tag slug: the id without its kind ('model:llama-3.3-70b' -> 'llama-3.3-70b'). Hugo's
    urlize keeps dots, so versions stay readable; anything else outside [a-z0-9.-] becomes a
    hyphen."""
    _, _, ident = entity_id.partition(":")
    slug = re.sub(r"[^a-z0-9.\-]+", "-", (ident or entity_id).lower())
    return re.sub(r"-{2,}", "-", slug).strip("-.")


def entity_label(entity_id: str) -> str:
    """Display name: 'model:llama-3.3-70b' -> 'Llama 3.3 70B', 'org:openai' -> 'OpenAI'."""
    kind, _, ident = entity_id.partition(":")
    if kind in ("org", "person"):
        for entry in gazetteer()["orgs" if kind == "org" else "people"]:
            if entry["id"] == ident:
                return str(entry["label"])
        return ident.replace("-", " ").title()
    for m in gazetteer()["models"]:
        if m["id"] == ident:
            return str(m["label"])
    known = lexicon()["models"].get(ident)
    fam = model_family(ident)
    if fam is None:
        return known["label"] if known else ident
    rest = ident[len(fam.id) :].strip("-").split("-") if ident != fam.id else []
    words = [_label_word(t) for t in rest if t]
    if fam.id in HYPHEN_LABELS:
        return "-".join([fam.label, *words])
    return " ".join([fam.label, *words])


def _label_word(tok: str) -> str:
    if tok in LABEL_WORDS:
        return LABEL_WORDS[tok]
    if SIZE.match(tok):
        return tok[:-1] + tok[-1].upper()
    if VERSION.match(tok) or tok[:1].isdigit():
        return tok.upper() if tok.startswith("v") else tok
    return tok.capitalize()


# --- finding mentions in text
# -------------------------------------------------------------------------

# in an alias: any one of space, hyphen, underscore, or nothing ("Deep Mind", "DeepMind")
SEP_MARK = "\x00"
LOOKUP_SEP = re.compile(r"[-\s_]+")
# Between tokens of a model name: "Llama 3.3 70B", "Qwen2.5-Coder", "qwen2.5-coder:32b", "FLUX.1".
# A dot followed by a space ends the name: "we use Llama 3. Large models..." is not "Llama 3 Large".
TAIL_SEP = r"(?:[ \t]?[-_:][ \t]?|[ \t]|\.(?=\w)|)"
SIZE_TOKEN = r"\d+(?:\.\d+)?x\d+(?:\.\d+)?[bm](?![a-z])|a?\d+(?:\.\d+)?[bmkt](?![a-z])"
VERSION_TOKEN = r"v?\d+(?:\.\d+)*(?:o(?![a-z]))?"


# Scanning. Python's re tries a big alternation at every character: ~500 abstracts/s. Instead a
# Spotter
# finds, in one pass in compiled code (Aho-Corasick, ahocorasick-rs), every place where the first
# two words
# of a known spelling start a word, and the regex runs only there. Without ahocorasick-rs it falls
# back to
# splitting into words and comparing each word's first three characters (same results, ~3x slower).
_FIRST3 = operator.itemgetter(slice(0, 3))
_SEPARATORS = re.compile(r"[-\s_]+")


# Everything that separates words becomes a space before spotting, so that spotting " llama" in
# " " + text finds "Llama" exactly where a word starts ("(Llama", "meta-llama/Llama", "\nLlama").
_SPOT_BLANKS = str.maketrans(
    {
        c: " "
        for c in string.punctuation + "\n\t\r\f\v\u201c\u201d\u2018\u2019\u00ab\u00bb"
        "\u2013\u2014\u2026\u00b7\u2022\u00a0"
    }
)


class Spotter:
    """Where in a text one of a fixed list of spellings may start (case-insensitive, at a word
    start)."""

    def __init__(self, spellings: Iterable[str]) -> None:
        lowered = sorted({s.lower() for s in spellings if s.strip()})
        self.keys = prefix_keys(lowered)
        starts = sorted(
            {" " + v.translate(_SPOT_BLANKS) for s in lowered for v in _start_variants(s)}
        )
        self._ac = ahocorasick_rs.AhoCorasick(starts) if ahocorasick_rs is not None else None

    def offsets(self, text: str) -> list[int]:
        low = text.lower()
        if self._ac is None or len(low) != len(
            text
        ):  # lower() changed offsets (rare Unicode): slow path
            return list(word_offsets(text, self.keys))
        hits = self._ac.find_matches_as_indexes(" " + low.translate(_SPOT_BLANKS), overlapping=True)
        # a hit at i in the padded text is the space before the word, which starts at i in ``text``
        return sorted({start for _, start, _ in hits})


def _start_variants(spelling: str) -> set[str]:
    """The first two words of a spelling, joined every way the regexes accept ("deep mind",
    "deepmind")."""
    words = [w for w in _SEPARATORS.split(spelling) if w][:2]
    if len(words) < 2:
        return set(words)
    return {" ".join(words), "".join(words)}


def prefix_keys(spellings: Iterable[str]) -> frozenset[str]:
    """The lower-cased first three characters of each spelling's first word, for the fallback
    scanner."""
    keys = set()
    for s in spellings:
        words = s.lower().translate(_SPOT_BLANKS).split()
        if words:
            keys.add(words[0][:3])
    return frozenset(keys)


def word_offsets(text: str, keys: frozenset[str]) -> Iterator[int]:
    """Offsets, in order, of the words of ``text`` whose lower-cased first three characters are in
    ``keys``."""
    words = text.translate(_SPOT_BLANKS).split()
    hits = compress(range(len(words)), map(keys.__contains__, map(_FIRST3, map(str.lower, words))))
    pos = 0
    for i in hits:
        word = words[i]
        p = text.find(word, pos)
        while p > 0 and (text[p - 1].isalnum() or text[p - 1] == "_"):
            p = text.find(word, p + 1)
        if p >= 0:
            yield p
            pos = p + 1


Trie = dict[str, "Trie"]  # character -> the rest; "" marks the end of a word


def trie_regex(words: Iterable[str], sep: str = r"[-\s_]?") -> str:
    """One alternation shaped as a trie, so the engine follows one branch per character instead of
    trying every word at every position (what makes 5,000 items/s possible with the stdlib
    ``re``)."""
    trie: Trie = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _render(trie, sep)


def _render(node: Trie, sep: str) -> str:
    branches = [
        (sep if ch == SEP_MARK else re.escape(ch)) + _render(node[ch], sep)
        for ch in sorted(node)
        if ch
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a word ends here, longer ones continue: greedy "?" tries the longer first
        return f"(?:{body})?"
    return body


def _spelled(alias: str, exact: bool) -> str:
    s = alias if exact else alias.lower()
    return re.sub(r"[-\s_]+", SEP_MARK, s)


def lookup_key(text: str) -> str:
    return LOOKUP_SEP.sub("", text.lower())


def _alternation(aliases: list[tuple[str, bool]]) -> str:
    """Case-insensitive aliases first: the longer 'Google DeepMind' must win over the exact-case
    'Google'."""
    ci = trie_regex(sorted({_spelled(a, False) for a, exact in aliases if not exact}))
    cs = trie_regex(sorted({_spelled(a, True) for a, exact in aliases if exact}))
    parts = ([f"(?i:{ci})"] if ci else []) + ([cs] if cs else [])
    return "(?:" + "|".join(parts) + ")"


def _tail(words: tuple[str, ...]) -> str:
    word = trie_regex(sorted(words)) + "(?![a-z])"
    return f"(?i:{TAIL_SEP}(?:{SIZE_TOKEN}|{VERSION_TOKEN}|{word}))"


def _family_pattern() -> str:
    general = tuple(sorted(_tail_words()))
    groups: dict[tuple[bool, bool, tuple[str, ...]], list[str]] = {}
    for fam in families().values():
        tail = (fam.tail_words or general) if fam.tail else ()
        for head in fam.heads:
            groups.setdefault((fam.exact_case, fam.bare, tail), []).append(head)
    parts = []
    # Exact-case heads are few and specific ("QwQ", "Gemini"); trying them first keeps "Gemini" from
    # being
    # read by a generic lower-case head.
    for (exact, bare, tail), heads in sorted(
        groups.items(), key=lambda kv: (not kv[0][0], kv[0][1])
    ):
        head = trie_regex(sorted({_spelled(h, exact) for h in heads}))
        head = head if exact else f"(?i:{head})"
        reps = "" if not tail else ("{0,8}" if bare else "{1,8}")
        parts.append(head + (f"(?:{_tail(tail)}){reps}" if tail else ""))
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, str], Spotter]:
    """The one regex that finds every kind of mention, and the alias -> id table for orgs and
    people."""
    ids: dict[str, str] = {}
    model_al: list[tuple[str, bool]] = []
    org_al: list[tuple[str, bool]] = []
    person_al: list[tuple[str, bool]] = []
    for m in gazetteer()["models"]:
        model_al += [(a, False) for a in m["aliases"]]
    g = gazetteer()
    for kind, bucket, entries in (("org", org_al, g["orgs"]), ("person", person_al, g["people"])):
        for e in entries:
            exact = kind == "person" or e.get("case") == "exact"
            spellings = [(a, exact) for a in e["aliases"]] + [
                (a, True) for a in e.get("exact_aliases", [])
            ]
            for a, exact_a in spellings:
                bucket.append((a, exact_a))
                ids.setdefault(lookup_key(a), f"{kind}:{e['id']}")
    # "llama.cpp" and "llama-cpp-python" are tools, not the Llama family.
    lb, la = r"(?<![\w])", r"(?![\w]|\.\w|-cpp)"
    pattern = (
        f"{lb}(?:(?P<alias>{_alternation(model_al)})|(?P<fam>{_family_pattern()})"
        f"|(?P<org>{_alternation(org_al)})|(?P<person>{_alternation(person_al)})){la}"
    )
    spellings = (
        model_al
        + org_al
        + person_al
        + [(h, f.exact_case) for f in families().values() for h in f.heads]
    )
    return re.compile(pattern), ids, Spotter([a for a, _ in spellings])


def extract_entities(title: str, text: str = "") -> list[str]:
    """Sorted unique ids of the models, organisations and people that the title and text mention."""
    blob = f"{title}\n{text}" if text else title
    rx, ids, spotter = _matcher()
    found: set[str] = set()
    fams = families()
    end = 0
    for p in spotter.offsets(blob):
        m = rx.match(blob, p) if p >= end else None
        if m is None:
            continue
        end = m.end()
        kind = m.lastgroup
        if kind in ("alias", "fam"):
            key = normalize_model_name(m.group())
            fam = fams.get(key)
            if key and not (fam is not None and not fam.bare):
                found.add(f"model:{key}")
        else:
            ident = ids.get(lookup_key(m.group()))
            if ident:
                found.add(ident)
    if "/" in blob:
        hub = lexicon()["hub_ids"]
        for tok in blob.split():
            if "/" in tok:
                key = hub.get(tok.strip("([{\"'`*<,.;:!?)]").lower())
                if key:
                    found.add(f"model:{key}")
    return sorted(_drop_bare_families(found))


def _drop_bare_families(found: set[str]) -> set[str]:
    """'model:llama' says less than 'model:llama-3.3-70b'; keep the family only when nothing finer
    is named."""
    fams = families()
    out = set()
    for ident in found:
        if (
            ident[6:] in fams
            and ident.startswith("model:")
            and any(o.startswith(ident + "-") for o in found)
        ):
            continue
        out.add(ident)
    return out
