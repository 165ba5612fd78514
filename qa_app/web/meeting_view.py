"""Summary-list rows for the QuAD meeting's record (GOV.UK summary lists): each action's what,
owner, target date and grading; a carried action's history. Text is escaped here."""

from __future__ import annotations

from markupsafe import Markup, escape

from qa_app.domain.months import Month
from qa_app.domain.wording import long_date
from qa_app.services.quad_report.meeting import ActionView


def month_label(text: str) -> str:
    """2026-10 as October 2026."""
    year, month = text.split("-")
    return Month(int(year), int(month)).label


def prewrap(text: str) -> Markup:
    """Text as written, its line breaks kept (escaped)."""
    return Markup('<span class="app-prewrap">{}</span>').format(text)


def action_html(a: ActionView) -> Markup:
    return Markup(
        '<p class="govuk-body govuk-!-margin-bottom-1 app-prewrap">{}</p>'
        '<p class="govuk-body-s govuk-!-margin-bottom-0">Owner: {} · Target date: {} · '
        "Grading: <strong>{}</strong></p>"
    ).format(a.description, a.owner, long_date(a.target_date), a.grade_label)


def action_rows(actions: list[ActionView]) -> list[dict]:
    if not actions:
        return [{"key": {"text": "Actions"}, "value": {"text": "None agreed"}}]
    return [
        {"key": {"text": f"Action {n}"}, "value": {"html": action_html(a)}}
        for n, a in enumerate(actions, 1)
    ]


def history_html(a: ActionView) -> Markup:
    items = Markup("").join(
        Markup("<li>{}: {} (meeting of {}){}</li>").format(
            long_date(u.on),
            u.grade_label,
            month_label(u.month),
            Markup(": ") + escape(u.note) if u.note else "",
        )
        for u in a.history
    )
    return Markup('<ul class="govuk-list govuk-body-s">{}</ul>').format(items)


def carried_rows(a: ActionView) -> list[dict]:
    return [
        {"key": {"text": "Action"}, "value": {"html": prewrap(a.description)}},
        {"key": {"text": "Owner"}, "value": {"text": a.owner}},
        {"key": {"text": "Target date"}, "value": {"text": long_date(a.target_date)}},
        {
            "key": {"text": "Agreed"},
            "value": {"text": f"{long_date(a.opened_on)} (meeting of {month_label(a.opened_in)})"},
        },
        {
            "key": {"text": "Grading now"},
            "value": {"html": Markup("<strong>{}</strong>").format(a.grade_label)},
        },
        {"key": {"text": "History"}, "value": {"html": history_html(a)}},
    ]
