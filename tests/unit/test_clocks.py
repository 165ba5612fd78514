"""Response clocks, worked by hand: Fridays, weekends, clock changes, Christmas, Easter."""

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest

from qa_app.domain.clocks import LONDON, ClockSettings, clock_state, response_due

BANK_HOLIDAYS = frozenset(holidays.UK(subdiv="ENG", years=range(2025, 2030)).keys())
ELAPSED = ClockSettings(mode="elapsed", bank_holidays=BANK_HOLIDAYS)
WORKING = ClockSettings(mode="working_days", bank_holidays=BANK_HOLIDAYS)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def due_local(received, risk, settings):
    return response_due(received, risk, settings).astimezone(LONDON).replace(tzinfo=None)


# ---------------------------------------------------------------- a high concern on a Friday afternoon


def test_friday_4pm_high_elapsed_is_saturday_4pm():
    assert due_local(london(2026, 11, 20, 16, 0), "high", ELAPSED) == datetime(2026, 11, 21, 16, 0)


def test_friday_4pm_high_working_days_is_monday_4pm():
    assert due_local(london(2026, 11, 20, 16, 0), "high", WORKING) == datetime(2026, 11, 23, 16, 0)


def test_friday_4pm_medium_working_days_is_wednesday_4pm():
    assert due_local(london(2026, 11, 20, 16, 0), "medium", WORKING) == datetime(
        2026, 11, 25, 16, 0
    )


def test_medium_and_low_elapsed_are_72_hours():
    received = london(2026, 11, 20, 16, 0)
    assert response_due(received, "low", ELAPSED) - received == timedelta(hours=72)


# ---------------------------------------------------------------- outside working hours


def test_received_on_a_saturday_counts_from_monday_9am():
    assert due_local(london(2026, 11, 21, 10, 30), "high", WORKING) == datetime(2026, 11, 24, 9, 0)
    assert due_local(london(2026, 11, 21, 10, 30), "medium", WORKING) == datetime(
        2026, 11, 26, 9, 0
    )
    # elapsed hours ignore weekends
    assert due_local(london(2026, 11, 21, 10, 30), "high", ELAPSED) == datetime(
        2026, 11, 22, 10, 30
    )


def test_received_after_5pm_counts_from_the_next_morning():
    assert due_local(london(2026, 11, 18, 17, 0), "high", WORKING) == datetime(2026, 11, 20, 9, 0)
    assert due_local(london(2026, 11, 18, 16, 59), "high", WORKING) == datetime(
        2026, 11, 19, 16, 59
    )


def test_received_before_9am_counts_from_9am_the_same_day():
    assert due_local(london(2026, 11, 18, 7, 15), "high", WORKING) == datetime(2026, 11, 19, 9, 0)


def test_working_hours_are_a_setting():
    early = ClockSettings(
        mode="working_days",
        day_starts=time(8, 0),
        day_ends=time(18, 0),
        bank_holidays=BANK_HOLIDAYS,
    )
    assert due_local(london(2026, 11, 18, 17, 30), "high", early) == datetime(2026, 11, 19, 17, 30)


# ---------------------------------------------------------------- clock changes


def test_across_the_last_sunday_of_march_elapsed_is_real_hours():
    # 28 March 2026 12:00 GMT; the clocks go forward at 01:00 on 29 March
    received = london(2026, 3, 28, 12, 0)
    due = response_due(received, "high", ELAPSED)
    assert due - received == timedelta(hours=24)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 3, 29, 13, 0)  # 13:00 BST


def test_across_the_last_sunday_of_october_elapsed_is_real_hours():
    # 24 October 2026 12:00 BST; the clocks go back at 02:00 on 25 October
    received = london(2026, 10, 24, 12, 0)
    due = response_due(received, "high", ELAPSED)
    assert due - received == timedelta(hours=24)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 10, 25, 11, 0)  # 11:00 GMT


def test_working_days_keep_the_local_time_across_a_clock_change():
    # Friday 27 March 2026 10:00 GMT, medium: Mon 30, Tue 31 March, Wed 1 April at 10:00 BST
    due = response_due(london(2026, 3, 27, 10, 0), "medium", WORKING)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 4, 1, 10, 0)
    assert due == datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------- bank holidays


def test_christmas_and_boxing_day_at_a_weekend_use_the_substitute_days():
    # 2027: Christmas Saturday, Boxing Day Sunday; substitutes Monday 27 and Tuesday 28
    assert due_local(london(2027, 12, 24, 10, 0), "high", WORKING) == datetime(2027, 12, 29, 10, 0)
    assert due_local(london(2027, 12, 24, 10, 0), "medium", WORKING) == datetime(
        2027, 12, 31, 10, 0
    )


def test_new_year_on_a_saturday_moves_to_monday():
    # 1 January 2028 is a Saturday: Monday 3 January is the bank holiday
    assert due_local(london(2027, 12, 31, 10, 0), "high", WORKING) == datetime(2028, 1, 4, 10, 0)


def test_good_friday_and_easter_monday():
    # Thursday 2 April 2026: Good Friday 3rd, weekend, Easter Monday 6th → Tuesday 7th
    assert due_local(london(2026, 4, 2, 11, 0), "high", WORKING) == datetime(2026, 4, 7, 11, 0)
    # received on Good Friday itself: counts from Tuesday 9:00, due Wednesday 9:00
    assert due_local(london(2026, 4, 3, 11, 0), "high", WORKING) == datetime(2026, 4, 8, 9, 0)


def test_the_holidays_come_from_the_maintained_list():
    assert date(2027, 12, 27) in BANK_HOLIDAYS and date(2027, 12, 28) in BANK_HOLIDAYS
    assert date(2028, 1, 3) in BANK_HOLIDAYS  # New Year (observed)
    assert date(2026, 4, 3) in BANK_HOLIDAYS and date(2026, 4, 6) in BANK_HOLIDAYS


# ---------------------------------------------------------------- settings and state


def test_hours_are_settings():
    twelve = ClockSettings(mode="elapsed", high_hours=12)
    received = london(2026, 11, 20, 16, 0)
    assert response_due(received, "high", twelve) - received == timedelta(hours=12)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="risk level"):
        response_due(london(2026, 11, 20, 16, 0), "urgent", ELAPSED)
    with pytest.raises(ValueError, match="timezone-aware"):
        response_due(datetime(2026, 11, 20, 16, 0), "high", ELAPSED)


def test_clock_state_text():
    due = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert clock_state(due, due - timedelta(hours=3, minutes=20)) == {
        "state": "running",
        "text": "Due in 3 h 20 min",
    }
    assert clock_state(due, due + timedelta(hours=2)) == {
        "state": "overdue",
        "text": "Overdue by 2 h",
    }
    assert clock_state(due, due + timedelta(days=2, hours=1)) == {
        "state": "overdue",
        "text": "Overdue by 2 days 1 h",
    }
    assert clock_state(due, due, stopped_at=due)["state"] == "met"
    assert clock_state(due, due, stopped_at=due + timedelta(minutes=5)) == {
        "state": "breached",
        "text": "Responded 5 min late",
    }


def test_a_clock_stopped_by_escalation_says_so():
    due = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    late = clock_state(due, due, stopped_at=due + timedelta(hours=6), how="Escalated")
    assert late == {"state": "breached", "text": "Escalated 6 h late"}
    early = clock_state(due, due, stopped_at=due - timedelta(hours=1), how="Escalated")
    assert early == {"state": "met", "text": "Escalated in time"}


def test_times_the_spring_clock_change_skips_never_happened():
    from qa_app.domain.clocks import LONDON, skipped_by_clock_change

    assert skipped_by_clock_change(datetime(2026, 3, 29, 1, 30, tzinfo=LONDON))
    assert not skipped_by_clock_change(datetime(2026, 3, 29, 0, 59, tzinfo=LONDON))
    assert not skipped_by_clock_change(datetime(2026, 3, 29, 2, 0, tzinfo=LONDON))
    # the October hour happens twice, but it does happen
    assert not skipped_by_clock_change(datetime(2026, 10, 25, 1, 30, tzinfo=LONDON))
