"""The How we compare builders (`sendlib.presentation.how_we_compare`) on the bundled DfE data: every authority with a published figure
is ranked and drawn, none without one; the home authority is flagged; the reference rules carry exactly
`benchmarks.compute`'s England / region / neighbour figures; the trend holds every series with its source."""

from __future__ import annotations

import pandas as pd
import pytest

from sendlib.domain.benchmarks import compute, load_mappings, neighbours_of, resolve_la
from sendlib.domain.catalogue import Catalogue
from sendlib.presentation.how_we_compare import (
    area_values,
    benchmark_trend_chart,
    describe_ranked,
    difference_words,
    headline,
    local_period_words,
    measure_choices,
    quartile_words,
    ranked,
    ranked_bar_chart,
    references,
    stack_labels,
    trend_rows,
    unpublished_words,
)
from sendlib.workflows.dfe_releases import ensure_dfe
from sendlib.workflows.stores import open_store

HOME = "839"


@pytest.fixture(scope="module")
def dfe(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    figures, groups = ensure_dfe(open_store(tmp_path_factory.mktemp("dfe") / "store"))
    return figures.read(), groups.read()


@pytest.fixture(scope="module")
def mappings(catalogue: Catalogue):
    return load_mappings(catalogue=catalogue)


@pytest.fixture(scope="module")
def bench(dfe, catalogue: Catalogue, mappings) -> pd.DataFrame:
    return compute(dfe[0], dfe[1], catalogue, mappings, la=HOME)


def _layer_data(spec: dict) -> list[list[dict]]:
    """Each layer's inline rows, from a Vega-Lite spec (Altair puts them in `datasets`)."""
    top = spec.get("data", {}).get("name")
    return [spec["datasets"][layer.get("data", {}).get("name", top)] for layer in spec["layer"]]


def test_measure_choices_include_context_measures_once(mappings) -> None:
    choices = measure_choices(mappings)
    names = [m.measure for m in choices]
    assert len(names) == len(set(names)) == len({m.measure for m in mappings})
    incl = next(m for m in choices if m.measure == "twenty-week-incl")
    assert not incl.primary and incl.priority == 1  # the 2025 release first, SEN2 MI behind it


def test_area_values_take_each_period_from_the_first_priority_dataset(dfe, mappings) -> None:
    areas = area_values(dfe[0], mappings, "twenty-week-excl")
    by_period = areas.groupby("period")["dataset"].unique()
    assert set(by_period["2014"]) == {"sen2_mi"}
    assert set(by_period["2019"]) == {"timeliness_20_week"}  # both publish 2019: the 2025 release wins
    assert all(len(d) == 1 for d in by_period)


def test_ranked_holds_every_published_authority_and_not_the_suppressed(dfe, mappings, catalogue: Catalogue) -> None:
    areas = area_values(dfe[0], mappings, "twenty-week-excl")
    period = "2014"
    las = areas[(areas["period"] == period) & (areas["geographic_level"] == "local_authority")]
    sns = neighbours_of(dfe[1], HOME, "2021")
    table, missing = ranked(areas, period, home=HOME, neighbours=sns, polarity="higher_better", kind="rate")
    assert len(missing) > 0, "2014 has suppressed authorities"
    assert set(table["old_la_code"]) == set(las.loc[las["value"].notna(), "old_la_code"])
    assert set(missing["old_la_code"]) == set(las.loc[las["value"].isna(), "old_la_code"])
    assert not (table["value"] == 0).any() or (las.loc[las["value"] == 0, "old_la_code"].isin(table["old_la_code"])).all()
    assert table["value"].is_monotonic_decreasing
    assert missing["note"].str.contains(":").all()  # symbol: reason
    words = unpublished_words(missing)
    assert str(len(missing)) in words and "not counted as zero" in words

    spec = ranked_bar_chart(table, pd.DataFrame(columns=["series", "label", "value", "shown", "note"]), title="t",
                            kind="rate", home_name="BCP", description="d").to_dict()
    bars = _layer_data(spec)[0]
    assert len(bars) == len(table)
    assert not set(missing["old_la_code"]) & {b["old_la_code"] for b in bars}


def test_home_authority_is_flagged_named_and_ranked_as_compute_ranks_it(dfe, mappings, bench) -> None:
    areas = area_values(dfe[0], mappings, "mainstream-pct")
    sns = neighbours_of(dfe[1], HOME, "2021")
    table, missing = ranked(areas, "2024-01", home=HOME, neighbours=sns, polarity="higher_better", kind="rate")
    home = table[table["role"] == "home"]
    assert home["old_la_code"].tolist() == [HOME]
    rank = bench[(bench["measure"] == "mainstream-pct") & (bench["period"] == "2024-01") & (bench["series"] == "rank")]
    assert int(home["rank"].iloc[0]) == int(rank["value"].iloc[0])
    assert home["rank_text"].iloc[0] == f"{int(rank['value'].iloc[0])} of {len(table)}"
    assert set(table.loc[table["role"] == "neighbour", "old_la_code"]) == set(sns) & set(table["old_la_code"])

    refs = references(bench, "mainstream-pct", "2024-01", region="South West", kind="rate")
    description = describe_ranked(table, refs, missing, label="Mainstream", period="2024-01",
                                  home_name="Bournemouth, Christchurch and Poole")
    spec = ranked_bar_chart(table, refs, title="t", kind="rate", home_name="Bournemouth, Christchurch and Poole",
                            description=description).to_dict()
    assert spec["description"] == description
    texts = [row.get("text", "").replace("\n", " ") for layer in _layer_data(spec) for row in layer]
    assert any(t.startswith("▼ Bournemouth, Christchurch and Poole: 37.1%") for t in texts), "named, not colour alone"
    bars = {b["old_la_code"]: b["role"] for b in _layer_data(spec)[0]}
    assert bars[HOME] == "home" and list(bars.values()).count("home") == 1


def test_reference_rules_hold_computes_england_region_and_neighbour_mean(bench) -> None:
    refs = references(bench, "mainstream-pct", "2024-01", region="South West", kind="rate")
    wanted = bench[(bench["measure"] == "mainstream-pct") & (bench["period"] == "2024-01")].set_index("series")["value"]
    got = refs.set_index("series")["value"]
    for series in ("national", "regional", "statistical_neighbours"):
        assert got[series] == pytest.approx(float(wanted[series]))
    assert refs.set_index("series")["shown"].to_dict() == {"national": "43.3%", "regional": "43.8%",
                                                          "statistical_neighbours": "41.2%"}
    spec = ranked_bar_chart(pd.DataFrame(columns=["position", "value", "role", "shown", "rank_text", "la_name",
                                                  "role_word", "source", "old_la_code"]),
                            refs, title="t", kind="rate", home_name="x", description="d").to_dict()
    rules = next(d for d in _layer_data(spec) if d and "series" in d[0] and "label_y" not in d[0])
    assert {r["label"]: r["value"] for r in rules} == {r.label: r.value for r in refs.itertuples()}


def test_trend_has_one_line_per_series_each_point_with_its_source(bench) -> None:
    rows = trend_rows(bench, "twenty-week-excl", kind="rate", region="South West", home_name="BCP")
    assert rows["period"].iloc[0] == "2014" and rows["period"].iloc[-1] == "2024"
    assert set(rows["series"]) == {"home_la", "national", "regional", "statistical_neighbours"}
    assert rows["source"].str.startswith("from DfE ").all()
    assert set(rows.loc[rows["period"] == "2014", "file_name"]) == {"sen2_mi.csv"}
    spec = benchmark_trend_chart(rows, title="t", kind="rate", description="d").to_dict()
    line = spec["layer"][0]
    assert {t["field"] for t in line["encoding"]["tooltip"]} >= {"source", "shown", "period_label"}
    assert len(set(map(str, line["encoding"]["strokeDash"]["scale"]["range"]))) == 4  # four dash patterns
    ends = _layer_data(spec)[1]
    assert sorted(e["text"].split(" ")[0] for e in ends) == ["BCP", "England", "Region", "Statistical"]


def test_headline_words_rank_and_quartile_by_polarity(bench) -> None:
    h = headline(bench, "mainstream-pct", "2024-01", kind="rate", polarity="higher_better")
    rank = bench[(bench["measure"] == "mainstream-pct") & (bench["period"] == "2024-01") & (bench["series"] == "rank")]
    assert h["rank"]["shown"].startswith(f"{int(rank['value'].iloc[0])} of ")
    assert h["quartile"]["note"] == quartile_words(int(h["quartile"]["value"]), "higher_better")
    assert h["quartile"]["shown"] == "Bottom quarter"  # 128 of 151
    assert quartile_words(1, "lower_better").startswith("top quarter (best")
    assert "best" not in quartile_words(1, "neutral")
    assert h["home_la"]["shown"] == "37.1%"


def test_stacked_labels_keep_their_distance_and_never_move_down() -> None:
    values = [43.3, 43.8, 41.2]
    placed = stack_labels(values, 2.0)
    assert all(p >= v for p, v in zip(placed, values))
    assert min(abs(a - b) for i, a in enumerate(placed) for b in placed[i + 1:]) >= 2.0 - 1e-9
    assert not any(p < v < p + 1.6 for p in placed for v in values), "no line runs through a label"
    assert stack_labels([10.0, 50.0], 2.0) == [10.0, 50.0], "labels far apart stay on their lines"


def test_local_period_in_words() -> None:
    assert local_period_words("2024-01 to 2024-12") == "sum of January to December 2024"
    assert local_period_words("2023-12") == "December 2023"


def test_difference_in_words() -> None:
    assert difference_words(1222, 1230, "count") == "ours is 8 lower than DfE's (0.7% of DfE's figure)"
    assert difference_words(46.5, 37.1, "percent") == "ours is 9.4 percentage points higher than DfE's"
    assert difference_words(5, 5, "count") == "the same as DfE's"


def test_home_resolves_for_other_authorities(dfe, catalogue: Catalogue, mappings) -> None:
    other = resolve_la(dfe[0], "Devon")
    bench = compute(dfe[0], dfe[1], catalogue, [m for m in mappings if m.measure == "mainstream-pct"], la="Devon")
    h = headline(bench, "mainstream-pct", "2024-01", kind="rate", polarity="higher_better")
    areas = area_values(dfe[0], mappings, "mainstream-pct")
    own = areas[(areas["period"] == "2024-01") & (areas["old_la_code"] == other.old_la_code)]["value"].iloc[0]
    assert h["home_la"]["value"] == pytest.approx(own)
