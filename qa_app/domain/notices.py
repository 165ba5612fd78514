"""Notices of concern and contract breach notices (SPEC section 6): their steps and rules.

A notice of concern: draft → issued (rectification requirements, each with a due date; an optional
placement stop from a date) → lifted (every requirement met; the stop is lifted) or escalated (a
requirement passed its due date unmet: the sweep raises a draft contract breach notice).
A contract breach notice: draft → issued (remedial actions with due dates) → remedied (every
action met) or termination_recommended (a manager's decision).
A draft of either kind may be withdrawn (the council decides not to issue it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from qa_app.domain.limits import GROUNDS, NOTE, REQUIREMENT, text_problem
from qa_app.domain.wording import long_date

KINDS = {"notice_of_concern": "Notice of concern", "contract_breach": "Contract breach notice"}


class NoticeStatus(StrEnum):
    """A notice's status, as stored."""

    DRAFT = "draft"
    ISSUED = "issued"
    LIFTED = "lifted"
    ESCALATED = "escalated"
    REMEDIED = "remedied"
    TERMINATION_RECOMMENDED = "termination_recommended"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


class RequirementStatus(StrEnum):
    """Whether a requirement (or remedial action) is met, as the council records it."""

    OPEN = "open"
    MET = "met"
    NOT_MET = "not_met"


DRAFT = NoticeStatus.DRAFT
ISSUED = NoticeStatus.ISSUED
LIFTED = NoticeStatus.LIFTED
ESCALATED = NoticeStatus.ESCALATED
REMEDIED = NoticeStatus.REMEDIED
TERMINATION_RECOMMENDED = NoticeStatus.TERMINATION_RECOMMENDED
WITHDRAWN = NoticeStatus.WITHDRAWN
STATUS_LABELS: dict[str, str] = {
    DRAFT: "Draft",
    ISSUED: "Issued",
    LIFTED: "Lifted",
    ESCALATED: "Escalated",
    REMEDIED: "Remedied",
    TERMINATION_RECOMMENDED: "Termination recommended",
    WITHDRAWN: "Withdrawn",
}
REQUIREMENT_LABELS: dict[str, str] = {
    RequirementStatus.OPEN: "Not yet met",
    RequirementStatus.MET: "Met",
    RequirementStatus.NOT_MET: "Not met",
}
#: What the council may record of a requirement, in the order it is offered.
ASSESS_CHOICES = (
    (RequirementStatus.MET, "Met"),
    (RequirementStatus.NOT_MET, "Not met"),
    (RequirementStatus.OPEN, "Not yet assessed"),
)
#: What each kind's requirements are called on pages and in letters.
REQUIREMENT_NOUN = {
    "notice_of_concern": "rectification requirement",
    "contract_breach": "remedial action",
}

#: (kind, step) → the statuses it may be taken from, and the status it leads to
STEPS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("notice_of_concern", "issue"): ((DRAFT,), ISSUED),
    ("notice_of_concern", "lift"): ((ISSUED,), LIFTED),
    ("notice_of_concern", "escalate"): ((ISSUED,), ESCALATED),
    ("notice_of_concern", "withdraw"): ((DRAFT,), WITHDRAWN),
    ("contract_breach", "issue"): ((DRAFT,), ISSUED),
    ("contract_breach", "remedy"): ((ISSUED,), REMEDIED),
    ("contract_breach", "recommend_termination"): ((ISSUED,), TERMINATION_RECOMMENDED),
    ("contract_breach", "withdraw"): ((DRAFT,), WITHDRAWN),
}
STEP_VERBS = {
    "issue": "issued",
    "lift": "lifted",
    "escalate": "escalated",
    "withdraw": "withdrawn",
    "remedy": "marked remedied",
    "recommend_termination": "recommended for termination",
}
#: Statuses in which nothing more happens.
FINAL = (LIFTED, REMEDIED, TERMINATION_RECOMMENDED, WITHDRAWN)
#: Never sent to the provider: a draft, or a draft withdrawn. Its placement stop is only
#: proposed, and the provider does not see it.
NEVER_ISSUED = (DRAFT, WITHDRAWN)
#: Every other status: the notice has been sent to the provider, who may read it.
SENT_TO_PROVIDER = tuple(s for s in NoticeStatus if s not in NEVER_ISSUED)
#: A notice in force counts against its service (SPEC section 7, red): issued and not yet
#: lifted or remedied. An escalated notice of concern counts until its breach notice is decided
#: (it is then closed); a breach notice that ends in a recommendation to terminate goes on
#: counting. The database asks the same of its rows: models.Notice.in_force.
IN_FORCE = (ISSUED, TERMINATION_RECOMMENDED)
IN_FORCE_UNTIL_CLOSED = (ESCALATED,)


def in_force(status: str, closed: bool) -> bool:
    return status in IN_FORCE or (status in IN_FORCE_UNTIL_CLOSED and not closed)


def has_been_issued(status: str) -> bool:
    """Sent to the provider at some time (whatever has happened since)."""
    return status not in NEVER_ISSUED


def is_draft(status: str) -> bool:
    return status == DRAFT


def is_issued(status: str) -> bool:
    """Issued and not yet decided or escalated: the provider responds to its requirements."""
    return status == ISSUED


def takes_placement_stop(kind: str) -> bool:
    return kind == "notice_of_concern"


def has_letter(status: str) -> bool:
    """A letter can be downloaded (a draft's is marked draft); a withdrawn draft has none."""
    return status != WITHDRAWN


def awaiting_decision(status: str) -> bool:
    """Issued and not yet decided: a manager lifts, escalates or closes it (or, once
    escalated, decides the breach notice)."""
    return status not in (DRAFT, *FINAL)


@dataclass(frozen=True)
class RequirementFacts:
    text: str
    due_date: date | None
    status: str = RequirementStatus.OPEN


def step_refusal(kind: str, status: str, step: str) -> str | None:
    """Why `step` cannot be taken on a `kind` notice in `status`, or None."""
    rule = STEPS.get((kind, step))
    if rule is None:
        return f"A {KINDS.get(kind, 'notice').lower()} cannot be {STEP_VERBS.get(step, step)}"
    if status not in rule[0]:
        label = STATUS_LABELS.get(status, status).lower()
        return f"A notice that is {label} cannot be {STEP_VERBS.get(step, step)}"
    return None


def can_take(kind: str, status: str, step: str) -> bool:
    return step_refusal(kind, status, step) is None


def next_status(kind: str, step: str) -> str:
    return STEPS[(kind, step)][1]


def respond_refusal(notice_status: str, requirement_status: str) -> str | None:
    """Why the provider cannot respond to a requirement now, or None."""
    if not is_issued(notice_status):
        return "Responses can only be given while the notice is issued"
    if requirement_met(requirement_status):
        return "This requirement has already been marked as met"
    return None


def can_respond(notice_status: str, requirement_status: str) -> bool:
    return respond_refusal(notice_status, requirement_status) is None


#: The council records whether requirements are met while the notice is issued, and after it
#: is escalated (the breach notice may yet be withdrawn).
ASSESSABLE = (ISSUED, ESCALATED)


def assess_refusal(notice_status: str) -> str | None:
    """Why the council cannot record whether a requirement is met now, or None."""
    if notice_status not in ASSESSABLE:
        return "Requirements are assessed while the notice is issued"
    return None


def can_assess(notice_status: str) -> bool:
    return assess_refusal(notice_status) is None


def placement_stop_problems(kind: str, start: date | None, today: date) -> dict[str, str]:
    if start is None:
        return {}
    if not takes_placement_stop(kind):
        return {"placement_stop_start": "A placement stop is part of a notice of concern"}
    if start < today:
        return {"placement_stop_start": "The placement stop cannot start before today"}
    return {}


def draft_problems(
    kind: str, grounds: str | None, stop_start: date | None, today: date
) -> dict[str, str]:
    problems = placement_stop_problems(kind, stop_start, today)
    if problem := text_problem(grounds, GROUNDS):
        problems["grounds"] = problem
    return problems


def requirement_problems(
    kind: str, text: str | None, due_date: date | None, today: date
) -> dict[str, str]:
    """What is wrong with a requirement being added to a draft."""
    noun = REQUIREMENT_NOUN[kind]
    problems: dict[str, str] = {}
    if problem := text_problem(text, REQUIREMENT, f"Say what the {noun} requires of the provider"):
        problems["text"] = problem
    if due_date is None:
        problems["due_date"] = f"Enter the date the {noun} is due"
    elif due_date < today:
        problems["due_date"] = "The due date must be today or later"
    return problems


def assessment_problems(status: str, note: str | None) -> dict[str, str]:
    """An officer's record of whether a requirement is met."""
    if status not in REQUIREMENT_LABELS:
        return {"status": "Choose whether the requirement is met"}
    missing = "Say what is still missing" if status == RequirementStatus.NOT_MET else None
    if problem := text_problem(note, NOTE, missing):
        return {"note": problem}
    return {}


GROUNDS_MISSING = "Write the grounds: why the council is issuing this notice"


def issue_problems(
    kind: str,
    grounds: str | None,
    requirements: list[RequirementFacts],
    today: date,
    placement_stop_start: date | None = None,
) -> dict[str, str]:
    """What stops a draft being issued: no grounds (the letter states them), no requirements,
    a requirement without a future due date, or a placement stop dated before today's notice."""
    problems: dict[str, str] = {}
    if problem := text_problem(grounds, GROUNDS, GROUNDS_MISSING):
        problems["grounds"] = problem
    noun = REQUIREMENT_NOUN[kind]
    if not requirements:
        problems["requirements"] = f"Add at least one {noun} before issuing the notice"
    for number, requirement in enumerate(requirements, start=1):
        if not requirement.text.strip():
            problems["requirements"] = f"Say what {noun} {number} requires"
        elif requirement.due_date is None:
            problems["requirements"] = f"Give {noun} {number} a due date"
        elif requirement.due_date < today:
            problems["requirements"] = (
                f"The due date of {noun} {number} has passed: give it a date from today on"
            )
    problems.update(placement_stop_problems(kind, placement_stop_start, today))
    return problems


def close_problems(kind: str, step: str, requirements: list[RequirementFacts]) -> str | None:
    """Lifting a notice or marking a breach remedied needs every requirement met."""
    if step not in ("lift", "remedy"):
        return None
    unmet = [n for n, r in enumerate(requirements, start=1) if not requirement_met(r.status)]
    if not unmet:
        return None
    noun = REQUIREMENT_NOUN[kind]
    listed = ", ".join(str(n) for n in unmet)
    plural = "s" if len(unmet) > 1 else ""
    verb = "lifted" if step == "lift" else "marked remedied"
    return f"The notice cannot be {verb} until every {noun} is met: {noun}{plural} {listed} not met"


def requirement_met(status: str) -> bool:
    return status == RequirementStatus.MET


def requirement_assessed(status: str) -> bool:
    """The council has recorded whether the requirement is met (met, or not met)."""
    return status != RequirementStatus.OPEN


def requirement_past_due(status: str, due_date: date | None, today: date) -> bool:
    """A requirement whose due date has passed (before today) and which is not met."""
    return not requirement_met(status) and due_date is not None and due_date < today


def breached(requirements: list[RequirementFacts], today: date) -> bool:
    """A requirement past its due date and not met."""
    return any(requirement_past_due(r.status, r.due_date, today) for r in requirements)


def breach_grounds(parent_id: int) -> str:
    """The grounds of a contract breach notice raised from notice of concern `parent_id` (a
    manager may change them before issuing it)."""
    return (
        f"Raised from notice of concern {parent_id}: rectification requirements were not met by "
        "their due dates."
    )


def placement_stop_active(start: date | None, lifted: bool, today: date) -> bool:
    return start is not None and not lifted and start <= today


# ---------------------------------------------------------------- a stop on an issued notice
# Stops are often decided after a notice is issued. While a notice of concern is in force a
# manager may add a stop (from today on), move a stop that has not begun yet (to today or
# later), or lift it. A stop that has begun is a fact (no placements were made from that day):
# it is not moved, only lifted. A stop lifted earlier may be followed by a new one.


class StopState(StrEnum):
    """Where a notice's placement stop stands (worked out from its dates, not stored)."""

    NONE = "none"
    PLANNED = "planned"  # starts after today
    IN_FORCE = "in_force"
    LIFTED = "lifted"


STOP_STATES: dict[str, str] = {
    StopState.NONE: "No placement stop",
    StopState.PLANNED: "Planned",
    StopState.IN_FORCE: "In force",
    StopState.LIFTED: "Lifted",
}


def placement_stop_state(start: date | None, lifted: bool, today: date) -> StopState:
    """none, planned (starts after today), in_force, or lifted."""
    if start is None:
        return StopState.NONE
    if lifted:
        return StopState.LIFTED
    return StopState.IN_FORCE if start <= today else StopState.PLANNED


def stop_change_refusal(kind: str, in_force: bool) -> str | None:
    """Why a placement stop cannot be added to or changed on this notice at all, or None."""
    if not takes_placement_stop(kind):
        return "A placement stop is part of a notice of concern"
    if not in_force:
        return "A placement stop can be added or changed only while the notice is in force"
    return None


def stop_fixed(current: date | None, state: str) -> str | None:
    """Why the stop's start cannot be set (it began: it is lifted, not moved), or None."""
    if state == StopState.IN_FORCE and current is not None:
        return (
            f"The placement stop began on {long_date(current)} and cannot be moved: "
            "lift it if it should end"
        )
    return None


def can_set_stop(kind: str, in_force: bool, current: date | None, state: str) -> bool:
    """A stop may be added (or a planned one moved) on this notice now."""
    return stop_change_refusal(kind, in_force) is None and stop_fixed(current, state) is None


def stop_start_problems(
    current: date | None, lifted: bool, new_start: date | None, today: date
) -> dict[str, str]:
    """What is wrong with starting (or moving) the stop to `new_start`."""
    state = placement_stop_state(current, lifted, today)
    if fixed := stop_fixed(current, state):
        return {"placement_stop_start": fixed}
    if new_start is None:
        return {"placement_stop_start": "Enter the date the placement stop starts"}
    if new_start < today:
        return {"placement_stop_start": "The placement stop cannot start before today"}
    if state == StopState.PLANNED and new_start == current:
        return {
            "placement_stop_start": f"The placement stop already starts on {long_date(current)}"
        }
    return {}


def lift_stop_refusal(status: str, start: date | None, lifted: bool) -> str | None:
    """Why there is no placement stop to lift on this notice, or None."""
    if not has_been_issued(status) or start is None or lifted:
        return "This notice has no placement stop in force"
    return None


def can_lift_stop(status: str, start: date | None, lifted: bool) -> bool:
    return lift_stop_refusal(status, start, lifted) is None
