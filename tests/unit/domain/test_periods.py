"""sendlib.domain.periods: every spelling of a period the documents use → one canonical label."""

from __future__ import annotations

import datetime as dt

import pytest

from sendlib.domain.periods import (
    PeriodError,
    is_canonical,
    long_label,
    parse_period,
    previous_period,
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
