"""sendlib.presentation.peer_comparison on a small hand-made region: ranks, quartiles and the mean exact, the measure's
polarity respected, the home authority marked, every output labelled as local data, and an authority that has not
shared absent from the rows, the chart's data and the words."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from sendlib.domain.benchmarks import Authority, Mapping, _period_rows
from sendlib.domain.sharing import SHARING
from sendlib.presentation.peer_comparison import (
    LOCAL_LABEL,
    common_measure_figures,
    compare_peers,
    latest_month,
    quartile_of,
)

MEASURE = "twenty-week-excl"
HOME = "839"
NAMES = {"839": "Bournemouth, Christchurch and Poole", "908": "Cornwall", "878": "Devon", "879": "Plymouth",
         "838": "Torbay", "835": "Dorset"}
NOT_SHARING = "835"  # Dorset: has figures, never shared; its 99% would top every ranking and move the mean
SHARERS = ["839", "908", "878", "879", "838"]


def _sharing(codes: list[str], measure: str = MEASURE) -> pd.DataFrame:
    rows = [{"la_code": c, "common_measure": measure, "shared": True, "author": "x", "created_at": "2025-04-01"}
            for c in codes]
    rows.append({"la_code": NOT_SHARING, "common_measure": MEASURE, "shared": False, "author": "x",
                 "created_at": "2025-04-01"})
    rows.append({"la_code": NOT_SHARING, "common_measure": "ehcps", "shared": True, "author": "x",
                 "created_at": "2025-04-01"})  # sharing another measure is not sharing this one
    return SHARING.normalise(pd.DataFrame(rows))


def _figures() -> pd.DataFrame:
    rows = [
        ("839", "2025-03", 40.0), ("908", "2025-03", 60.0), ("878", "2025-03", 50.0), ("879", "2025-03", 50.0),
        ("835", "2025-03", 99.0), ("835", "2025-04", 99.0),
        ("839", "2025-02", 45.0), ("908", "2025-02", 55.0),
        ("838", "2025-01", 70.0),  # Torbay shares but is behind with its uploads
        ("908", "2025-04", 61.0),  # Cornwall's early April: one authority is not a comparison
    ]
    frame = pd.DataFrame(rows, columns=["la_code", "period", "value"]).assign(common_measure=MEASURE, series="actual")
    extra = pd.DataFrame([{"la_code": "839", "period": "2025-03", "value": 90.0, "common_measure": MEASURE,
                           "series": "target"},  # a target is not a figure
                          {"la_code": "878", "period": "2025-03", "value": 5.0, "common_measure": "appeal-rate",
                           "series": "actual"}])
    return pd.concat([frame, extra], ignore_index=True)


def _compare(polarity: str = "higher_better", **kw: Any):
    kw = {"home": HOME, "names": NAMES, "polarity": polarity, "unit": "percent",
          "label": "% EHC plans issued within 20 weeks (excl. exceptions)"} | kw
    return compare_peers(kw.pop("figures", _figures()), kw.pop("sharing", _sharing(SHARERS)), MEASURE, **kw)


def _spec_text(chart) -> str:
    return json.dumps(chart.to_dict(), ensure_ascii=False)


def test_the_latest_month_two_authorities_have_is_ranked_best_first_by_polarity() -> None:
    got = _compare()
    assert got.period == "2025-03"  # not April, which only Cornwall has
    rows = got.rows
    assert rows["la_code"].tolist() == ["908", "878", "879", "839"]  # highest first, ties by name
    assert rows["value"].tolist() == [60.0, 50.0, 50.0, 40.0]
    assert rows["rank"].tolist() == [1, 2, 2, 4]  # ties share a rank
    assert rows["rank_text"].tolist() == ["1 of 4", "2 of 4", "2 of 4", "4 of 4"]
    assert rows["quartile"].tolist() == [1, 2, 2, 4]
    assert rows["shown"].tolist() == ["60.0%", "50.0%", "50.0%", "40.0%"]
    assert got.mean == 50.0
    assert rows.loc[rows["la_code"] == HOME, "quartile_text"].iloc[0] == "bottom quarter (worst — 1 = best)"


def test_lower_is_better_reverses_the_ranks_and_quartiles() -> None:
    rows = _compare("lower_better").rows
    assert rows["la_code"].tolist() == ["908", "878", "879", "839"]  # still drawn highest first, as DfE's chart
    assert rows["rank"].tolist() == [4, 2, 2, 1]
    assert rows["quartile"].tolist() == [4, 2, 2, 1]


def test_a_neutral_measure_is_ordered_by_value_and_not_ranked() -> None:
    got = _compare("neutral")
    assert got.rows["la_code"].tolist() == ["908", "878", "879", "839"]
    assert got.rows["rank"].isna().all() and got.rows["quartile"].isna().all()
    assert set(got.rows["rank_text"]) == {"not ranked"}
    assert "Not ranked: for this measure neither higher nor lower is better." in got.description
    assert "ranked 4 of 4" not in got.description


def test_the_home_authority_is_marked_in_the_rows_and_on_the_chart() -> None:
    got = _compare()
    assert got.rows.set_index("la_code")["role"].to_dict() == {"908": "other", "878": "other", "879": "other",
                                                               "839": "home"}
    assert got.home_shares
    text = _spec_text(got.chart)
    assert "▼ Bournemouth, Christchurch and Poole: 40.0% (4 of 4)" in text.replace("\\n", " ")
    assert "Bournemouth, Christchurch and Poole: 40.0%, ranked 4 of 4, bottom quarter" in got.description


def test_an_authority_that_has_not_shared_is_in_no_output() -> None:
    got = _compare()
    assert NOT_SHARING not in set(got.rows["la_code"]) | set(got.missing["la_code"])
    assert len(got.rows) == 4 and got.mean == 50.0  # not counted, not averaged (with Dorset's 99% it would be 59.8)
    outputs = [got.description, _spec_text(got.chart), got.rows.to_json(), got.missing.to_json()]
    for text in outputs:
        assert "Dorset" not in text and '"835"' not in text and "99.0%" not in text and "59.8" not in text
    assert "99.0" not in _spec_text(got.chart)


def test_a_sharing_authority_without_a_figure_for_the_month_is_named_and_left_out() -> None:
    got = _compare()
    assert got.missing.to_dict("records") == [
        {"la_code": "838", "la_name": "Torbay", "note": "no figure for March 2025 (latest: January 2025)"}]
    assert "838" not in set(got.rows["la_code"])
    assert "Sharing but left out: Torbay — no figure for March 2025 (latest: January 2025)." in got.description


def test_every_output_says_it_is_local_unpublished_data() -> None:
    got = _compare()
    assert LOCAL_LABEL.startswith("local, unpublished data")
    assert (got.rows["data"] == LOCAL_LABEL).all()
    assert got.rows["source"].str.endswith(LOCAL_LABEL).all()
    spec = got.chart.to_dict()
    assert spec["title"]["subtitle"] == "L" + LOCAL_LABEL[1:] and LOCAL_LABEL in spec["description"]
    assert spec["title"]["text"].endswith("March 2025: monthly, among sharing authorities")
    assert LOCAL_LABEL in got.description


def test_the_chart_is_how_we_compares_ranked_chart_over_the_sharing_authorities() -> None:
    spec = _compare().chart.to_dict()
    bars = spec["layer"][0]
    data = spec["datasets"][bars["data"]["name"]]
    assert [r["la_code"] for r in data] == ["908", "878", "879", "839"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["color"]["scale"] == {"domain": ["Home authority", "Sharing authority"],
                                                  "range": ["#F46A25", "#12436D"]}
    assert bars["encoding"]["x"]["title"] == "Sharing authorities, highest to lowest (4 with a figure for March 2025)"
    assert bars["encoding"]["y"]["title"] == "Per cent"
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule" and "color" in layer["encoding"])
    mean = spec["datasets"][rule["data"]["name"]][0]
    assert (mean["label"], mean["value"], mean["shown"]) == ("Mean of the 4 sharing authorities", 50.0, "50.0%")


def test_fewer_than_two_sharing_authorities_is_no_ranking_and_says_so() -> None:
    got = _compare(sharing=_sharing(["839"]))
    assert got.rows.empty and got.chart is None and got.mean is None
    assert "only one authority has shared a figure for March 2025, so there is no ranking" in got.description
    assert "Dorset" not in got.description and "Cornwall" not in got.description
    nobody = _compare(sharing=_sharing([]))
    assert nobody.period is None and nobody.rows.empty and nobody.chart is None
    assert "no authority has shared a figure, so there is no ranking" in nobody.description
    assert "Bournemouth, Christchurch and Poole does not share this measure, so is not among them." in nobody.description
    assert "Dorset" not in nobody.description


def test_a_home_authority_that_does_not_share_is_not_in_the_comparison() -> None:
    got = _compare(sharing=_sharing(["908", "878", "879"]))
    assert not got.home_shares and HOME not in set(got.rows["la_code"])
    assert got.rows["rank"].tolist() == [1, 2, 2] and got.rows["quartile"].tolist() == [1, 2, 2]
    assert "does not share this measure, so is not among them" in got.description
    assert "▼" not in _spec_text(got.chart)


def test_a_month_may_be_chosen_and_only_the_deployments_authorities_count() -> None:
    got = _compare(period="2025-02")
    assert got.rows["la_code"].tolist() == ["908", "839"] and got.rows["rank"].tolist() == [1, 2]
    assert set(got.missing["la_code"]) == {"878", "879", "838"}
    narrowed = _compare(among={"839", "908", "878"})
    assert narrowed.rows["la_code"].tolist() == ["908", "878", "839"]


def test_two_different_figures_for_one_authority_leave_it_out_saying_why() -> None:
    figures = pd.concat([_figures(), pd.DataFrame([{"la_code": "878", "period": "2025-03", "value": 52.0,
                                                    "common_measure": MEASURE, "series": "actual"}])])
    got = _compare(figures=figures)
    assert "878" not in set(got.rows["la_code"])
    assert got.missing.set_index("la_code")["note"]["878"].startswith("more than one figure for March 2025")


def test_latest_month_prefers_a_month_two_authorities_have() -> None:
    rows = pd.DataFrame({"la_code": ["a", "b", "a"], "period": ["2025-01", "2025-01", "2025-02"], "value": [1.0] * 3})
    assert latest_month(rows) == "2025-01"
    assert latest_month(rows[rows["la_code"] == "a"]) == "2025-02"
    assert latest_month(rows.iloc[0:0]) is None


def test_figures_by_kpi_become_figures_by_common_definition() -> None:
    figures = pd.DataFrame({"la_code": ["839", "908", "908"], "kpi_id": ["b04-20-week-rate-excl-exceptions", "own-20wk",
                                                                       "own-other"],
                            "period": ["2025-03"] * 3, "series": ["actual"] * 3, "value": [40.0, 60.0, 1.0]})
    common = {"839": {"b04-20-week-rate-excl-exceptions": MEASURE}, "908": {"own-20wk": MEASURE}}
    out = common_measure_figures(figures, common)
    assert out[["la_code", "kpi_id", "common_measure"]].values.tolist() == [
        ["839", "b04-20-week-rate-excl-exceptions", MEASURE], ["908", "own-20wk", MEASURE]]


@pytest.mark.parametrize("polarity", ["higher_better", "lower_better", "neutral"])
def test_rank_and_quartile_are_the_rules_dfes_yearly_figures_use(polarity: str) -> None:
    """benchmarks computes DfE's quartile inline; this pins the monthly comparison to the same rule."""
    values = [12.0, 30.0, 30.0, 41.0, 55.0, 55.0, 60.0]
    areas = [{"geographic_level": "local_authority", "old_la_code": str(n), "region_name": "R", "value": v, "note": None,
              "num": None, "den": None, "release": "r", "file_name": "f"} for n, v in enumerate(values)]
    mapping = Mapping(measure="m", kpi_id="k", label="l", dataset="d", kind="count", note="n")
    figures = pd.DataFrame({"la_code": [str(n) for n in range(len(values))], "period": "2025-03", "value": values,
                            "common_measure": MEASURE})
    sharing = SHARING.normalise(pd.DataFrame({"la_code": figures["la_code"], "common_measure": MEASURE, "shared": True}))
    for n in range(len(values)):
        dfe = {r["series"]: r["value"] for r in _period_rows(mapping, polarity, "2025", areas,
                                                              Authority(old_la_code=str(n), la_name=str(n)), [])}
        ours = compare_peers(figures, sharing, MEASURE, home=str(n), names={}, polarity=polarity, unit="count",
                             label="l").rows.set_index("la_code")
        if polarity == "neutral":  # DfE ranks a neutral measure 1 = highest; the monthly comparison does not rank it
            assert pd.isna(ours.loc[str(n), "rank"])
            continue
        assert ours.loc[str(n), "rank"] == dfe["rank"]
        assert ours.loc[str(n), "quartile"] == dfe["quartile"] == quartile_of(int(dfe["rank"]), len(values))
