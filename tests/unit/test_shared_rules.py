"""The shared rules, each defined once in the domain (issue 14), with worked edge examples:
when a plan and an action are overdue, which published assessment is a service's latest, and
which concerns are open against their service. Their query forms (services/rules.py) are
checked against these in tests/integration/test_one_rule_everywhere.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from qa_app.domain import concerns, lifecycle, plans
from qa_app.domain.clocks import london_date

TODAY = date(2026, 11, 24)
YESTERDAY = date(2026, 11, 23)
TOMORROW = date(2026, 11, 25)

# ---------------------------------------------------------------- overdue plans


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        ("awaiting_submission", YESTERDAY, True),  # due yesterday, not sent: overdue today
        ("awaiting_submission", TODAY, False),  # due today: on time until the day ends
        ("awaiting_submission", TOMORROW, False),
        ("returned", YESTERDAY, True),  # returned to the provider: with them again
        ("returned", TODAY, False),
        ("submitted", YESTERDAY, False),  # with the council: the provider is not late
        ("accepted", date(2026, 1, 1), False),
        ("completed", date(2026, 1, 1), False),
    ],
)
def test_a_plan_is_overdue_from_the_day_after_its_due_date_while_with_the_provider(
    status, due, overdue
):
    assert plans.plan_overdue(status, due, TODAY) is overdue


# ---------------------------------------------------------------- overdue actions


@pytest.mark.parametrize(
    ("status", "target", "overdue"),
    [
        ("open", YESTERDAY, True),
        ("in_progress", YESTERDAY, True),
        ("open", TODAY, False),  # the target date itself is still on time
        ("in_progress", TODAY, False),
        ("open", TOMORROW, False),
        ("completed", YESTERDAY, False),  # done by the provider: not overdue, even unverified
        ("verified", date(2026, 1, 1), False),
        ("open", None, False),  # no target date: nothing to be late for
    ],
)
def test_an_action_is_overdue_from_the_day_after_its_target_until_completed(
    status, target, overdue
):
    assert plans.action_overdue(status, target, TODAY) is overdue


def test_the_outstanding_action_statuses_are_the_ones_that_can_fall_overdue():
    for status in plans.ACTION_STATUSES:
        assert plans.action_overdue(status, YESTERDAY, TODAY) is (
            status in plans.ACTION_OUTSTANDING
        )


# ---------------------------------------------------------------- today is a London date


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # British Summer Time: 23:30 UTC is 00:30 the next day in London
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 6, 30, 22, 59, tzinfo=UTC), date(2026, 6, 30)),
        (datetime(2026, 6, 30, 23, 0, tzinfo=UTC), date(2026, 7, 1)),  # London midnight
        # Greenwich Mean Time: UTC and London agree
        (datetime(2026, 12, 30, 23, 30, tzinfo=UTC), date(2026, 12, 30)),
        (datetime(2026, 12, 31, 0, 0, tzinfo=UTC), date(2026, 12, 31)),
        # the last Sunday of October: 00:30 UTC is 01:30 BST, still the same day
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), date(2026, 10, 25)),
    ],
)
def test_today_is_the_date_in_london(moment, day):
    assert london_date(moment) == day


def test_a_plan_due_on_30_june_is_overdue_at_london_midnight_though_utc_is_still_the_30th():
    just_after = london_date(datetime(2026, 6, 30, 23, 0, tzinfo=UTC))
    just_before = london_date(datetime(2026, 6, 30, 22, 59, 59, tzinfo=UTC))
    due = date(2026, 6, 30)
    assert plans.plan_overdue("awaiting_submission", due, just_after)
    assert not plans.plan_overdue("awaiting_submission", due, just_before)
    assert plans.action_overdue("open", due, just_after)
    assert not plans.action_overdue("open", due, just_before)


def test_a_naive_instant_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="timezone-aware"):
        london_date(datetime(2026, 6, 30, 23, 30))


# ---------------------------------------------------------------- latest published assessment


@dataclass
class A:
    id: int
    status: str
    published_at: datetime | None
    rating: str = ""


NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def test_the_latest_published_is_the_one_published_last():
    older = A(9, "published", datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    newer = A(3, "published", NOON)  # a lower id, published later: publication decides
    assert lifecycle.latest_published([older, newer]) is newer
    assert lifecycle.latest_published([newer, older]) is newer


def test_published_at_the_same_instant_the_higher_id_is_the_latest_whatever_the_order():
    good = A(7, "published", NOON, "Good")
    poor = A(8, "published", NOON, "Poor")
    assert lifecycle.latest_published([good, poor]) is poor
    assert lifecycle.latest_published([poor, good]) is poor
    assert lifecycle.publication_order(NOON, 8) > lifecycle.publication_order(NOON, 7)


def test_only_published_assessments_count():
    draft = A(12, "draft_shared", None)
    in_progress = A(11, "in_progress", None)
    published = A(4, "published", datetime(2025, 1, 1, tzinfo=UTC))
    assert lifecycle.latest_published([draft, published, in_progress]) is published
    assert lifecycle.latest_published([draft, in_progress]) is None
    assert lifecycle.latest_published([]) is None


def test_a_published_instant_in_another_offset_is_compared_as_the_same_instant():
    from zoneinfo import ZoneInfo

    london = A(5, "published", datetime(2026, 7, 1, 13, 0, tzinfo=ZoneInfo("Europe/London")))
    utc = A(6, "published", datetime(2026, 7, 1, 12, 0, tzinfo=UTC))  # the same instant
    assert lifecycle.latest_published([utc, london]) is utc  # tie: the higher id


# ---------------------------------------------------------------- open concerns


@pytest.mark.parametrize(
    ("status", "notice_status", "is_open"),
    [
        ("open", None, True),  # its response clock is running
        ("responded", None, False),  # the clock stopped: responded to, not open
        ("closed", None, False),
        ("escalated", None, True),  # escalated and not yet on a notice
        ("escalated", "draft", True),  # on a draft notice: counts until the notice does
        ("escalated", "issued", False),  # the issued notice counts instead (red)
        ("escalated", "withdrawn", False),
        ("escalated", "lifted", False),
        ("escalated", "escalated", False),
    ],
)
def test_a_concern_is_open_against_its_service_while_open_or_escalated_into_no_issued_notice(
    status, notice_status, is_open
):
    assert concerns.counts_as_open(status, notice_status) is is_open
