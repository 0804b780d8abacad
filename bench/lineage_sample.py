"""Draw the models of a held-out lineage split at random from the registry, before anyone looks.

    .venv/bin/python bench/lineage_sample.py                # test3's draw, one model a line
    .venv/bin/python bench/lineage_sample.py --split test4  # test4's draw: each family's pool in
                                                            # drawn order, to be worked down

The registry is built from the bundled data alone (an empty store), so the draw does not depend on
what a user collected. Per family, models are drawn with a fixed seed from every registry model of
that family that has a Hugging Face repo id, skipping quantized copies (their lineage is their
name) and models that any fact in bench/data/lineage_facts.jsonl already covers. The drawn models'
truths are then written by hand from their cards (split "test3"), before the first measurement.

test4 (seed 20261207) is about base models only: each family's whole pool is printed in drawn
order, and truths are written working down that order, taking a model when a page naming its base
(its own card, else its maker's paper or announcement) can be opened, and skipping it, with the
reason recorded in bench/data/lineage_test4_skipped.tsv, when none can. A skip for "no page
found" is a selection bias toward documented models, said in QUALITY.md.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from abreast.landscape.lineage import model_id, quantized_origin_key  # noqa: E402
from abreast.landscape.registry import build_registry  # noqa: E402
from abreast.store import Store  # noqa: E402

SEED = 20261206
SEED_TEST4 = 20261207
FAMILIES = ("llama", "mistral", "qwen", "gemma", "phi", "falcon", "deepseek")
PER_FAMILY = 7


SPLIT_ORDER = ("dev", "test3", "test4")


def draw(
    seed: int = SEED, per_family: int | None = PER_FAMILY, split: str = "test3"
) -> list[tuple[str, str]]:
    """Per family, `per_family` models at random (None: the whole pool, in drawn order).

    Models covered by facts of an earlier split are left out; the split's own facts (and later
    ones) are not, so the draw can be repeated after its facts are written."""
    earlier = SPLIT_ORDER[: SPLIT_ORDER.index(split)]
    facts = [
        json.loads(line)
        for line in (ROOT / "bench/data/lineage_facts.jsonl").read_text().splitlines()
        if line.strip()
    ]
    seen = {model_id(f["model"]) for f in facts if f.get("split", "dev") in earlier}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "sample.db")
        build_registry(store.conn)
        rows = store.conn.execute(
            "SELECT id, family FROM models WHERE family IS NOT NULL ORDER BY id"
        ).fetchall()
        store.close()
    rng = random.Random(seed)
    out = []
    for fam in FAMILIES:
        pool = [
            r[0]
            for r in rows
            if r[1] == fam
            and not r[0].startswith(("unknown/", "news/"))
            and " " not in r[0]
            and not quantized_origin_key(r[0])
            and r[0] not in seen
        ]
        k = len(pool) if per_family is None else min(per_family, len(pool))
        out += [(fam, m) for m in rng.sample(pool, k)]
    return out


if __name__ == "__main__":
    if "--split" in sys.argv and sys.argv[sys.argv.index("--split") + 1] == "test4":
        for fam, mid in draw(SEED_TEST4, None, "test4"):
            print(f"{fam}\t{mid}")
    else:
        for fam, mid in draw():
            print(f"{fam}\t{mid}")
