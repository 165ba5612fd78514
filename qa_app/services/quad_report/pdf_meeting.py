"""The meeting's own record in the QuAD PDF: "Meeting record" (date, attendees, each service
discussed with its discussion, decisions and the council's actions) and "Actions carried
forward" (from earlier meetings, with grading and history). With no meeting recorded for the
month, the pack gives a ruled table to complete at the meeting."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from qa_app.domain.plans import GRADES
from qa_app.domain.wording import long_date, long_datetime
from qa_app.services.quad_report.meeting import ActionView, MeetingRecord
from qa_app.services.report_pdf import (
    CELL,
    CELL_BOLD,
    HINT,
    INK,
    LIGHT,
    LINE,
    SMALL,
    SUBSECTION,
    paragraph,
    ruled_table,
)

HEADING = SUBSECTION
GRADING_WORDS = ", ".join(GRADES.values())


_p = paragraph


def _table(rows, widths, header=True) -> Table:
    return ruled_table(rows, widths, header, side_padding=4, header_shaded=True)


def _actions_table(actions: list[ActionView], width: float, history: bool = False) -> Table:
    head = ["Action", "Owner", "Target date", "Grading"]
    widths = [width - 100 * mm, 34 * mm, 28 * mm, 38 * mm]
    rows: list[list[Any]] = [[_p(h, CELL_BOLD) for h in head]]
    for a in actions:
        what: list[Any] = [_p(a.description, CELL)]
        if history:
            what.insert(0, _p(a.service, CELL_BOLD))
            what.append(
                _p(
                    f"Agreed {long_date(a.opened_on)}. History: "
                    + "; ".join(
                        f"{long_date(u.on)}: {u.grade_label}" + (f" ({u.note})" if u.note else "")
                        for u in a.history
                    ),
                    HINT,
                )
            )
        grading = [_p(a.grade_label, CELL_BOLD)]
        if history:
            grading.append(_p(a.state, HINT))
        rows.append([what, _p(a.owner, CELL), _p(long_date(a.target_date), CELL), grading])
    return _table(rows, widths)


def _blank(width: float) -> list:
    """The ruled table to complete by hand when no record has been kept in the app."""
    parts: list[Any] = [
        _p(
            "No meeting has been recorded for this month yet. To complete at the meeting: "
            "for each service discussed, the discussion, the decisions, and the council's "
            f"actions with their owner, target date and progress grading ({GRADING_WORDS})."
        ),
        _p("Attendees", HEADING),
    ]
    lines = Table([[""] for _ in range(3)], colWidths=[width], rowHeights=[9 * mm] * 3)
    lines.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE)]))
    parts += [lines, _p("Services discussed", HEADING)]
    head = [
        _p("Service", CELL_BOLD),
        _p("Discussion", CELL_BOLD),
        _p("Decisions", CELL_BOLD),
        _p("Actions: owner, target date, grading", CELL_BOLD),
    ]
    table = Table(
        [head] + [["", "", "", ""] for _ in range(6)],
        colWidths=[38 * mm, 48 * mm, 38 * mm, width - 124 * mm],
        rowHeights=[None] + [24 * mm] * 6,
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, LINE),
                ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ]
        )
    )
    parts.append(table)
    return parts


def record_flowables(record: MeetingRecord | None, width: float) -> list:
    """The "Meeting record" section's content."""
    if record is None or record.meeting_id is None or record.held_on is None:
        return _blank(width)  # (a meeting kept in the app always has its date)
    held = (
        f"Marked held {long_datetime(record.held_at)} by {record.held_by}; the record is locked."
        if record.held and record.held_at
        else "Draft: not yet marked held."
    )
    parts: list[Any] = [
        _p(f"Meeting of {long_date(record.held_on)}. {held}"),
        _p("Attendees", HEADING),
        _table(
            [[_p("Name", CELL_BOLD), _p("Organisation", CELL_BOLD)]]
            + [[_p(a.name, CELL), _p(a.organisation, CELL)] for a in record.attendees],
            [width / 2, width / 2],
        ),
        _p("Services discussed", HEADING),
    ]
    if not record.items:
        parts.append(_p("No services recorded (for the services this pack covers).", SMALL))
    for item in record.items:
        block: list[Any] = [
            _p(f"{item.service} ({item.provider})", CELL_BOLD),
            Spacer(1, 1 * mm),
            _table(
                [
                    [_p("Discussion", CELL_BOLD), _p(item.discussion, CELL)],
                    [_p("Decisions", CELL_BOLD), _p(item.decisions or "None recorded", CELL)],
                ],
                [30 * mm, width - 30 * mm],
                header=False,
            ),
            Spacer(1, 1.5 * mm),
        ]
        if item.actions:
            block.append(_actions_table(item.actions, width))
        else:
            block.append(_p("No council actions agreed.", SMALL))
        block.append(Spacer(1, 4 * mm))
        parts.append(KeepTogether(block))
    if record.addenda:
        parts.append(_p("Addenda (added after the meeting was held)", HEADING))
        for ad in record.addenda:
            parts.append(_p(f"{long_datetime(ad.at)}, {ad.by}: {ad.text}", CELL))
    parts.append(Spacer(1, 6 * mm))
    return parts


def carried_flowables(record: MeetingRecord | None, width: float) -> list:
    """The "Actions carried forward" section's content."""
    if record is None or not record.carried:
        month = record.month.label if record else "this month"
        return [_p(f"No actions from earlier meetings are carried forward into {month}.")]
    return [
        KeepTogether(
            [
                _p(
                    "Council actions agreed at earlier meetings and not completed before "
                    f"{record.month.label} began, with their grading as at {long_date(record.as_at)} "
                    f"({GRADING_WORDS}). An action completed this month is shown once more, "
                    "then no longer carried.",
                    SMALL,
                ),
                Spacer(1, 2 * mm),
                _actions_table(record.carried, width, history=True),
            ]
        )
    ]
