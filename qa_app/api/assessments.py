"""/api/v1/assessments: plan, read with answers and ratings, save answers, submit."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StringConstraints

from qa_app.api.answer_photos import PhotoOut, photo_out
from qa_app.api.auth import api_actor, api_user
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import Id, Limited, Request, Response, words
from qa_app.domain import limits
from qa_app.domain.draft_comments import DECISIONS
from qa_app.domain.standards import EvidenceSource
from qa_app.services import answer_photos, assessment_summaries, assessments
from qa_app.services.errors import NotFound

# A Literal built from the codes at run time (one list of codes): to a type checker, text.
if TYPE_CHECKING:
    Decision = str
else:
    Decision = Literal[words(DECISIONS)]


class SetChoice(Request):
    key: Annotated[str, StringConstraints(max_length=50)]
    version: int | None = Field(None, ge=1, le=10**6, description="Leave out for the latest")


class AssessmentCreate(Request):
    service_id: Id
    standard_set: SetChoice | None = Field(
        None, description="Leave out for the latest set for the service type"
    )
    visit_date: date
    kind: Literal["visit", "desk"] = "visit"
    announced: bool = True
    lead_officer_id: Id | None = Field(None, description="Defaults to the caller")
    officer_ids: list[Id] = Field(default_factory=list, max_length=20)


class AnswerPut(Request):
    score: int | None = Field(
        None,
        description="1 to 4, or null for N/A (then na_reason is required); leave out to save notes only",
    )
    na_reason: Annotated[str, Limited(limits.NA_REASON, strip=False)] | None = None
    evidence: Annotated[str, Limited(limits.EVIDENCE, strip=False)] = ""
    sources: list[EvidenceSource] = Field(default_factory=list, max_length=6)
    version: Id | None = Field(
        None, description="The answer's current version, when changing an existing answer"
    )


class RatingOut(Response):
    code: str
    title: str
    rating: Literal["Excellent", "Good", "Requires improvement", "Poor", "Not assessed"]
    value: int | None
    percentage: int | None
    limiter: str | None


class StandardRatingOut(RatingOut):
    domain: str


class RatingsOut(Response):
    overall: RatingOut
    domains: list[RatingOut]
    standards: list[StandardRatingOut]


class AnswerOut(Response):
    question_ref: str
    score: int | None
    na_reason: str | None
    evidence: str
    sources: list[str]
    version: int
    updated_by: str
    updated_at: datetime


class CommentAnswerOut(Response):
    decision: Decision = Field(
        description="accepted: the report was changed (text says how); not_accepted: it stays "
        "as it is (text gives the reason)"
    )
    text: str
    by: str = Field(description="Who answered")
    at: datetime = Field(description="When the answer was last saved")
    version: int = Field(description="Send it back to change the answer")


class CommentOut(Response):
    id: int
    question_ref: str | None = Field(
        description="The finding the comment is about; null for the report as a whole"
    )
    text: str
    by: str = Field(description="Who wrote the comment (the provider's user)")
    at: datetime
    answer: CommentAnswerOut | None = Field(
        description="The council's answer; null until answered. Every comment is answered "
        "before the report is published."
    )


class CommentAnswerPut(Request):
    decision: Decision
    text: Annotated[str, Limited(limits.ANSWER, strip=False)] = Field(
        description="What was changed in the report (accepted), or why not (not_accepted)"
    )
    version: Id | None = Field(
        None, description="The answer's current version, when changing an existing answer"
    )


class SummaryPut(Request):
    text: Annotated[str, Limited(limits.OVERALL_SUMMARY, strip=False)] = Field(
        description="The whole summary as it should now read (an empty text clears it). "
        f"A domain's summary may have {limits.DOMAIN_SUMMARY.chars:,} characters, the overall "
        f"one {limits.OVERALL_SUMMARY.chars:,}: longer is refused, never cut."
    )
    version: Id | None = Field(
        None, description="The summary's current version, when changing an existing summary"
    )


class SummaryOut(Response):
    part: str = Field(description="A domain's code, or overall")
    heading: str
    text: str = Field(description="Empty until written")
    version: int | None = Field(description="Null until written; send it back to change it")
    updated_by: str | None
    updated_at: datetime | None


class SetRef(Response):
    key: str
    version: int


class AssessmentOut(Response):
    id: int
    service_id: int
    status: str
    standard_set: SetRef
    visit_date: date
    kind: str
    announced: bool
    lead_officer_id: int
    officer_ids: list[int]
    questions: int
    unanswered: int
    answers: list[AnswerOut]
    ratings: RatingsOut
    submitted_at: datetime | None
    shared_at: datetime | None
    published_at: datetime | None
    summaries: list[SummaryOut] = Field(
        description="The officer's written summaries: the overall one first, then each "
        "domain's, in the set's order"
    )
    comments: list[CommentOut] = Field(
        description="The provider's comments on the factual accuracy of the shared draft, "
        "oldest first, each with the council's answer"
    )
    photos: list[PhotoOut] = Field(
        description="Photos and files kept as evidence on the answers, by question, oldest first"
    )
    version: int


def comment_out(comment) -> CommentOut:
    answer = comment.answer
    return CommentOut.of(
        comment,
        by=comment.author_label,
        at=comment.created_at,
        answer=CommentAnswerOut.of(answer, by=answer.answered_by_label, at=answer.answered_at)
        if answer
        else None,
    )


def answer_out(answer) -> AnswerOut:
    return AnswerOut.of(answer, sources=answer.sources or [], updated_by=answer.updated_by_label)


def assessment_out(assessment) -> AssessmentOut:
    questions = assessments.questions_for(assessment)
    answers = assessments.answers_for(assessment)
    ratings = assessments.ratings_for(assessment, questions, answers)
    order = {q.ref: i for i, q in enumerate(questions)}
    photos = answer_photos.photos_for(assessment)
    return AssessmentOut.of(
        assessment,
        standard_set=SetRef.of(assessment.standard_set),
        officer_ids=[o.id for o in assessment.officers],
        questions=len(questions),
        unanswered=sum(1 for q in questions if not (q.ref in answers and answers[q.ref].complete)),
        answers=[
            answer_out(a)
            for a in sorted(answers.values(), key=lambda a: order.get(a.question_ref, 10**6))
        ],
        ratings=RatingsOut.model_validate(ratings.as_dict()),
        summaries=summaries_out(assessment),
        comments=[comment_out(c) for c in assessments.provider_comments(assessment)],
        photos=[
            photo_out(p)
            for ref in sorted(photos, key=lambda r: order.get(r, 10**6))
            for p in photos[ref]
        ],
    )


def summaries_out(assessment) -> list[SummaryOut]:
    found = assessment_summaries.summaries_for(assessment)
    return [
        SummaryOut.model_validate(row)
        for row in assessment_summaries.in_report_order(assessment, found)
    ]


@endpoint(
    "/assessments",
    "POST",
    summary="Plan an assessment",
    tag="assessments",
    body=AssessmentCreate,
    response=AssessmentOut,
    status=201,
    errors=(400, 422),
)
def create_assessment(body: AssessmentCreate):
    user = api_user()
    if not user.is_staff:
        raise NotFound("Assessment not found")  # a provider may not learn the operation exists
    values = body.model_dump()
    choice = values.pop("standard_set")
    values["standard_set_key"] = choice["key"] if choice else None
    values["standard_set_version"] = choice["version"] if choice else None
    return assessment_out(assessments.plan(api_actor(), user, values))


@endpoint(
    "/assessments/<int:assessment_id>",
    summary="An assessment with its answers and ratings",
    tag="assessments",
    response=AssessmentOut,
)
def get_assessment(assessment_id: int):
    return assessment_out(assessments.get_assessment(api_user(), assessment_id))


@endpoint(
    "/assessments/<int:assessment_id>/answers/<question_ref>",
    "PUT",
    summary="Save one answer",
    tag="assessments",
    body=AnswerPut,
    response=AnswerOut,
    errors=(400, 409, 422),
)
def put_answer(assessment_id: int, question_ref: str, body: AnswerPut):
    data = assessments.AnswerInput(
        score=body.score if "score" in body.model_fields_set else assessments.NOT_GIVEN,
        na_reason=body.na_reason,
        evidence=body.evidence,
        sources=tuple(body.sources),
    )
    answer = assessments.save_answer(
        api_actor(), api_user(), assessment_id, question_ref[:20], data, body.version
    )
    return answer_out(answer)


@endpoint(
    "/assessments/<int:assessment_id>/summaries/<part>",
    "PUT",
    summary="Save the summary of one domain (by its code) or the overall summary (overall)",
    tag="assessments",
    body=SummaryPut,
    response=SummaryOut,
    errors=(400, 409, 422),
)
def put_summary(assessment_id: int, part: str, body: SummaryPut):
    summary = assessment_summaries.save_summary(
        api_actor(), api_user(), assessment_id, part[:10], body.text, body.version
    )
    found = {summary.part: summary}
    assessment = assessments.get_assessment(api_user(), assessment_id)
    row = next(
        r
        for r in assessment_summaries.in_report_order(assessment, found)
        if r["part"] == summary.part
    )
    return SummaryOut.model_validate(row)


@endpoint(
    "/assessments/<int:assessment_id>/submit",
    "POST",
    summary="Submit a completed assessment",
    tag="assessments",
    response=AssessmentOut,
    errors=(409, 422),
)
def submit_assessment(assessment_id: int):
    return assessment_out(assessments.submit(api_actor(), api_user(), assessment_id))


class ReturnBody(Request):
    comment: Annotated[str, Limited(limits.COMMENT, required=True, strip=False)]


@endpoint(
    "/assessments/<int:assessment_id>/return",
    "POST",
    summary="Return a submitted assessment, or a shared draft, to the officer for changes",
    tag="assessments",
    body=ReturnBody,
    response=AssessmentOut,
    errors=(403, 409, 422),
)
def return_assessment(assessment_id: int, body: ReturnBody):
    return assessment_out(
        assessments.return_to_officer(api_actor(), api_user(), assessment_id, body.comment)
    )


@endpoint(
    "/assessments/<int:assessment_id>/share-draft",
    "POST",
    summary="Share the draft report with the provider",
    tag="assessments",
    response=AssessmentOut,
    errors=(403, 409),
)
def share_draft(assessment_id: int):
    return assessment_out(assessments.share_draft(api_actor(), api_user(), assessment_id))


@endpoint(
    "/assessments/<int:assessment_id>/publish",
    "POST",
    summary="Publish the assessment",
    tag="assessments",
    response=AssessmentOut,
    errors=(403, 409),
)
def publish_assessment(assessment_id: int):
    return assessment_out(assessments.publish(api_actor(), api_user(), assessment_id))


@endpoint(
    "/assessments/<int:assessment_id>/comments/<int:comment_id>/answer",
    "PUT",
    summary="Answer a provider's comment on the draft, or change the answer (until publication)",
    tag="assessments",
    body=CommentAnswerPut,
    response=CommentOut,
    errors=(400, 403, 409, 422),
)
def answer_comment(assessment_id: int, comment_id: int, body: CommentAnswerPut):
    user = api_user()
    if not user.is_staff:
        raise NotFound("Comment not found")  # a provider may not learn the operation exists
    assessments.answer_comment(
        api_actor(), user, assessment_id, comment_id, body.decision, body.text, body.version
    )
    return comment_out(assessments.get_comment(user, assessment_id, comment_id))


class ReviseBody(Request):
    reason: Annotated[str, Limited(limits.REASON, required=True, strip=False)]


@endpoint(
    "/assessments/<int:assessment_id>/revise",
    "POST",
    summary="Start a correction of a published assessment",
    tag="assessments",
    body=ReviseBody,
    response=AssessmentOut,
    status=201,
    errors=(403, 409, 422),
)
def revise_assessment(assessment_id: int, body: ReviseBody):
    return assessment_out(
        assessments.start_correction(api_actor(), api_user(), assessment_id, body.reason)
    )
