"""The QuAD meeting's own record (SPEC section 8, issue 16 item 4): its rules over plain values.

A month's record is the meeting held in that month: its date, who attended, and for each
service discussed the discussion, the decisions and the council's actions (what, owner, target
date, progress grading). The grading is the improvement plans' grading (`plans.GRADES`), its
words and numbers: "1 Fully achieved" is an action completed.

- **Lock.** Once the meeting is marked held, its record is never edited: later changes are
  addenda (new entries, each audited).
- **Carry forward.** Month N's pack carries every action opened before N's first day that was
  not completed (graded 1) by the end of the day before it, with its grading as at N's
  reports' day and its history up to then. An action completed in month M is carried into
  M's pack (where it shows completed) and no further; one opened after a month's end is never
  in that month's pack.

Each action's state is read from its updates: (London day, grading) pairs, the first one the
grading it was given when it was opened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from qa_app.domain.limits import (
    ACTION_DESCRIPTION,
    ACTION_OWNER,
    ADDENDUM,
    DECISIONS,
    DISCUSSION,
    ORGANISATION,
    PERSON_NAME,
    text_problem,
)
from qa_app.domain.months import Month
from qa_app.domain.plans import GRADES, target_date_problem

#: "1 Fully achieved": the action is done, and goes no further than the pack of its month.
COMPLETE = 1
#: A generous bound on the people round one table (with those who join by phone).
MAX_ATTENDEES = 60


class MeetingStatus(StrEnum):
    DRAFT = "draft"  # being written: it may be changed
    HELD = "held"  # marked held: locked; later changes are addenda

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


DRAFT = MeetingStatus.DRAFT
HELD = MeetingStatus.HELD
STATUS_LABELS: dict[str, str] = {DRAFT: "Draft (not yet marked held)", HELD: "Held (locked)"}
LOCKED_MESSAGE = (
    "The meeting has been marked held, so its record is locked: add an addendum instead"
)


def grade_label(grade: int | None) -> str:
    """The grading in the plans' words: "2 On track"."""
    if grade is None:
        return "Not graded"
    return GRADES.get(grade, str(grade))


def is_complete(grade: int | None) -> bool:
    return grade == COMPLETE


# ---------------------------------------------------------------- the lock


def edit_refusal(status: str) -> str | None:
    """Why the record cannot be changed (a detail, a service, an action, a grading), or None."""
    if status == HELD:
        return LOCKED_MESSAGE
    return None


def held_refusal(status: str, held_on: date | None, today: date, services: int) -> str | None:
    """Why the meeting cannot be marked held now, or None."""
    if status == HELD:
        return "The meeting has already been marked held"
    if held_on is None:
        return "Enter the meeting's date before marking it held"
    if held_on > today:
        return "The meeting cannot be marked held before its date"
    if services == 0:
        return "Record at least one service discussed before marking the meeting held"
    return None


def addendum_refusal(status: str) -> str | None:
    """An addendum is a later entry on a held record; a draft is simply changed."""
    if status != HELD:
        return "The meeting is not marked held yet: change its record instead of adding an addendum"
    return None


# ---------------------------------------------------------------- checking what is entered


@dataclass(frozen=True)
class Attendee:
    name: str
    organisation: str


def parse_attendees(text: str) -> tuple[list[Attendee], str | None]:
    """One attendee a line, "Name, Organisation" (the organisation after the last comma).
    Returns the attendees, or a message naming the first line that is wrong."""
    people: list[Attendee] = []
    lines = [line.strip() for line in (text or "").splitlines()]
    for n, line in enumerate((line for line in lines if line), 1):
        name, comma, organisation = line.rpartition(",")
        name, organisation = name.strip(), organisation.strip()
        if not comma or not name or not organisation:
            return [], (
                f"Attendee {n} ({line[:60]}): write the name, a comma, then the organisation, "
                "for example Sam Patel, ICB"
            )
        if problem := PERSON_NAME.problem(name) or ORGANISATION.problem(organisation):
            return [], f"Attendee {n}: {problem[0].lower()}{problem[1:]}"
        people.append(Attendee(name, organisation))
    if len(people) > MAX_ATTENDEES:
        return [], f"List at most {MAX_ATTENDEES} attendees"
    return people, None


def attendees_text(people: Sequence[Attendee]) -> str:
    """The attendees as the form takes them back."""
    return "\n".join(f"{p.name}, {p.organisation}" for p in people)


def check_details(month: Month, held_on: date | None, attendees_text: str) -> dict[str, str]:
    """Field errors for the meeting's date (in its month) and its attendees."""
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    elif not month.first_day <= held_on <= month.last_day:
        errors["held_on"] = f"The meeting's date must be in {month.label}"
    people, problem = parse_attendees(attendees_text)
    if problem:
        errors["attendees"] = problem
    elif not people:
        errors["attendees"] = "List who attended: one a line, the name, a comma, the organisation"
    return errors


def check_item(values: Mapping[str, Any], already_discussed: bool) -> dict[str, str]:
    """Field errors for a service discussed: the service, the discussion, the decisions."""
    errors: dict[str, str] = {}
    if not values.get("service_id"):
        errors["service_id"] = "Choose the service discussed"
    elif already_discussed:
        errors["service_id"] = "This service is already in the record: add to its entry instead"
    if problem := text_problem(values.get("discussion"), DISCUSSION, "Summarise the discussion"):
        errors["discussion"] = problem
    if problem := DECISIONS.problem(values.get("decisions") or ""):
        errors["decisions"] = problem
    return errors


def check_action(values: Mapping[str, Any], held_on: date) -> dict[str, str]:
    """Field errors for a council-side action: what, owner, target date (not before the
    meeting, within 3 years of it), grading (1 to 4)."""
    errors: dict[str, str] = {}
    missing = "Say what the action is"
    if problem := text_problem(values.get("description"), ACTION_DESCRIPTION, missing):
        errors["description"] = problem
    missing = "Name the person responsible for the action"
    if problem := text_problem(values.get("owner"), ACTION_OWNER, missing):
        errors["owner"] = problem
    target = values.get("target_date")
    if problem := target_date_problem(target, held_on, " of the meeting", "before the meeting"):
        errors["target_date"] = problem
    errors.update(check_grade(values.get("grade")))
    return errors


def check_grade(grade: object) -> dict[str, str]:
    if grade not in GRADES:
        return {"grade": "Choose a grading from 1 Fully achieved to 4 Not achieved"}
    return {}


def check_progress(values: Mapping[str, Any]) -> dict[str, str]:
    errors = check_grade(values.get("grade"))
    if problem := ADDENDUM.problem(values.get("note") or ""):
        errors["note"] = problem.replace("The addendum", "The note")
    return errors


def check_addendum(text: str) -> dict[str, str]:
    text = (text or "").strip()
    if not text:
        return {"text": "Write the addendum"}
    if problem := ADDENDUM.problem(text):
        return {"text": problem}
    return {}


# ---------------------------------------------------------------- carrying actions forward


@dataclass(frozen=True)
class Update:
    """A grading given to an action on a (London) day, at a meeting of `month`."""

    on: date
    grade: int
    note: str = ""
    month: str = ""


@dataclass(frozen=True)
class ActionFacts:
    opened_on: date
    updates: tuple[Update, ...]  # in the order they were given; the first opened the action


def history_until(action: ActionFacts, day: date) -> list[Update]:
    """The updates given on or before `day`, in order."""
    return [u for u in action.updates if u.on <= day]


def grade_on(action: ActionFacts, day: date) -> int | None:
    """The action's grading at the end of `day` (None before it was opened)."""
    seen = history_until(action, day)
    return seen[-1].grade if seen else None


def carried_into(action: ActionFacts, month: Month) -> bool:
    """Whether `month`'s pack carries the action forward: opened before the month began and
    not completed by the end of the day before it."""
    if action.opened_on >= month.first_day:
        return False
    return not is_complete(grade_on(action, month.first_day - timedelta(days=1)))


def completed_in(action: ActionFacts, month: Month, as_at: date) -> bool:
    """Completed by `as_at` (the pack's day) having been outstanding when the month began:
    shown completed in this pack, and carried no further."""
    return carried_into(action, month) and is_complete(grade_on(action, as_at))
