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

from qa_app.domain.limits import GROUNDS, NOTE, REQUIREMENT, Limit
from qa_app.domain.wording import long_date

KINDS = {"notice_of_concern": "Notice of concern", "contract_breach": "Contract breach notice"}
STATUS_LABELS = {
    "draft": "Draft",
    "issued": "Issued",
    "lifted": "Lifted",
    "escalated": "Escalated",
    "remedied": "Remedied",
    "termination_recommended": "Termination recommended",
    "withdrawn": "Withdrawn",
}
REQUIREMENT_LABELS = {"open": "Not yet met", "met": "Met", "not_met": "Not met"}
#: What each kind's requirements are called on pages and in letters.
REQUIREMENT_NOUN = {
    "notice_of_concern": "rectification requirement",
    "contract_breach": "remedial action",
}

#: (kind, step) → the statuses it may be taken from, and the status it leads to
STEPS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("notice_of_concern", "issue"): (("draft",), "issued"),
    ("notice_of_concern", "lift"): (("issued",), "lifted"),
    ("notice_of_concern", "escalate"): (("issued",), "escalated"),
    ("notice_of_concern", "withdraw"): (("draft",), "withdrawn"),
    ("contract_breach", "issue"): (("draft",), "issued"),
    ("contract_breach", "remedy"): (("issued",), "remedied"),
    ("contract_breach", "recommend_termination"): (("issued",), "termination_recommended"),
    ("contract_breach", "withdraw"): (("draft",), "withdrawn"),
}
STEP_VERBS = {
    "issue": "issued",
    "lift": "lifted",
    "escalate": "escalated",
    "withdraw": "withdrawn",
    "remedy": "marked remedied",
    "recommend_termination": "recommended for termination",
}
# Which notices count against a service (risk: red) is asked of the database, so it is written
# there: models.Notice.in_force (issued; escalated until its breach notice is decided;
# termination recommended).
#: Statuses in which nothing more happens.
FINAL = ("lifted", "remedied", "termination_recommended", "withdrawn")


@dataclass(frozen=True)
class RequirementFacts:
    text: str
    due_date: date | None
    status: str = "open"


def step_refusal(kind: str, status: str, step: str) -> str | None:
    """Why `step` cannot be taken on a `kind` notice in `status`, or None."""
    rule = STEPS.get((kind, step))
    if rule is None:
        return f"A {KINDS.get(kind, 'notice').lower()} cannot be {STEP_VERBS.get(step, step)}"
    if status not in rule[0]:
        label = STATUS_LABELS.get(status, status).lower()
        return f"A notice that is {label} cannot be {STEP_VERBS.get(step, step)}"
    return None


def next_status(kind: str, step: str) -> str:
    return STEPS[(kind, step)][1]


def text_problem(text: str | None, limit: Limit, missing: str | None = None) -> str | None:
    """Why a piece of text cannot be kept: missing (when `missing` says it is needed), or longer
    than its limit. Never shortened quietly."""
    text = (text or "").strip()
    if not text and missing:
        return missing
    return limit.problem(text)


def placement_stop_problems(kind: str, start: date | None, today: date) -> dict[str, str]:
    if start is None:
        return {}
    if kind != "notice_of_concern":
        return {"placement_stop_start": "A placement stop is part of a notice of concern"}
    if start < today:
        return {"placement_stop_start": "The placement stop cannot start before today"}
    return {}


def draft_problems(kind: str, grounds: str | None, stop_start: date | None, today: date):
    problems = placement_stop_problems(kind, stop_start, today)
    if problem := text_problem(grounds, GROUNDS):
        problems["grounds"] = problem
    return problems


def requirement_problems(kind: str, text: str | None, due_date: date | None, today: date):
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
    missing = "Say what is still missing" if status == "not_met" else None
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
    unmet = [n for n, r in enumerate(requirements, start=1) if r.status != "met"]
    if not unmet:
        return None
    noun = REQUIREMENT_NOUN[kind]
    listed = ", ".join(str(n) for n in unmet)
    plural = "s" if len(unmet) > 1 else ""
    verb = "lifted" if step == "lift" else "marked remedied"
    return f"The notice cannot be {verb} until every {noun} is met: {noun}{plural} {listed} not met"


def breached(requirements: list[RequirementFacts], today: date) -> bool:
    """A requirement whose due date has passed (before today) and which is not met."""
    return any(
        r.status != "met" and r.due_date is not None and r.due_date < today for r in requirements
    )


def placement_stop_active(start: date | None, lifted: bool, today: date) -> bool:
    return start is not None and not lifted and start <= today


# ---------------------------------------------------------------- a stop on an issued notice
# Stops are often decided after a notice is issued. While a notice of concern is in force a
# manager may add a stop (from today on), move a stop that has not begun yet (to today or
# later), or lift it. A stop that has begun is a fact (no placements were made from that day):
# it is not moved, only lifted. A stop lifted earlier may be followed by a new one.

STOP_STATES = {
    "none": "No placement stop",
    "planned": "Planned",
    "in_force": "In force",
    "lifted": "Lifted",
}


def placement_stop_state(start: date | None, lifted: bool, today: date) -> str:
    """none, planned (starts after today), in_force, or lifted."""
    if start is None:
        return "none"
    if lifted:
        return "lifted"
    return "in_force" if start <= today else "planned"


def stop_change_refusal(kind: str, in_force: bool) -> str | None:
    """Why a placement stop cannot be added to or changed on this notice at all, or None."""
    if kind != "notice_of_concern":
        return "A placement stop is part of a notice of concern"
    if not in_force:
        return "A placement stop can be added or changed only while the notice is in force"
    return None


def stop_start_problems(
    current: date | None, lifted: bool, new_start: date | None, today: date
) -> dict[str, str]:
    """What is wrong with starting (or moving) the stop to `new_start`."""
    state = placement_stop_state(current, lifted, today)
    if state == "in_force":
        return {
            "placement_stop_start": (
                f"The placement stop began on {long_date(current)} and cannot be moved: "
                "lift it if it should end"
            )
        }
    if new_start is None:
        return {"placement_stop_start": "Enter the date the placement stop starts"}
    if new_start < today:
        return {"placement_stop_start": "The placement stop cannot start before today"}
    if state == "planned" and new_start == current:
        return {
            "placement_stop_start": f"The placement stop already starts on {long_date(current)}"
        }
    return {}
