"""Synthetic data N times the bundled scorecard, for bench/bench.py and tests/test_bench_synthetic.py.

`generate(out_dir, scale)` writes, under `out_dir`:

  catalogue/kpis.csv    `scale` copies of the 86 scorecard KPIs, then the board rows unchanged
  catalogue/themes.csv  copied
  send_scorecard.csv    the scorecard's own wide layout (title row, KPI/months/Nat/SN/SW/Target header,
                        section rows, `no of above` child rows) with 86 × scale KPI rows
  board_report_2024-05.csv  the bundled board report, copied

Copy 0 is the bundled scorecard itself: its ids, names and figures are kept, so the overview's
hard-coded headline KPIs (`ehcps`, `requests`, …) still exist. Copy i ≥ 1 gets
  id    `a{i:02d}-` + the original id (the id pattern allows 48 characters and the longest bundled id
        has 44, so a 5-character `a017-` prefix would not fit; ids are cut to fit when scale > 100)
  name  original name + ` [area {i:03d}]` — child rows stay `no of above - … [area 017]`, so the
        wide reader still sees them as children, and `Catalogue.find_by_name` keys them by
        (name, parent name), the parent being the copy's own parent row
  parent_id  points at the same copy's parent.
Figures of copy i ≥ 1 are the real ones scaled by a per-(area, KPI) factor and (except for
cumulative KPIs, which must not fall mid-year) a little per-cell noise, from a seeded RNG: percentages
stay within 0–100, counts whole and ≥ 0, placeholders (`requested`, `KPI changed-see below`, lone
arrows) are kept as they are, and trend arrows are recomputed so they agree with the new figures.
"""

from __future__ import annotations

import csv
import io
import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from sendlib.domain.catalogue import KPI, load_catalogue, normalise_name
from sendlib.domain.paths import BOARD_FILE, CATALOGUE_DIR, SCORECARD_FILE
from sendlib.domain.values import ARROW_SYMBOL, Unit, parse_value
from sendlib.files.wide import CHILD_PREFIX, SCORECARD
from sendlib.workflows.load import parse_bytes

ID_LIMIT = 48  # KPI.id pattern: ^[a-z0-9][a-z0-9-]{0,47}$
DEFAULT_SEED = 20261123


@dataclass(frozen=True)
class Synthetic:
    root: Path
    catalogue_dir: Path
    scorecard_csv: Path
    board_csv: Path
    scale: int
    kpis: int  # rows in catalogue/kpis.csv
    scorecard_kpi_rows: int  # KPI rows in the wide CSV (86 × scale)
    expected_records: int  # store rows the wide CSV should import as (cells with a value or a note)


def _id_prefix(area: int, scale: int) -> str:
    return "" if area == 0 else f"a{area:0{max(2, len(str(scale - 1)))}d}-"


def copy_id(kpi_id: str, area: int, scale: int) -> str:
    prefix = _id_prefix(area, scale)
    return (prefix + kpi_id)[:ID_LIMIT].rstrip("-")


def copy_name(name: str, area: int) -> str:
    return name if area == 0 else f"{name} [area {area:03d}]"


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_catalogue(directory: Path, scale: int) -> int:
    """kpis.csv with `scale` copies of the scorecard KPIs plus the board rows; themes.csv copied."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CATALOGUE_DIR / "themes.csv", directory / "themes.csv")
    fields, rows = _read_rows(CATALOGUE_DIR / "kpis.csv")
    scorecard = [r for r in rows if r["scorecard"] == SCORECARD]
    others = [r for r in rows if r["scorecard"] != SCORECARD]
    out: list[dict[str, str]] = []
    seen: set[str] = {r["id"] for r in others}
    for area in range(scale):
        for r in scorecard:
            row = dict(r)
            row["id"] = copy_id(r["id"], area, scale)
            if row["id"] in seen:
                raise ValueError(f"synthetic id {row['id']!r} collides; shorten the prefix")
            seen.add(row["id"])
            row["name"] = copy_name(r["name"], area)
            if r["parent_id"]:
                row["parent_id"] = copy_id(r["parent_id"], area, scale)
            if area:
                row["order"] = str(area * 1000 + int(r["order"]))
            out.append(row)
    out.extend(others)
    with (directory / "kpis.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    return len(out)


def _format(value: float, unit: Unit, count: int | None, decimals: int) -> str:
    if unit == "percent":
        text = f"{value:.{decimals}f}%"
    elif unit == "count":
        text = str(int(value))
    elif unit == "days":
        text = f"{round(value)} days"
    else:
        text = f"{value:.2f}"
    return f"{text} ({count})" if count is not None else text


def _decimals(raw: str) -> int:
    number = raw.split("%")[0].split("(")[0].strip().rstrip("▲▼▶►◄△▽↑↓→▷ ")
    return min(2, len(number.split(".")[1])) if "." in number else 0


def _perturb(value: float, unit: Unit, factor: float) -> float:
    v = value * factor
    if unit == "percent":
        return min(100.0, max(0.0, v))
    if unit == "count":
        return float(max(0, round(v)))
    return max(0.0, v) if unit == "days" else v


def _arrow(before: float, now: float) -> str:
    return ARROW_SYMBOL["up" if now > before else "down" if now < before else "flat"]


def _synthetic_row(cells: list[str], unit: Unit, cumulative: bool, actual_cols: set[int],
                   rng: random.Random) -> list[str]:
    """One KPI row's value cells, scaled; arrows recomputed against the previous month as the reader does."""
    factor = math.exp(rng.gauss(0, 0.35))
    out: list[str] = []
    previous: float | None = None
    for col, raw in enumerate(cells):
        text = raw.strip()
        if not text:
            out.append("")
            if col in actual_cols:
                previous = None
            continue
        parsed = parse_value(text, unit)
        if parsed.value is None:  # a placeholder, a note or a lone arrow: kept as typed
            out.append(raw)
            if col in actual_cols:
                previous = None
            continue
        noise = 1.0 if cumulative else rng.gauss(1, 0.06)
        value = _perturb(parsed.value, unit, factor * noise)
        if unit == "percent":
            # rounded as printed, so the arrow below is computed on the value the reader will see
            value = round(value, max(1, _decimals(text)))
        count = None if parsed.count is None else max(0, round(parsed.count * factor))
        cell = _format(value, unit, count, max(1, _decimals(text)) if unit == "percent" else 0)
        if col in actual_cols:
            if parsed.arrow is not None:
                cell += " " + (_arrow(previous, value) if previous is not None else ARROW_SYMBOL[parsed.arrow])
            previous = value
        out.append(cell)
    return out


def bundled_records() -> int:
    """Store rows the bundled scorecard imports as (each copy imports as many)."""
    parsed = parse_bytes(SCORECARD_FILE.read_bytes(), SCORECARD_FILE.name, load_catalogue(CATALOGUE_DIR))
    if parsed.errors:
        raise ValueError(f"the bundled scorecard does not parse: {parsed.errors[:3]}")
    return len(parsed.records)


def write_scorecard(path: Path, scale: int, *, seed: int = DEFAULT_SEED) -> int:
    """The wide CSV: the bundled scorecard's title and header, then its section and KPI rows once per area."""
    catalogue = load_catalogue(CATALOGUE_DIR)
    with SCORECARD_FILE.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header_index = next(i for i, r in enumerate(rows) if any(c.strip().lower() == "kpi" for c in r))
    header = rows[header_index]
    kpi_col = next(i for i, c in enumerate(header) if c.strip().lower() == "kpi")
    benchmarks = {"nat", "sn", "sw", "target"}
    actual_cols = {i - kpi_col - 1 for i, c in enumerate(header) if i > kpi_col and c.strip().lower() not in benchmarks}

    # Which KPI each body row is, matched exactly as sendlib.files.wide matches it.
    body: list[tuple[list[str], KPI | None]] = []
    parent = None
    for r in rows[header_index + 1:]:
        name = r[kpi_col].strip()
        if not name:
            body.append((r, None))
            continue
        is_child = normalise_name(name).startswith(CHILD_PREFIX)
        kpi = catalogue.find_by_name(SCORECARD, name, parent.name if (is_child and parent) else None)
        if kpi is not None and not is_child:
            parent = kpi
        body.append((r, kpi))

    rng = random.Random(f"{seed}:{scale}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows[:header_index + 1])
    kpi_rows = 0
    for area in range(scale):
        for r, kpi in body:
            if kpi is None:  # a section heading or a blank row: repeated as is
                writer.writerow(r)
                continue
            cells = r[kpi_col + 1:]
            if area:
                cells = _synthetic_row(cells, kpi.unit, kpi.cumulative != "none", actual_cols, rng)
            writer.writerow([*r[:kpi_col], copy_name(r[kpi_col].strip(), area), *cells])
            kpi_rows += 1
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return kpi_rows


def generate(out_dir: str | Path, scale: int, *, seed: int = DEFAULT_SEED) -> Synthetic:
    """Write a synthetic catalogue and scorecard `scale` times the bundled one under `out_dir`."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    catalogue_dir = root / "catalogue"
    kpis = write_catalogue(catalogue_dir, scale)
    scorecard_csv = root / "send_scorecard.csv"
    kpi_rows = write_scorecard(scorecard_csv, scale, seed=seed)
    board_csv = root / BOARD_FILE.name
    shutil.copyfile(BOARD_FILE, board_csv)
    expected = bundled_records() * scale
    return Synthetic(root, catalogue_dir, scorecard_csv, board_csv, scale, kpis, kpi_rows, expected)
