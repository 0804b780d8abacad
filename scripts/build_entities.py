"""Grow the model lexicon from recorded leaderboards:
src/abreast/understand/data/models_lexicon.json.

    .venv/bin/python scripts/build_entities.py [--data ../shared/data]

Rerunnable and deterministic. What goes where, and why:
- ``models``: keys (normalize_model_name) of models from makers and curated lists only:
LMArena/Chatbot
  Arena tables, the Open LLM Leaderboard rows its maintainers mark as official providers,
  eugeneyan's open LLM list, the lineage table. Each with a label, an org, the hub ids seen, and
  which sources named it.
- ``families``: the first name part of those models ("granite", "jamba", "athene"...) when it is new
to the
  curated gazetteer. Learnt families only ever match with a version or size after them.
- ``hub_ids``: every exact Hugging Face id on the leaderboards -> its key, community merges included
  ("CultriX/SeQwence-14B-v5"). They match only when a text spells the whole id, so a merge with a
  made-up name can never turn an ordinary word into a model; their names never become families.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from abreast.understand import entities as E

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/abreast/understand/data/models_lexicon.json"

# Hub namespaces of makers -> org ids of the gazetteer.
HUB_ORGS = {
    "meta-llama": "meta",
    "facebook": "meta",
    "qwen": "alibaba",
    "mistralai": "mistral-ai",
    "google": "google",
    "microsoft": "microsoft",
    "01-ai": "01-ai",
    "cohereforai": "cohere",
    "deepseek-ai": "deepseek",
    "huggingfaceh4": "hugging-face",
    "huggingfacetb": "hugging-face",
    "ibm-granite": "ibm",
    "ibm": "ibm",
    "tiiuae": "tii",
    "allenai": "ai2",
    "nvidia": "nvidia",
    "eleutherai": "eleutherai",
    "databricks": "databricks",
    "stabilityai": "stability-ai",
    "nousresearch": "nous-research",
    "ai21labs": "ai21-labs",
    "togethercomputer": "together-ai",
    "primeintellect": "prime-intellect",
    "lmsys": "lmsys",
    "internlm": "internlm",
    "upstage": "upstage",
    "thudm": "zhipu-ai",
    "mosaicml": "databricks",
    "openai-community": "openai",
    "bigcode": "bigcode",
    "bigscience": "bigscience",
}
# First name parts that are not families: generic words, hub prefixes, paper titles in the lineage
# table.
NOT_FAMILIES = {
    "attention",
    "transformer",
    "large",
    "open",
    "tiny",
    "neural",
    "meta",
    "mega",
    "super",
    "nous",
    "the",
    "model",
    "llm",
    "chat",
    "deep",
    "big",
    "smart",
    "gemini",
    "language",
    "improving",
    "training",
    "scaling",
    "amazon",
    "gpt",
    "palm",
    "switch",
    "pplx",
    "fastchat",
    "stablelm",
    "dialogpt",
    "distilgpt",
    "opt",
    "mt",
    "umt",
    "flan",
    "recurrentgemma",
    "codegemma",
    "k",
    "intellect",
    "koala",
    "alpaca",
    "guanaco",
    "dolly",
    "amd",
    "cerebras",
    "snowflake",
    "command",
    "constitutional",
    "liberated",
    "amber",
    "yarn",
    "albert",
    "replit",
    "flor",
    "dlite",
}


def arena_names(data: Path):
    for path in [
        data / "lmarena-leaderboard-2024-12/lmsys_csv_raw_2024-12-23.csv",
        data
        / "lmarena-leaderboard-2024-12/arena_text_leaderboard_snapshots_2024-11-15_2024-12-23.csv",
    ]:
        for row in csv.DictReader(path.open(encoding="utf-8")):
            yield row["model"], row.get("organization"), None, "lmarena-2024-12"
    for row in csv.DictReader(
        (data / "lmsys-arena-2023-12-07/arena_leaderboard_2023-12-07.csv").open()
    ):
        hub = _hub_from_url(row.get("link", ""))
        yield row["model"], None, hub, "lmsys-arena-2023-12"


def oll_rows(data: Path):
    """(hub id, official?) from both Open LLM Leaderboard snapshots."""
    v2 = data / "open-llm-leaderboard-v2-2024-12-22"
    for row in csv.DictReader(
        (v2 / "open_llm_leaderboard_v2_2024-12-22.csv").open(encoding="utf-8")
    ):
        yield row["model_name"], row["features_is_highlighted_by_maintainer"] == "TRUE"
        if row.get("metadata_base_model", "").count("/") == 1:
            yield row["metadata_base_model"], False
    for line in (v2 / "models_submitted_or_uploaded_2024-11-18_2024-12-22.jsonl").open(
        encoding="utf-8"
    ):
        d = json.loads(line)
        yield d["model_name"], bool(d.get("is_official_provider"))
    old = data / "open-llm-leaderboard-2023-10-31/open_llm_leaderboard_top_2023-10-31.csv"
    for row in csv.DictReader(old.open(encoding="utf-8-sig")):
        yield row["Model"], False


def curated_list_names(data: Path):
    for path in sorted(data.glob("open-llms-eugeneyan*/*.jsonl")):
        for line in path.open(encoding="utf-8"):
            d = json.loads(line)
            if "Language Model" not in d:
                continue
            hubs = [h for h in map(_hub_from_url, d.get("Checkpoints (links)", [])) if h]
            yield d["Language Model"], None, hubs[0] if hubs else None, "eugeneyan-open-llms"
    for row in csv.DictReader(
        (data / "llm-lineage-phylogeny/llm_models.csv").open(encoding="utf-8")
    ):
        yield row["name"], row["brand"], None, "llm-lineage"


def _hub_from_url(url: str) -> str | None:
    m = re.match(r"https?://huggingface\.co/([\w.\-]+/[\w.\-]+)/?$", url or "")
    return m.group(1) if m else None


def org_id(name: str | None) -> str | None:
    if not name:
        return None
    ids = E._matcher()[1]
    return ids.get(E.lookup_key(name)) or ids.get(E.lookup_key(name.split("/")[0].split(" ")[0]))


def build(data: Path) -> dict:
    models: dict[str, dict] = {}
    stems: Counter = Counter()
    stem_orgs: dict[str, Counter] = defaultdict(Counter)

    def add(name: str, org: str | None, hub: str | None, source: str) -> None:
        key = E.normalize_model_name(hub or name)
        if not re.match(r"[a-z]{2}", key):  # "CausalLM/14B" names a size, not a model
            return
        m = models.setdefault(
            key, {"label": name.split("/")[-1], "org": None, "hub_ids": [], "sources": []}
        )
        m["org"] = m["org"] or org
        if hub and hub not in m["hub_ids"]:
            m["hub_ids"].append(hub)
        if source not in m["sources"]:
            m["sources"].append(source)
        stem = re.match(r"[a-z]+", key)
        if stem:
            stems[stem.group()] += 1
            if org:
                stem_orgs[stem.group()][org] += 1

    for name, org, hub, source in [*arena_names(data), *curated_list_names(data)]:
        org = org_id(org) or (HUB_ORGS.get(hub.split("/")[0].lower()) if hub else None)
        add(name, org and org.split(":")[-1], hub, source)
    hub_ids: dict[str, str] = {}
    for hub, official in oll_rows(data):
        key = E.normalize_model_name(hub)
        if key:
            hub_ids[hub.lower()] = key
        if official:
            add(hub, HUB_ORGS.get(hub.split("/")[0].lower()), hub, "open-llm-leaderboard-official")
    known = {f["id"] for f in E.gazetteer()["families"]}
    fams = [
        {
            "id": s,
            "label": s.capitalize(),
            "org": (stem_orgs[s].most_common(1) or [(None,)])[0][0],
            "models": n,
        }
        for s, n in sorted(stems.items())
        if s not in known and s not in NOT_FAMILIES and len(s) >= 3
    ]
    return {
        "_about": "GENERATED by scripts/build_entities.py from ../shared/data leaderboards; do "
        "not edit by hand.",
        "families": fams,
        "models": {k: models[k] for k in sorted(models)},
        "hub_ids": {k: hub_ids[k] for k in sorted(hub_ids)},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    args = ap.parse_args()
    lex = build(args.data)
    OUT.write_text(
        json.dumps(lex, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
    print(
        f"{OUT.relative_to(ROOT)}: {len(lex['families'])} learnt families, {len(lex['models'])} "
        "models, "
        f"{len(lex['hub_ids'])} hub ids"
    )


if __name__ == "__main__":
    main()
