"""The rules for the council's answers to a provider's comments on a draft report."""

from datetime import UTC, datetime

import pytest

from qa_app.domain.draft_comments import (
    answer_problems,
    answer_refusal,
    comment_deadline,
    publish_refusal,
    review_options,
    summary,
)
from qa_app.domain.lifecycle import StepRefused, after
from qa_app.domain.limits import ANSWER


def test_an_accepted_comment_needs_the_change_made_and_a_refused_one_the_reason():
    assert answer_problems("accepted", "QA01.1 now records the training on 20 November") == {}
    assert answer_problems("not_accepted", "The log was seen on the day; it had no entry") == {}
    assert answer_problems("accepted", "  ") == {"text": "Say what is changed in the report"}
    assert answer_problems("not_accepted", "") == {
        "text": "Give the reason the comment is not accepted"
    }
    assert answer_problems(None, None) == {
        "decision": "Choose whether the comment is accepted or not accepted",
        "text": "Say what is changed in the report, or why the comment is not accepted",
    }
    assert answer_problems("maybe", "Because")["decision"].startswith("Choose whether")


def test_a_long_answer_is_refused_never_cut():
    assert answer_problems("accepted", "x" * ANSWER.chars) == {}
    assert answer_problems("accepted", "x" * (ANSWER.chars + 1)) == {
        "text": "The answer must be 5,000 characters or fewer"
    }


@pytest.mark.parametrize(
    ("status", "is_reviewer", "allowed"),
    [
        ("draft_shared", True, True),  # the manager, while the provider reads the draft
        ("draft_shared", False, False),  # not the officer: the draft is with the manager
        ("in_progress", False, True),  # the officer, once it is returned to them
        ("in_progress", True, True),
        ("submitted", True, True),  # the corrected draft, before it is shared again
        ("submitted", False, False),
        ("published", True, False),  # never after publication
        ("published", False, False),
    ],
)
def test_who_may_answer_and_when(status, is_reviewer, allowed):
    assert (answer_refusal(status, is_reviewer) is None) is allowed


def test_a_published_report_says_why_its_answers_cannot_change():
    assert "published" in answer_refusal("published", True)


def test_publishing_waits_for_every_comment_to_be_answered():
    assert publish_refusal("draft_shared", True, 0) is None
    assert publish_refusal("draft_shared", True, 1) == (
        "Answer every comment from the provider before publishing: 1 comment still has no answer"
    )
    assert publish_refusal("draft_shared", True, 3).endswith("3 comments still have no answer")
    assert publish_refusal("submitted", False, 0) is None  # never shared: publish as before


def test_a_corrected_draft_is_shared_again_before_it_is_published():
    assert publish_refusal("submitted", True, 0).startswith("Share the corrected draft")


def test_a_shared_draft_can_go_back_to_the_officer():
    assert after("draft_shared", "return") == "in_progress"
    assert after("submitted", "return") == "in_progress"
    with pytest.raises(StepRefused):
        after("published", "return")


def test_the_comment_period_restarts_when_a_corrected_draft_is_shared():
    first = datetime(2026, 11, 2, 10, tzinfo=UTC)
    again = datetime(2026, 11, 20, 15, tzinfo=UTC)
    assert comment_deadline(first) == datetime(2026, 11, 16, 10, tzinfo=UTC)
    assert comment_deadline(again) == datetime(2026, 12, 4, 15, tzinfo=UTC)
    assert comment_deadline(None) is None


def test_what_the_manager_is_offered():
    shared = review_options("draft_shared", True, True)
    assert (shared.share, shared.publish, shared.give_back) == (False, True, True)
    corrected = review_options("submitted", True, True)
    assert (corrected.share, corrected.publish, corrected.shared_before) == (True, False, True)
    fresh = review_options("submitted", False, True)
    assert (fresh.share, fresh.publish, fresh.give_back) == (True, True, True)
    officer = review_options("draft_shared", True, False)
    assert (officer.share, officer.publish, officer.give_back) == (False, False, False)
    assert not review_options("published", True, True).publish


def test_summary_words():
    assert summary(0, 0) == "No comments yet"
    assert summary(3, 2) == "3 comments, 2 answered"
    assert summary(2, 0) == "2 comments, none answered yet"
    assert summary(1, 1) == "1 comment, all answered"
