"""London calendar months for the QuAD report (SPEC section 8): their UTC edges in GMT and BST,
neighbours, the default month, and months refused with a reason."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.domain.months import (
    Month,
    MonthRefused,
    day_as_at,
    last_full_month,
    month_of,
    parse_month,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_october_2026_starts_in_summer_time_and_ends_in_winter_time():
    october = Month(2026, 10)
    assert october.start == utc(2026, 9, 30, 23, 0)  # midnight BST
    assert october.end == utc(2026, 11, 1, 0, 0)  # midnight GMT
    assert october.end - october.start == timedelta(days=31, hours=1)  # the hour gained back
    assert Month(2026, 11).start == october.end


def test_march_2026_is_an_hour_short():
    march = Month(2026, 3)
    assert march.start == utc(2026, 3, 1, 0, 0)  # GMT
    assert march.end == utc(2026, 3, 31, 23, 0)  # midnight BST on 1 April
    assert march.end - march.start == timedelta(days=31, hours=-1)


def test_a_winter_month_is_utc_midnight_to_midnight():
    january = Month(2027, 1)
    assert (january.start, january.end) == (utc(2027, 1, 1), utc(2027, 2, 1))


def test_december_and_january_cross_the_year():
    december = Month(2026, 12)
    assert december.next() == Month(2027, 1)
    assert Month(2027, 1).previous() == december
    assert december.end == utc(2027, 1, 1)
    assert (december.first_day, december.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    assert Month(2028, 2).last_day == date(2028, 2, 29)  # a leap year


def test_previous_and_year_earlier():
    october = Month(2026, 10)
    assert october.previous() == Month(2026, 9)
    assert october.year_earlier() == Month(2025, 10)
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert october.last_n(3) == [Month(2026, 8), Month(2026, 9), october]
    assert Month(2026, 2).last_n(3) == [Month(2025, 12), Month(2026, 1), Month(2026, 2)]


def test_every_instant_falls_in_exactly_one_month_at_the_edges():
    october, november = Month(2026, 10), Month(2026, 11)
    last_october_instant = october.end - timedelta(microseconds=1)
    assert october.contains(last_october_instant) and not november.contains(last_october_instant)
    assert november.contains(october.end) and not october.contains(october.end)
    assert october.contains(october.start)
    assert not october.contains(october.start - timedelta(microseconds=1))
    # 30 September 23:30 UTC is already 1 October in London
    assert month_of(utc(2026, 9, 30, 23, 30)) == october
    assert month_of(utc(2026, 10, 31, 23, 30)) == october  # GMT again: still 31 October
    assert month_of(utc(2026, 11, 1, 0, 0)) == november


def test_the_default_is_the_last_full_month():
    assert last_full_month(NOW) == Month(2026, 10)
    assert last_full_month(utc(2027, 1, 1, 0, 0)) == Month(2026, 12)
    # just before midnight BST on 1 October it is still September in London
    assert last_full_month(utc(2026, 9, 30, 22, 59)) == Month(2026, 8)
    assert last_full_month(utc(2026, 9, 30, 23, 0)) == Month(2026, 9)


def test_labels_and_text():
    assert Month(2026, 10).label == "October 2026"
    assert str(Month(2026, 3)) == "2026-03"
    assert parse_month(" 2026-10 ", NOW) == Month(2026, 10)
    assert parse_month("2026-11", NOW) == Month(2026, 11)  # the month under way may be asked for


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give the month as YYYY-MM, for example 2026-10"),
        ("October", "Give the month as YYYY-MM"),
        ("2026-1", "Give the month as YYYY-MM"),
        ("2026-10-01", "Give the month as YYYY-MM"),
        ("2026-13", "There is no month 13: months run from 01 to 12"),
        ("2026-00", "There is no month 00"),
        ("1999-12", "Choose a month from January 2000 onwards"),
        ("0000-01", "Choose a month from January 2000 onwards"),
        ("2026-12", "December 2026 has not started yet"),
        ("\uff19\uff19\uff19\uff19-01", "Give the month as YYYY-MM"),  # fullwidth digits
        ("9999-01", "January 9999 has not started yet"),
    ],
)
def test_months_that_cannot_be_reported_on_say_why(text, message):
    with pytest.raises(MonthRefused) as refused:
        parse_month(text, NOW)
    assert message in str(refused.value)


def test_the_day_that_applies_at_a_months_end_is_its_last_day():
    assert day_as_at(Month(2026, 10).end) == date(2026, 10, 31)
    assert day_as_at(Month(2026, 3).end) == date(2026, 3, 31)  # ends at 23:00 UTC on the 31st
    assert day_as_at(utc(2026, 11, 24, 9, 0)) == date(2026, 11, 24)


@given(st.integers(min_value=2000 * 12, max_value=2100 * 12))
def test_months_tile_time(index):
    month = Month(index // 12, index % 12 + 1)
    assert month.next().start == month.end
    assert month_of(month.start) == month
    assert month_of(month.end - timedelta(microseconds=1)) == month
    assert month.start.astimezone(UTC).minute == 0
    hours = (month.end - month.start) / timedelta(hours=1)
    assert hours in {days * 24 + shift for days in (28, 29, 30, 31) for shift in (-1, 0, 1)}
