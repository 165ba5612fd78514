"""The meeting's own record in the report's formats: as JSON (`meeting`), and as the tables of
the CSV zip and the XLSX workbook ("Meeting record", "Meeting discussions", "Meeting actions").
It renders the `MeetingRecord` that `build` read; it reads nothing itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qa_app.services import tables_out
from qa_app.services.quad_report.meeting import ActionView, MeetingRecord


def _action(a: ActionView) -> dict:
    return {
        "id": a.id,
        "service_id": a.service_id,
        "service": a.service,
        "description": a.description,
        "owner": a.owner,
        "target_date": a.target_date.isoformat(),
        "opened_on": a.opened_on.isoformat(),
        "opened_in": a.opened_in,
        "progress_grade": a.grade,
        "progress_grade_label": a.grade_label,
        "completed": a.complete,
        "carried_forward": a.carried_forward,
        "state": a.state,
        "history": [
            {
                "on": u.on.isoformat(),
                "progress_grade": u.grade,
                "progress_grade_label": u.grade_label,
                "note": u.note,
                "meeting": u.month,
            }
            for u in a.history
        ],
    }


def as_dict(record: MeetingRecord | None) -> dict | None:
    if record is None:
        return None
    return {
        "month": str(record.month),
        "recorded": record.meeting_id is not None,
        "status": record.status,
        "held_on": record.held_on.isoformat() if record.held_on else None,
        "held_at": record.held_at.isoformat() if record.held_at else None,
        "held_by": record.held_by,
        "as_at": record.as_at.isoformat(),
        "attendees": [{"name": p.name, "organisation": p.organisation} for p in record.attendees],
        "services": [
            {
                "service_id": item.service_id,
                "name": item.service,
                "provider": item.provider,
                "discussion": item.discussion,
                "decisions": item.decisions,
                "actions": [_action(a) for a in item.actions],
            }
            for item in record.items
        ],
        "carried_forward": [_action(a) for a in record.carried],
        "addenda": [
            {"text": ad.text, "by": ad.by, "at": ad.at.isoformat()} for ad in record.addenda
        ],
    }


ACTION_COLUMNS = [
    "Service",
    "Action",
    "Owner",
    "Target date",
    "Agreed on",
    "Agreed at the meeting of",
    "Progress grading",
    "State",
    "History",
    "Service ID",
    "Action ID",
]


def _action_row(a: ActionView) -> list:
    history = "; ".join(
        f"{u.on:%d/%m/%Y} {u.grade_label}" + (f": {u.note}" if u.note else "") for u in a.history
    )
    return [
        a.service,
        a.description,
        a.owner,
        a.target_date,
        a.opened_on,
        a.opened_in,
        a.grade_label,
        a.state,
        history,
        a.service_id,
        a.id,
    ]


def tables(record: MeetingRecord | None, heading: Callable[[str], list[list]]) -> list:
    """The record's tables, after the figures' (the same order as the page and the PDF)."""
    if record is None:
        return []
    about: list[list[Any]] = [
        ["Month", record.month.label],
        ["Status", record.status_label],
        ["Date of the meeting", record.held_on or ""],
        ["Marked held", record.held_at or ""],
        ["Marked held by", record.held_by or ""],
    ]
    about += [["Attendee", f"{p.name}, {p.organisation}"] for p in record.attendees]
    about += [["Addendum", f"{ad.text} ({ad.by})"] for ad in record.addenda]
    return [
        tables_out.Table(
            "Meeting record",
            ["Item", "Value"],
            about,
            heading=heading(f"Record of the QuAD meeting, {record.month.label}"),
            emphasis=0,
            widths=[24, 90],
        ),
        tables_out.Table(
            "Meeting discussions",
            ["Service", "Provider", "Discussion", "Decisions", "Actions agreed", "Service ID"],
            [
                [i.service, i.provider, i.discussion, i.decisions, len(i.actions), i.service_id]
                for i in record.items
            ],
            heading=heading("Services discussed at the meeting"),
            emphasis=0,
            widths=[30, 26, 60, 50, 10, 10],
        ),
        _actions_table(
            "Meeting actions", record.actions, heading("Council actions agreed at the meeting")
        ),
        _actions_table(
            "Actions carried forward",
            record.carried,
            heading("Actions carried forward from earlier meetings"),
        ),
    ]


def _actions_table(name: str, actions: list[ActionView], heading: list[list]) -> tables_out.Table:
    return tables_out.Table(
        name,
        ACTION_COLUMNS,
        [_action_row(a) for a in actions],
        heading=heading,
        emphasis=0,
        widths=[28, 50, 20, 12, 12, 12, 18, 24, 50, 10, 10],
    )
