"""/api/v1/reports/quad/{YYYY-MM}: the monthly QuAD report (SPEC section 8), as JSON, PDF, a zip
of CSV files or XLSX. Council staff only: for a provider it is not there (404)."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal, cast

from flask import current_app, send_file
from pydantic import ConfigDict, Field, StringConstraints, create_model

from qa_app.api.auth import api_user
from qa_app.api.errors import BadRequest
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import Response, ServiceType
from qa_app.domain.concerns import SOURCES
from qa_app.domain.months import MonthRefused, parse_month
from qa_app.services import quad_report
from qa_app.services.calendar import utcnow
from qa_app.services.quad_report import formats
from qa_app.services.quad_report.files import FILES, ReportFile

Count = Annotated[int, Field(ge=0)]
Rate = Annotated[float, Field(ge=0, le=1)]


class ReportQuery(Response):
    model_config = ConfigDict(extra="ignore")
    cluster: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = Field(
        "", description="Only the services in this cluster"
    )
    service_type: ServiceType | None = Field(None, description="Only services of this type")


class Aliased(Response):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)


class Received(Response):
    high: Count
    medium: Count
    low: Count
    total: Count


#: concerns received, by source: every source code (SPEC section 10)
BySource = create_model(
    "BySource", __base__=Response, **cast(dict[str, Any], {code: (Count, ...) for code in SOURCES})
)


class Clock(Response):
    met: Count
    breached: Count
    on_time_rate: Rate | None = Field(description="met / (met + breached); null when neither")


class Clocks(Response):
    high: Clock
    other: Clock


class Concerns(Response):
    received: Received
    by_source: BySource
    clocks: Clocks


class NoticeOfConcern(Response):
    issued: Count
    lifted: Count
    open: Count = Field(description="In force at the month's end")


class ContractBreach(Response):
    issued: Count
    remedied: Count
    termination_recommended: Count
    open: Count = Field(description="In force at the month's end")


class Notices(Response):
    notice_of_concern: NoticeOfConcern
    contract_breach: ContractBreach


class PlacementStops(Response):
    started: Count
    lifted: Count
    active: Count = Field(description="In force at the month's end")


class Assessments(Response):
    planned: Count
    completed: Count
    published: Count
    corrections_published: Count
    follow_ups_due: Count
    follow_ups_overdue: Count


class Grades(Response):
    fully_achieved: Count
    on_track: Count
    slipped: Count
    not_achieved: Count
    not_graded: Count


class Plans(Response):
    opened: Count
    awaiting_submission: Count
    overdue: Count
    awaiting_review: Count
    open_actions: Count
    overdue_actions: Count
    actions_by_grade: Grades


class AssessmentRatings(Aliased):
    excellent: Count = Field(alias="Excellent")
    good: Count = Field(alias="Good")
    requires_improvement: Count = Field(alias="Requires improvement")
    poor: Count = Field(alias="Poor")
    none: Count = Field(alias="None", description="No published assessment yet")


class CqcRatings(Aliased):
    outstanding: Count = Field(alias="Outstanding")
    good: Count = Field(alias="Good")
    requires_improvement: Count = Field(alias="Requires improvement")
    inadequate: Count = Field(alias="Inadequate")
    not_rated: Count = Field(alias="Not rated")


class Ratings(Response):
    assessment: AssessmentRatings
    cqc: CqcRatings


class MonthFigures(Response):
    month: str = Field(description="YYYY-MM")
    as_at: str = Field(description="When the month-end figures are taken (ISO 8601)")
    complete: bool = Field(description="False while the month is still under way")
    concerns: Concerns
    notices: Notices
    placement_stops: PlacementStops
    assessments: Assessments
    plans: Plans
    ratings: Ratings


class ServiceOfConcern(Response):
    service_id: int
    name: str
    provider: str
    cluster: str
    service_type: str
    risk: Literal["red", "amber"]
    reasons: list[str]


class ConcernCounts(Response):
    red: Count
    amber: Count


class RatingChange(Aliased):
    service_id: int
    name: str
    provider: str
    kind: Literal["assessment", "cqc"]
    from_: str | None = Field(alias="from")
    to: str | None
    direction: Literal["better", "worse"] | None


class Filters(Response):
    cluster: str | None
    service_type: str | None


class TrendOut(Response):
    months: list[str]
    concerns_received: dict[str, list[Count]]
    clocks_met: dict[str, list[Count]]
    clocks_breached: dict[str, list[Count]]
    on_time_rate: dict[str, list[Rate | None]]


class GradeUpdateOut(Response):
    on: str
    progress_grade: int
    progress_grade_label: str
    note: str
    meeting: str = Field(description="The month (YYYY-MM) of the meeting that gave it")


class MeetingActionOut(Response):
    id: int
    service_id: int
    service: str
    description: str
    owner: str
    target_date: str
    opened_on: str
    opened_in: str
    progress_grade: int | None = Field(description="1 Fully achieved … 4 Not achieved")
    progress_grade_label: str
    completed: bool
    carried_forward: bool
    state: str
    history: list[GradeUpdateOut]


class AttendeeOut(Response):
    name: str
    organisation: str


class DiscussedOut(Response):
    service_id: int
    name: str
    provider: str
    discussion: str
    decisions: str
    actions: list[MeetingActionOut]


class AddendumOut(Response):
    text: str
    by: str
    at: str


class MeetingOut(Response):
    month: str
    recorded: bool
    status: Literal["draft", "held"] | None
    held_on: str | None
    held_at: str | None
    held_by: str | None
    as_at: str
    attendees: list[AttendeeOut]
    services: list[DiscussedOut]
    carried_forward: list[MeetingActionOut]
    addenda: list[AddendumOut]


class ClosedServiceOut(Response):
    id: int
    name: str
    provider: str
    closed_on: str = Field(description="The first day it was closed (YYYY-MM-DD)")


class QuadReportOut(MonthFigures):
    filters: Filters
    produced_at: str
    services_of_concern: list[ServiceOfConcern] = Field(
        description="Red first, at most 100; services_of_concern_counts gives the totals"
    )
    services_of_concern_counts: ConcernCounts
    rating_changes: list[RatingChange]
    previous_month: MonthFigures
    year_earlier: MonthFigures
    trend: TrendOut = Field(description="The 12 months ending with this one, oldest first")
    meeting: MeetingOut | None = Field(
        None,
        description="The meeting's own record: the meeting held in the month, the services "
        "discussed (as the filters choose them) with discussion, decisions and the council's "
        "actions, and the actions carried forward from earlier meetings with their grading "
        "and history",
    )
    services_closed: list[ClosedServiceOut] = Field(
        description="The services (as the filters choose them) that closed in the month, by "
        "the day they closed: none of them is in the month's counts of services"
    )


def _report(month: str, query: ReportQuery):
    user = api_user()
    quad_report.staff_only(user)
    now = utcnow()
    try:
        chosen = parse_month(month, now)
    except MonthRefused as refused:
        raise BadRequest(str(refused), {"month": str(refused)}) from None
    filters = quad_report.check_filters(query.cluster, query.service_type)
    return quad_report.build(user, chosen, filters, now)


def _file(file: ReportFile, report) -> Any:
    return send_file(
        io.BytesIO(file.render(report, _council())),
        mimetype=file.media_type,
        as_attachment=True,
        download_name=file.name(report),
    )


def _council() -> str:
    return current_app.config["QA_COUNCIL_NAME"]


@endpoint(
    "/reports/quad/<month>",
    summary="The monthly QuAD report for a month (YYYY-MM, Europe/London)",
    tag="reports",
    query=ReportQuery,
    response=QuadReportOut,
    errors=(400,),
)
def quad_report_json(month: str, query: ReportQuery):
    report = _report(month, query)
    return QuadReportOut.model_validate(formats.as_dict(report)).model_dump(mode="json")


def _serve(file: ReportFile) -> None:
    """One route per file format, named `quad_report_<extension>`."""

    def view(month: str, query: ReportQuery):
        return _file(file, _report(month, query))

    view.__name__ = f"quad_report_{file.extension}"
    endpoint(
        f"/reports/quad/<month>.{file.extension}",
        summary=file.summary,
        tag="reports",
        query=ReportQuery,
        errors=(400,),
        media_type=file.media_type,
    )(view)


for _report_file in FILES:
    _serve(_report_file)
