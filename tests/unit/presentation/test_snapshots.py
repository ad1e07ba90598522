"""Golden snapshots (syrupy) of what the app hands a reader: a trend chart's and the How we compare ranked chart's
Vega-Lite, the board report's HTML and a wide extract's CSV. A change to any of them shows as a diff to review;
when it is meant, `pytest tests/unit/presentation/test_snapshots.py --snapshot-update` records it.

Only fixed inputs go in (the bundled store, a fixed report time, a fixed DfE release), so equal code makes
equal bytes."""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.amber import AmberSnapshotExtension
from syrupy.location import PyTestLocation

from sendlib.domain.benchmarks import compute, load_mappings, neighbours_of
from sendlib.domain.catalogue import Catalogue
from sendlib.domain.commentary import COMMENTARY
from sendlib.presentation.charts import trend_chart
from sendlib.presentation.extracts import ExtractQuery, build_extract, export_bytes
from sendlib.presentation.how_we_compare import area_values, describe_ranked, ranked, ranked_bar_chart, references
from sendlib.presentation.report import build_report, report_bytes
from sendlib.workflows.dfe_releases import ensure_dfe
from sendlib.workflows.stores import open_store

TREND_KPI = "ehcps-special-independent-pct"
HOME = "839"
HOME_NAME = "Bournemouth, Christchurch and Poole"
MEASURE, PERIOD = "mainstream-pct", "2024-01"
GENERATED_AT = "2024-04-02 09:00 UTC"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> SnapshotAssertion:
    """syrupy's `snapshot` fixture, under another name: tests/conftest.py's `snapshot` (a store's file hashes)
    takes that one."""
    return SnapshotAssertion(
        update_snapshots=request.config.option.update_snapshots,
        extension_class=AmberSnapshotExtension,
        test_location=PyTestLocation(request.node),
        session=request.session.config._syrupy,  # type: ignore[attr-defined]
    )


def spec_text(spec: dict) -> str:
    """A chart spec as stable text: keys sorted, and Altair's process-wide counters (`param_3`, `view_7`) numbered
    afresh in order of appearance, so the snapshot does not depend on which charts were built before it."""
    text = json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False)
    names: dict[str, str] = {}
    return re.sub(r"\b(param|view|selector)_\d+\b", lambda m: names.setdefault(m.group(0), f"{m.group(1)}_{len(names) + 1}"), text)


def test_trend_chart_spec(golden: SnapshotAssertion, table: pd.DataFrame, catalogue: Catalogue) -> None:
    assert spec_text(trend_chart(catalogue[TREND_KPI], table).to_dict()) == golden


def test_how_we_compare_ranked_chart_spec(
    golden: SnapshotAssertion, tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue
) -> None:
    figures, groups = ensure_dfe(open_store(tmp_path_factory.mktemp("dfe") / "store"))
    dfe, dfe_groups = figures.read(), groups.read()
    mappings = load_mappings(catalogue=catalogue)
    bench = compute(dfe, dfe_groups, catalogue, mappings, la=HOME)
    areas = area_values(dfe, mappings, MEASURE)
    table, missing = ranked(areas, PERIOD, home=HOME, neighbours=neighbours_of(dfe_groups, HOME, "2021"),
                            polarity="higher_better", kind="rate")
    refs = references(bench, MEASURE, PERIOD, region="South West", kind="rate")
    description = describe_ranked(table, refs, missing, label="Mainstream", period=PERIOD, home_name=HOME_NAME)
    spec = ranked_bar_chart(table, refs, title="Mainstream", kind="rate", home_name=HOME_NAME,
                            description=description).to_dict()
    assert spec_text(spec) == golden


def test_board_report_html(golden: SnapshotAssertion, table: pd.DataFrame, catalogue: Catalogue) -> None:
    report = build_report(table, catalogue, COMMENTARY.empty(), "2024-03", version="snapshot", charts=False)
    report = dataclasses.replace(report, generated_at=GENERATED_AT)  # the one input that is the clock's
    assert report_bytes(report, "html").decode("utf-8") == golden


def test_wide_extract_csv(golden: SnapshotAssertion, table: pd.DataFrame, catalogue: Catalogue) -> None:
    ext = build_extract(table, catalogue, ExtractQuery(layout="wide"))
    assert export_bytes(ext, catalogue, "csv", version="snapshot").decode("utf-8-sig") == golden
