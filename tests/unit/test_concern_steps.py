"""Which steps a concern can take from each status (SPEC section 6)."""

import pytest

from qa_app.domain.concerns import refusal


@pytest.mark.parametrize(
    ("status", "step", "allowed"),
    [
        ("open", "respond", True),
        ("open", "close", True),
        ("open", "escalate", True),
        ("responded", "respond", False),
        ("responded", "close", True),
        ("responded", "escalate", True),
        ("closed", "close", False),
        ("closed", "respond", False),
        ("escalated", "respond", False),
        ("escalated", "escalate", False),
    ],
)
def test_steps_by_status(status, step, allowed):
    assert (refusal(status, step) is None) is allowed


@pytest.mark.parametrize(
    ("notice_status", "allowed"),
    [
        ("draft", False),
        ("issued", False),
        ("escalated", False),
        ("withdrawn", True),
        ("lifted", True),
        ("remedied", True),
        ("termination_recommended", True),
        (None, True),
    ],
)
def test_an_escalated_concern_closes_once_its_notice_is_decided(notice_status, allowed):
    assert (refusal("escalated", "close", notice_status) is None) is allowed


def test_refusals_say_why():
    assert refusal("closed", "respond") == "A concern that is closed cannot be responded to"
    assert refusal("escalated", "close", "draft") == (
        "This concern is part of a notice of concern that is still a draft: close it once the "
        "notice is decided or withdrawn"
    )


def test_the_input_of_each_step_is_checked():
    from qa_app.domain.concerns import (
        close_problems,
        escalate_problems,
        respond_problems,
    )

    assert respond_problems("visit", "Went at 10:00") == {}
    from qa_app.domain.limits import NOTES

    assert respond_problems("email", "x" * (NOTES.chars + 1)) == {
        "action": "The response is one of visit, call, safeguarding_referral, information_request",
        "notes": "Notes must be 20,000 characters or fewer",
    }
    assert close_problems("resolved", "x" * NOTES.chars) == {}  # exactly at the limit
    assert list(close_problems("fixed", "")) == ["outcome"]
    assert escalate_problems("") == {"reason": "Say why the concern is being escalated"}
    assert escalate_problems("x" * 5001) == {
        "reason": "The reason must be 5,000 characters or fewer"
    }


def test_a_new_concern_received_just_ahead_of_the_clock_is_accepted_but_not_later():
    from datetime import UTC, datetime, timedelta

    from qa_app.domain.concerns import log_problems

    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    values = {"risk_level": "high", "source": "cqc", "summary": "Falls", "received_at": now}
    assert log_problems(values, now) == {}
    assert log_problems({**values, "received_at": now + timedelta(minutes=2)}, now) == {}
    late = log_problems({**values, "received_at": now + timedelta(minutes=3)}, now)
    assert late == {"received_at": "When the concern was received cannot be in the future"}
    naive = log_problems({**values, "received_at": datetime(2026, 11, 24, 12, 0)}, now)
    assert naive == {"received_at": "Enter when the concern was received, with the time"}
    assert log_problems({}, now).keys() == {"risk_level", "source", "received_at", "summary"}
