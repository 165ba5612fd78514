"""The managers' dashboard's rules (issue 16, item 5): clocks due soon and breached, the comment
periods ending this London week, and recent changes as one line per sitting."""

from datetime import UTC, date, datetime, timedelta

import pytest

from qa_app.domain.dashboard import (
    Change,
    clock_breached,
    clock_due_soon,
    comments_close_this_week,
    end_of_week,
    shared_between_for_this_week,
    sitting_span,
    week_after,
    work_lines,
)
from qa_app.domain.lifecycle import follow_up_due
from qa_app.domain.programme import published_before_is_overdue

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # a Friday, GMT
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("due", "open_", "expected"),
    [
        (NOW, True, True),  # due this instant: not yet past
        (NOW + 23.99 * H, True, True),
        (NOW + 24 * H, True, False),  # 24 hours away exactly: not within
        (NOW - timedelta(seconds=1), True, False),  # past: breached, not due soon
        (NOW + H, False, False),  # clock stopped
    ],
)
def test_due_soon_is_open_and_within_24_hours(due, open_, expected):
    assert clock_due_soon(open_, due, NOW) is expected


@pytest.mark.parametrize(
    ("due", "responded", "open_", "expected"),
    [
        (NOW - timedelta(seconds=1), None, True, True),
        (NOW, None, True, False),  # due now: not yet breached
        (NOW - H, NOW - 0.5 * H, True, False),  # answered late: the clock stopped
        (NOW - H, None, False, False),  # closed, or its notice issued
    ],
)
def test_breached_is_past_due_unanswered_and_still_open(due, responded, open_, expected):
    assert clock_breached(open_, due, responded, NOW) is expected


def test_weeks_run_monday_to_sunday_in_london():
    assert week_after(date(2026, 11, 27)) == date(2026, 11, 30)  # Friday → Monday
    assert week_after(date(2026, 11, 30)) == date(2026, 12, 7)  # Monday → next Monday
    assert week_after(date(2026, 11, 29)) == date(2026, 11, 30)  # Sunday → tomorrow
    assert end_of_week(NOW) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # GMT
    # in British Summer Time the week ends at 23:00 UTC on Sunday
    assert end_of_week(datetime(2026, 7, 1, 9, tzinfo=UTC)) == datetime(
        2026, 7, 5, 23, 0, tzinfo=UTC
    )
    # 23:30 UTC on Sunday 5 July is already Monday in London: the next week
    assert end_of_week(datetime(2026, 7, 5, 23, 30, tzinfo=UTC)) == datetime(
        2026, 7, 12, 23, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("shared_at", "status", "expected"),
    [
        (NOW - timedelta(days=14), "draft_shared", True),  # ends this instant
        (NOW - timedelta(days=14, seconds=1), "draft_shared", False),  # ended
        (datetime(2026, 11, 16, 0, 0, tzinfo=UTC) - timedelta(seconds=1), "draft_shared", True),
        (datetime(2026, 11, 16, 0, 0, tzinfo=UTC), "draft_shared", False),  # ends Monday 00:00
        (NOW - timedelta(days=13), "published", False),  # no longer shared
        (None, "draft_shared", False),
    ],
)
def test_comment_periods_ending_this_week(shared_at, status, expected):
    assert comments_close_this_week(status, shared_at, NOW) is expected
    start, end = shared_between_for_this_week(NOW)
    if status == "draft_shared" and shared_at is not None:
        assert (start <= shared_at < end) is expected  # the query's form, turned round


T0 = datetime(2026, 11, 27, 10, 2, tzinfo=UTC)


def _saves(who: str, assessment: int, minutes: list[float], items: list[str]):
    return [
        Change(T0 + timedelta(minutes=m), f"{who}-{item}", (who, assessment), item)
        for m, item in zip(minutes, items, strict=True)
    ]


def _newest_first(changes):
    return sorted(changes, key=lambda c: c.at, reverse=True)


def test_a_sitting_of_autosaves_is_one_line():
    changes = _saves("sam", 1, [0, 5, 10, 38], ["Q1", "Q2", "Q1", "Q3"])
    [line] = work_lines(_newest_first(changes), limit=8)
    assert (line.first, line.last) == (T0, T0 + timedelta(minutes=38))
    assert (len(line.items), line.saves, line.event) == (3, 4, "sam-Q3")


def test_a_pause_longer_than_the_gap_starts_another_sitting():
    changes = _saves("sam", 1, [0, 10], ["Q1", "Q2"]) + _saves("sam", 1, [41], ["Q3"])
    lines = work_lines(_newest_first(changes), limit=8)
    assert [len(line.items) for line in lines] == [1, 2]


def test_others_work_in_between_does_not_split_a_sitting():
    sam = _saves("sam", 1, [0, 10, 20], ["Q1", "Q2", "Q3"])
    jo = _saves("jo", 2, [5, 15], ["Q9", "Q8"])
    alone = [Change(T0 + timedelta(minutes=12), "notice issued")]
    lines = work_lines(_newest_first(sam + jo + alone), limit=8)
    assert [(line.event, len(line.items)) for line in lines] == [
        ("sam-Q3", 3),
        ("jo-Q8", 2),
        ("notice issued", 0),
    ]


def test_at_most_limit_lines_and_older_saves_do_not_join_a_later_line():
    older = _saves("sam", 1, [0], ["Q1"])
    between = [Change(T0 + timedelta(minutes=m), f"event {m}") for m in (2, 3)]
    newer = _saves("sam", 1, [4], ["Q2"])
    lines = work_lines(_newest_first(older + between + newer), limit=3)
    assert [line.event for line in lines] == ["sam-Q2", "event 3", "event 2"]
    assert len(lines[0].items) == 2  # within the gap: the same sitting, shown once
    lines = work_lines(_newest_first(older + between + newer), limit=2)
    assert [line.event for line in lines] == ["sam-Q2", "event 3"]


def test_a_sitting_reaching_the_oldest_change_read_is_partial():
    changes = _newest_first(_saves("sam", 1, [0, 5], ["Q1", "Q2"]))
    [line] = work_lines(changes, limit=8, read_back_to=T0)
    assert line.partial
    [line] = work_lines(changes, limit=8, read_back_to=T0 - timedelta(minutes=31))
    assert not line.partial


def test_sittings_read_in_london_time():
    assert sitting_span(T0, T0 + timedelta(minutes=38)) == "27 November 2026, 10:02am to 10:40am"
    assert sitting_span(T0, T0) == "27 November 2026, 10:02am"
    summer = datetime(2026, 7, 1, 11, 30, tzinfo=UTC)
    assert sitting_span(summer, summer + H) == "1 July 2026, 12:30pm to 1:30pm"
    late = datetime(2026, 7, 1, 22, 50, tzinfo=UTC)  # 23:50 BST, to 00:20 the next day
    assert sitting_span(late, late + 0.5 * H) == "1 July 2026, 11:50pm to 2 July 2026, 12:20am"


def test_overdue_follow_ups_by_publication_date_match_each_due_date():
    """Every day of four years, against every publication date that could matter: overdue
    exactly when published before the day given (month ends, leap years included)."""
    day = date(2026, 1, 1)
    while day < date(2030, 1, 1):
        for months in (6, 12):
            before = published_before_is_overdue(day, months)
            for offset in range(-40, 40):
                published = before + timedelta(days=offset)
                due = follow_up_due(published, months)
                assert (due < day) is (published < before), (day, months, published)
        day += timedelta(days=1)
