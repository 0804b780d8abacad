"""Rebuild the bundled landscape data from the recorded sources (see PROVENANCE.md).

Run from the repository root:  python src/abreast/landscape/data/make_bundle.py ../shared/data
Not used at run time; kept so anyone can check what was converted and how.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent

LEADERBOARD_COLUMNS = [
    "model_name",
    "model_type",
    "model_weight_type",
    "model_architecture",
    "model_average_score",
    "features_is_merged",
    "features_is_moe",
    "features_is_flagged",
    "features_is_highlighted_by_maintainer",
    "metadata_upload_date",
    "metadata_submission_date",
    "metadata_base_model",
    "metadata_hub_license",
    "metadata_hub_hearts",
    "metadata_params_billions",
]
ARENA_COLUMNS = [
    "snapshot_version",
    "rank",
    "model",
    "arena_score",
    "votes",
    "organization",
    "license",
    "url",
]
LINEAGE_COLUMNS = [
    "name",
    "brand",
    "family",
    "release_date",
    "influences",
]  # summaries left out: no license


def _write_csv_gz(dest: Path, src: Path, columns: list[str]) -> None:
    with src.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    # mtime=0: the same input gives byte-identical output.
    with gzip.GzipFile(dest, "wb", mtime=0) as g:
        g.write(buf.getvalue().encode())


def _gzip_copy(dest: Path, src: Path) -> None:
    with src.open("rb") as f, gzip.GzipFile(dest, "wb", mtime=0) as g:
        shutil.copyfileobj(f, g)


def main(data: Path) -> None:
    _write_csv_gz(
        HERE / "open_llm_leaderboard_v2_2024-12-22.csv.gz",
        data / "open-llm-leaderboard-v2-2024-12-22/open_llm_leaderboard_v2_2024-12-22.csv",
        LEADERBOARD_COLUMNS,
    )
    _write_csv_gz(
        HERE / "lmarena_text_2024-11-15_2024-12-23.csv.gz",
        data
        / "lmarena-leaderboard-2024-12/arena_text_leaderboard_snapshots_2024-11-15_2024-12-23.csv",
        ARENA_COLUMNS,
    )
    _write_csv_gz(
        HERE / "llm_lineage_phylogeny.csv.gz",
        data / "llm-lineage-phylogeny/llm_models.csv",
        LINEAGE_COLUMNS,
    )
    shutil.copy(
        data / "lmsys-arena-2023-12-07/arena_leaderboard_2023-12-07.csv",
        HERE / "lmsys_arena_2023-12-07.csv",
    )
    shutil.copy(
        data / "open-llm-leaderboard-2023-10-31/open_llm_leaderboard_top_2023-10-31.csv",
        HERE / "open_llm_leaderboard_top_2023-10-31.csv",
    )
    _gzip_copy(
        HERE / "open_llms_2023-11-03.jsonl.gz",
        data / "open-llms-eugeneyan/open_llms_2023-11-03.jsonl",
    )
    _gzip_copy(
        HERE / "open_llms_as_of_2024-12-22.jsonl.gz",
        data / "open-llms-eugeneyan-2024-12/open_llms_as_of_2024-12-22.jsonl",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
