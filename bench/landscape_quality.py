"""How many hand-checked lineage facts the model registry gets right on the bundled data.

    .venv/bin/python bench/landscape_quality.py        # writes bench/out/landscape_quality.md
    .venv/bin/python bench/landscape_quality.py --store .demo-home/abreast.db
        # the same on a copy of a store with collected items: release dates become the first news
        # mention

Facts: bench/data/lineage_facts.jsonl (model, check, expected, note: where the truth comes from).
Checks: base (one of the expected ids is a recorded base; optional relation), family, org, license,
params_b (within tolerance), released (within tolerance days), arena (score on a snapshot), merge
(recorded as a merge). Also measures the build time and whether family trees are legible at 1200 px
(label overlaps).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from abreast.landscape.lineage import model_id, name_key, public_date  # noqa: E402
from abreast.landscape.picture import render  # noqa: E402
from abreast.landscape.registry import build_registry  # noqa: E402
from abreast.landscape.tree import TreeSpec, family_tree  # noqa: E402
from abreast.store import Store  # noqa: E402
from abreast.store import landscape as sql  # noqa: E402


def resolve(conn, ref: str) -> str | None:
    mid = model_id(ref)
    if sql.get_model(conn, mid):
        return mid
    found = sql.model_by_alias(conn, ref)
    if found:
        return found.id
    # A renamed repo (meta-llama/Meta-Llama-3.1-8B-Instruct -> Llama-3.1-8B-Instruct) is the same
    # model: the registry's identity rule is one organisation + one name key (see
    # registry._Resolver).
    owner = mid.split("/")[0]
    same = [
        r[0]
        for r in conn.execute("SELECT id FROM models WHERE id LIKE ?", (owner + "/%",))
        if name_key(r[0]) == name_key(mid)
    ]
    return min(same, key=len) if same else None


def check(conn, fact: dict) -> tuple[bool, str]:
    mid = resolve(conn, fact["model"])
    if mid is None:
        return False, "not in registry"
    row = sql.get_model(conn, mid)
    kind, exp = fact["check"], fact["expected"]
    if kind == "base":
        bases = sql.bases_of(conn, mid)
        wanted = {resolve(conn, e) or model_id(e) for e in exp}
        got = [f"{b.base_id} ({b.relation}, {b.source})" for b in bases]
        if not exp:  # a root (trained from scratch): right when no base is recorded
            return not bases, "; ".join(got) or "no base recorded (a root)"
        ok = any(
            b.base_id in wanted and (not fact.get("relation") or b.relation == fact["relation"])
            for b in bases
        )
        return ok, "; ".join(got) or "no base recorded"
    if kind in ("family", "org", "license"):
        got = getattr(row, kind) or ""
        return got.lower() == str(exp).lower(), got or "-"
    if kind == "params_b":
        got = row.params_b
        return got is not None and abs(got - exp) <= fact.get("tolerance", 0.5), f"{got}"
    if kind == "released":
        got = public_date(row.released, sql.first_news_dates(conn).get(mid)) or ""
        if len(got) < 10:  # a month-only date is approximate, never a day-level answer
            return False, f"{got} (month only, approximate)" if got else "-"
        days = abs((date.fromisoformat(got[:10]) - date.fromisoformat(exp)).days)
        return days <= fact.get("tolerance", 0), f"{got} ({days} days off)"
    if kind == "arena":
        snap, score = exp
        got = {s.snapshot: s.score for s in sql.scores_of(conn, mid) if s.board == "lmarena"}
        return got.get(snap) == score, f"{got.get(snap)}"
    if kind == "merge":
        rel = {b.relation for b in sql.bases_of(conn, mid)}
        types = {f.value for f in sql.model_facts(conn, mid) if f.field == "model_type"}
        got = "merge" in rel or "basemergesandmoerges" in types
        return got == exp, "merge" if got else "not marked as merge"
    raise ValueError(f"unknown check {kind}")


def headline_of(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("**"))


def split_name(fact: dict) -> str:
    """The split a fact is scored in; a dev fact that was once a held-out fact says which."""
    split = fact.get("split", "dev")
    if fact.get("seen_before_draw"):
        return f"{split} (seen before the draw)"
    return f"{split} (was {fact['was']})" if fact.get("was") else split


# Splits in the order they were written, with whether anyone looked at their results before the
# numbers below (a looked-at split is a tuning split, whatever its name).
SPLITS = {
    "dev": ("yes: tuned on", lambda f: f.get("split", "dev") == "dev"),
    "  dev, first written as dev": (
        "yes",
        lambda f: f.get("split", "dev") == "dev" and not f.get("was"),
    ),
    "  dev, was test": (
        "yes: measured, looked at, then tuned on",
        lambda f: f.get("was") == "test",
    ),
    "  dev, was test2": (
        "yes: measured, looked at, then tuned on",
        lambda f: f.get("was") == "test2",
    ),
    "test3": (
        "measured once, errors read afterwards, not tuned on",
        lambda f: f.get("split") == "test3",
    ),
    "  test3 without the 10 models seen before the draw": (
        "as test3",
        lambda f: f.get("split") == "test3" and not f.get("seen_before_draw"),
    ),
    "test4": (
        "measured once clean (base 13/40); errors read since, never tuned on",
        lambda f: f.get("split") == "test4",
    ),
}
HELD_OUT = ("test3", "test4")
# test4's one clean measurement, taken at commit 40e1158 (facts committed, nothing changed since
# they were written) before anyone read its errors. Later numbers on test4 come after its errors
# were read, so this stays the held-out headline.
FIRST_MEASUREMENT = "test4 13/40 (32%); test3 + test4 19/48 (40%)"
CHECK_COLUMNS = ("base", "family", "released")

SPLITS_TEXT = [
    "Splits: `dev` facts were seen while the registry was tuned (the curated table, the name "
    "rules, the attention weights); it includes the former `test` and `test2` facts, which "
    "were measured, looked at and then tuned against (marked 'was test'/'was test2'). "
    "`test3` was drawn by `bench/lineage_sample.py` (seed 20261206, 7 per family) and measured "
    "once; but an earlier, never-measured draw (4 per family) had been made first and the cards "
    "of some of its models were read, and 10 of its models are among test3's 44 (marked "
    "'seen before the draw'), and test3's family truths mostly restate the config architecture "
    "the registry reads itself.",
]
TEST4_TEXT = (
    "`test4` was drawn by `bench/lineage_sample.py --split test4` (seed 20261207): each "
    "family's pool in drawn order, worked down until 8 models were taken or 30 tried. A model was "
    "taken when a stored copy of a page naming its base could be opened (its own card; else its "
    "maker's paper, collection or card copied into a quantizer's repo) and skipped otherwise, with "
    "the reason in `bench/data/lineage_test4_skipped.tsv`: llama 8 of 30 tried, mistral 8 of 24, "
    "qwen 8 of 14, gemma 8 of 19, phi 8 of 13 (falcon and deepseek had no models left to draw). "
    "40 base-model facts, each note citing its page, committed before the one measurement. The "
    "skips favour documented models (60 of 100 tried had no findable page), so test4 is likely "
    "easier than a uniform draw of the registry."
)


def _cell(part: list[bool]) -> str:
    return f"{sum(part)}/{len(part)} ({sum(part) / len(part):.0%})" if part else "-"


def split_tables(results: list[tuple[dict, bool, str]]) -> tuple[list[str], str]:
    """Accuracy per split and per check, so an easy check (family) cannot hide a hard one."""
    rows = [
        "| split | looked at before these numbers? | all checks | "
        + " | ".join(CHECK_COLUMNS)
        + " | other checks |",
        "|---|---|---|" + "---|" * len(CHECK_COLUMNS) + "---|",
    ]
    for name, (looked, member) in SPLITS.items():
        facts = [(f, ok) for f, ok, _ in results if member(f)]
        if not facts:
            continue
        cells = [_cell([ok for f, ok in facts if f["check"] == c]) for c in CHECK_COLUMNS]
        other = _cell([ok for f, ok in facts if f["check"] not in CHECK_COLUMNS])
        rows.append(
            f"| {name} | {looked} | {_cell([ok for _, ok in facts])} | "
            + " | ".join(cells)
            + f" | {other} |"
        )
    held_base = [ok for f, ok, _ in results if f.get("split") in HELD_OUT and f["check"] == "base"]
    held_all = [ok for f, ok, _ in results if f.get("split") in HELD_OUT]
    t4_base = [ok for f, ok, _ in results if f.get("split") == "test4" and f["check"] == "base"]
    headline = (
        f"**Base-model lineage on held-out facts, first and only clean measurement: "
        f"{FIRST_MEASUREMENT}.** Now (test4's errors have been read since; see QUALITY.md for "
        f"what changed after): test4 {_cell(t4_base)}, test3 + test4 {_cell(held_base)}; "
        f"all held-out checks together {_cell(held_all)}."
    )
    return rows, headline


def main(argv: list[str]) -> None:
    source_db = Path(argv[argv.index("--store") + 1]) if "--store" in argv else None
    facts = [
        json.loads(line)
        for line in (ROOT / "bench/data/lineage_facts.jsonl").read_text().splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        if source_db:  # never touch the user's store: work on a consistent copy
            import sqlite3

            with (
                sqlite3.connect(f"file:{source_db}?mode=ro", uri=True) as src,
                sqlite3.connect(Path(tmp) / "bench.db") as dst,
            ):
                src.backup(dst)
        store = Store.open(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        rep = build_registry(store.conn)
        build_s = time.perf_counter() - t0
        results = [(f, *check(store.conn, f)) for f in facts]
        trees = []
        for fam, as_of, start, end in (
            ("llama", "2023-12-10", "2023-12-04", "2023-12-11"),
            ("llama", "2024-12-22", "2024-12-16", "2024-12-23"),
            ("qwen", "2024-12-22", "2024-12-16", "2024-12-23"),
            ("mistral", "2024-12-22", "2024-12-16", "2024-12-23"),
            ("gemma", "2024-12-22", "2024-12-16", "2024-12-23"),
            ("falcon", "2024-12-22", "2024-12-16", "2024-12-23"),
            ("phi", "2024-12-22", "2024-12-16", "2024-12-23"),
            ("deepseek", "2024-12-22", "2024-12-16", "2024-12-23"),
        ):
            root, left = family_tree(
                store.conn, TreeSpec(fam, as_of=as_of, new_from=start, new_to=end)
            )
            t0 = time.perf_counter()
            info = render(root, Path(tmp) / f"{fam}.png")
            later = sum(
                1
                for n in root.walk()
                if n.kind == "model" and n.subtitle[-10:] > as_of and n.subtitle[-10:][:1] == "2"
            )
            trees.append((f"{fam} as of {as_of}", info, left, time.perf_counter() - t0, later))
        store.close()
    right = sum(ok for _, ok, _ in results)
    table, headline = split_tables(results)
    lines = [
        "# Model registry quality on the bundled data",
        "",
        "Generated by `bench/landscape_quality.py` from `bench/data/lineage_facts.jsonl` "
        "(hand-checked facts; the `truth from` column says where each truth comes from).",
        "",
        headline,
        "",
        f"All {len(results)} facts, every split and check together: {right} right "
        f"({right / len(results):.1%}); this mixes tuned and held-out facts and easy checks "
        "(family) with hard ones (base), so it is not the headline. Registry: "
        f"{rep.models} models, "
        f"{rep.edges} base-model links, {rep.scores} leaderboard scores, {rep.mentioned} first "
        "seen in "
        f"{'the items of ' + str(source_db) if source_db else 'no items (bundled data only)'}; "
        f"built in {build_s:.1f} s. Release dates: the first news mention when there is one, else "
        "the Hugging Face repo date.",
        "",
        " ".join(
            SPLITS_TEXT + ([TEST4_TEXT] if any(f.get("split") == "test4" for f in facts) else [])
        ),
        "",
        *table,
        "",
        "## Family trees at 1200 px, as of a date (that week highlighted)",
        "",
        "| tree | nodes drawn | height px | overlapping labels | shortened names | "
        "models folded into counts | released after the date but drawn | render s |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| {fam} | {i['nodes']} | {i['height']} | {i['overlaps']} | {i['truncated']} | "
            f"{left['not_drawn']} | {later} | {s:.1f} |"
            for fam, i, left, s, later in trees
        ],
        "",
        "## Every fact",
        "",
        "| | split | model | check | expected | registry says | truth from |",
        "|---|---|---|---|---|---|---|",
    ]
    for f, ok, got in results:
        exp = f["expected"]
        exp = " or ".join(map(str, exp)) if isinstance(exp, list) else exp
        if f.get("relation"):
            exp = f"{exp} ({f['relation']})"
        lines.append(
            f"| {'✅' if ok else '❌'} | {split_name(f)} | {f['model']} | {f['check']} | {exp} | "
            f"{got} | "
            f"{f['note']} |"
        )
    out = ROOT / (
        "bench/out/landscape_quality_store.md" if source_db else "bench/out/landscape_quality.md"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(headline_of(lines))
    print("\n".join(table))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
