"""The visit programme's rules (issue 20): when the next assessment is due, overdue, and the
order of priority, with worked examples."""

from datetime import date, timedelta

import pytest

from qa_app.domain.programme import (
    Intervals,
    IntervalsRefused,
    Placement,
    PriorityInputs,
    add_months,
    is_overdue,
    next_assessment_due,
    parse_intervals,
    priority,
    published_before_is_overdue,
    spread,
    working_days,
)

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("published", "rating", "due"),
    [
        # below Good: 6 months; the month's last day when the month is shorter
        (date(2026, 8, 31), "Requires improvement", date(2027, 2, 28)),
        (date(2027, 8, 31), "Poor", date(2028, 2, 29)),  # 2028 is a leap year
        (date(2026, 3, 15), "Poor", date(2026, 9, 15)),
        (date(2026, 12, 31), "Requires improvement", date(2027, 6, 30)),
        # Good or better: the regular interval (12 months)
        (date(2026, 8, 31), "Good", date(2027, 8, 31)),
        (date(2028, 2, 29), "Excellent", date(2029, 2, 28)),  # 29 February + 12 months
        (date(2026, 1, 1), "Good", date(2027, 1, 1)),
    ],
)
def test_next_assessment_due(published, rating, due):
    assert next_assessment_due(published, rating, 12, TODAY) == due


def test_never_assessed_is_due_now_and_not_overdue():
    assert next_assessment_due(None, None, 12, TODAY) == TODAY
    assert not is_overdue(TODAY, TODAY, under_way=False)


def test_a_service_moving_from_below_good_to_good():
    # Rated Requires improvement in March: the follow-up is due in September.
    assert next_assessment_due(date(2026, 3, 10), "Requires improvement", 12, TODAY) == date(
        2026, 9, 10
    )
    # The follow-up, published 20 September, rates it Good: the next is a year later.
    assert next_assessment_due(date(2026, 9, 20), "Good", 12, TODAY) == date(2027, 9, 20)
    # ... or the service type's own interval.
    assert next_assessment_due(date(2026, 9, 20), "Good", 18, TODAY) == date(2028, 3, 20)


def test_overdue_only_past_the_date_and_with_nothing_under_way():
    due = date(2026, 11, 27)
    assert is_overdue(due, TODAY, under_way=False)
    assert not is_overdue(due, TODAY, under_way=True)
    assert not is_overdue(TODAY, TODAY, under_way=False)


def test_add_months_backwards_and_forwards():
    assert add_months(date(2026, 5, 31), -3) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


@pytest.mark.parametrize("months", [6, 9, 12, 18])
def test_published_before_agrees_with_the_due_date_every_day(months):
    """The count's date comparison gives what working out each due date gives."""
    for today in (date(2026, 2, 28), date(2028, 2, 29), date(2026, 8, 31), date(2026, 3, 1)):
        cutoff = published_before_is_overdue(today, months)
        for offset in range(-80, 80):
            published = cutoff + timedelta(days=offset)
            overdue = add_months(published, months) < today
            assert overdue == (published < cutoff), (today, months, published)


def test_intervals_setting():
    assert parse_intervals("") == Intervals(12, None)
    assert parse_intervals("9") == Intervals(9, None)
    intervals = parse_intervals("12, care_home=9", frozenset({"care_home", "home_support"}))
    assert intervals.months_for("care_home") == 9
    assert intervals.months_for("home_support") == 12
    assert intervals.all_months() == {9, 12}
    for bad, message in [
        ("twelve", "not a whole number"),
        ("0", "between 1 and 60"),
        ("care_home=61", "between 1 and 60"),
        ("castle=6", "not a service type"),
    ]:
        with pytest.raises(IntervalsRefused, match=message):
            parse_intervals(bad, frozenset({"care_home"}))


def _p(service_id, **facts):
    return PriorityInputs(service_id=service_id, due=facts.pop("due", TODAY), **facts)


def test_priority_order_and_reasons():
    services = [
        _p(1, risk="green", published_on=date(2025, 11, 1)),
        _p(2, risk="amber", published_on=date(2026, 5, 1)),
        _p(3, risk="red", published_on=date(2026, 5, 1)),
        _p(4, risk="green", cqc_rating="Requires improvement", published_on=date(2026, 5, 1)),
        _p(5, risk="green", published_on=None),
        _p(6, risk="green", published_on=date(2025, 11, 1), open_concerns=2),
        _p(7, risk="green", published_on=date(2025, 11, 1), overdue_plan=True),
        _p(8, risk="green", published_on=date(2026, 5, 1), due=date(2026, 11, 1), overdue=True),
        _p(9, risk="green", published_on=date(2025, 11, 1)),  # as 1: the lower id first
    ]
    ordered = sorted(services, key=lambda s: priority(s, TODAY).key)
    assert [s.service_id for s in ordered] == [8, 3, 2, 4, 5, 6, 7, 1, 9]
    assert priority(services[7], TODAY).reasons == (
        "overdue since 1 November 2026",
        "last assessed 6 months ago",
    )
    assert priority(services[2], TODAY).reasons == ("risk red", "last assessed 6 months ago")
    assert priority(services[3], TODAY).reasons == (
        "CQC rating Requires improvement",
        "last assessed 6 months ago",
    )
    assert priority(services[4], TODAY).reasons == ("never assessed",)
    assert priority(services[5], TODAY).reasons == (
        "last assessed 12 months ago",
        "2 open concerns",
    )
    assert priority(services[6], TODAY).reasons[-1] == "improvement plan overdue"
    # the same inputs always give the same order
    assert sorted(reversed(services), key=lambda s: priority(s, TODAY).key) == ordered


def test_spread_within_capacity_evenly_over_the_month():
    days = working_days(date(2027, 1, 1), date(2027, 1, 31))
    assert len(days) == 21 and days[0] == date(2027, 1, 1) and date(2027, 1, 2) not in days
    placed = spread([10, 11, 12, 13, 14, 15], {1: 2, 2: 3}, days)
    # the most room first (2 has 3, then 2 and 1 have 2 each: the first of equals, ...)
    assert [p.officer_id for p in placed] == [2, 1, 2, 1, 2, None]
    assert placed[-1].visit_date is None
    # each officer's visits spread over the month, within it
    two = [p.visit_date for p in placed if p.officer_id == 2]
    assert two == [days[0], days[7], days[14]]
    assert spread([1], {}, days) == [Placement(1, None, None)]
    assert spread([1, 2], {5: 0}, days)[0].officer_id is None
