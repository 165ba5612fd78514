"""domain.service_closing: when a service is open, what a closing date and reason must be, and
what must be dealt with before a service can close."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.domain import limits
from qa_app.domain.service_closing import (
    OpenItem,
    blocked_message,
    blocks_closing,
    cancelled_by_closing,
    closed_refusal,
    closing_blockers,
    closing_problems,
    is_open_on,
)

TODAY = date(2026, 11, 20)


def test_a_service_is_open_until_the_day_it_closed():
    closed = date(2026, 10, 15)
    assert is_open_on(None, TODAY)
    assert is_open_on(closed, date(2026, 10, 14))
    assert not is_open_on(closed, date(2026, 10, 15))  # the first day it no longer runs
    assert not is_open_on(closed, date(2026, 10, 31))  # so not at October's end (SPEC 8)
    assert is_open_on(closed, date(2026, 9, 30))  # September's pack still counts it


@given(st.dates(), st.dates(), st.dates())
def test_open_on_a_day_means_open_on_every_day_before(closed_on, day, earlier):
    if earlier <= day and is_open_on(closed_on, day):
        assert is_open_on(closed_on, earlier)


def test_a_good_closing_has_no_problems():
    assert closing_problems(TODAY, "Deregistered by CQC", TODAY, date(2026, 3, 1)) == {}
    assert closing_problems(date(2026, 3, 1), "x", TODAY, date(2026, 3, 1)) == {}
    assert closing_problems(date(2020, 1, 1), "x", TODAY, None) == {}


def test_closing_dates_and_reasons_that_are_refused():
    assert closing_problems(None, "", TODAY, None) == {
        "closed_on": "Enter the date the service closed",
        "closed_reason": "Enter why the service closed",
    }
    assert closing_problems(date(2026, 11, 21), "x", TODAY, None) == {
        "closed_on": "The date it closed must be today or in the past"
    }
    assert closing_problems(date(2026, 2, 28), "x", TODAY, date(2026, 3, 1)) == {
        "closed_on": "The date it closed cannot be before its last visit, on 1 March 2026"
    }
    long = "x" * (limits.CLOSED_REASON.chars + 1)
    assert closing_problems(TODAY, long, TODAY, None) == {
        "closed_reason": limits.CLOSED_REASON.message
    }
    assert closing_problems(TODAY, "   ", TODAY, None) == {
        "closed_reason": "Enter why the service closed"
    }


@pytest.mark.parametrize(
    ("item", "blocks", "cancelled"),
    [
        (OpenItem("assessment", 1, "planned", "a"), False, True),
        (OpenItem("assessment", 1, "in_progress", "a"), True, False),
        (OpenItem("assessment", 1, "submitted", "a"), True, False),
        (OpenItem("assessment", 1, "draft_shared", "a"), True, False),
        (OpenItem("assessment", 1, "published", "a"), False, False),
        (OpenItem("concern", 1, "open", "c"), True, False),
        (OpenItem("concern", 1, "responded", "c"), True, False),
        (OpenItem("concern", 1, "closed", "c"), False, False),
        (OpenItem("concern", 1, "escalated", "c"), False, False),  # its notice decides
        (OpenItem("notice", 1, "draft", "n"), True, False),
        (OpenItem("notice", 1, "issued", "n"), True, False),
        (OpenItem("notice", 1, "escalated", "n"), True, False),
        (OpenItem("notice", 1, "escalated", "n", closed=True), False, False),
        (OpenItem("notice", 1, "lifted", "n"), False, False),
        (OpenItem("notice", 1, "withdrawn", "n"), False, False),
        (OpenItem("notice", 1, "remedied", "n"), False, False),
        # a recommendation to terminate the contract is what a closing follows
        (OpenItem("notice", 1, "termination_recommended", "n"), False, False),
    ],
)
def test_what_stops_a_closing_and_what_it_cancels(item, blocks, cancelled):
    assert blocks_closing(item) is blocks
    assert cancelled_by_closing(item) is cancelled


def test_the_refusal_names_each_thing_to_deal_with():
    items = [
        OpenItem("assessment", 1, "in_progress", "Assessment, visit 3 March 2026"),
        OpenItem("concern", 2, "open", "Concern 2: Falls"),
        OpenItem("assessment", 3, "planned", "Assessment, visit 1 December 2026"),
    ]
    blockers = closing_blockers(items)
    assert [b.id for b in blockers] == [1, 2]
    assert blocked_message("Elm House", blockers) == (
        "Elm House cannot be closed yet. Deal with these first: "
        "Assessment, visit 3 March 2026 (in progress); Concern 2: Falls (open)"
    )


def test_nothing_new_starts_for_a_closed_service():
    assert closed_refusal("Elm House", None, TODAY, "log a concern") is None
    assert closed_refusal("Elm House", date(2026, 11, 21), TODAY, "log a concern") is None
    assert closed_refusal("Elm House", date(2026, 10, 15), TODAY, "plan an assessment") == (
        "Elm House closed on 15 October 2026: a manager can reopen it to plan an assessment"
    )
