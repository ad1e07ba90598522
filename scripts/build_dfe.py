"""Rebuild data/dfe/ from DfE's original files (../shared/dfe/), through the same reader the upload page uses.

    python scripts/build_dfe.py [SOURCE_DIR]

Keeps the headline rows (all plans, all requests…) of each EES file — the breakdowns by age, sex and ethnicity
are left out — plus the appeal-rate table and both statistical-neighbour groupings. Run by hand when DfE
publishes a new release; the app ships the result so a fresh clone needs nothing from outside the repo.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from sendlib.domain.dfe import DFE_TABLE, NEIGHBOUR_TABLE
from sendlib.files.dfe import RELEASES, read_dfe_file
from sendlib.store.versioned import table_bytes
from sendlib.workflows.dfe_releases import BUNDLED_DFE, BUNDLED_NEIGHBOURS

FILES = [
    "ehcp_2025/caseload.csv", "ehcp_2025/timeliness_20_week.csv", "ehcp_2025/requests.csv",
    "ehcp_2025/assessments.csv", "ehcp_2025/annual_reviews.csv", "ehcp_2025/personal_budgets.csv",
    "ehcp_2025/send_tribunal_appeal_rate_2014_2024.csv", "ehcp_2022/sen2_mi.csv",
]
NEIGHBOUR_FILES = ["reference/sn_april_2021.xlsx", "reference/sn_may_2025.xlsx"]


def main(source: Path) -> None:
    frames = []
    for name in FILES:
        path = source / name
        read = read_dfe_file(path.read_bytes(), path.name, release=RELEASES[path.parent.name])
        print(read.summary())
        frames.append(read.rows)
    neighbours = []
    for name in NEIGHBOUR_FILES:
        path = source / name
        read = read_dfe_file(path.read_bytes(), path.name)
        print(read.summary())
        neighbours.append(read.rows)
    BUNDLED_DFE.parent.mkdir(parents=True, exist_ok=True)
    BUNDLED_DFE.write_bytes(table_bytes(pd.concat(frames, ignore_index=True), DFE_TABLE))
    NEIGHBOUR_TABLE.normalise(pd.concat(neighbours, ignore_index=True)).to_csv(BUNDLED_NEIGHBOURS, index=False)
    print(f"wrote {BUNDLED_DFE} ({BUNDLED_DFE.stat().st_size:,} bytes) and {BUNDLED_NEIGHBOURS}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "dfe")
