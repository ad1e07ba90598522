"""sendlib.domain.periods: every spelling of a period the documents use → one canonical label."""

from __future__ import annotations

import datetime as dt

import pytest

from sendlib.domain.periods import (
    PeriodError,
    heading_basis,
    is_canonical,
    long_label,
    parse_period,
    previous_period,
    read_heading,
    shift_month,
    short_label,
    sort_key,
)


@pytest.mark.parametrize(
    ("raw", "label", "kind"),
    [
        # Scorecard headings (`Dec 23` … `Jan 25`), with other separators managers type.
        ("Feb 25", "2025-02", "month"),
        ("Feb-25", "2025-02", "month"),
        ("feb 25", "2025-02", "month"),
        ("February 2025", "2025-02", "month"),
        ("Sept 24", "2024-09", "month"),
        ("2025-02", "2025-02", "month"),
        ("2025-2", "2025-02", "month"),
        ("2025-02-01", "2025-02", "month"),
        ("2025-02-01 00:00:00", "2025-02", "month"),
        (dt.datetime(2025, 2, 14, 9, 30), "2025-02", "month"),
        (dt.date(2024, 3, 31), "2024-03", "month"),
        # Board report: `Latest (Mar-24) Previous (Feb-24)`.
        ("Mar-24", "2024-03", "month"),
        # Half-termly and termly columns, either way round.
        ("Spring 1 2023/24", "2023/24 Spring 1", "half-term"),
        ("2023/24 Spring 1", "2023/24 Spring 1", "half-term"),
        ("Autumn 2 2023/24", "2023/24 Autumn 2", "half-term"),
        ("spring 1 2023/2024", "2023/24 Spring 1", "half-term"),
        ("Autumn 2023/24", "2023/24 Autumn", "term"),
        ("Summer 2022/23", "2022/23 Summer", "term"),
        ("2023/24 Autumn", "2023/24 Autumn", "term"),
        # Years.
        ("2023/24", "2023/24", "academic-year"),
        ("2023/2024", "2023/24", "academic-year"),
        ("2024", "2024", "calendar-year"),
        (" 2024 ", "2024", "calendar-year"),
    ],
)
def test_parse_period_gives_canonical_label(raw, label, kind):
    period = parse_period(raw)
    assert period.label == label
    assert period.kind == kind
    assert str(period) == label


def test_academic_year_with_a_hyphen_is_read():
    # The academic-year pattern accepts `-` as well as `/` (`2023-24` is how many managers write it),
    # but `2023-24` is first taken for an ISO month "24" and refused.
    assert parse_period("2023-24").label == "2023/24"


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        ("2025-01", dt.date(2025, 1, 1)),
        ("2023/24 Spring 1", dt.date(2024, 1, 1)),
        ("2023/24 Autumn 2", dt.date(2023, 11, 1)),
        ("2023/24 Autumn", dt.date(2023, 9, 1)),
        ("2022/23 Summer", dt.date(2023, 4, 1)),
        ("2023/24", dt.date(2023, 9, 1)),
        ("2024", dt.date(2024, 1, 1)),
    ],
)
def test_period_start_dates(raw, start):
    assert parse_period(raw).start == start


@pytest.mark.parametrize(
    "raw",
    ["2025-13", "2025-00", "Foo 24", "2023/25", "2023/22", "", "   ", None, "Spring 1", "Autumn", "1850", "Q1 2024", "Mar 24 24"],
)
def test_parse_period_refuses(raw):
    with pytest.raises(PeriodError):
        parse_period(raw)


def test_period_error_message_names_the_problem():
    with pytest.raises(PeriodError, match="13"):
        parse_period("2025-13")
    with pytest.raises(PeriodError, match="Foo"):
        parse_period("Foo 24")


@pytest.mark.parametrize("label", ["2025-01", "2023/24 Spring 1", "2023/24 Autumn", "2023/24", "2024"])
def test_canonical_labels_are_canonical(label):
    assert is_canonical(label)


@pytest.mark.parametrize("label", ["Jan 25", "Spring 1 2023/24", "2023/2024", "nonsense", ""])
def test_other_spellings_are_not_canonical(label):
    assert not is_canonical(label)


def test_sort_key_orders_across_kinds_with_blanks_last():
    # Start dates: 2023 (Jan 23), 2022/23 Summer (Apr 23), 2023/24 Autumn 2 (Nov 23), 2023-12,
    # 2023/24 Spring 1 (Jan 24), 2024-03; an undated target ("") last.
    expected = ["2023", "2022/23 Summer", "2023/24 Autumn 2", "2023-12", "2023/24 Spring 1", "2024-03", ""]
    shuffled = ["", "2024-03", "2023/24 Spring 1", "2023", "2023-12", "2022/23 Summer", "2023/24 Autumn 2"]
    assert sorted(shuffled, key=sort_key) == expected


def test_sort_key_months_across_a_year_end():
    assert sorted(["2025-01", "2024-12", "2024-02"], key=sort_key) == ["2024-02", "2024-12", "2025-01"]


@pytest.mark.parametrize("blank", [None, "", float("nan")])
def test_sort_key_blank_sorts_after_any_period(blank):
    assert sort_key(blank) > sort_key("2200-12")


@pytest.mark.parametrize(
    ("label", "short", "long"),
    [
        ("2025-02", "Feb 25", "February 2025"),
        ("2023-12", "Dec 23", "December 2023"),
        ("2023/24 Spring 1", "2023/24 Spring 1", "2023/24 Spring 1"),
        ("2024", "2024", "2024"),
        ("not a period", "not a period", "not a period"),
    ],
)
def test_short_and_long_labels(label, short, long):
    assert short_label(label) == short
    assert long_label(label) == long


@pytest.mark.parametrize(
    ("label", "months", "expected"),
    [
        ("2024-12", 1, "2025-01"),
        ("2025-01", -1, "2024-12"),
        ("2025-01", -12, "2024-01"),
        ("2024-03", 0, "2024-03"),
        ("2024-03", -27, "2021-12"),
        ("2023-11", 14, "2025-01"),
    ],
)
def test_shift_month_across_years(label, months, expected):
    assert shift_month(label, months) == expected


def test_shift_month_refuses_a_non_month():
    with pytest.raises(PeriodError):
        shift_month("2023/24", 1)


@pytest.mark.parametrize(("label", "before"), [
    ("2024-03", "2024-02"), ("2024-01", "2023-12"), ("2024", "2023"), ("2023/24", "2022/23"),
    ("2023/24 Spring 1", "2023/24 Autumn 2"), ("2023/24 Autumn 1", "2022/23 Summer 2"),
    ("2023/24 Autumn", "2022/23 Summer"), ("2023/24 Summer", "2023/24 Spring"),
])
def test_previous_period_in_its_own_kind(label: str, before: str) -> None:
    assert previous_period(label) == before


# --- financial-year quarters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["2024/25 Q1", "Q1 2024/25", "q1 2024/25", "Q1 2024-25", "Q1 24/25", "2024-25 Q1", "Q1 2024/2025", "FY2024/25 Q1",
     "Quarter 1 2024/25", "Apr-Jun 24", "Apr - Jun 2024", "apr-jun 24", "April to June 2024", "Apr 24 - Jun 24",
     "Apr–Jun 24"],
)
def test_a_financial_quarter_in_any_spelling_is_one_label(raw):
    period = parse_period(raw)
    assert (period.label, period.kind) == ("2024/25 Q1", "quarter")
    assert (period.start, period.end) == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))


@pytest.mark.parametrize(
    ("raw", "label", "start", "end"),
    [
        ("Jul-Sep 24", "2024/25 Q2", dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
        ("Oct-Dec 24", "2024/25 Q3", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("Jan-Mar 25", "2024/25 Q4", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),  # Q4 is the next calendar year's
        ("Q4 2024/25", "2024/25 Q4", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("2023/24 Q3", "2023/24 Q3", dt.date(2023, 10, 1), dt.date(2023, 12, 31)),
    ],
)
def test_each_quarter_covers_its_three_months(raw, label, start, end):
    period = parse_period(raw)
    assert (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("Q1 2024", "financial year"),  # a calendar quarter or a financial one: not guessed
        ("2024 Q1", "financial year"),
        ("Q1", "financial year"),
        ("Q1 2024/26", "consecutive"),
        ("Q5 2024/25", "not a period"),
        ("Feb-Apr 24", "not a quarter"),
        ("Apr-May 24", "not a quarter"),
        ("Apr 23 - Jun 24", "one calendar year"),
        ("Foo-Jun 24", "not a range of months"),
    ],
)
def test_what_is_not_a_quarter_is_refused_saying_why(raw, words):
    with pytest.raises(PeriodError, match=words):
        parse_period(raw)


def test_quarter_labels_are_canonical_and_sort_among_months():
    assert is_canonical("2024/25 Q1") and not is_canonical("Q1 2024/25")
    shuffled = ["2025-01", "2024/25 Q4", "2024/25 Q1", "2024-03", "2023/24 Q4"]
    assert sorted(shuffled, key=sort_key) == ["2023/24 Q4", "2024-03", "2024/25 Q1", "2025-01", "2024/25 Q4"]


@pytest.mark.parametrize(
    ("label", "short", "long"),
    [
        ("2024/25 Q1", "Q1 24/25", "Q1 2024/25 (April to June 2024)"),
        ("2024/25 Q4", "Q4 24/25", "Q4 2024/25 (January to March 2025)"),
        ("2099/00 Q3", "Q3 99/00", "Q3 2099/00 (October to December 2099)"),
    ],
)
def test_quarter_short_and_long_labels(label, short, long):
    assert (short_label(label), long_label(label)) == (short, long)
    assert parse_period(short).label == label  # a chart's label reads back as the period


@pytest.mark.parametrize(("label", "before"), [
    ("2024/25 Q2", "2024/25 Q1"), ("2024/25 Q4", "2024/25 Q3"), ("2024/25 Q1", "2023/24 Q4"),
])
def test_previous_quarter(label, before):
    assert previous_period(label) == before


# --- rolling 12 months and year to date, as column headings --------------------------------------


@pytest.mark.parametrize(
    ("raw", "basis"),
    [
        ("Rolling 12 months to Mar-24", "rolling-12-months"),
        ("rolling 12 months ending March 2024", "rolling-12-months"),
        ("R12M Mar 24", "rolling-12-months"),
        ("12 months to Mar 2024", "rolling-12-months"),
        ("Mar 24 (R12M)", "rolling-12-months"),
        ("YTD Mar-24", "year-to-date"),
        ("Year to date Mar 24", "year-to-date"),
        ("ytd mar 2024", "year-to-date"),
        ("Mar-24 YTD", "year-to-date"),
    ],
)
def test_a_rolling_or_to_date_heading_is_its_month_with_its_basis(raw, basis):
    period, said = read_heading(raw)
    assert (period.label, said) == ("2024-03", basis)
    assert heading_basis(raw) == basis


@pytest.mark.parametrize("raw", ["Mar-24", "2024/25 Q1", dt.datetime(2024, 3, 1), "2023/24"])
def test_a_plain_period_heading_has_no_basis(raw):
    assert read_heading(raw) == (parse_period(raw), None)
    assert heading_basis(raw) is None


@pytest.mark.parametrize("raw", ["YTD", "YTD 2024/25", "Rolling 12 months to Foo 24", "Mar-24 actual", "Actual Mar 24"])
def test_headings_that_are_not_a_month_are_refused(raw):
    with pytest.raises(PeriodError):
        read_heading(raw)


def test_parse_period_itself_does_not_read_rolling_headings():
    # The store holds the month: a heading's basis is said once, by read_heading, never kept in a period label.
    with pytest.raises(PeriodError):
        parse_period("YTD Mar-24")
