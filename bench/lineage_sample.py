"""Draw the models of a held-out lineage split at random from the registry, before anyone looks.

    .venv/bin/python bench/lineage_sample.py            # prints the drawn models, one a line

The registry is built from the bundled data alone (an empty store), so the draw does not depend on
what a user collected. Per family, models are drawn with a fixed seed from every registry model of
that family that has a Hugging Face repo id, skipping quantized copies (their lineage is their
name) and models that any fact in bench/data/lineage_facts.jsonl already covers. The drawn models'
truths are then written by hand from their cards (split "test3"), before the first measurement.
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
FAMILIES = ("llama", "mistral", "qwen", "gemma", "phi", "falcon", "deepseek")
PER_FAMILY = 7


def draw(seed: int = SEED, per_family: int = PER_FAMILY) -> list[tuple[str, str]]:
    seen = {
        model_id(json.loads(line)["model"])
        for line in (ROOT / "bench/data/lineage_facts.jsonl").read_text().splitlines()
        if line.strip()
    }
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
        out += [(fam, m) for m in rng.sample(pool, min(per_family, len(pool)))]
    return out


if __name__ == "__main__":
    for fam, mid in draw():
        print(f"{fam}\t{mid}")
