"""sendlib.presentation.charts: valid Vega-Lite with every reference line named, and a text alternative."""

from __future__ import annotations

import pandas as pd
import pytest

from sendlib.presentation.charts import small_multiples, sparkline, trend_chart

KPI_ID = "ehcps-special-independent-pct"


def _colour_domains(spec: dict) -> list[list[str]]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            colour = node.get("color")
            if isinstance(colour, dict) and isinstance(colour.get("scale"), dict) and "domain" in colour["scale"]:
                found.append(colour["scale"]["domain"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def _marks(spec: dict) -> list[str]:
    marks = []
    for layer in spec.get("layer", []):
        mark = layer.get("mark")
        marks.append(mark["type"] if isinstance(mark, dict) else mark)
    return marks


@pytest.fixture(scope="module")
def spec(table, catalogue) -> dict:
    return trend_chart(catalogue[KPI_ID], table).to_dict()  # to_dict() validates against the schema


def test_trend_chart_is_vega_lite(spec):
    assert "vega-lite" in spec["$schema"]
    assert "line" in _marks(spec)
    assert "rule" in _marks(spec)


def test_trend_chart_names_actual_target_and_at_most_two_benchmarks_with_their_figures(spec):
    """Target, England and neighbours, each named with its figure in the legend; the region is left to the table."""
    domains = _colour_domains(spec)
    assert domains
    for domain in domains:
        assert domain == ["Actual", "Target 5.0%", "England 5.2%", "Statistical neighbours 5.7%"]


def test_trend_chart_draws_the_actual_line_from_the_data(spec):
    # Scorecard seed: 14 months, Dec 23 `11.1% ▶` to Jan 25 `11.5% ▲`.
    line_data = [d for d in spec["datasets"].values() if d and "date" in d[0]]
    assert len(line_data) == 1
    values = [round(r["value"], 1) for r in line_data[0]]
    assert len(values) == 14
    assert values[0] == 11.1 and values[-1] == 11.5


def test_trend_chart_description_names_first_and_last_values(spec):
    text = spec["description"]
    for part in ("Dec 23", "11.1%", "Jan 25", "11.5%", "Target", "5.0%", "England", "5.2%", "Region", "6.2%"):
        assert part in text


def test_trend_chart_without_references(table, catalogue):
    spec = trend_chart(catalogue["complaints"], table).to_dict()
    assert _colour_domains(spec)[0] == ["Actual"]
    assert "Target" not in spec["description"]


def test_trend_chart_for_a_kpi_with_no_data(table, catalogue):
    spec = trend_chart(catalogue["case-audits-good-outstanding-pct"], table).to_dict()
    assert "no values" in spec["description"]


def test_trend_chart_target_argument_draws_a_target(table, catalogue):
    spec = trend_chart(catalogue["complaints"], table, target=10).to_dict()
    assert _colour_domains(spec)[0] == ["Actual", "Target 10"]
    assert "Target: 10" in spec["description"]


def test_small_multiples_build(table, catalogue):
    kpis = catalogue.for_theme("tribunals")
    spec = small_multiples(kpis, table).to_dict()
    assert len(spec["concat"]) == 8
    # The scorecard's 8 mediation / tribunal / compliments / complaints rows all have values.
    assert len(kpis) == 8
    assert "for 8 KPIs" in spec["description"]


def test_small_multiples_with_no_data_build(catalogue):
    empty = pd.DataFrame(columns=["scorecard", "kpi_id", "period", "series", "value", "count", "note"])
    spec = small_multiples([catalogue["complaints"]], empty).to_dict()
    assert "0 KPIs" in spec["description"]


def test_sparkline_builds(summary_spark):
    spec = sparkline(summary_spark).to_dict()
    assert spec["mark"]["type"] == "line"
    data = next(iter(spec["datasets"].values()))
    assert [r["value"] for r in data] == summary_spark


@pytest.fixture
def summary_spark() -> list[float]:
    # Scorecard `No. of complaints`, Dec 23 - Jan 25.
    return [13.0, 5.0, 8.0, 16.0, 15.0, 18.0, 17.0, 16.0, 6.0, 12.0, 24.0, 17.0, 12.0, 13.0]


# --- DfE's published benchmarks on the trend chart ------------------------------------------------------------


@pytest.fixture(scope="module")
def dfe_rows(built_store, catalogue):
    from sendlib.workflows.dfe_releases import benchmarks_for_store

    return benchmarks_for_store(built_store, catalogue, la="839", sn_set="2021")


def _dfe_data(chart_dict: dict) -> list[dict]:
    datasets = chart_dict.get("datasets", {})
    return [row for rows in datasets.values() for row in rows if "(DfE" in str(row.get("label", ""))]


def test_dfe_benchmarks_overlapping_the_local_months_are_drawn_and_named(table, catalogue, dfe_rows):
    kpi = catalogue["ehcps-mainstream-pct"]
    mine = dfe_rows[(dfe_rows["kpi_id"] == kpi.id) & dfe_rows["primary"]]
    chart = trend_chart(kpi, table[table["kpi_id"] == kpi.id], dfe=mine).to_dict()
    drawn = _dfe_data(chart)
    periods = {(r["key"], r["label"].split("(DfE ")[1].split(")")[0]) for r in drawn}
    assert ("national", "Jan 24") in periods and ("statistical_neighbours", "Jan 25") in periods
    assert not any("Jan 19" in p for _, p in periods), "a census before the local series is not drawn"
    assert "regional" not in {k for k, _ in periods}, "the region is left to the table: three lines at most"
    jan24 = mine[(mine["period"] == "2024-01") & (mine["series"] == "national")]["value"].iloc[0]
    assert any(r["key"] == "national" and r["value"] == jan24 for r in drawn)
    assert all(r["source"].startswith("from DfE") for r in drawn)
    assert "Published by DfE: England (DfE Jan 24) 43.3%" in chart["description"]
    legend = chart["layer"][0]["encoding"]["color"]["scale"]["domain"]
    latest = {r["label"] for r in drawn if "Jan 25" in r["label"]}
    assert legend[0] == "Actual" and latest <= set(legend)
    assert not any(n.startswith(("England ", "Statistical neighbours ")) and "DfE" not in n for n in legend), \
        "the document's own England / neighbours lines give way to DfE's where DfE covers the span"


def test_a_dfe_year_is_clipped_to_a_short_series(table, catalogue, dfe_rows):
    """The board's two months (Feb and Mar 24) with DfE's 2024 figure: drawn over those two months only, so the
    x axis is the series' own and the two points are not squashed to one side."""
    kpi = catalogue["b01-6-week-decisions"]
    mine = dfe_rows[(dfe_rows["kpi_id"] == kpi.id) & dfe_rows["primary"]]
    chart = trend_chart(kpi, table[table["kpi_id"] == kpi.id], dfe=mine).to_dict()
    line = next(d for d in chart["datasets"].values() if d and "y" in d[0])
    first, last = min(r["date"] for r in line), max(r["date"] for r in line)
    drawn = _dfe_data(chart)
    assert drawn
    assert all(first <= r["start"] <= r["end"] <= last for r in drawn)


def test_a_days_measure_is_drawn_in_weeks(table, catalogue):
    kpi = catalogue["b05-average-time-to-issue-excl-exceptions"]
    chart = trend_chart(kpi, table[table["kpi_id"] == kpi.id]).to_dict()
    assert chart["layer"][0]["encoding"]["y"]["title"] == "Weeks"
    target = next(d for d in chart["datasets"].values() if d and d[0].get("key") == "target")[0]
    assert target["value"] == 20 and target["shown"] == "20 weeks"


def test_no_dfe_figure_no_dfe_layer(table, catalogue, dfe_rows):
    kpi = catalogue["complaints"]
    chart = trend_chart(kpi, table[table["kpi_id"] == kpi.id], dfe=dfe_rows[dfe_rows["kpi_id"] == kpi.id]).to_dict()
    assert not _dfe_data(chart) and "DfE" not in chart["description"]


def test_a_suppressed_dfe_figure_is_not_drawn_as_zero(table, catalogue, dfe_rows):
    kpi = catalogue["ehcps-mainstream-pct"]
    mine = dfe_rows[(dfe_rows["kpi_id"] == kpi.id) & dfe_rows["primary"]].copy()
    hidden = (mine["period"] == "2025-01") & (mine["series"] == "national")
    mine.loc[hidden, "value"] = pd.NA
    drawn = _dfe_data(trend_chart(kpi, table[table["kpi_id"] == kpi.id], dfe=mine).to_dict())
    assert not any(r["key"] == "national" and "Jan 25" in r["label"] for r in drawn)
    assert all(r["value"] != 0 for r in drawn)


def _empty_layers(chart: dict) -> list[int]:
    """Layers that would draw no mark: Vega gives an empty mark group role graphics-symbol and no name (axe-core's
    svg-img-alt, serious)."""
    datasets = chart.get("datasets", {})
    empty = []
    for i, layer in enumerate(chart.get("layer", [])):
        rows = datasets.get(layer.get("data", {}).get("name"), [None])
        if not rows or any("filter" in t for t in layer.get("transform", [])):
            empty.append(i)
    return empty


def test_no_trend_chart_has_a_layer_that_draws_nothing(table, catalogue, dfe_rows):
    """Every KPI with data, with its DfE benchmarks (census months only, calendar years only, or both): each layer
    has rows of its own, rather than a filter that may leave none."""
    charted = 0
    for kpi_id in sorted(set(table.loc[table["value"].notna(), "kpi_id"])):
        kpi = catalogue[kpi_id]
        mine = dfe_rows[(dfe_rows["kpi_id"] == kpi_id) & dfe_rows["primary"]]
        chart = trend_chart(kpi, table[table["kpi_id"] == kpi_id], dfe=mine).to_dict()
        assert _empty_layers(chart) == [], kpi_id
        charted += 1
    assert charted > 100
