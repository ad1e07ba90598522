"""sendlib.domain.values: every value form in the two documents, the refusals, and properties over any input."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sendlib.domain.values import CellError, ParsedValue, format_value, parse_value

UNITS = ["count", "percent", "days", "score"]


# --- numbers with trend arrows (scorecard: `7143 ▶`, `7359 ▲`, `7162 ▼`, `3 ►`) -------------------


@pytest.mark.parametrize(
    ("raw", "unit", "value", "arrow"),
    [
        ("7143 ▶", "count", 7143, "flat"),
        ("7359 ▲", "count", 7359, "up"),
        ("7162 ▼", "count", 7162, "down"),
        ("3 ►", "count", 3, "flat"),
        ("7143▶", "count", 7143, "flat"),
        ("70% ▼", "percent", 70, "down"),
        ("49.2% ▼", "percent", 49.2, "down"),
        ("38.3% ►", "percent", 38.3, "flat"),
        ("0.60% ►", "percent", 0.6, "flat"),
    ],
)
def test_value_with_trailing_arrow(raw, unit, value, arrow):
    parsed = parse_value(raw, unit)
    assert parsed.value == pytest.approx(value)
    assert parsed.arrow == arrow
    assert parsed.note is None


@pytest.mark.parametrize(("raw", "arrow"), [("▲", "up"), ("▼", "down"), ("▶", "flat"), ("►", "flat"), ("  ▲ ", "up")])
def test_arrow_alone_is_a_note_not_a_value(raw, arrow):
    # Scorecard, Tier 3 row, Dec 23 and Feb 24: an arrow with no figure.
    parsed = parse_value(raw, "count")
    assert parsed.value is None
    assert parsed.arrow == arrow
    assert parsed.note
    assert not parsed.is_empty


# --- percentages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [("71%", 71), ("100.0%", 100), ("0.0%", 0), ("49.2%", 49.2), ("17.5", 17.5), ("100", 100), ("0", 0), ("0.04%", 0.04)],
)
def test_percentages_with_and_without_sign(raw, value):
    parsed = parse_value(raw, "percent")
    assert parsed.value == pytest.approx(value)
    assert parsed.count is None
    assert "fraction" not in parsed.flags


@pytest.mark.parametrize(
    ("raw", "value", "count"),
    [
        ("14.3% (10)", 14.3, 10),
        ("15.12%(24)", 15.12, 24),
        ("11.84 (27)", 11.84, 27),
        ("0% (0)", 0, 0),
        ("17%(67)", 17, 67),
        ("14.3% (10) ▲", 14.3, 10),
        ("16.6% (7)", 16.6, 7),
    ],
)
def test_percentage_with_count_in_brackets(raw, value, count):
    parsed = parse_value(raw, "percent")
    assert parsed.value == pytest.approx(value)
    assert parsed.count == count
    assert isinstance(parsed.count, int)


def test_fraction_among_percentages_is_read_as_percent_and_said_so():
    # Scorecard, `% of 2 Year Olds Claiming 2 Year Old EEF Funding EXPANDED`, Apr 24: `0.316`.
    parsed = parse_value("0.316", "percent")
    assert parsed.value == pytest.approx(31.6)
    assert "fraction" in parsed.flags
    assert parsed.note and "0.316" in parsed.note


def test_fraction_rule_does_not_touch_a_fraction_with_a_percent_sign():
    parsed = parse_value("0.5%", "percent")
    assert parsed.value == pytest.approx(0.5)
    assert parsed.flags == ()


# --- durations, decimals, scores, thousands ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "days"),
    [("38 weeks 4 days", 270), ("36 weeks 4 days", 256), ("20 weeks", 140), ("1 week", 7), ("3 days", 3), ("45", 45)],
)
def test_durations_in_days(raw, days):
    # Board report measure 5: `38 weeks 4 days`, `36 weeks 4 days`, target `20 weeks`.
    assert parse_value(raw, "days").value == days


@pytest.mark.parametrize(("raw", "value"), [("-1.17", -1.17), ("0", 0), ("-0.4", -0.4), ("0.02", 0.02), ("17.5", 17.5), ("−0.48", -0.48)])
def test_decimals_and_signed_scores(raw, value):
    # Board report measures 40-42 (Progress 8) and 27 (QA audit score).
    assert parse_value(raw, "score").value == pytest.approx(value)


@pytest.mark.parametrize(("raw", "value"), [("1,234", 1234), ("8,317", 8317), ("1,234,567", 1234567), (" 42 ", 42)])
def test_thousands_separators(raw, value):
    assert parse_value(raw, "count").value == value


@pytest.mark.parametrize(("raw", "unit", "value"), [(8317, "count", 8317), (31.6, "percent", 31.6), (-1.17, "score", -1.17)])
def test_numbers_from_spreadsheet_cells(raw, unit, value):
    assert parse_value(raw, unit).value == pytest.approx(value)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", float("nan")])
@pytest.mark.parametrize("unit", UNITS)
def test_blanks_are_empty(raw, unit):
    parsed = parse_value(raw, unit)
    assert parsed == ParsedValue()
    assert parsed.is_empty


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        ("requested", "requested"),
        ("Requested", "requested"),
        ("n/a", "n/a"),
        ("N/A", "n/a"),
        ("TBC", "TBC"),
        ("KPI changed-see below", "KPI changed-see below"),
        ("High", "High"),
    ],
)
@pytest.mark.parametrize("unit", UNITS)
def test_placeholders_are_notes_never_numbers(raw, note, unit):
    parsed = parse_value(raw, unit)
    assert parsed.value is None
    assert parsed.count is None
    assert parsed.note == note


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "unit", "problem"),
    [
        ("lots", "count", "text"),
        ("about seven", "percent", "text"),
        ("12 apples", "count", "cannot read"),
        ("146.6%", "percent", "over 100"),
        ("101", "percent", "over 100"),
        ("-3", "count", "negative"),
        ("-5%", "percent", "negative"),
        ("2.5", "count", "whole number"),
        ("15%", "count", "percentage"),
        ("15% (3)", "count", "percentage"),
        ("5% (2.5)", "percent", "whole number"),
        ("-4 days", "days", "duration"),
        (True, "count", "true/false"),
        (float("inf"), "score", "finite"),
    ],
)
def test_refusals_name_the_problem(raw, unit, problem):
    with pytest.raises(CellError) as info:
        parse_value(raw, unit)
    assert problem in info.value.problem
    assert info.value.raw == str(raw)


def test_cell_error_at_names_file_row_column_and_raw():
    with pytest.raises(CellError) as info:
        parse_value("lots ▲", "count")
    located = info.value.at(row=17, column="Apr 24", file="send_scorecard.csv")
    assert (located.file, located.row, located.column, located.raw) == ("send_scorecard.csv", 17, "Apr 24", "lots ▲")
    text = str(located)
    for part in ("send_scorecard.csv", "row 17", "Apr 24", "lots ▲", located.problem):
        assert part in text
    # The original is untouched (frozen), and a second `at` keeps what it is not given.
    assert info.value.row is None
    assert located.at(column="May 24").row == 17


def test_cell_error_is_a_value_error_and_reads_alone():
    error = CellError("x", "text where a count belongs")
    assert isinstance(error, ValueError)
    assert str(error) == "value 'x': text where a count belongs"


def test_huge_count_in_brackets_is_a_cell_error():
    # `_to_float` turns 400 nines into inf, then `int(inf)` raises OverflowError, not CellError.
    with pytest.raises(CellError):
        parse_value("5% (" + "9" * 400 + ")", "percent")


def test_huge_integer_cell_is_a_cell_error():
    # `float(10**400)` raises OverflowError before the finiteness check.
    with pytest.raises(CellError):
        parse_value(10**400, "count")


def test_duration_too_long_to_hold_is_refused():
    # Numbers are refused when not finite; a duration of 10**400 weeks is returned as inf instead.
    with pytest.raises(CellError):
        parse_value("9" * 400 + " weeks", "days")


# --- properties ----------------------------------------------------------------------------------

ANY_INPUT = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.,%()-+−▲▼▶► weksday/naTBCrq\u00a0"),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(raw=ANY_INPUT, unit=st.sampled_from(UNITS))
@example(raw="5% (" + "9" * 400 + ")", unit="percent")
@example(raw=10**400, unit="count")
def test_parse_value_returns_parsed_value_or_raises_cell_error(raw, unit):
    try:
        parsed = parse_value(raw, unit)
    except CellError as exc:
        assert exc.problem
        return
    assert isinstance(parsed, ParsedValue)
    if parsed.value is not None:
        assert math.isfinite(parsed.value)
    if parsed.count is not None:
        assert isinstance(parsed.count, int) and parsed.count >= 0


@settings(max_examples=200, deadline=None)
@given(tenths=st.integers(min_value=0, max_value=1000))
def test_round_trip_percent(tenths):
    value = tenths / 10
    assert parse_value(format_value(value, "percent"), "percent").value == value


@settings(max_examples=200, deadline=None)
@given(value=st.floats(min_value=0, max_value=100, allow_nan=False))
def test_round_trip_percent_to_one_decimal_place(value):
    shown = format_value(value, "percent")
    back = parse_value(shown, "percent").value
    assert abs(back - value) <= 0.05 + 1e-9
    assert format_value(back, "percent") == shown


@settings(max_examples=200, deadline=None)
@given(value=st.integers(min_value=0, max_value=10**12))
def test_round_trip_count(value):
    assert parse_value(format_value(float(value), "count"), "count").value == value


@settings(max_examples=200, deadline=None)
@given(days=st.integers(min_value=0, max_value=100_000))
def test_round_trip_days(days):
    shown = format_value(float(days), "days")
    assert parse_value(shown, "days").value == days


def test_format_value_as_the_documents_print():
    assert format_value(270, "days") == "38 weeks 4 days"
    assert format_value(140, "days") == "20 weeks"
    assert format_value(49.2, "percent") == "49.2%"
    assert format_value(8317, "count") == "8,317"
    assert format_value(-1.17, "score") == "-1.17"
    assert format_value(None, "count") == ""
