"""An audit event in words (issue 13, point 6): what a history shows a person.

The audit trail keeps codes and ids as they were recorded (`draft_shared`, `lead_officer_id: 3`,
ISO dates). A history never shows them: every status reads as its label from the rules it
belongs to, every field as words, every person as their name, every date as "8 December 2026".
`describe` is the one place that turns an event into those words; the names of the people and
things an event points at are looked up beforehand (services.audit.names_for) and passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from qa_app.domain import concerns, lifecycle, notices, plans
from qa_app.domain.codes import RAG_LABELS, service_type_label
from qa_app.domain.roles import ROLE_LABELS
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.domain.wording import long_date, long_datetime

BLANK = "(blank)"

ENTITY_LABELS = {
    "assessment": "Assessment",
    "answer": "Answer",
    "answer_photo": "Photo or file on an answer",
    "assessment_comment": "Comment on the draft report",
    "notice": "Notice",
    "concern": "Concern",
    "improvement_plan": "Improvement plan",
    "plan_issue": "Plan issue",
    "plan_action": "Plan action",
    "evidence_file": "Evidence file",
    "service": "Service",
    "provider": "Provider",
    "user": "User",
    "api_token": "API token",
    "standard_set": "Standard set",
    "quad_meeting": "QuAD meeting record",
    "quad_action": "QuAD meeting action",
}

#: (entity, action) → what happened, where the recorded name is not already plain words
ACTION_WORDS = {
    ("assessment", "draft_shared"): "draft shared with the provider",
    ("assessment", "correction_started"): "correction started",
    ("service", "risk_changed"): "risk rating changed",
    ("service", "closed"): "closed",
    ("service", "reopened"): "reopened",
    ("assessment", "cancelled"): "cancelled (not started when its service closed)",
    ("notice", "issue"): "issued",
    ("notice", "lift"): "lifted",
    ("notice", "escalate"): "escalated to a contract breach notice",
    ("notice", "withdraw"): "withdrawn",
    ("notice", "remedy"): "marked remedied",
    ("notice", "recommend_termination"): "termination of the contract recommended",
    ("improvement_plan", "service_no_longer_below_good"): "no longer needed: service now Good",
    ("notice", "provider responded"): "answered by the provider",
    ("notice", "provider attached evidence"): "evidence attached by the provider",
    ("plan_action", "progress_recorded"): "progress recorded",
    ("plan_action", "sent_back"): "sent back to the provider",
    ("user", "password_changed"): "changed their password",
    ("user", "password_set"): "set their password",
    ("user", "invitation_sent"): "sent a new set-password link",
    ("user", "role_changed"): "role changed",
    ("user", "calendar_feed_created"): "made a calendar feed address",
    ("user", "calendar_feed_replaced"): "made a new calendar feed address (the old one ended)",
    ("user", "calendar_feed_revoked"): "stopped their calendar feed",
    ("quad_meeting", "details_changed"): "date or attendees changed",
    ("quad_meeting", "marked_held"): "marked held (locked)",
    ("quad_meeting", "addendum_added"): "addendum added",
    ("quad_action", "progress_recorded"): "progress graded",
}

FIELD_LABELS = {
    # the visit programme
    "visits_per_month": "Visits a month",
    "calendar_feed": "Calendar feed",
    # the QuAD meeting's record
    "held_on": "Date of the meeting",
    "attendees": "Attendees",
    "discussion": "Discussion",
    "addendum": "Addendum",
    "month": "Month",
    # services and providers
    "name": "Name",
    "closed_on": "Closed on",
    "closed_reason": "Why it closed",
    "reason": "Reason",
    "provider_id": "Provider",
    "cqc_location_id": "CQC location ID",
    "cqc_provider_id": "CQC provider ID",
    "service_type": "Type",
    "cluster": "Cluster",
    "address": "Address",
    "postcode": "Postcode",
    "beds": "Registered beds",
    "contract_reference": "Contract reference",
    "contract_start": "Contract start",
    "contract_end": "Contract end",
    "contract_officer_id": "Contract officer",
    "registered_manager_name": "Registered manager",
    "cqc_rating": "CQC rating",
    "cqc_rating_date": "CQC rating date",
    "cqc_safe": "CQC Safe",
    "cqc_effective": "CQC Effective",
    "cqc_caring": "CQC Caring",
    "cqc_responsive": "CQC Responsive",
    "cqc_well_led": "CQC Well-led",
    "source": "Source",
    "contact_name": "Contact",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
    # users and tokens
    "email": "Email",
    "role": "Role",
    "active": "Active",
    "user_id": "For",
    # assessments
    "visit_date": "Visit date",
    "standard_set": "Standard set",
    "lead_officer_id": "Lead officer",
    "officer_ids": "Other officers",
    "overall_rating": "Overall rating",
    "revision_of": "Correcting",
    "question": "Question",
    "score": "Score",
    "na_reason": "Reason for N/A",
    "evidence": "Evidence",
    "sources": "Evidence sources",
    # concerns and notices
    "risk_level": "Risk level",
    "response_due_at": "Response due",
    "response_action": "Response",
    "outcome": "Outcome",
    "notice_id": "Notice",
    "parent_id": "Raised from",
    "grounds": "Grounds",
    "placement_stop_start": "Placement stop from",
    "placement_stop_lifted_at": "Placement stop lifted",
    "closed_at": "Closed",
    # improvement plans
    "submission_due_date": "Submission due",
    "because": "Because",
    "title": "Title",
    "description": "Description",
    "owner": "Owner",
    "target_date": "Target date",
    "success_measure": "Success measure",
    "progress_grade": "Progress grade",
    "comments": "Comments",
    "filename": "File",
    "action": "Action",
    # standard sets
    "key": "Key",
    "version": "Version",
    "questions": "Questions",
}

#: field → the kind of record its value is the id of (names are looked up by kind)
ID_FIELDS = {
    "provider_id": "provider",
    "contract_officer_id": "user",
    "lead_officer_id": "user",
    "officer_ids": "user",
    "user_id": "user",
    "revision_of": "assessment",
    "action": "plan_action",
}
#: each kind's statuses in words
STATUS_WORDS: dict[str, Mapping[str, str]] = {
    "assessment": lifecycle.STATUS_LABELS,
    "notice": notices.STATUS_LABELS,
    "concern": concerns.STATUS_LABELS,
    "improvement_plan": plans.STATUS_LABELS,
    "plan_action": plans.ACTION_LABELS,
}
#: field → its codes in words, whatever the record
CODE_WORDS: dict[str, Mapping[Any, str]] = {
    "risk_level": concerns.CONCERN_RISK_LABELS,
    "response_action": concerns.RESPONSES,
    "outcome": concerns.OUTCOMES,
    "role": ROLE_LABELS,
    "risk": RAG_LABELS,
}
#: {kind of record: {its id (or key): its name}}
Names = Mapping[str, Mapping[Any, str]]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DUE = re.compile(r"\(due (\d{4}-\d{2}-\d{2})\)$")


@dataclass(frozen=True)
class Change:
    """One line of an event: a field in words, its value before (None: it was not set) and
    after."""

    label: str
    before: str | None
    after: str


@dataclass(frozen=True)
class EventWords:
    title: str  # "Assessment published"
    changes: tuple[Change, ...]
    recorded: bool  # a record made: its values are shown as "what was recorded"


def entity_label(entity_type: str) -> str:
    return ENTITY_LABELS.get(entity_type, _words(entity_type).capitalize())


def action_words(entity_type: str, action: str) -> str:
    """'draft_shared' → 'draft shared with the provider'; plain words stay as they are."""
    return ACTION_WORDS.get((entity_type, action)) or _words(action)


def field_label(field: str) -> str:
    """'lead_officer_id' → 'Lead officer'; 'requirement 2' → 'Requirement 2'."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    words = _words(field.removesuffix("_ids").removesuffix("_id"))
    return words[:1].upper() + words[1:]


def value_words(
    entity_type: str, action: str, field: str, value: Any, names: Names | None = None
) -> str:
    """A recorded value as a person reads it."""
    if value is None or value == "" or value == []:
        return BLANK
    names = names or {}
    kind = ID_FIELDS.get(field)
    if kind == "user" and isinstance(value, list):
        return ", ".join(_named(names, kind, v) for v in value)
    if kind:
        return _named(names, kind, value)
    if field == "parent_id" or field == "notice_id":
        return f"{notices.KINDS['notice_of_concern']} {value}"
    if field == "status":
        return STATUS_WORDS.get(entity_type, {}).get(value, _words(str(value)).capitalize())
    if field.startswith("requirement ") and action == "requirement assessed":
        return notices.REQUIREMENT_LABELS.get(value, str(value))
    if field in CODE_WORDS:
        return CODE_WORDS[field].get(value, str(value))
    if field == "source" and entity_type == "concern":
        return concerns.SOURCES.get(value, str(value))
    if field == "sources" and isinstance(value, list):
        return ", ".join(EVIDENCE_SOURCES.get(v, str(v)) for v in value)
    if field == "service_type":
        return service_type_label(value)
    if field == "progress_grade":
        return plans.GRADES.get(value, str(value))
    if field == "standard_set":
        standard_set: str = names.get("standard_set", {}).get(value, str(value))
        return standard_set
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return _dated(value)
    return str(value)


def describe(
    entity_type: str,
    action: str,
    changes: Mapping[str, Any] | None,
    names: Names | None = None,
) -> EventWords:
    """An event's title and its changes, in words."""
    lines: list[Change] = []
    for field, pair in (changes or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        if before == after:  # recorded for reference (the token's owner when it is revoked)
            before = None
        lines.append(
            Change(
                field_label(field),
                None
                if before in (None, "")
                else value_words(entity_type, action, field, before, names),
                value_words(entity_type, action, field, after, names),
            )
        )
    title = f"{entity_label(entity_type)} {action_words(entity_type, action)}"
    return EventWords(title, tuple(lines), action in ("created", "loaded"))


def _words(code: str) -> str:
    """'updated_from_cqc_file' → 'updated from CQC file'."""
    words = (code or "").replace("_", " ").split()
    return " ".join("CQC" if word == "cqc" else "API" if word == "api" else word for word in words)


def _named(names: Names, kind: str, value: Any) -> str:
    """The name of the person or thing an id points at. One no longer there is said to be
    so, never shown as a bare number."""
    found: str | None = names.get(kind, {}).get(value)
    if found:
        return found
    return {
        "user": "a user no longer on record",
        "provider": "a provider no longer on record",
        "assessment": "an earlier assessment",
        "plan_action": "an action",
    }.get(kind, "(not found)")


def _dated(text: str) -> str:
    """ISO dates and moments kept in the trail, as '8 December 2026' (at '3:23pm')."""
    if _ISO_DATE.fullmatch(text):
        try:
            return long_date(date.fromisoformat(text))
        except ValueError:
            return text
    if len(text) >= 19 and _ISO_DATE.match(text) and text[10] == "T":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return long_datetime(moment) if moment.tzinfo else long_date(moment)
    if due := _DUE.search(text):  # a requirement: "Fix the rota (due 2026-12-11)"
        try:
            return text[: due.start()] + f"(due {long_date(date.fromisoformat(due.group(1)))})"
        except ValueError:
            return text
    return text
