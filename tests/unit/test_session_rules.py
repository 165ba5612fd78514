"""When a session ends by itself (qa_app.domain.sessions)."""

from datetime import UTC, datetime, timedelta

import pytest

from qa_app.domain.sessions import EXPIRED, IDLE, SessionPolicy, needs_touch, why_over

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
POLICY = SessionPolicy()  # 30 minutes idle, 12 hours at most


@pytest.mark.parametrize(
    ("age", "idle", "over"),
    [
        (timedelta(minutes=5), timedelta(0), None),
        (timedelta(hours=2), timedelta(minutes=29, seconds=59), None),
        (timedelta(hours=2), timedelta(minutes=30), IDLE),
        (timedelta(hours=11, minutes=59), timedelta(0), None),
        (timedelta(hours=12), timedelta(0), EXPIRED),
        (timedelta(hours=13), timedelta(hours=1), EXPIRED),  # the longest age is said first
    ],
)
def test_idle_for_30_minutes_or_12_hours_old_is_over(age, idle, over):
    assert why_over(POLICY, NOW - age, NOW - idle, NOW) == over


def test_the_settings_change_the_periods():
    short = SessionPolicy(idle=timedelta(minutes=5), longest=timedelta(hours=1))
    assert why_over(short, NOW - timedelta(minutes=10), NOW - timedelta(minutes=5), NOW) == IDLE
    assert why_over(short, NOW - timedelta(hours=1), NOW, NOW) == EXPIRED


@pytest.mark.parametrize(
    ("since", "touch"),
    [(timedelta(0), False), (timedelta(seconds=59), False), (timedelta(minutes=1), True)],
)
def test_last_seen_is_written_at_most_once_a_minute(since, touch):
    assert needs_touch(POLICY, NOW - since, NOW) is touch
