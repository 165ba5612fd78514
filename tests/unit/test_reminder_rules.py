"""The pure reminder rules (domain/reminders.py): London calendar days, the comment period's
end, and event keys."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from qa_app.domain.reminders import (
    DAYS_BEFORE,
    closes_soon,
    days_until,
    due_soon,
    event_key,
    window,
)

TODAY = date(2026, 11, 30)


def test_due_soon_is_from_today_to_three_days_ahead():
    assert DAYS_BEFORE == 3
    assert [due_soon(TODAY + timedelta(days=n), TODAY) for n in (-1, 0, 1, 3, 4)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert due_soon(None, TODAY) is False
    assert window(TODAY) == (TODAY, date(2026, 12, 3))
    assert days_until(date(2027, 3, 1), date(2027, 2, 26)) == 3  # not a leap year


def test_a_comment_period_closes_soon_on_london_days_and_not_once_ended():
    deadline = datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
    # 23:30 UTC on 24 October is 00:30 BST on the 25th: 3 London days before the 28th
    assert closes_soon(deadline, datetime(2026, 10, 24, 23, 30, tzinfo=UTC))
    assert not closes_soon(deadline, datetime(2026, 10, 24, 22, 59, tzinfo=UTC))
    assert closes_soon(deadline, deadline)
    assert not closes_soon(deadline, deadline + timedelta(seconds=1))
    assert not closes_soon(None, deadline)
    # a deadline just after London midnight is on the next day (BST)
    late = datetime(2026, 7, 3, 23, 30, tzinfo=UTC)  # 00:30 BST on 4 July
    assert not closes_soon(late, datetime(2026, 6, 30, 12, 0, tzinfo=UTC))
    assert closes_soon(late, datetime(2026, 7, 1, 0, 0, tzinfo=UTC))


def test_event_keys_name_the_kind_the_record_and_the_due_date_in_utc():
    assert event_key("plan_due_soon", 7, date(2026, 12, 3)) == "reminder:plan_due_soon:7:2026-12-03"
    bst = timezone(timedelta(hours=1))
    assert (
        event_key("concern_due_soon", 9, datetime(2026, 10, 24, 10, 0, tzinfo=bst))
        == "reminder:concern_due_soon:9:2026-10-24T09:00+00:00"
    )
    with pytest.raises(ValueError):
        event_key("concern_due_soon", 9, datetime(2026, 10, 24, 10, 0))
