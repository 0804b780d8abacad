"""Assemble QUALITY.md and BENCHMARKS.md from the sections the bench scripts write into bench/out/.

make bench        # runs every bench script, then this
.venv/bin/python bench/report.py   # only reassembles what bench/out/ holds
"""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

QUALITY = [
    ("understand_quality.md", "bench/understand.py quality"),
    ("stories_quality.md", "bench/stories.py"),
    ("explain_quality.md", "bench/explain_quality.py"),
    ("depth_quality.md", "bench/depth_quality.py --home .demo-home"),
    ("week_ranking.md", "bench/week_ranking.py --home .demo-home"),
    ("relevance_text.md", "bench/relevance_text.py --store .demo-home/abreast.db"),
    ("ask_quality.md", "bench/ask_quality.py --home .demo-home"),
    ("learn_quality.md", "bench/learn_quality.py --home .demo-home"),
    ("learn_selftune.md", "bench/learn_selftune.py --home .demo-home"),
    ("learn_failures.md", "bench/learn_failures.py --home .demo-home"),
    ("landscape_quality_store.md", "bench/landscape_quality.py --store .demo-home/abreast.db"),
    ("retrieval_quality.md", "bench/retrieval_quality.py --store .demo-home/abreast.db"),
]
BENCHMARKS = [
    ("ingest_bench.md", "bench/ingest.py"),
    ("learn_bench.md", "bench/learn_quality.py --home .demo-home"),
    ("ask_bench.md", "bench/ask_quality.py --home .demo-home"),
    ("understand_bench.md", "bench/understand.py speed --n 100000"),
    ("stories_bench.md", "bench/stories.py"),
    ("web_bench.md", "bench/web_load.py --home .demo-home"),
    (
        "retrieval_bench.md",
        "bench/retrieval_quality.py --store .demo-home/abreast.db --speed-only --before 7c6fa48",
    ),
    ("demo_speed_bench.md", "bench/demo_speed.py --before 22017ec --rounds 2"),
    (
        "scale_bench.md",
        "bench/scale.py --home .demo-home --n 100000 1000000 --rounds 50 --before 3417b1c",
    ),
    (
        "store_scale_bench.md",
        "bench/store_scale.py --home .demo-home --sizes 100000 1000000 --keep .scale",
    ),
    (
        "search_speed_bench.md",
        "bench/search_speed.py --home .demo-home --home .scale/n1000000 --before 5f6704c",
    ),
]


def _machine() -> str:
    try:
        cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        cores = "?"
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"


def _assemble(title: str, intro: str, parts: list[tuple[str, str]]) -> str:
    out = [f"# {title}", "", intro, "", f"Last assembled on: {_machine()}.", ""]
    for name, cmd in parts:
        f = OUT / name
        if not f.exists():
            out += [
                f"## {name.removesuffix('.md')}",
                "",
                f"Not measured in this run: `.venv/bin/python {cmd}`.",
                "",
            ]
            continue
        body = f.read_text().strip()
        body = (
            body.replace("\n# ", "\n## ")
            if not body.startswith("# ")
            else "##" + body[1:].replace("\n# ", "\n## ")
        )
        out += [body, "", f"*Reproduce:* `.venv/bin/python {cmd}`", ""]
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    (ROOT / "QUALITY.md").write_text(
        _assemble(
            "abreast quality",
            "How good abreast's judgements are, measured on hand-labelled real data from the "
            "bundled snapshot. Every number comes from a script in `bench/`; the labels live in "
            "`bench/data/` with "
            "their labelling guides.",
            QUALITY,
        )
    )
    (ROOT / "BENCHMARKS.md").write_text(
        _assemble(
            "abreast benchmarks",
            "How fast abreast is. Each benchmark compares against a baseline measured in the "
            "same run, because one machine's absolute seconds mean little.",
            BENCHMARKS,
        )
    )
    print("wrote QUALITY.md and BENCHMARKS.md")


if __name__ == "__main__":
    main()
