"""The monthly QuAD report on screen, its downloads (PDF, XLSX, a zip of CSV files), and the
records behind each of its numbers. Council staff only."""

from __future__ import annotations

from datetime import date, datetime

from flask import render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from qa_app.domain.codes import SERVICE_TYPES
from qa_app.domain.months import MonthRefused, last_full_month, month_of, parse_month
from qa_app.domain.wording import long_date, long_datetime
from qa_app.services import quad_meetings, quad_report, registry
from qa_app.services.calendar import utcnow
from qa_app.services.errors import ServiceError
from qa_app.services.quad_report import formats, lists
from qa_app.services.quad_report.files import FILES, ReportFile
from qa_app.web.access import staff_required
from qa_app.web.downloads import attachment, council
from qa_app.web.forms import Select, options, page_number, select_field
from qa_app.web.meeting_view import action_rows, history_html, prewrap
from qa_app.web.staff import bp

MONTHS_OFFERED = 36
LINKS = {
    "service": ("staff.service_page", "service_id"),
    "concern": ("staff.concern_page", "concern_id"),
    "notice": ("staff.notice_page", "notice_id"),
    "assessment": ("staff.assessment_page", "assessment_id"),
    "plan": ("staff.plan_page", "plan_id"),
}


class QuadReportForm(FlaskForm):
    """The report's month and filters (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    month = select_field("Month")
    cluster = SelectField("Cluster", widget=Select())
    service_type = SelectField(
        "Type of service",
        widget=Select(),
        choices=options([("", "All types"), *SERVICE_TYPES.items()]),
    )


def _form(now):
    form = QuadReportForm(request.args)
    current = month_of(now)
    offered = [current.shifted(-k) for k in range(MONTHS_OFFERED)]
    chosen = None
    try:
        chosen = parse_month(form.month.data or str(last_full_month(now)), now)
    except MonthRefused as refused:
        form.month.errors = [str(refused)]
    if chosen is not None and chosen not in offered:
        offered.append(chosen)
    form.month.choices = options([(str(m), m.label) for m in sorted(offered, reverse=True)])
    if chosen is not None:
        form.month.data = str(chosen)
    form.cluster.choices = options(
        [("", "All clusters")] + [(c, c) for c in registry.cluster_names()]
    )
    # an unknown cluster or type in the address is ignored, as the service list does
    for field in (form.cluster, form.service_type):
        if field.data not in [choice.value for choice in field.choices]:
            field.data = ""
    filters = quad_report.check_filters(form.cluster.data, form.service_type.data)
    return form, chosen, filters


@bp.get("/reports/quad")
@staff_required
def quad_report_page():
    now = utcnow()
    form, month, filters = _form(now)
    if month is None:
        return render_template(
            "staff/reports/quad.html", form=form, report=None, section="reports"
        ), 400
    report = quad_report.build(current_user, month, filters, now)
    return render_template(
        "staff/reports/quad.html",
        form=form,
        report=report,
        rows=quad_report.section_rows(report),
        shown=formats.shown,
        figures_by_path=quad_report.FIGURES,
        percent_text=formats.percent_text,
        rating_label=formats.rating_label,
        kind_labels=formats.KIND_LABELS,
        action_rows=action_rows,
        history_html=history_html,
        meeting_writer=quad_meetings.can_write(current_user),
        prewrap=prewrap,
        filters=filters,
        previous=month.previous(),
        following=month.next() if month < month_of(now) else None,
        section="reports",
    )


def _chosen(month_text: str):
    """The month in an address, and the filters in its query; a clear 400 page if wrong."""
    now = utcnow()
    try:
        month = parse_month(month_text, now)
    except MonthRefused as refused:
        raise ServiceError(str(refused), {"month": str(refused)}) from None
    filters = quad_report.check_filters(
        request.args.get("cluster"), request.args.get("service_type")
    )
    return month, filters, now


def _serve(file: ReportFile) -> None:
    """One route per file format, named `quad_report_<extension>` (the API serves the same)."""

    def view(month):
        month, filters, now = _chosen(month)
        report = quad_report.build(current_user, month, filters, now)
        return attachment(file.render(report, council()), file.media_type, file.name(report))

    view.__name__ = f"quad_report_{file.extension}"
    bp.get(f"/reports/quad/<month>.{file.extension}")(staff_required(view))


for _report_file in FILES:
    _serve(_report_file)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return long_datetime(value)
    if isinstance(value, date):
        return long_date(value)
    return str(value)


@bp.get("/reports/quad/<month>/<figure>")
@staff_required
def quad_report_list(month, figure):
    month, filters, now = _chosen(month)
    page = page_number(request.args.get("page"))
    found = lists.records(current_user, month, filters, figure, page, now)
    for row in found.rows:
        row.cells = [_cell(value) for value in row.cells]
    return render_template(
        "staff/reports/quad_list.html",
        found=found,
        filters=filters,
        links=LINKS,
        section="reports",
    )
