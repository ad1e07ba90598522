"""Check data/catalogue/kpis.csv against the two seed documents (stdlib only).

Usage: python data/catalogue/check_kpis.py [SEEDS_DIR]
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "data" / "catalogue"

SEEDS = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "seeds"
SCORECARD_SEED = "001_c4a3362b33691dbe.txt"
BOARD_SEED = "000_dae6423632dd882b.txt"

COLUMNS = ["id", "scorecard", "order", "name", "short_name", "parent_id", "theme", "section", "unit", "polarity",
           "polarity_source", "frequency", "cumulative", "target", "target_source", "tolerance",
           "definition", "source", "action_plan", "notes"]
SECTIONS = {"EHCPs and SEN Support", "SEN Early Years Sufficiency", "EHCP by Provision Type",
            "Pupil Placements", "Assessments and Requests",
            "Mediations, Tribunals, Compliments and Complaints", "Preparing for Adulthood",
            "Quality Assurance", "Adults with Learning Disabilities", "SENDiass4BCP",
            "SEND Workforce (BCP)"}
BOARD_SECTIONS = {"Statutory Duty Measures", "Health Measures", "Social Care Measures",
                  "Alternative Provision Measures", "Lived Experience Measures", "Education Measures",
                  "Quality Measures", "Contextual Data"}
TBC = {9, 10, 11, 12, 13, 14, 46}
TILES = {"Number of EHCPs", "Open EHCNA Caseload", "New EHCNA Requests Received"}
ALLOWED = {
    "scorecard": {"scorecard", "board"},
    "unit": {"count", "percent", "days", "score"},
    "polarity": {"higher_better", "lower_better", "neutral"},
    "polarity_source": {"document", "domain"},
    "frequency": {"month", "half-term", "term", "calendar-year"},
    "cumulative": {"none", "calendar-year", "academic-year"},
    "target_source": {"", "scorecard Target column", "board report Target column"},
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def seed_scorecard() -> list[tuple[str, str, str]]:
    """(name, parent name or '', section) for every KPI row, in file order."""
    out, section, parent = [], "", ""
    for line in (SEEDS / SCORECARD_SEED).read_text(encoding="utf-8").split("\n"):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < 19 or cells[0] == "KPI":
            continue
        name = cells[0]
        if name in SECTIONS and not any(cells[1:]):
            section = name
            continue
        if name.lower().startswith("no of above"):
            out.append((name, parent, section))
        else:
            parent = name
            out.append((name, "", section))
    return out


def is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def main() -> None:
    with (HERE / "kpis.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS, f"columns {reader.fieldnames}"
        rows = list(reader)
    with (HERE / "themes.csv").open(encoding="utf-8", newline="") as fh:
        themes = {r["id"] for r in csv.DictReader(fh)}

    ids = [r["id"] for r in rows]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate ids {dupes}"
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        rid = r["id"]
        assert SLUG.match(rid) and len(rid) <= 48, f"bad id {rid!r}"
        for col, allowed in ALLOWED.items():
            assert r[col] in allowed, f"{rid}: {col}={r[col]!r}"
        assert r["theme"] in themes, f"{rid}: theme {r['theme']!r}"
        assert r["name"] and r["name"] == r["name"].strip(), f"{rid}: name"
        assert r["definition"].strip() and r["source"].strip(), f"{rid}: definition/source missing"
        assert re.fullmatch(r"-?\d+", r["order"]), f"{rid}: order {r['order']!r}"
        assert r["target"] == "" or is_number(r["target"]), f"{rid}: target {r['target']!r}"
        assert bool(r["target"]) == bool(r["target_source"]), f"{rid}: target vs target_source"
        assert r["tolerance"] == "" or is_number(r["tolerance"]), f"{rid}: tolerance"
        if r["parent_id"]:
            assert r["parent_id"] in by_id and r["parent_id"] != rid, f"{rid}: parent {r['parent_id']!r}"

    # scorecard: one catalogue row per seed KPI row, same names, parents, sections and order
    sc = [r for r in rows if r["scorecard"] == "scorecard"]
    seed = seed_scorecard()
    want = Counter((n, p) for n, p, _ in seed)
    got = Counter((r["name"], by_id[r["parent_id"]]["name"] if r["parent_id"] else "") for r in sc)
    assert all(n == 1 for n in want.values()), "seed has a repeated (name, parent)"
    assert got == want, f"scorecard mismatch: missing {want - got}, extra {got - want}"
    assert len(sc) == len(seed)
    for i, (r, (name, _, section)) in enumerate(zip(sorted(sc, key=lambda r: int(r["order"])), seed), 1):
        assert int(r["order"]) == i and r["name"] == name, f"order {i}: {r['name']!r} vs {name!r}"
        assert r["section"] == section, f"{r['id']}: section {r['section']!r} vs {section!r}"
        assert r["frequency"] == "month" and r["polarity_source"] == "domain" and not r["action_plan"]
        assert not r["id"].startswith("ctx-") and not re.match(r"b\d\d-", r["id"]), r["id"]
        assert r["target_source"] in ("", "scorecard Target column"), r["id"]

    # board: measures 1..49 once each, tiles 101..103
    text = " ".join(line.rstrip() for line in (SEEDS / BOARD_SEED).read_text(encoding="utf-8").split("\n") if line.strip())
    board = [r for r in rows if r["scorecard"] == "board" and not r["id"].startswith("ctx-")]
    tiles = [r for r in rows if r["scorecard"] == "board" and r["id"].startswith("ctx-")]
    orders = Counter(int(r["order"]) for r in board)
    assert sorted(orders) == list(range(1, 50)) and set(orders.values()) == {1}, f"board orders {orders}"
    for r in board:
        n = int(r["order"])
        assert r["id"].startswith(f"b{n:02d}-"), f"{r['id']}: id prefix"
        assert r["section"] in BOARD_SECTIONS - {"Contextual Data"}, f"{r['id']}: section"
        assert r["target_source"] in ("", "board report Target column"), r["id"]
        if n in TBC:
            assert r["name"] == "TBC" and r["theme"] == "health" and f"{n} TBC" in text, r["id"]
        else:
            # the full printed name follows its number and is followed by a link, value or n/a/High/Low
            pattern = re.escape(f"{n} {r['name']}") + r" (?:[-\d]|n/a|High|Low)"
            assert r["name"] != "TBC" and re.search(pattern, text), f"{r['id']}: name not as printed"
        if r["action_plan"]:
            assert r["action_plan"] in text, f"{r['id']}: action plan not in seed"
    assert sorted(r["name"] for r in tiles) == sorted(TILES), "tiles"
    assert sorted(int(r["order"]) for r in tiles) == [101, 102, 103], "tile orders"
    for r in tiles:
        assert r["section"] == "Contextual Data" and r["name"] in text, r["id"]

    print(f"OK: {len(sc)} scorecard KPIs, {len(board)} board measures, {len(tiles)} tiles, {len(rows)} rows")


if __name__ == "__main__":
    main()
