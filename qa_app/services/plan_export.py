"""The improvement plan as a PDF (ReportLab, the report's house style) and as XLSX (through
`tables_out`, like every spreadsheet we write): issues, actions, owners, dates, gradings and
evidence of progress, as councils pass them around."""

from __future__ import annotations

from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from qa_app.domain import plans as rules
from qa_app.domain.wording import long_date
from qa_app.services import plans, tables_out
from qa_app.services.report_pdf import (
    BODY,
    CELL,
    CELL_BOLD,
    H1,
    H2,
    H3,
    SMALL,
    _p,
    ruled_table,
    service_pdf,
)


def _issue_line(issue) -> str:
    if issue.source == "assessment":
        text = f"From the published assessment: {issue.rating}"
        if issue.percentage is not None:
            text += f" ({issue.percentage}%)"
        if issue.limiter:
            text += f", {issue.limiter}"
        return text
    if issue.source == "cqc":
        return f"From CQC: {issue.rating}"
    return f"Added by {issue.added_by_label} on {long_date(issue.created_at)}"


def render_pdf(plan, council: str, today=None) -> bytes:
    pv = plans.view(plan, today)
    service = plan.service
    page = landscape(A4)
    width = page[0] - 30 * mm
    status = rules.STATUS_LABELS.get(plan.status, plan.status)
    if pv.plan_overdue:
        status += " (overdue)"
    story = [
        _p(council, SMALL),
        _p("Improvement plan", H2),
        _p(service.name, H1),
        _p(f"{service.provider.name} · {service.service_type_label} · {service.cluster}", BODY),
        Spacer(1, 4 * mm),
        ruled_table(
            [
                [_p("Status", CELL_BOLD), _p(status, CELL)],
                [_p("Why there is a plan", CELL_BOLD), _p(plan.opened_because, CELL)],
                [_p("Opened", CELL_BOLD), _p(f"{long_date(plan.opened_at)}", CELL)],
                [_p("Plan due", CELL_BOLD), _p(f"{long_date(plan.submission_due_date)}", CELL)],
                [
                    _p("Submitted / accepted", CELL_BOLD),
                    _p(
                        (f"{long_date(plan.submitted_at)}" if plan.submitted_at else "Not yet")
                        + " / "
                        + (f"{long_date(plan.accepted_at)}" if plan.accepted_at else "Not yet"),
                        CELL,
                    ),
                ],
                [
                    _p("Below Good", CELL_BOLD),
                    _p(plan.left_below_good_by or "Still below Good", CELL),
                ],
            ],
            [55 * mm, width - 55 * mm],
            header=False,
        ),
    ]
    story.append(
        Paragraph(
            "Progress grading: 1 Fully achieved · 2 On track · 3 Slipped · 4 Not achieved",
            SMALL,
        )
    )
    if plan.status == rules.RETURNED and plan.review_comments:
        story += [_p("Council's comments when returning the plan", H3), _p(plan.review_comments)]
    widths = [w * mm for w in (62, 30, 22, 45, 26, 67)]
    widths[-1] = width - sum(widths[:-1])
    for number, issue in enumerate(pv.issues, 1):
        heading = f"Issue {number}: {issue.title}"
        if issue.withdrawn_at:
            heading += " (withdrawn)"
        block: list[Any] = [_p(heading, H3), _p(_issue_line(issue), SMALL)]
        if issue.withdrawn_at:
            block.append(
                _p(f"Withdrawn {long_date(issue.withdrawn_at)}: {issue.withdrawn_reason}", SMALL)
            )
        rows = [
            [
                _p(h, CELL_BOLD)
                for h in (
                    "Action",
                    "Owner",
                    "Target date",
                    "Success measure",
                    "Status and grading",
                    "Evidence of progress and impact",
                )
            ]
        ]
        for a in pv.actions.get(issue.id, []):
            status_text = rules.ACTION_LABELS[a.status]
            if pv.action_overdue(a):
                status_text += " (overdue)"
            if a.progress_grade:
                status_text += "\n" + rules.GRADES[a.progress_grade]
            evidence = []
            if a.progress_evidence:
                evidence.append(f"Progress: {a.progress_evidence}")
            if a.impact_evidence:
                evidence.append(f"Impact: {a.impact_evidence}")
            if a.completion_note:
                evidence.append(f"Completed: {a.completion_note}")
            if a.verified_at:
                evidence.append(f"Verified by {a.verified_by_label} {long_date(a.verified_at)}")
            files = pv.files.get(a.id, [])
            if files:
                evidence.append("Files: " + ", ".join(f.filename for f in files))
            rows.append(
                [
                    _p(a.description, CELL),
                    _p(a.owner, CELL),
                    _p(f"{long_date(a.target_date)}", CELL),
                    _p(a.success_measure, CELL),
                    _p(status_text, CELL),
                    _p("\n".join(evidence) or "None yet", CELL),
                ]
            )
        if len(rows) == 1:
            block.append(_p("No actions yet.", SMALL))
            story.append(KeepTogether(block))
        else:
            story.append(KeepTogether(block[:3]))
            story.append(ruled_table(rows, widths))
        story.append(Spacer(1, 3 * mm))
    if not pv.issues:
        story.append(_p("The plan has no issues yet.", BODY))
    title = f"Improvement plan: {service.name}"
    return service_pdf(story, title, council, service.name, margins=(15, 15, 18), pagesize=page)


XLSX_COLUMNS = (
    "Issue",
    "Issue source",
    "Action",
    "Owner (responsibility)",
    "Target date",
    "Success measure",
    "Status",
    "Overdue",
    "Progress grading",
    "Evidence of progress",
    "Evidence of impact",
    "Completion note",
    "Verified",
    "Evidence files",
)
XLSX_WIDTHS = (34, 26, 40, 20, 12, 30, 12, 9, 16, 36, 30, 30, 22, 24)


def _xlsx_rows(pv):
    for number, issue in enumerate(pv.issues, 1):
        title = f"{number}. {issue.title}" + (" (withdrawn)" if issue.withdrawn_at else "")
        actions = pv.actions.get(issue.id, [])
        if not actions:
            yield [title, _issue_line(issue)] + [""] * (len(XLSX_COLUMNS) - 2)
        for a in actions:
            yield [
                title,
                _issue_line(issue),
                a.description,
                a.owner,
                a.target_date,
                a.success_measure,
                rules.ACTION_LABELS[a.status],
                "Yes" if pv.action_overdue(a) else "",
                rules.GRADES.get(a.progress_grade, ""),
                a.progress_evidence,
                a.impact_evidence,
                a.completion_note or "",
                f"{a.verified_by_label} {long_date(a.verified_at)}" if a.verified_at else "",
                ", ".join(f.filename for f in pv.files.get(a.id, [])),
            ]


def render_xlsx(plan, council: str, today=None) -> bytes:
    pv = plans.view(plan, today)
    service = plan.service
    status = rules.STATUS_LABELS.get(plan.status, plan.status)
    return tables_out.to_xlsx(
        tables_out.Table(
            title="Improvement plan",
            heading=(
                (council,),
                (f"Improvement plan: {service.name}",),
                ("Provider", service.provider.name),
                ("Status", status + (" (overdue)" if pv.plan_overdue else "")),
                ("Why there is a plan", plan.opened_because),
                ("Plan due", plan.submission_due_date),
                ("Below Good", plan.left_below_good_by or "Still below Good"),
            ),
            emphasis=1,
            columns=XLSX_COLUMNS,
            rows=_xlsx_rows(pv),
            widths=XLSX_WIDTHS,
        )
    )
