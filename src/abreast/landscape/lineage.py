"""Pure lineage decisions: model ids, base-model relations, families, and collapsing long tails.

No I/O here. Hugging Face metadata is the only real source of "X was made from Y"; it is noisy
(see data/PROVENANCE.md), so every decision below says which noise it absorbs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from ..types import model_slug

# copy: a re-upload of the same weights (huggyllama/llama-7b, NousResearch/Meta-Llama-3-8B);
# architecture: trained anew on another model's design (TinyLlama on Llama 2's).
RELATIONS = ("finetune", "adapter", "merge", "quantized", "copy", "architecture", "unknown")

# Suffixes that mark a repo as a re-packaged (quantized or converted) copy of another repo.
QUANT_SUFFIX = re.compile(
    r"[-_.](gguf|ggml|awq|gptq|exl2|bnb[-_]?4bit|bnb[-_]?8bit|4bit|8bit|int4|int8|fp8|mlx|"
    r"q[2-8](_k(_[msl])?|_[01])?|\d(\.\d+)?bpw(-h\d)?)$",
    re.IGNORECASE,
)

# Family patterns, matched against the repo name (after the org); the earliest match in the name
# wins,
# so "Josiefied-Qwen2.5-0.5B" is Qwen and "Llama-3.1-Nemotron-70B" is Llama.
FAMILY_PATTERNS: list[tuple[str, str]] = [
    ("qwen", r"qwen|qwq"),
    ("mistral", r"mixtral|mistral|ministral|codestral|mathstral|pixtral"),
    ("llama", r"llama|vicuna|alpaca"),
    ("falcon", r"falcon"),
    ("gemma", r"gemma|codegemma|recurrentgemma"),
    ("phi", r"(?<![a-z])phi-?\d|(?<![a-z])phi(?![a-z])"),
    ("yi", r"(?<![a-z])yi-"),
    ("deepseek", r"deepseek"),
    ("granite", r"granite"),
    ("exaone", r"exaone"),
    ("olmo", r"olmo"),
    ("smollm", r"smollm"),
    ("internlm", r"internlm"),
    ("glm", r"chatglm|(?<![a-z])glm-"),
    ("cohere", r"command-r|(?<![a-z])aya-|c4ai"),
    ("gpt2", r"gpt2|gpt-2"),
    ("pythia", r"pythia"),
    ("bloom", r"bloom"),
    ("mpt", r"(?<![a-z])mpt-"),
    ("stablelm", r"stablelm"),
    ("jamba", r"jamba"),
    ("rwkv", r"rwkv"),
    ("t5", r"(?<![a-z])(?:m|um|byt)?t5|flan-ul2|(?<![a-z])ul2|switch-base"),
    ("gpt", r"(?<![a-z])gpt-[34]|chatgpt|(?<![a-z])o1-"),
    ("claude", r"claude"),
    ("gemini", r"gemini"),
]
_FAMILY_RES = [(fam, re.compile(p)) for fam, p in FAMILY_PATTERNS]

# The organisation that makes each family's official releases (drawn first in its tree).
ORG_FAMILY = {
    "meta-llama": "llama",
    "qwen": "qwen",
    "mistralai": "mistral",
    "tiiuae": "falcon",
    "google": "gemma",
    "microsoft": "phi",
    "01-ai": "yi",
    "deepseek-ai": "deepseek",
    "ibm-granite": "granite",
    "lgai-exaone": "exaone",
    "huggingfacetb": "smollm",
    "internlm": "internlm",
    "thudm": "glm",
    "cohereforai": "cohere",
    "openai": "gpt",
    "anthropic": "claude",
}

# Organisations that make several unrelated families (Google: T5, mT5, Gemma; Microsoft: DialoGPT,
# Orca, Phi): their organisation alone does not name a model's family.
MULTI_FAMILY_ORGS = {"google", "microsoft"}

# Architectures that reliably name their family; LlamaForCausalLM does not (Yi, SOLAR, Granite use
# it).
ARCH_FAMILY = {
    "Qwen2ForCausalLM": "qwen",
    "Qwen2MoeForCausalLM": "qwen",
    "MistralForCausalLM": "mistral",
    "MixtralForCausalLM": "mistral",
    "Gemma2ForCausalLM": "gemma",
    "GemmaForCausalLM": "gemma",
    "Phi3ForCausalLM": "phi",
    "PhiForCausalLM": "phi",
    "FalconForCausalLM": "falcon",
    "FalconMambaForCausalLM": "falcon",
    "GraniteForCausalLM": "granite",
    "GraniteMoeForCausalLM": "granite",
    "ExaoneForCausalLM": "exaone",
    "GPT2LMHeadModel": "gpt2",
    "Cohere2ForCausalLM": "cohere",
}

FAMILY_TITLES = {
    "llama": "Llama",
    "qwen": "Qwen",
    "mistral": "Mistral",
    "falcon": "Falcon",
    "gemma": "Gemma",
    "phi": "Phi",
    "yi": "Yi",
    "deepseek": "DeepSeek",
    "granite": "Granite",
    "exaone": "EXAONE",
    "olmo": "OLMo",
    "smollm": "SmolLM",
    "glm": "GLM",
    "cohere": "Cohere",
    "gpt": "GPT",
    "claude": "Claude",
    "gemini": "Gemini",
}

# Display organisations (arena, curated lists) -> Hugging Face owner, so "Meta" +
# "Llama-3.3-70B-Instruct"
# finds meta-llama/Llama-3.3-70B-Instruct.
ORG_ALIASES = {
    "meta": "meta-llama",
    "meta ai": "meta-llama",
    "alibaba": "qwen",
    "alibaba cloud": "qwen",
    "mistral": "mistralai",
    "mistral ai": "mistralai",
    "google": "google",
    "google deepmind": "google",
    "microsoft": "microsoft",
    "microsoft research": "microsoft",
    "tii": "tiiuae",
    "01 ai": "01-ai",
    "01.ai": "01-ai",
    "deepseek": "deepseek-ai",
    "deepseek ai": "deepseek-ai",
    "ibm": "ibm-granite",
    "nvidia": "nvidia",
    "cohere": "cohereforai",
    "allen ai": "allenai",
    "allenai/uw": "allenai",
    "huggingface": "huggingfaceh4",
    "nexusflow": "nexusflow",
    "openai": "openai",
    "anthropic": "anthropic",
    "lmsys": "lmsys",
    "openchat": "openchat",
    "upstage ai": "upstage",
    "internlm": "internlm",
}


def model_id(repo_or_name: str, org: str | None = None) -> str:
    """Stable id: the lower-cased HF repo id ("qwen/qwq-32b-preview"), else "<org>/<name slug>"."""
    if "/" in repo_or_name and " " not in repo_or_name.strip():
        owner, name = repo_or_name.strip().split("/", 1)
        return f"{owner.lower()}/{name.lower()}"
    owner = org_slug(org) if org else "unknown"
    return f"{owner}/{model_slug(repo_or_name)}"


def org_slug(org: str) -> str:
    o = org.strip().lower()
    return ORG_ALIASES.get(o, model_slug(o))


def name_key(name: str) -> str:
    """Loose key for matching display names to repo names: "Meta-Llama-3.1-8B-Instruct" ==
    "llama-3.1-8b-instruct"; punctuation, case and a leading "meta-" do not matter."""
    n = name.split("/")[-1].lower()
    n = re.sub(r"^meta-(?=llama)", "", n)
    return re.sub(r"[^a-z0-9.]", "", n)


def quantized_origin_key(repo_id: str) -> str | None:
    """Name key of the repo a quantized copy was made from, or None when the name shows no
    quantization.
    """
    name = repo_id.split("/")[-1]
    stripped = name
    while True:
        s = QUANT_SUFFIX.sub("", stripped)
        if s == stripped:
            break
        stripped = s
    return name_key(stripped) if stripped != name else None


def parse_leaderboard_base(
    model: str, raw: str | None, *, merged: bool, weight_type: str | None, model_type: str | None
) -> list[tuple[str, str]]:
    """Base models from the Open LLM Leaderboard's metadata_base_model.

    Noise absorbed: "Removed" and empty mean unknown; the model itself means "a root or unknown";
    the " (Merge)" suffix is appended to most rows, so it only counts when the merge flags agree.
    """
    if not raw or raw.strip() in ("Removed", "?"):
        return []
    base = raw.strip()
    if base.endswith(" (Merge)"):
        base = base[: -len(" (Merge)")].strip()
    if base.lower() == model.lower() or "/" not in base:
        return []
    if (weight_type or "").lower() == "adapter":
        relation = "adapter"
    elif merged or model_type == "basemergesandmoerges":
        relation = "merge"
    elif quantized_origin_key(model):
        relation = "quantized"
    else:
        relation = "finetune"
    return [(model_id(base), relation)]


def normalize_relation(raw: str | None) -> str:
    r = (raw or "").strip().lower().replace("-", "").replace("_", "")
    return {
        "finetune": "finetune",
        "adapter": "adapter",
        "merge": "merge",
        "quantized": "quantized",
        "copy": "copy",
        "architecture": "architecture",
    }.get(r, "unknown")


def family_from_name(repo_or_name: str) -> str | None:
    name = repo_or_name.split("/")[-1].lower()
    best: tuple[int, str] | None = None
    for fam, rx in _FAMILY_RES:
        m = rx.search(name)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), fam)
    return best[1] if best else None


def own_family(mid: str, architecture: str | None = None) -> str | None:
    """Family judged from the model alone: its name, else its organisation, else a telling
    architecture.
    """
    fam = family_from_name(mid)
    if fam:
        return fam
    owner = mid.split("/")[0] if "/" in mid else ""
    by_org = ORG_FAMILY.get(owner) if owner not in MULTI_FAMILY_ORGS else None
    return by_org or ARCH_FAMILY.get(architecture or "")


def assign_families(
    ids: Iterable[str],
    bases: Mapping[str, list[tuple[str, str]]],
    architecture: Mapping[str, str | None] | None = None,
    stated: Mapping[str, str] | None = None,
) -> dict[str, str | None]:
    """Family per model: inherited from the root of its base chain when that root has one (a merge
    follows the majority of its parents), else its own name/org/architecture. A family stated by a
    curated source wins over the guesses for that model."""
    architecture = architecture or {}
    stated = stated or {}
    memo: dict[str, str | None] = {}

    def fam(mid: str, seen: frozenset[str]) -> str | None:
        if mid in memo:
            return memo[mid]
        if mid in stated:
            memo[mid] = stated[mid]
            return memo[mid]
        votes: dict[str, int] = defaultdict(int)
        for base, _rel in bases.get(mid, []):
            if base not in seen:
                f = fam(base, seen | {mid})
                if f:
                    votes[f] += 1
        if votes:
            result: str | None = max(sorted(votes), key=lambda f: votes[f])
        else:
            result = own_family(mid, architecture.get(mid))
        memo[mid] = result
        return result

    return {mid: fam(mid, frozenset()) for mid in ids}


def generation(name: str, family: str | None) -> str | None:
    """The release line a model belongs to, from its name: "Llama 3.3", "Qwen2.5", "Falcon3", "Gemma
    2".
    """
    n = name.split("/")[-1].lower().replace(" ", "-")
    n = re.sub(r"^meta-", "", n)
    # A version is a digit (or d.d) not followed by more digits or a size ("llama-160m",
    # "qwen-14b").
    v = r"(\d(?:\.\d)?)(?!\d)(?![.\d]*[bm](?![a-z]))"
    rules = {
        "llama": (rf"llama-?{v}", "Llama {}"),
        "qwen": (rf"qwen-?{v}", "Qwen{}"),
        "falcon": (rf"falcon-?{v}", "Falcon{}"),
        "gemma": (rf"gemma-?{v}", "Gemma {}"),
        "phi": (rf"phi-?{v}", "Phi-{}"),
        "granite": (rf"granite-?{v}", "Granite {}"),
        "yi": (rf"yi-?{v}", "Yi-{}"),
        "exaone": (rf"exaone-?{v}", "EXAONE {}"),
        "smollm": (rf"smollm-?{v}", "SmolLM{}"),
    }
    if family == "qwen" and "qwq" in n:
        return "QwQ"
    if family == "mistral":
        m = re.search(r"(mixtral|ministral|codestral|mistral-(?:nemo|small|large))", n)
        return m.group(1).replace("-", " ").title() if m else "Mistral"
    rule = rules.get(family or "")
    if not rule:
        return None
    m = re.search(rule[0], n)
    if not m:
        return FAMILY_TITLES.get(family or "", family)
    return rule[1].format(m.group(1))


def collapse_children(
    children: list[tuple[str, str]], keep: set[str], limit: int, rank: Mapping[str, float]
) -> tuple[list[str], dict[str, int]]:
    """Pick which children of one node to draw: every child in ``keep`` (this week's, official) plus
    the
    best-ranked others up to ``limit``; quantized copies and merges are never drawn one by one
    unless
    kept. Returns (drawn child ids, {relation: hidden count})."""
    drawn = [c for c, _ in children if c in keep]
    hidden: dict[str, int] = defaultdict(int)
    rest = [(c, r) for c, r in children if c not in keep]
    rest.sort(key=lambda cr: (-rank.get(cr[0], 0.0), cr[0]))
    for c, rel in rest:
        if rel in ("finetune", "adapter", "unknown") and len(drawn) < limit:
            drawn.append(c)
        else:
            hidden[rel] += 1
    return drawn, dict(hidden)


# A repo is often created privately days or weeks before the release (Llama-3.3-70B-Instruct: repo
# 2024-11-26, announced 2024-12-06; Falcon3: repos from 2024-11-21, announced 2024-12-17). When the
# news
# mentions a model within this many days after its repo date (or a little before: announcement
# first,
# upload later), the news date is when it became public; mentions far outside are about something
# else.
PRIVATE_DAYS = 30
ANNOUNCED_BEFORE_DAYS = 14


def public_date(released: str | None, first_seen: str | None) -> str | None:
    rel = (released or "")[:10]
    if not first_seen:
        return rel or None
    if len(rel) < 10:
        return first_seen[:10]
    days = (date.fromisoformat(first_seen[:10]) - date.fromisoformat(rel)).days
    return first_seen[:10] if -ANNOUNCED_BEFORE_DAYS <= days <= PRIVATE_DAYS else rel


# Official names shorter than this ("phi-2", "yi-6b") occur inside unrelated names.
MIN_NAMED_BASE_LEN = 7


def dashed_name(mid: str) -> str:
    """A name in words: "Meta-Llama-3.1-8B-Instruct" and "llama3.1_8b_instruct" both become
    "llama-3.1-8b-instruct" (a letter-to-digit step is a word break; "8b" stays one word)."""
    n = mid.split("/")[-1].lower()
    n = re.sub(r"^meta-(?=llama)", "", n)
    n = re.sub(r"(?<=[a-z])(?=\d)", "-", n)
    return re.sub(r"[^a-z0-9.]+", "-", n).strip("-")


def official_names(official_ids: Iterable[str]) -> dict[str, str]:
    """{dashed name: official model id}; "-hf" dropped, so "Llama-2-13b-hf" is "llama-2-13b"."""
    out: dict[str, str] = {}
    for mid in sorted(official_ids, key=lambda m: (len(m), m)):
        k = re.sub(r"-hf$", "", dashed_name(mid))
        if len(k) >= MIN_NAMED_BASE_LEN:
            out.setdefault(k, mid)
    return out


def base_named_in(mid: str, names: Mapping[str, str]) -> tuple[str, str] | None:
    """(official model, relation) that a community model's name spells out: "Hermes-3-Llama-3.1-8B"
    names Llama-3.1-8B (a fine-tune, uncertain: only the name says so);
    "NousResearch/Meta-Llama-3-8B" is exactly Meta's name (a re-upload, "copy"). Whole words only
    ("llama-2-7b" is not inside "llama-2-70b"); the longest official name wins."""
    own = re.sub(r"-hf$", "", dashed_name(mid))
    words = own.split("-")
    best: tuple[str, str] | None = None
    # Every run of whole words in the name, looked up directly: a few dozen lookups per model
    # instead of one regular expression per official model.
    for i in range(len(words)):
        for j in range(len(words), i, -1):
            k = "-".join(words[i:j])
            if len(k) < MIN_NAMED_BASE_LEN or (best and len(k) <= len(best[0])):
                continue
            official = names.get(k)
            if official and official != mid:
                best = (k, official)
    if best is None:
        return None
    return best[1], "copy" if own == best[0] else "finetune"


def _name_words(mid: str) -> list[str]:
    return re.sub(r"-hf$", "", dashed_name(mid)).split("-")


def base_words_index(names: Mapping[str, str]) -> dict[str, list[tuple[frozenset[str], str, str]]]:
    """The official names base_words_in can match (3+ words), filed under their first word: a
    name whose words all occur in a model's name has its first word there too, so a model is
    compared with the names filed under its own words, not with every official name (that walk
    was quadratic in the registry's size)."""
    out: dict[str, list[tuple[frozenset[str], str, str]]] = {}
    for k, official in names.items():
        need = k.split("-")
        if len(need) >= 3:
            out.setdefault(need[0], []).append((frozenset(need), k, official))
    return out


def base_words_in(
    mid: str,
    names: Mapping[str, str],
    by_word: dict[str, list[tuple[frozenset[str], str, str]]] | None = None,
) -> str | None:
    """The official model whose name's words all occur in a community model's name, in any order:
    "Llama-3-Instruct-8B-SimPO" names Meta-Llama-3-8B-Instruct, "Llama-3.1-Storm-8B" names
    Llama-3.1-8B. Used only when no run of whole words spells an official name (base_named_in); the
    official name with the most words wins, so an "Instruct" in the name picks the Instruct model.
    Always a fine-tune, uncertain: only the name says so. ``by_word``: base_words_index(names),
    built once for many models."""
    words = set(_name_words(mid))
    index = by_word if by_word is not None else base_words_index(names)
    best: tuple[int, str, str] | None = None
    for w in words:
        for need, k, official in index.get(w, ()):
            if official == mid or not need <= words:
                continue
            cand = (len(k.split("-")), k, official)
            if best is None or cand[:2] > best[:2]:
                best = cand
    return best[2] if best else None


# Words an official base model's name may carry besides its family word and size: versions
# ("v0.1", "3.1", "2407"), "base", "hf", "pt". Any other word ("instruct", "guard", "code", "math",
# "vision") makes it a different product, not the family's plain base model.
_PLAIN_BASE_WORD = re.compile(r"v?\d+(\.\d+)*|v|base|hf|pt")
_SIZE_WORD = re.compile(r"\d+(\.\d+)?[bm]|\d+x\d+(\.\d+)?b")
_VERSION_WORD = re.compile(r"v?\d+(\.\d+)*")


OfficialWords = dict[str, list[tuple[str, str | None, list[str]]]]


def officials_by_family(official_dates: Mapping[str, str | None]) -> OfficialWords:
    """family -> (official model, release date, name words) of the family makers' models: what
    versionless_base compares a model with, split into words once for many models (a walk over
    every official model per community model was quadratic in the registry's size)."""
    out: OfficialWords = {}
    for official, when in official_dates.items():
        fam = ORG_FAMILY.get(official.split("/")[0])
        if fam:
            out.setdefault(fam, []).append((official, when, _name_words(official)))
    return out


def versionless_base(
    mid: str,
    released: str | None,
    official_dates: Mapping[str, str | None],
    by_family: OfficialWords | None = None,
) -> str | None:
    """A community model named after a family without a version ("Hebrew-Mistral-7B",
    "Llama-VARCO-8B-Instruct") was built on a base of that family and size that existed when its
    repository was made: the newest official plain base of that size released on or before the
    model's own date (Mistral-7B-v0.1 for a model of April 2024; Llama-3.1-8B for September 2024).
    As-of reasoning, so a 2023 model never gets a 2024 parent. None when the name has a version, no
    size, or the model's date is unknown. official_dates: official model id -> release date."""
    if not released:
        return None
    fam = family_from_name(mid)
    if not fam:
        return None
    words = _name_words(mid)
    rx = dict(_FAMILY_RES)[fam]
    idx = next((i for i, w in enumerate(words) if rx.fullmatch(w)), None)
    sizes = [w for w in words if _SIZE_WORD.fullmatch(w)]
    if idx is None or not sizes:
        return None
    after = words[idx + 1] if idx + 1 < len(words) else ""
    if _VERSION_WORD.fullmatch(after) and not _SIZE_WORD.fullmatch(after):
        return None  # "llama-3-..." names its version: base_named_in's job, not a guess by date
    fam_word, size = words[idx], sizes[0]
    family = (by_family if by_family is not None else officials_by_family(official_dates)).get(
        fam, []
    )
    same_size = [(o, w, ow) for o, w, ow in family if fam_word in ow and size in ow]
    # "..._rebased_mistral-7b-v0.2" names a version the family used (Mistral-7B-Instruct-v0.2) even
    # without an official plain base of it: a version is not to be guessed over by date.
    used_versions = {w for _, _, ow in same_size for w in ow if re.fullmatch(r"\d+\.\d+", w)}
    if used_versions & set(words):
        return None
    best: tuple[str, str] | None = None
    for official, when, ow in same_size:
        if not when or when[:10] > released[:10]:
            continue
        if any(w not in (fam_word, size) and not _PLAIN_BASE_WORD.fullmatch(w) for w in ow):
            continue
        if best is None or (when[:10], official) > best:
            best = (when[:10], official)
    return best[1] if best else None


# A model card's prose naming what the model was made from, in the phrasings cards use: "a
# fine-tuned version of X", "fine-tuned from X", "based on X", "built on top of X", "continued
# pretraining of X", "pruned from X", "distilled from X", "a merge of X and Y", the Hugging Face
# card template's "Finetuned from model [optional]: X" (Unsloth's: "Finetuned from model : X"), and
# mergekit's generated "merged using the TIES merge method using X as a base". X must look like a
# model name (a repo id, or a name with a digit: "Llama-3.1-8B-Instruct", "Mistral-7B-v0.1"), so
# "based on the transformer architecture" is not a base; one plain word may stand before it ("a
# fine-tuned version of the popular X"). "Fine-tuned on X" and "trained with X" name data, not a
# base. Only the first statement counts: cards state their base first and mention other models
# (comparisons, datasets' makers) later.
_REF = r"(?P<ref>[A-Za-z][\w.-]*(?:/[\w.-]+)?)"
CARD_BASE = re.compile(
    r"\b(?:(?P<verb>fine-?tuned?|finetuned|trained|further\s+trained|built|based|pruned|distilled|"
    r"derived|continued\s+pre-?training|(?:an?\s+)?merge|merged)"
    r"(?:\s+(?:version|checkpoint|model))?\s+(?P<prep>on\s+top\s+of|from|of|on|upon|with)\s+"
    r"(?:the\s+|an?\s+)?(?:base\s+model\s+|model\s*:?\s+)?(?:[a-z]+\s+)?" + _REF + r"|"
    r"\busing\s+" + _REF.replace("ref", "mref") + r"\s+as\s+(?:a|the)\s+base\b)",
    re.IGNORECASE,
)
_DATA_VERBS = re.compile(r"(?i)fine-?tuned?|finetuned|trained|further\s+trained")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _plain(text: str) -> str:
    """Markdown as read: links as their text, no emphasis or template brackets."""
    text = _MD_LINK.sub(r"\1", text or "")
    text = re.sub(r"(?i)\[optional\]", "", text)
    return re.sub(r"\*{1,3}|`|\[|\]", " ", text)


def base_in_card(text: str) -> tuple[str, str] | None:
    """(base name or repo id, relation) stated by a card's prose, or None."""
    for m in CARD_BASE.finditer(_plain(text)):
        if m.group("mref"):
            ref, relation = m.group("mref"), "merge"
        else:
            ref = m.group("ref")
            verb, prep = m.group("verb"), m.group("prep").lower()
            if prep in ("on", "with") and _DATA_VERBS.fullmatch(verb):
                continue  # "fine-tuned on X", "trained with X": X is data
            relation = "merge" if re.match(r"(?i)(an?\s+)?merge", verb) else "finetune"
        ref = ref.rstrip(".,;:-")
        if "/" not in ref and not re.search(r"\d", ref):
            continue  # "based on the ...", "trained on data": not a model name
        if not re.search(r"[a-z]", ref, re.IGNORECASE) or len(ref) < 4:
            continue
        return ref, relation
    return None
