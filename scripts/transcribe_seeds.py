"""Rebuild data/source/send_scorecard.csv from the shared seed text (run by hand, not by the app).

The seed is the text of a two-page spreadsheet print. The CSV is that spreadsheet as a manager
would export it: one title row, one header row, every cell kept verbatim (arrows, `%`, brackets,
`requested`...). Two page-break artefacts are the only changes, and both are recorded in
data/README.md: the repeated title on page two is dropped, and page one's rows gain an empty
`Feb 25` cell, the column that only page two printed.

Usage: python scripts/transcribe_seeds.py [SEEDS_DIR]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = "001_c4a3362b33691dbe.txt"


def transcribe(seeds: Path) -> list[list[str]]:
    lines = (seeds / SEED).read_text(encoding="utf-8").split("\n")
    header: list[str] | None = None
    out: list[list[str]] = []
    for line in lines:
        cells = [c.strip() for c in line.split("\t")]
        if not any(cells):
            continue
        if cells[0] == "KPI":
            header = cells[:15] + ["Feb 25"] + cells[15:]
            out.append(header)
            continue
        if header is None:
            if not out:
                out.append([cells[0]] + [""] * 19)
            continue
        if len(cells) == 1:  # the repeated title on page two
            continue
        if len(cells) == 19:  # page one: no Feb 25 column printed
            cells = cells[:15] + [""] + cells[15:]
        if len(cells) != 20:
            raise SystemExit(f"unexpected row width {len(cells)}: {cells[0]!r}")
        out.append(cells)
    return out


def main() -> None:
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "seeds"
    rows = transcribe(seeds)
    target = ROOT / "data" / "source" / "send_scorecard.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    print(f"wrote {target.relative_to(ROOT)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
