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
