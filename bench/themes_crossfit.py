"""Cross-fitted themes for a store copy, so that bench/learn_quality.py's dev protocol does not read
back themes the classifier memorised.

    cp -r .demo-home /tmp/cf && .venv/bin/python bench/themes_crossfit.py /tmp/cf/abreast.db
    .venv/bin/python bench/learn_quality.py --home /tmp/cf --split dev

Why: the theme classifier is trained on the dev half of bench/data/devset.jsonl, and the learn
bench's dev protocol judges readers whose taste is those same items' hand themes. The better the
classifier fits its training items, the more the dev rows measure memory (a classifier that fits
them all agrees with every hand label there), not how the learner does with themes of ~88% accuracy
as on unseen items. Here each devset dev AI item in the store gets the themes of a model trained
without it (two folds by a second bit of SHA-1 of the key; the training recipe is
scripts/train_understand.py's, cross-validation included), written into the copy's annotations.
Every other item keeps the themes the store has. ``--without-extra`` leaves bench/data/
themes_extra.tsv out of training and ``--old-grid`` uses the grid before session 7 (C 0.1..1,
n-gram weight 0..0.5): together, the recipe the classifier had before.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import train_understand as tu  # noqa: E402

from abreast.store import Store  # noqa: E402
from abreast.understand import themes as th  # noqa: E402


def fold(key: str) -> int:
    """Bit 1 of SHA-1 of the key (bit 0 is the dev/test split)."""
    return (int(hashlib.sha1(key.encode()).hexdigest(), 16) >> 1) & 1


def crossfit(store_path: Path, extra_store: Path, with_extra: bool) -> dict[str, list[str]]:
    """Themes for the devset dev AI items the store holds, each from a model that never saw it."""
    ai = [d for d in tu.devset.load("dev") if d.is_ai]
    extra_items, extra_themes = tu.load_extra(extra_store) if with_extra else ([], [])
    stored = {it.key: it for it in Store.open(store_path).items(keys=[d.item.key for d in ai])}
    keys = [d.item.key for d in ai if d.item.key in stored]
    train_items = [d.item for d in ai] + extra_items
    themes = [d.themes for d in ai] + extra_themes
    sigs, tfeats, tindex = tu.featurize(train_items + [stored[k] for k in keys])
    n = len(train_items)
    out: dict[str, list[str]] = {}
    for f in (0, 1):
        rows = [i for i in range(n) if i >= len(ai) or fold(ai[i].item.key) != f]
        x = tfeats[rows]
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        fits = tu.fit_themes(
            x, [sigs[i].hashes for i in rows], [themes[i] for i in rows], tindex.ids
        )
        model = th.ThemeModel(
            features=th.feature_names(tindex.ids),
            mean=mean.tolist(),
            scale=scale.tolist(),
            per_theme={
                t: th.ThemeWeights(
                    coef=v["coef"],
                    intercept=v["intercept"],
                    hash_coef=v["hash_coef"],
                    threshold=v["cutoff"],
                )
                for t, v in fits.items()
            },
        )
        for j, k in enumerate(keys):
            if fold(k) == f:
                p = model.probabilities(list(tfeats[n + j]), sigs[n + j].hashes)
                chosen = [t for t in tindex.ids if p[t] >= model.per_theme[t]["threshold"]]
                out[k] = chosen or [max(p, key=lambda t: p[t])]  # as themes.assign()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", help="abreast.db of a store COPY: its annotations are rewritten")
    ap.add_argument("--extra-store", default=str(ROOT / ".demo-home" / "abreast.db"))
    ap.add_argument("--without-extra", action="store_true")
    ap.add_argument("--old-grid", action="store_true")
    args = ap.parse_args()
    if args.old_grid:
        tu.THEME_GRID_C, tu.THEME_GRID_ALPHA = (0.1, 0.3, 1.0), (0.0, 0.5)
    out = crossfit(Path(args.store), Path(args.extra_store), not args.without_extra)
    db = sqlite3.connect(args.store)
    for key, chosen in out.items():
        db.execute(
            "UPDATE annotations SET themes_json = ? WHERE is_ai = 1 AND item_id = "
            "(SELECT id FROM items WHERE key = ?)",
            (json.dumps(chosen), key),
        )
    db.commit()
    print(f"{len(out)} devset dev AI items got cross-fitted themes in {args.store}")


if __name__ == "__main__":
    main()
