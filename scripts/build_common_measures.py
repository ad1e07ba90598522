"""Rebuild data/catalogue/common_measures.csv: the measures several authorities share.

    python scripts/build_common_measures.py [LAIT_DICTIONARY]

Two sources, in this order: every DfE measure in data/catalogue/dfe_benchmarks.csv (so a measure mapped to one
gets DfE benchmarks at once), then the SEND measures of DfE's LAIT data dictionary — by default
../shared/dfe/reference/lait_data_dictionary.csv beside the repo (Open Government Licence v3.0). Run by hand when
either changes; the app reads only the committed CSV, never ../shared.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "data" / "catalogue"
OUT = CATALOGUE / "common_measures.csv"
DEFAULT_LAIT = ROOT.parent / "shared" / "dfe" / "reference" / "lait_data_dictionary.csv"
COLUMNS = ["id", "name", "unit", "polarity", "source", "dfe_measure", "lait_code", "definition", "synonyms"]

KIND_UNIT = {"count": "count", "rate": "percent"}
LAIT_POLARITY = {"High": "higher_better", "Low": "lower_better"}

# Board tiles that re-use a DfE measure under another KPI: the same definition, so one common row.
SAME_DFE_MEASURE = {"ctx-ehcps": "ehcps", "ctx-requests": "requests"}

# LAIT rows that are the same thing as a DfE-benchmarks measure, checked by hand against DfE's data guidance.
LAIT_SAME_AS = {
    "SEN_CASES_JAN": "ehcps",
    "SEN_INIT_REQ": "requests",
    "SEN_EHC_Excpt_20wks": "twenty-week-excl",
    "SEN_EHC_All_20wks": "twenty-week-incl",
    "SEN_PLAN_ISSUED": "assessments-plan-issued-pct",
    "SEN_PEC_AN_REVIEW_MEET_REC": "annual-reviews-held",
    "SEN_PEC_OUTCOME_COM_4WKS": "annual-review-decisions-4-weeks",
    "SEN_AppealableDec": "appeal-rate",
}

# The DfE labels say what is counted; these say it as a sentence, and the other ways scorecards print it.
DFE_TEXT: dict[str, tuple[str, list[str]]] = {
    "ehcps": ("The number of EHC plans the authority maintains at the January school census.",
              ["Number of EHC plans", "Number of EHCPs", "EHC plans maintained", "EHCP caseload"]),
    "mainstream-pct": ("Of the EHC plans at the January census, the percentage whose placement is a mainstream school.",
                       ["% of EHCPs in mainstream", "EHC plans in mainstream schools"]),
    "special-independent-pct": (
        "Of the EHC plans at the January census, the percentage placed in independent or non-maintained special schools.",
        ["% of EHCPs in Special: Independent & Non-Maintained", "EHC plans in INMSS"]),
    "post16-specialist-pct": (
        "Of the EHC plans at the January census, the percentage placed in specialist post-16 institutions.",
        ["% of EHCPs in post 16 specialist", "EHC plans in specialist post-16 institutions"]),
    "eotas-pct": (
        "Of the EHC plans at the January census, the percentage educated through other arrangements made by the "
        "authority (education otherwise than at school).",
        ["% of EHCPs in EOTAS", "EHC plans educated otherwise than at school"]),
    "ehe-pct": ("Of the EHC plans at the January census, the percentage whose holder is electively home educated.",
                ["% of EHCPs electively home educated", "EHC plans in elective home education"]),
    "neet-pct": (
        "Of all EHC plans at the January census, the percentage whose holder is not in education, employment or "
        "training (a share of all plans, not of 16-25 year olds).",
        ["% of EHCPs NEET", "EHC plans not in education, employment or training"]),
    "requests": ("The number of requests for an EHC needs assessment received in the calendar year.",
                 ["Number of requests for an EHC needs assessment", "EHCNA requests received",
                  "Requests for EHC assessment", "Initial requests for an EHC plan"]),
    "assessments-agreed": (
        "The number of requests for an EHC needs assessment where the authority decided to assess, in the calendar year.",
        ["Number of EHC needs assessments agreed", "EHCNA requests agreed to assess", "Decisions to assess"]),
    "six-week-decisions": (
        "Of the decisions on requests for an EHC needs assessment, the percentage made within 6 weeks of the request.",
        ["% of EHCNA decisions made within 6 weeks", "EHCNA requests decided within 6 weeks"]),
    "proceed-to-assessment": (
        "Of the requests for an EHC needs assessment, the percentage where the authority decided to assess.",
        ["% of EHCNA requests proceeding to assessment", "Requests agreed for assessment"]),
    "plans-issued": ("The number of new EHC plans issued in the calendar year, including exceptions.",
                     ["Number of new EHC plans issued", "Number of new EHCPs issued"]),
    "twenty-week-excl": (
        "Of the new EHC plans issued in the calendar year, excluding exception cases, the percentage issued within "
        "20 weeks of the request.",
        ["% of new EHC plans issued within 20 weeks excluding exceptions", "20-week timeliness excluding exceptions"]),
    "twenty-week-incl": (
        "Of all new EHC plans issued in the calendar year, exception cases included, the percentage issued within "
        "20 weeks of the request.",
        ["% of new EHC plans issued within 20 weeks including exceptions", "20-week timeliness including exceptions"]),
    "over-52-weeks-excl": (
        "Of the new EHC plans issued in the calendar year, excluding exception cases, the percentage issued more "
        "than 52 weeks after the request.",
        ["% of new EHC plans issued after more than 52 weeks excluding exceptions",
         "New EHC plans issued late (over 52 weeks)"]),
    "annual-reviews-held": (
        "Of the annual reviews of EHC plans expected in the year, the percentage with a review meeting recorded.",
        ["% of annual reviews held", "Annual review meetings recorded"]),
    "annual-review-decisions-4-weeks": (
        "Of the annual review outcomes, the percentage communicated within 4 weeks of the review meeting.",
        ["% of annual review decisions within 4 weeks", "Annual review outcomes communicated within 4 weeks"]),
    "personal-budgets": ("The number of EHC plans with a personal budget in place at the January census.",
                         ["Number of personal budgets", "EHC plans with a personal budget"]),
    "mediation-followed-by-appeal": (
        "Of the mediation cases in the calendar year, the percentage followed by an appeal to the SEND tribunal.",
        ["% of mediations followed by a tribunal appeal", "Mediation cases followed by appeals"]),
    "appeals-registered": ("The number of appeals against the authority registered with the SEND tribunal in the "
                           "calendar year.",
                           ["Number of SEND tribunal appeals", "Tribunal appeals registered"]),
    "appeal-rate": (
        "Appeals registered with the SEND tribunal as a percentage of the authority's appealable decisions.",
        ["SEND tribunal appeal rate", "% of appealable decisions appealed to the SEND tribunal"]),
    "assessments-plan-issued-pct": (
        "Of the EHC needs assessments completed in the calendar year, the percentage where a plan was issued.",
        ["% of EHC needs assessments resulting in a plan"]),
    "assessments-within-time-pct": (
        "Of the EHC needs assessment outcomes in the calendar year (a plan issued or a decision not to issue), "
        "the percentage made within the statutory time.",
        ["% of EHC needs assessment outcomes within statutory timescales"]),
}

SEND_NAME = re.compile(r"\bSEND?\b|\bEHC|[Ss]pecial [Ee]ducational|^Special\b")
PERIOD_NOTE = re.compile(r"\s*\((?:calendar year|January census)\)$")
CHART_UNIT = re.compile(r"\s*\((?:%|num)\)\s*$")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _joined(names: list[str], exclude: str) -> str:
    seen: list[str] = []
    for name in names:
        name = _tidy(name)
        if name and name.lower() != exclude.lower() and name.lower() not in {s.lower() for s in seen}:
            seen.append(name)
    return ";".join(seen)


def dfe_rows() -> dict[str, dict[str, str]]:
    """One row per DfE measure, in dfe_benchmarks.csv's order; polarity is that of the bundled KPI it benchmarks."""
    kpis = {k["id"]: k for k in _read(CATALOGUE / "kpis.csv")}
    rows: dict[str, dict[str, str]] = {}
    for mapping in _read(CATALOGUE / "dfe_benchmarks.csv"):
        measure = mapping["measure"]
        if measure in rows or measure in SAME_DFE_MEASURE:
            continue
        definition, synonyms = DFE_TEXT[measure]
        label = mapping["label"]
        rows[measure] = {
            "id": measure, "name": label, "unit": KIND_UNIT[mapping["kind"]],
            "polarity": kpis[mapping["kpi_id"]]["polarity"], "source": "dfe-benchmarks", "dfe_measure": measure,
            "lait_code": "", "definition": definition, "synonyms": _joined([PERIOD_NOTE.sub("", label), *synonyms], label),
        }
    return rows


def _lait_unit(row: dict[str, str]) -> str:
    axis, title = row["y_axis_name"].lower(), row["Chart_title"]
    if "%" in axis or "percent" in axis or title.rstrip().endswith("(%)"):
        return "percent"
    if "week" in axis:
        return "weeks"
    if "day" in axis:
        return "days"
    if "score" in axis or "cost" in axis:
        return "score"
    return "count"


def _is_send(row: dict[str, str]) -> bool:
    return row["Topic"] == "Children with SEN" or bool(SEND_NAME.search(row["Measure"]))


def _first_sentence(text: str) -> str:
    text = _tidy(text)
    match = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return match.group(1) if match else text


def _lait_definition(row: dict[str, str], shared: Counter[str]) -> str:
    """The dictionary's own first sentence where it is about this measure alone; a group's shared preamble
    (every KS2 progress score opens the same way) says nothing about which one, so the chart title stands in."""
    sentence = _first_sentence(row["Description"])
    if sentence and shared[sentence] == 1 and len(sentence) <= 200:
        return sentence if sentence.endswith((".", "!", "?")) else f"{sentence}."
    return f"{CHART_UNIT.sub('', _tidy(row['Chart_title']))}, as DfE's LAIT publishes it ({row['Topic']})."


def add_lait(rows: dict[str, dict[str, str]], lait: list[dict[str, str]]) -> None:
    """LAIT's SEND measures: merged into the DfE row they duplicate, otherwise a row of their own."""
    send = [r for r in lait if _is_send(r)]
    shared = Counter(_first_sentence(r["Description"]) for r in send)
    seen: set[str] = set()
    for row in send:
        code = row["Measure_short"].strip()
        if code in seen:
            continue
        seen.add(code)
        name = _tidy(row["Measure"])
        titles = [name, CHART_UNIT.sub("", row["Chart_title"])]
        if code in LAIT_SAME_AS:
            target = rows[LAIT_SAME_AS[code]]
            target["lait_code"] = code
            target["synonyms"] = _joined([*target["synonyms"].split(";"), *titles], target["name"])
            continue
        measure_id = f"lait-{_slug(code)}"
        if measure_id in rows:
            raise SystemExit(f"{code}: id {measure_id} is taken")
        rows[measure_id] = {
            "id": measure_id, "name": name, "unit": _lait_unit(row),
            "polarity": LAIT_POLARITY.get(row["Polarity"].strip(), "neutral"), "source": "lait", "dfe_measure": "",
            "lait_code": code, "definition": _lait_definition(row, shared), "synonyms": _joined(titles, name),
        }
    missing = set(LAIT_SAME_AS) - seen
    if missing:
        raise SystemExit(f"LAIT codes to merge not found: {sorted(missing)}")


def main(lait_path: Path) -> None:
    rows = dfe_rows()
    add_lait(rows, _read(lait_path))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows.values())
    sources = Counter(r["source"] for r in rows.values())
    merged = sum(1 for r in rows.values() if r["source"] == "dfe-benchmarks" and r["lait_code"])
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} measures ({dict(sources)}; {merged} DfE rows with a LAIT code)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LAIT)
