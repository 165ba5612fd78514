"""The provider's factual-accuracy comments on a shared draft, and the council's answers.

As PAMMS councils work: every comment is considered before the report is published. A manager
answers each one (or the officer, while the assessment has been returned to them for changes):
accepted, saying what was changed in the report; or not accepted, giving the reason. Answers can
be changed until publication. A manager may return a shared draft to the officer; the corrected
draft is then shared again, and the provider has a fresh comment period on it, because the
corrections are new to them (the manager may still publish before it ends, as SPEC section 4
allows). Once a draft has been shared, what is published is always a draft the provider has seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qa_app.domain.lifecycle import PUBLISHED, SUBMITTED, can_record, can_take, is_shared
from qa_app.domain.wording import count, long_date, too_long

ACCEPTED, NOT_ACCEPTED = "accepted", "not_accepted"
DECISIONS = {ACCEPTED: "Accepted", NOT_ACCEPTED: "Not accepted"}
DECISION_HINTS = {
    ACCEPTED: "The report is changed as the provider says. Say what is changed.",
    NOT_ACCEPTED: "The report stays as it is. Give the reason.",
}
MAX_ANSWER_TEXT = 5000

#: How long the provider has to comment on a shared draft, counted from each sharing.
COMMENT_DAYS = 14


def comment_deadline(shared_at: datetime | None) -> datetime | None:
    """The end of the comment period of the draft shared at `shared_at`. Sharing a corrected
    draft starts a new period of the same length."""
    return shared_at + timedelta(days=COMMENT_DAYS) if shared_at else None


def comment_refusal(status: str, shared_at: datetime | None, now: datetime) -> str | None:
    """Why the provider cannot comment on the draft now, or None: only while it is shared with
    them, until the end of the comment period."""
    deadline = comment_deadline(shared_at)
    if not is_shared(status) or deadline is None:
        return "Comments can be made only while the draft report is shared with you"
    if now > deadline:
        return f"The {COMMENT_DAYS} days for comments on this draft ended on {long_date(deadline)}"
    return None


def open_for_comment(status: str, shared_at: datetime | None, now: datetime) -> bool:
    return comment_refusal(status, shared_at, now) is None


def answer_problems(decision: str | None, text: str | None) -> dict[str, str]:
    """What is wrong with an answer to a comment, by field ("decision", "text")."""
    problems: dict[str, str] = {}
    if decision not in DECISIONS:
        problems["decision"] = "Choose whether the comment is accepted or not accepted"
    text = (text or "").strip()
    if not text:
        problems["text"] = {
            ACCEPTED: "Say what is changed in the report",
            NOT_ACCEPTED: "Give the reason the comment is not accepted",
        }.get(
            decision or "",
            "Say what is changed in the report, or why the comment is not accepted",
        )
    elif len(text) > MAX_ANSWER_TEXT:
        problems["text"] = too_long("The answer", MAX_ANSWER_TEXT)
    return problems


def answer_refusal(status: str, is_reviewer: bool) -> str | None:
    """Why this person may not answer (or change an answer to) a comment now, or None.

    A manager answers at any time before publication; an officer only while the assessment is
    back with them (returned for changes), so that the corrections and the answers go together.
    """
    if status == PUBLISHED:
        return "The report has been published, so its answers to comments can no longer change"
    if is_reviewer or can_record(status):
        return None
    return (
        "A manager answers the provider's comments. An officer can answer them when the "
        "assessment is returned to them for changes"
    )


def _corrections_unseen(status: str, shared_before: bool) -> bool:
    """A corrected draft, submitted again, that the provider has not been shown yet."""
    return status == SUBMITTED and shared_before


def publish_refusal(status: str, shared_before: bool, unanswered: int) -> str | None:
    """Why the assessment cannot be published yet (beyond the lifecycle's own order), or None.

    shared_before: a draft of it has been shared with the provider (so the provider must see the
    corrected draft before it is published); unanswered: the provider's comments without an
    answer.
    """
    if _corrections_unseen(status, shared_before):
        return (
            "Share the corrected draft with the provider before publishing: "
            "they have not seen the changes yet"
        )
    if can_take(status, "publish") and unanswered:
        return (
            f"Answer every comment from the provider before publishing: "
            f"{count(unanswered, 'comment')} still {'has' if unanswered == 1 else 'have'} no answer"
        )
    return None


@dataclass(frozen=True)
class ReviewOptions:
    """What a manager is offered on an assessment's page after it is submitted."""

    share: bool = False  # share the draft (again, when `shared_before`)
    shared_before: bool = False
    publish: bool = False
    give_back: bool = False  # return it to the officer for changes


def review_options(status: str, shared_before: bool, is_reviewer: bool) -> ReviewOptions:
    """The review steps to offer: each one the lifecycle allows from `status`. Publishing is
    offered while there are unanswered comments (the page warns, and pressing it says which
    comments still need an answer), but not for a corrected draft the provider has not been
    shown (`publish_refusal` refuses that whatever the comments)."""
    if not is_reviewer:
        return ReviewOptions(shared_before=shared_before)
    return ReviewOptions(
        share=can_take(status, "share-draft"),
        shared_before=shared_before,
        publish=can_take(status, "publish") and not _corrections_unseen(status, shared_before),
        give_back=can_take(status, "return"),
    )


def summary(total: int, answered: int) -> str:
    """'3 comments, 2 answered' for the overview; 'No comments yet' with none."""
    if not total:
        return "No comments yet"
    if answered == total:
        return f"{count(total, 'comment')}, all answered"
    if not answered:
        return f"{count(total, 'comment')}, none answered yet"
    return f"{count(total, 'comment')}, {answered} answered"
