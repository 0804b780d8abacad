"""`abreast --help` must start fast: the CLI imports heavy libraries only inside the commands that
need them (after lemon24/reader's test_lazy_imports.py)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = [
    "numpy",
    "wordllama",
    "sklearn",
    "scipy",
    "matplotlib",
    "trafilatura",
    "fastapi",
    "uvicorn",
    "llm",
]


def test_importing_the_cli_leaves_heavy_modules_unloaded():
    code = (
        f"import sys, abreast.cli.main\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [], f"importing abreast.cli.main loaded {out}"
