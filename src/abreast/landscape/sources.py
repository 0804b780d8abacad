"""Readers for the recorded model data the product ships (data/, see data/PROVENANCE.md) and for
Hugging Face items in the store. Each reader turns rows into Observations: what one source said
about one model on one date. Deciding between sources is registry.py's job, not the readers'.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .lineage import (
    base_in_card,
    model_id,
    normalize_relation,
    org_slug,
    parse_leaderboard_base,
)

# Higher wins when two sources disagree about the same field; the date breaks ties.
AUTHORITY = {
    # hand-checked against the maker's paper or card (data/lineage_curated.csv): it exists only for
    # lines whose metadata is missing or misleading, so it wins over that metadata
    "curated": 60,
    "hf": 50,  # the model's own Hugging Face card metadata (base_model), as collected
    # the same card's prose ("fine-tuned from X", lineage.base_in_card): the authors' words, more
    # specific than the leaderboard's often root-level base, less structured than the metadata
    "hf-card": 47,
    # the leaderboard's base narrowed by the model's own name to a descendant of that base
    "name-refined": 45,
    "open-llm-leaderboard-v2": 40,  # HF metadata as flattened by the leaderboard
    "lmarena": 30,
    "open-llms-list": 20,  # curated, stale (see PROVENANCE.md)
    "llm-phylogeny": 15,
    "lmsys-arena-2023": 12,
    "open-llm-leaderboard-v1": 10,
    "name-inference": 1,  # our own guess from names; shown as such
}


@dataclass
class Observation:
    source: str  # AUTHORITY key
    as_of: str  # date the source stated it (YYYY-MM-DD or YYYY-MM)
    ref: str  # HF repo id when known, else the display name
    org: str | None = None  # display organisation when ref is not a repo id
    facts: dict = field(
        default_factory=dict
    )  # name, org, released, params_b, context_length, license ...
    bases: list[tuple[str, str]] = field(default_factory=list)  # (base model id, relation)
    scores: list[tuple[str, str, float | None, int | None]] = field(default_factory=list)
    hf_url_repo: str | None = None  # a repo id found in a link, a stronger identity than the name


def data_dir() -> Path:
    return Path(str(resources.files("abreast.landscape") / "data"))


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _csv(path: Path) -> list[dict]:
    with _open_text(path) as f:
        return list(csv.DictReader(f))


def _num(v) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:
        return None


def _true(v) -> bool:
    return str(v).strip().upper() == "TRUE"


def hf_repo_from_url(url: str | None) -> str | None:
    m = re.match(r"https?://huggingface\.co/([\w.-]+/[\w.-]+)/?$", (url or "").strip())
    return m.group(1) if m else None


# --- Open LLM Leaderboard v2 (HF metadata: base_model, license, params, upload date)
# -------------------------
def read_leaderboard_v2(
    path: Path | None = None, as_of: str = "2024-12-22"
) -> Iterator[Observation]:
    path = path or data_dir() / "open_llm_leaderboard_v2_2024-12-22.csv.gz"
    rows = _csv(path)
    # One model may be evaluated at several precisions: keep its best score, rank by it.
    best: dict[str, dict] = {}
    for r in rows:
        mid = model_id(r["model_name"])
        if mid not in best or (_num(r["model_average_score"]) or 0) > (
            _num(best[mid]["model_average_score"]) or 0
        ):
            best[mid] = r
    ranked = sorted(best, key=lambda m: -(_num(best[m]["model_average_score"]) or 0))
    for rank, mid in enumerate(ranked, start=1):
        r = best[mid]
        repo = r["model_name"]
        facts = {
            "name": repo.split("/")[-1],
            "org": repo.split("/")[0],
            "released": r["metadata_upload_date"] or None,
            "params_b": _num(r["metadata_params_billions"]),
            "license": r["metadata_hub_license"] or None,
            "architecture": r["model_architecture"] or None,
            "hearts": _num(r["metadata_hub_hearts"]),
            "official": "yes" if _true(r["features_is_highlighted_by_maintainer"]) else None,
            "model_type": r["model_type"] or None,
        }
        bases = parse_leaderboard_base(
            repo,
            r["metadata_base_model"],
            merged=_true(r["features_is_merged"]),
            weight_type=r["model_weight_type"],
            model_type=r["model_type"],
        )
        score = _num(r["model_average_score"])
        yield Observation(
            "open-llm-leaderboard-v2",
            as_of,
            repo,
            facts=_clean(facts),
            bases=bases,
            scores=[("open-llm-leaderboard-v2", as_of, score, rank)],
        )


# --- LMArena snapshots
# ---------------------------------------------------------------------------------------
def read_arena_snapshots(path: Path | None = None) -> Iterator[Observation]:
    path = path or data_dir() / "lmarena_text_2024-11-15_2024-12-23.csv.gz"
    for r in _csv(path):
        snap = r["snapshot_version"]
        lic = r["license"].strip()
        facts = {
            "name": r["model"],
            "org": r["organization"],
            "license": "proprietary" if lic.lower() in ("proprietary", "propretary") else lic,
        }
        yield Observation(
            "lmarena",
            snap,
            r["model"],
            org=r["organization"],
            facts=_clean(facts),
            scores=[("lmarena", snap, _num(r["arena_score"]), int(r["rank"]))],
            hf_url_repo=hf_repo_from_url(r["url"]),
        )


def read_arena_2023(path: Path | None = None, as_of: str = "2023-12-07") -> Iterator[Observation]:
    path = path or data_dir() / "lmsys_arena_2023-12-07.csv"
    rows = _csv(path)
    rows.sort(key=lambda r: -(_num(r["arena_elo"]) or 0))
    for rank, r in enumerate(rows, start=1):
        repo = hf_repo_from_url(r["link"])
        lic = r["license"].strip()
        yield Observation(
            "lmsys-arena-2023",
            as_of,
            r["model"],
            org=None,
            facts=_clean(
                {
                    "name": r["model"],
                    "license": "proprietary" if lic.lower() == "proprietary" else lic,
                }
            ),
            scores=[("lmarena", as_of, _num(r["arena_elo"]), rank)],
            hf_url_repo=repo,
        )


def read_leaderboard_v1(
    path: Path | None = None, as_of: str = "2023-10-31"
) -> Iterator[Observation]:
    path = path or data_dir() / "open_llm_leaderboard_top_2023-10-31.csv"
    seen: set[str] = set()
    for r in sorted(_csv(path), key=lambda r: -(_num(r["Average"]) or 0)):
        repo = r["Model"].strip()
        if repo in seen:  # duplicates occur; the best score comes first
            continue
        seen.add(repo)
        yield Observation(
            "open-llm-leaderboard-v1",
            as_of,
            repo,
            facts={"name": repo.split("/")[-1], "org": repo.split("/")[0]},
            scores=[("open-llm-leaderboard-v1", as_of, _num(r["Average"]), len(seen))],
        )


# --- eugeneyan/open-llms curated list
# ------------------------------------------------------------------------
def _context(v: str | None) -> int | None:
    m = re.fullmatch(r"\s*(\d+)\s*(k)?\s*", v or "", re.IGNORECASE)
    if not m:
        return (
            None  # "8192, 32k" or "4096-16K with Sliding Windows": more than one value, not a fact
        )
    return int(m.group(1)) * (1024 if m.group(2) else 1)


def read_open_llms(path: Path | None = None) -> Iterator[Observation]:
    path = path or data_dir() / "open_llms_as_of_2024-12-22.jsonl.gz"
    with _open_text(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for r in rows:
        if r.get("section") not in ("Open LLMs", "Open LLMs for code"):
            continue
        links = [hf_repo_from_url(u) for u in r.get("Checkpoints (links)", [])]
        repos = [x for x in links if x]
        released = (r.get("Release Date") or "").replace("/", "-") or None
        params = r.get("Params (B)", "")
        facts = {
            "released": released,
            "license": r.get("Licence") or r.get("License"),
            "context_length": _context(r.get("Context Length")),
            "listed_as": r.get("Language Model") or r.get("Name"),
        }
        for repo in repos:
            f = dict(facts, name=repo.split("/")[-1], org=repo.split("/")[0])
            if len(repos) == 1 and re.fullmatch(r"\d+(\.\d+)?", params.strip()):
                f["params_b"] = float(params)
            yield Observation("open-llms-list", r.get("snapshot_date", ""), repo, facts=_clean(f))


# --- AurinVos/LLM_phylogeny (generation-level names, influences)
# --------------------------------------------
def read_phylogeny(path: Path | None = None) -> Iterator[Observation]:
    path = path or data_dir() / "llm_lineage_phylogeny.csv.gz"
    for r in _csv(path):
        facts = {
            "name": r["name"],
            "org": r["brand"],
            "released": r["release_date"] or None,
            "influences": r["influences"] or None,
            "generation_of": r["family"],
        }
        yield Observation(
            "llm-phylogeny", "2025-11-06", r["name"], org=r["brand"], facts=_clean(facts)
        )


# --- Hugging Face items collected into the store (key "hf:<repo id>")
# --------------------------------------
def observation_from_hf_item(
    key: str, extra: dict, published_at: str | None, text: str = ""
) -> Observation:
    """A collected Hugging Face model: its card metadata, and the base its card's prose names (fact
    "card_base": a name the registry resolves, since prose rarely gives the repo id)."""
    repo = key.split(":", 1)[1]
    raw = extra.get("base_model")
    bases_raw = raw if isinstance(raw, list) else [raw] if raw else []
    relation = (
        normalize_relation(extra.get("base_model_relation"))
        if extra.get("base_model_relation")
        else ("merge" if len(bases_raw) > 1 else "finetune")
    )
    bases = [
        (model_id(b), relation)
        for b in bases_raw
        if isinstance(b, str) and "/" in b and model_id(b) != model_id(repo)
    ]
    created = extra.get("created_at") or published_at
    facts = {
        "name": repo.split("/")[-1],
        "org": repo.split("/")[0],
        "released": created[:10] if created else None,
        "params_b": _params(extra.get("params")),
        "license": extra.get("license"),
        "tags": ",".join(extra.get("tags") or [])[:300] or None,
    }
    stated = base_in_card(text)
    if stated:
        facts["card_base"], facts["card_base_relation"] = stated
    return Observation("hf", (created or "")[:10], repo, facts=_clean(facts), bases=bases)


def _params(v) -> float | None:
    """HF reports parameters as a count (7241732096) or already in billions; store billions."""
    n = _num(v)
    if n is None:
        return None
    return round(n / 1e9, 3) if n > 10_000 else n


def _clean(facts: dict) -> dict:
    return {k: v for k, v in facts.items() if v not in (None, "")}


def bundled_observations() -> Iterator[Observation]:
    """Everything the product ships, oldest sources first."""
    yield from read_phylogeny()
    yield from read_leaderboard_v1()
    yield from read_arena_2023()
    yield from read_open_llms(data_dir() / "open_llms_2023-11-03.jsonl.gz")
    yield from read_open_llms()
    yield from read_arena_snapshots()
    yield from read_leaderboard_v2()


__all__ = [
    "AUTHORITY",
    "Observation",
    "bundled_observations",
    "observation_from_hf_item",
    "org_slug",
    "read_arena_2023",
    "read_arena_snapshots",
    "read_leaderboard_v1",
    "read_leaderboard_v2",
    "read_open_llms",
    "read_phylogeny",
]
