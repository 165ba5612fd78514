"""/api/v1/concerns: log, list with clocks, read, respond, close, escalate. Staff only."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AwareDatetime, Field

from qa_app.api.auth import api_actor, api_user
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import Id, Limited, ListQuery, Page, Request, Response, words
from qa_app.domain import limits
from qa_app.domain.clocks import CONCERN_RISK_LEVELS
from qa_app.domain.concerns import (
    OUTCOMES,
    RESPONSES,
    SOURCES,
    ConcernStatus,
)
from qa_app.services import concerns

# A Literal built from the codes at run time (one list of codes): to a type checker, text.
if TYPE_CHECKING:
    Source = str
    Risk = str
    ConcernStatusWord = str
else:
    Source = Literal[tuple(SOURCES)]
    Risk = Literal[CONCERN_RISK_LEVELS]
    ConcernStatusWord = Literal[words(ConcernStatus)]
Notes = Annotated[str, Limited(limits.NOTES, strip=False)]


class ConcernCreate(Request):
    service_id: Id
    risk_level: Risk
    received_at: AwareDatetime = Field(
        description="ISO 8601 with offset; may be earlier than now, never later"
    )
    source: Source
    summary: Annotated[str, Limited(limits.SUMMARY, required=True)]
    details: Annotated[str, Limited(limits.DETAILS, strip=False)] = ""
    officer_id: Id | None = None


class ConcernOut(Response):
    id: int
    service_id: int
    service_name: str
    risk_level: Risk
    source: str
    summary: str
    details: str
    received_at: datetime
    response_due_at: datetime
    clock: str
    clock_state: Literal["running", "overdue", "met", "breached"]
    clock_text: str
    status: ConcernStatusWord
    responded_at: datetime | None
    response_action: str | None
    closed_at: datetime | None
    outcome: str | None
    escalated_at: datetime | None
    notice_id: int | None
    version: int


class ConcernPage(Page[ConcernOut]):
    pass


class ConcernQuery(ListQuery):
    status: ConcernStatusWord | None = None
    risk_level: Risk | None = None
    service_id: Id | None = None
    officer_id: Id | None = None
    counts_as_open: bool = Field(
        False,
        description="true: only concerns open against their service, as the risk RAG and the "
        "market overview count them (open, or escalated into a notice not yet issued)",
    )


class RespondBody(Request):
    action: Literal[tuple(RESPONSES)]  # type: ignore[valid-type]
    notes: Notes = ""


class CloseBody(Request):
    outcome: Literal[tuple(OUTCOMES)]  # type: ignore[valid-type]
    notes: Notes = ""


class EscalateBody(Request):
    reason: Annotated[str, Limited(limits.REASON, required=True)]


def concern_out(concern) -> ConcernOut:
    state = concerns.state(concern)
    return ConcernOut.of(
        concern,
        service_name=concern.service.name,
        clock_state=state["state"],
        clock_text=state["text"],
    )


@endpoint(
    "/concerns",
    "POST",
    summary="Log a concern",
    tag="concerns",
    body=ConcernCreate,
    response=ConcernOut,
    status=201,
    errors=(400, 422),
)
def create_concern(body: ConcernCreate):
    return concern_out(concerns.log(api_actor(), api_user(), body.model_dump()))


@endpoint(
    "/concerns",
    summary="Concerns, most urgent first",
    tag="concerns",
    query=ConcernQuery,
    response=ConcernPage,
)
def list_concerns(query: ConcernQuery):
    filters = concerns.ConcernFilters(
        status=query.status or "",
        risk_level=query.risk_level or "",
        service_id=query.service_id,
        officer_id=query.officer_id,
        counts_as_open=query.counts_as_open,
        page=query.page,
    )
    rows, page = concerns.list_concerns(api_user(), filters, page_size=query.per_page, clamp=False)
    return ConcernPage(
        items=[concern_out(c) for c in rows], page=page.number, pages=page.pages, total=page.total
    )


@endpoint(
    "/concerns/<int:concern_id>",
    summary="One concern with its clock",
    tag="concerns",
    response=ConcernOut,
)
def get_concern(concern_id: int):
    return concern_out(concerns.get_concern(api_user(), concern_id))


@endpoint(
    "/concerns/<int:concern_id>/respond",
    "POST",
    summary="Record the response (stops the clock)",
    tag="concerns",
    body=RespondBody,
    response=ConcernOut,
    errors=(409, 422),
)
def respond_concern(concern_id: int, body: RespondBody):
    return concern_out(
        concerns.respond(api_actor(), api_user(), concern_id, body.action, body.notes)
    )


@endpoint(
    "/concerns/<int:concern_id>/close",
    "POST",
    summary="Close with an outcome",
    tag="concerns",
    body=CloseBody,
    response=ConcernOut,
    errors=(409, 422),
)
def close_concern(concern_id: int, body: CloseBody):
    return concern_out(
        concerns.close(api_actor(), api_user(), concern_id, body.outcome, body.notes)
    )


@endpoint(
    "/concerns/<int:concern_id>/escalate",
    "POST",
    summary="Escalate by hand",
    tag="concerns",
    body=EscalateBody,
    response=ConcernOut,
    errors=(409, 422),
)
def escalate_concern(concern_id: int, body: EscalateBody):
    return concern_out(concerns.escalate(api_actor(), api_user(), concern_id, body.reason))


class ClockRecordQuery(ListQuery):
    from_: date = Field(alias="from", description="First day (Europe/London), YYYY-MM-DD")
    to: date = Field(description="Last day, included")


class ClockRateOut(Response):
    clock: str
    met: int
    breached: int
    escalated: int
    on_time_rate: float | None = Field(description="Percentage met of met + breached")


class ClockRecordOut(Response):
    first_day: date
    last_day: date
    clocks: list[ClockRateOut]


@endpoint(
    "/concerns/clock-record",
    summary="Response clocks met, breached and escalated in a period, with the on-time rate",
    tag="concerns",
    query=ClockRecordQuery,
    response=ClockRecordOut,
    errors=(422,),
)
def clock_record(query: ClockRecordQuery):
    rates = concerns.clock_record(api_user(), query.from_, query.to)
    return ClockRecordOut(
        first_day=query.from_,
        last_day=query.to,
        clocks=[ClockRateOut.model_validate(r) for r in rates],
    )
