"""/api/v1/notices: notices of concern and contract breach notices, with their steps.

Staff read every notice; a provider reads its own services' notices once issued, and responds to
their requirements. Managers take the decisions (issue, lift, escalate, withdraw, remedy,
recommend termination); officers draft and record whether requirements are met.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from qa_app.api.auth import api_actor, api_user
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import (
    Id,
    Limited,
    ListQuery,
    Page,
    PlacementStop,
    Request,
    Response,
    words,
)
from qa_app.domain import limits
from qa_app.domain.notices import (
    ASSESS_CHOICES,
    KINDS,
    NoticeStatus,
    RequirementStatus,
    has_been_issued,
)
from qa_app.services import notices

# A Literal built from the codes at run time (one list of codes): to a type checker, text.
if TYPE_CHECKING:
    Kind = str
    Status = str
    RequirementStatusWord = str
    AssessChoice = str
else:
    Kind = Literal[tuple(KINDS)]
    Status = Literal[words(NoticeStatus)]
    RequirementStatusWord = Literal[words(RequirementStatus)]
    AssessChoice = Literal[words(code for code, _ in ASSESS_CHOICES)]
Note = Annotated[str, Limited(limits.NOTE)]
NeededNote = Annotated[str, Limited(limits.NOTE, required=True)]


class RequirementOut(Response):
    id: int
    position: int
    text: str
    due_date: date
    status: RequirementStatusWord
    provider_response: str | None
    responded_at: datetime | None
    assessed_at: datetime | None
    assessment_note: str | None


class NoticeOut(Response):
    id: int
    kind: Kind
    service_id: int
    service_name: str
    status: Status
    grounds: str
    concern_ids: list[int] = Field(
        description="The concerns the notice rests on. Empty for provider users, who are never "
        "told of concerns, their number or their existence"
    )
    requirements: list[RequirementOut]
    placement_stop: PlacementStop | None
    parent_id: int | None = Field(None, description="A breach notice's notice of concern")
    created_at: datetime
    issued_at: datetime | None
    closed_at: datetime | None
    version: int


class NoticePage(Page[NoticeOut]):
    pass


class NoticeQuery(ListQuery):
    kind: Kind | None = None
    status: Status | None = None
    service_id: Id | None = None


class DraftChange(Request):
    grounds: Annotated[str, Limited(limits.GROUNDS)] | None = None
    placement_stop_start: date | None = None
    version: int | None = Field(None, description="The version you read, to refuse a stale edit")


class RequirementCreate(Request):
    text: Annotated[str, Limited(limits.REQUIREMENT, required=True)]
    due_date: date


class NoticeIssueBody(Request):
    placement_stop_start: date | None = Field(
        None, description="Start a placement stop on this date (else the draft's, if any)"
    )
    placement_stop: bool = Field(True, description="false issues without any placement stop")
    version: int | None = None


class PlacementStopBody(Request):
    start_date: date = Field(description="Today or later")
    note: NeededNote = Field(description="Why the stop is added or moved")
    version: int | None = Field(None, description="The version you read, to refuse a stale edit")


class NoticeNoteBody(Request):
    note: Note = ""


class NoticeReasonBody(Request):
    note: NeededNote


class RequirementResponseBody(Request):
    response: Annotated[str, Limited(limits.RESPONSE, required=True)]


class RequirementAssessBody(Request):
    status: AssessChoice
    note: Note = ""


def notice_out(notice, concern_ids: list[int] | None = None) -> NoticeOut:
    if not api_user().is_staff:
        concern_ids = []  # a provider reads the notice, never of the concerns behind it
    elif concern_ids is None:
        concern_ids = [c.id for c in notices.concerns_of(notice)]
    stop = None
    if notice.placement_stop_start and has_been_issued(notice.status):
        stop = PlacementStop(
            start_date=notice.placement_stop_start, lifted_at=notice.placement_stop_lifted_at
        )
    return NoticeOut.of(
        notice,
        service_name=notice.service.name,
        concern_ids=concern_ids,
        requirements=[RequirementOut.model_validate(r) for r in notice.requirements],
        placement_stop=stop,
    )


@endpoint(
    "/notices",
    summary="Notices, drafts first",
    tag="notices",
    query=NoticeQuery,
    response=NoticePage,
)
def list_notices(query: NoticeQuery):
    filters = notices.NoticeFilters(
        kind=query.kind or "",
        status=query.status or "",
        service_id=query.service_id,
        page=query.page,
    )
    rows, page = notices.list_notices(api_user(), filters, page_size=query.per_page, clamp=False)
    concern_ids = notices.concern_ids_for([n.id for n in rows]) if api_user().is_staff else {}
    return NoticePage(
        items=[notice_out(n, concern_ids.get(n.id, [])) for n in rows],
        page=page.number,
        pages=page.pages,
        total=page.total,
    )


@endpoint("/notices/<int:notice_id>", summary="One notice", tag="notices", response=NoticeOut)
def get_notice(notice_id: int):
    return notice_out(notices.get_notice(api_user(), notice_id))


@endpoint(
    "/notices/<int:notice_id>",
    "PATCH",
    summary="Change a draft's grounds or proposed placement stop",
    tag="notices",
    body=DraftChange,
    response=NoticeOut,
    errors=(409, 422),
)
def change_draft(notice_id: int, body: DraftChange):
    notice = notices.get_notice(api_user(), notice_id)
    fields = body.model_fields_set
    notice = notices.update_draft(
        api_actor(),
        api_user(),
        notice_id,
        body.grounds if "grounds" in fields else notice.grounds,
        body.placement_stop_start
        if "placement_stop_start" in fields
        else notice.placement_stop_start,
        body.version,
    )
    return notice_out(notice)


@endpoint(
    "/notices/<int:notice_id>/requirements",
    "POST",
    summary="Add a requirement (rectification requirement or remedial action) to a draft",
    tag="notices",
    body=RequirementCreate,
    response=NoticeOut,
    status=201,
    errors=(409, 422),
)
def add_requirement(notice_id: int, body: RequirementCreate):
    notices.add_requirement(api_actor(), api_user(), notice_id, body.text, body.due_date)
    return notice_out(notices.get_notice(api_user(), notice_id))


@endpoint(
    "/notices/<int:notice_id>/issue",
    "POST",
    summary="Issue a draft (manager): needs at least one requirement, each with a due date",
    tag="notices",
    body=NoticeIssueBody,
    response=NoticeOut,
    errors=(403, 409, 422),
)
def issue_notice(notice_id: int, body: NoticeIssueBody):
    return notice_out(
        notices.issue(
            api_actor(),
            api_user(),
            notice_id,
            body.placement_stop_start,
            keep_stop=body.placement_stop,
            expected_version=body.version,
        )
    )


def _step(name, summary, body_type, call):
    def view(notice_id: int, body):
        result = call(api_actor(), api_user(), notice_id, body.note)
        return notice_out(result)

    view.__name__ = f"notice_{name.replace('-', '_')}"
    return endpoint(
        f"/notices/<int:notice_id>/{name}",
        "POST",
        summary=summary,
        tag="notices",
        body=body_type,
        response=NoticeOut,
        errors=(403, 409, 422),
    )(view)


_step(
    "lift", "Lift an issued notice of concern (every requirement met)", NoticeNoteBody, notices.lift
)
_step(
    "escalate",
    "Escalate an issued notice of concern: returns the draft contract breach notice",
    NoticeReasonBody,
    notices.escalate,
)
_step("withdraw", "Withdraw a draft", NoticeReasonBody, notices.withdraw)
_step("remedy", "Mark a contract breach notice remedied", NoticeNoteBody, notices.remedy)
_step(
    "recommend-termination",
    "Recommend terminating the contract (breach notice)",
    NoticeReasonBody,
    notices.recommend_termination,
)
_step(
    "lift-placement-stop",
    "Lift a notice's placement stop on its own",
    NoticeReasonBody,
    notices.lift_placement_stop,
)


@endpoint(
    "/notices/<int:notice_id>/placement-stop",
    "POST",
    summary=(
        "Add a placement stop to a notice of concern in force, or move one not yet begun "
        "(manager); lift it with lift-placement-stop"
    ),
    tag="notices",
    body=PlacementStopBody,
    response=NoticeOut,
    errors=(403, 409, 422),
)
def notice_set_placement_stop(notice_id: int, body: PlacementStopBody):
    return notice_out(
        notices.set_placement_stop(
            api_actor(),
            api_user(),
            notice_id,
            body.start_date,
            body.note,
            expected_version=body.version,
        )
    )


@endpoint(
    "/notices/<int:notice_id>/requirements/<int:requirement_id>/respond",
    "POST",
    summary="The provider's response to a requirement",
    tag="notices",
    body=RequirementResponseBody,
    response=RequirementOut,
    errors=(403, 409, 422),
)
def respond_requirement(notice_id: int, requirement_id: int, body: RequirementResponseBody):
    return RequirementOut.model_validate(
        notices.respond_to_requirement(
            api_actor(), api_user(), notice_id, requirement_id, body.response
        )
    )


@endpoint(
    "/notices/<int:notice_id>/requirements/<int:requirement_id>/assess",
    "POST",
    summary="Record whether a requirement is met (staff)",
    tag="notices",
    body=RequirementAssessBody,
    response=RequirementOut,
    errors=(409, 422),
)
def assess_requirement(notice_id: int, requirement_id: int, body: RequirementAssessBody):
    return RequirementOut.model_validate(
        notices.assess_requirement(
            api_actor(), api_user(), notice_id, requirement_id, body.status, body.note
        )
    )
