"""Rebuild src/abreast/understand/data/lexicon.json from the recorded data in ../shared/data.

    .venv/bin/python scripts/build_lexicon.py [--data ../shared/data]

Needs `wordfreq` (build time only) to mark names that are ordinary English words as ambiguous.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from abreast.understand import lexicon

COMMON_ZIPF = 3.0  # about once per 1e6 words of general English: "falcon", "phi", "bloom"


def common_word_checker():
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        raise SystemExit("pip install wordfreq  (needed only to rebuild the lexicon)") from None
    # A name with a digit ("phi-3", "claude-2.1") is specific whatever its word part means.
    return lambda term: (
        " " not in term
        and not any(c.isdigit() for c in term)
        and zipf_frequency(term, "en") >= COMMON_ZIPF
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = ap.parse_args()
    built = lexicon.build(args.data, common_word_checker())
    lexicon.DATA_FILE.write_text(
        json.dumps(built, indent=0, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    kinds: dict[str, int] = {}
    for e in built["entries"].values():
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    print(f"{len(built['entries'])} entries -> {lexicon.DATA_FILE}: {kinds}")


if __name__ == "__main__":
    main()
