"""Improvement plans (SPEC section 5): when a service needs one, and the rules of its steps.

Pure rules over plain values, so that they can be tested with worked examples and a fixed
`today`. The services layer gathers the facts and stores the results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from qa_app.domain.limits import ACTION_DESCRIPTION, ACTION_OWNER, SUCCESS_MEASURE

SUBMISSION_DAYS = 14


BELOW_GOOD_RATINGS = ("Requires improvement", "Poor")
BELOW_GOOD_CQC = ("Requires improvement", "Inadequate")


class PlanStatus(StrEnum):
    """An improvement plan's status, as stored."""

    AWAITING = "awaiting_submission"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


class ActionStatus(StrEnum):
    """An action's status, as stored."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"  # by the provider: the council verifies it or sends it back
    VERIFIED = "verified"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


AWAITING = PlanStatus.AWAITING
SUBMITTED = PlanStatus.SUBMITTED
RETURNED = PlanStatus.RETURNED
ACCEPTED = PlanStatus.ACCEPTED
COMPLETED = PlanStatus.COMPLETED
#: A service has at most one plan in one of these (a database constraint says so too).
OPEN_STATUSES = (AWAITING, SUBMITTED, RETURNED, ACCEPTED)
#: The provider still has to send the plan to the council.
WITH_PROVIDER = (AWAITING, RETURNED)
#: The plans list's filter words besides a status: every open plan (the default), every plan.
LIST_OPEN, LIST_ALL = "open", "all"
#: The provider writes actions while the plan is with them, and once it is accepted.
ACTIONS_WRITABLE = (*WITH_PROVIDER, ACCEPTED)
STATUS_LABELS: dict[str, str] = {
    AWAITING: "Awaiting submission",
    SUBMITTED: "Submitted for review",
    RETURNED: "Returned to the provider",
    ACCEPTED: "Accepted",
    COMPLETED: "Completed",
}

OPEN = ActionStatus.OPEN
IN_PROGRESS = ActionStatus.IN_PROGRESS
DONE = ActionStatus.COMPLETED
VERIFIED = ActionStatus.VERIFIED
ACTION_STATUSES = tuple(ActionStatus)
#: An action still to be carried out: it can fall overdue.
ACTION_OUTSTANDING = (OPEN, IN_PROGRESS)
ACTION_LABELS: dict[str, str] = {
    OPEN: "Open",
    IN_PROGRESS: "In progress",
    DONE: "Completed",
    VERIFIED: "Verified",
}
#: The progress grading councils already use on action plans.
GRADES = {1: "1 Fully achieved", 2: "2 On track", 3: "3 Slipped", 4: "4 Not achieved"}


@dataclass(frozen=True)
class Standing:
    """Why a service is (or is not) below Good, and a key for that state of affairs."""

    below_good: bool
    reasons: tuple[str, ...]
    basis: str  # the same below-Good facts give the same basis: a plan opens once per basis


def standing(
    latest_assessment_id: int | None,
    latest_overall: str | None,
    cqc_rating: str | None,
    cqc_rating_date: date | None,
) -> Standing:
    reasons = []
    parts = []
    if latest_overall in BELOW_GOOD_RATINGS:
        reasons.append(f"latest published assessment rated {latest_overall}")
        parts.append(f"assessment:{latest_assessment_id}")
    if cqc_rating in BELOW_GOOD_CQC:
        reasons.append(f"CQC rating {cqc_rating}")
        parts.append(f"cqc:{cqc_rating}:{cqc_rating_date.isoformat() if cqc_rating_date else ''}")
    return Standing(bool(reasons), tuple(reasons), "|".join(parts))


def submission_due(opened_on: date) -> date:
    return opened_on + timedelta(days=SUBMISSION_DAYS)


# The overdue rules (SPEC section 5). `today` is the Europe/London date (`clocks.london_date`):
# a plan or action due on a day is on time all that day and overdue from the next. Every page,
# API answer, export, count and the sweep ask these; services/rules.py holds their query form.


def plan_overdue(status: str, submission_due_date: date, today: date) -> bool:
    """Not yet with the council (awaiting submission, or returned) after its due date."""
    return status in WITH_PROVIDER and today > submission_due_date


def action_overdue(status: str, target_date: date | None, today: date) -> bool:
    """Not yet completed by the provider (open or in progress) after its target date."""
    return status in ACTION_OUTSTANDING and target_date is not None and today > target_date


def submit_status_refusal(status: str) -> str | None:
    """Why the plan cannot be sent to the council in this status, or None (the plan is with
    the provider: awaiting submission, or returned)."""
    if status not in WITH_PROVIDER:
        return f"The plan is {STATUS_LABELS.get(status, status).lower()}: it cannot be submitted"
    return None


def can_submit(status: str) -> bool:
    """The provider is offered to send the plan: its status allows it. What it holds is checked
    when it is sent (`submit_refusal` names any issue still without an action)."""
    return submit_status_refusal(status) is None


def submit_refusal(status: str, open_issue_action_counts: list[tuple[str, int]]) -> str | None:
    """Why the provider may not submit yet, or None. `open_issue_action_counts` holds
    (issue title, number of actions) for every issue that has not been withdrawn."""
    if refusal := submit_status_refusal(status):
        return refusal
    if not open_issue_action_counts:
        return "The plan has no issues to act on yet: ask the council's quality team"
    missing = [title for title, count in open_issue_action_counts if count == 0]
    if missing:
        listed = "; ".join(missing[:5]) + ("; …" if len(missing) > 5 else "")
        return f"Add at least one action for every issue before submitting. No actions yet for: {listed}"
    return None


def review_refusal(status: str) -> str | None:
    if status != SUBMITTED:
        return f"Only a submitted plan can be reviewed; this one is {STATUS_LABELS.get(status, status).lower()}"
    return None


def can_review(status: str) -> bool:
    """The council may accept the plan or return it (it has been submitted)."""
    return review_refusal(status) is None


def is_returned(status: str) -> bool:
    """Back with the provider after the council's review (its comments are shown)."""
    return status == RETURNED


def is_accepted(status: str) -> bool:
    """Accepted and being carried out: progress is recorded on its actions."""
    return status == ACCEPTED


def issue_refusal(status: str, withdrawing: bool = False) -> str | None:
    """Why the council cannot add an issue to the plan (or withdraw one), or None: only while
    the plan is open."""
    if status not in OPEN_STATUSES:
        if withdrawing:
            return "Issues can be withdrawn only from an open plan"
        return "Issues can be added only to an open plan"
    return None


def can_change_issues(status: str) -> bool:
    return issue_refusal(status) is None


def add_action_refusal(status: str) -> str | None:
    """Why the provider cannot add an action to the plan, or None."""
    if status not in ACTIONS_WRITABLE:
        return "Actions can be added while the plan is with you, or once it is accepted"
    return None


def can_add_actions(status: str) -> bool:
    return add_action_refusal(status) is None


def edit_action_refusal(plan_status: str, action_status: str) -> str | None:
    """Why the provider cannot change an action's description, owner, target or measure."""
    if action_status in (DONE, VERIFIED):
        return "A completed action cannot be changed"
    if plan_status not in ACTIONS_WRITABLE:
        return "The plan is with the council for review: it cannot be changed now"
    return None


def can_edit_action(plan_status: str, action_status: str) -> bool:
    return edit_action_refusal(plan_status, action_status) is None


def was_sent_back(action_status: str, reopened_reason: str | None) -> bool:
    """The council sent a completed action back, and it is being worked on again."""
    return bool(reopened_reason) and action_status == IN_PROGRESS


#: action step → (statuses it may start from, status it leads to)
ACTION_STEPS = {
    "start": ((OPEN,), IN_PROGRESS),
    "complete": ((OPEN, IN_PROGRESS), DONE),
    "verify": ((DONE,), VERIFIED),
    "reopen": ((DONE,), IN_PROGRESS),
}


def action_step_refusal(plan_status: str, action_status: str, step: str) -> str | None:
    if plan_status != ACCEPTED:
        return "Progress is recorded once the council has accepted the plan"
    allowed, _ = ACTION_STEPS[step]
    if action_status not in allowed:
        return f"An action that is {ACTION_LABELS[action_status].lower()} cannot be {dict(start='started', complete='completed', verify='verified', reopen='sent back')[step]}"
    return None


def can_check_action(plan_status: str, action_status: str) -> bool:
    """The council may verify a completed action, or send it back (the same rule for both)."""
    return (
        action_step_refusal(plan_status, action_status, "verify") is None
        and action_step_refusal(plan_status, action_status, "reopen") is None
    )


def progress_refusal(plan_status: str, action_status: str) -> str | None:
    """Why the provider cannot record progress on an action now (nor add evidence to it), or
    None. Progress is recorded on an open or in-progress action of an accepted plan: once the
    provider marks an action complete it is with the council, to verify or to send back."""
    if plan_status != ACCEPTED and plan_status != COMPLETED:
        return "Progress is recorded once the council has accepted the plan"
    if action_status == DONE:
        return (
            "The action is marked complete: the council will verify it, or send it back to you "
            "if more is needed"
        )
    if action_status == VERIFIED or plan_status == COMPLETED:
        return "The council has verified this action: it cannot be changed"
    return None


def can_record_progress(plan_status: str, action_status: str) -> bool:
    return progress_refusal(plan_status, action_status) is None


def plan_complete(action_statuses: list[str]) -> bool:
    """Every action verified (and there is at least one)."""
    return bool(action_statuses) and all(s == VERIFIED for s in action_statuses)


#: An action's target date is at most this many days after its start (3 years).
MAX_TARGET_DAYS = 3 * 366


def target_date_problem(target: object, start: date, of: str, before: str) -> str | None:
    """Why an action's target date will not do: missing, before `start` (it "cannot be"
    `before`), or more than 3 years after it ("within 3 years" then `of`)."""
    if not isinstance(target, date):
        return "Enter the target date"
    if target < start:
        return f"The target date cannot be {before}"
    if target > start + timedelta(days=MAX_TARGET_DAYS):
        return f"The target date must be within 3 years{of}"
    return None


def check_action(values: Mapping[str, Any], today: date) -> dict[str, str]:
    """Field errors for an action's description, owner, target date and success measure."""
    errors: dict[str, str] = {}
    if not (values.get("description") or "").strip():
        errors["description"] = "Describe the action"
    elif problem := ACTION_DESCRIPTION.problem(values["description"]):
        errors["description"] = problem
    if not (values.get("owner") or "").strip():
        errors["owner"] = "Name the person responsible for the action"
    elif problem := ACTION_OWNER.problem(values["owner"]):
        errors["owner"] = problem
    if problem := target_date_problem(values.get("target_date"), today, "", "in the past"):
        errors["target_date"] = problem
    if not (values.get("success_measure") or "").strip():
        errors["success_measure"] = "Say how you will know the action has worked"
    elif problem := SUCCESS_MEASURE.problem(values["success_measure"]):
        errors["success_measure"] = problem
    return errors
