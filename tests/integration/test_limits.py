"""Limits named once and refused, never cut (issue 14, item 5): the same over-long text is
refused in the same words by the staff pages, the provider portal and the API, and nothing
changes; text exactly at the limit is kept whole."""

from datetime import date

import pytest
from sqlalchemy import select

from qa_app.domain import limits
from qa_app.extensions import db
from qa_app.models import Answer, Assessment, AssessmentComment
from qa_app.services import assessments, standards, users
from qa_app.services.actors import Actor
from tests.support.client import error_summary


@pytest.fixture
def submitted(make):
    """A supported living assessment with every question answered, submitted for review."""
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer")
    provider = make.provider(name="Rowan Care")
    service = make.service(provider, service_type="supported_living", name="Rowan House")
    record = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 2)}
    )
    for q in assessments.questions_for(record):
        data = assessments.AnswerInput(score=3, evidence=f"Seen for {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, record.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, record.id)
    return {"id": record.id, "officer": officer, "provider": provider}


def _status(assessment_id) -> str:
    db.session.expire_all()
    return db.session.get(Assessment, assessment_id).status


def _comments(assessment_id) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [
        (c.kind, c.text)
        for c in db.session.scalars(
            select(AssessmentComment)
            .where(AssessmentComment.assessment_id == assessment_id)
            .order_by(AssessmentComment.id)
        )
    ]


def test_an_over_long_comment_is_refused_in_the_same_words_by_staff_portal_and_api(
    client, app, make, submitted
):
    aid, message = submitted["id"], limits.COMMENT.message
    assert message == "The comment must be 5,000 characters or fewer"
    over = "Add the evidence for each finding. " * (limits.COMMENT.chars // 35 + 1)
    assert len(over) > limits.COMMENT.chars
    manager = make.user("manager")
    make.sign_in(client, manager)
    api = {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), manager)}"}

    # a manager returning it to the officer, on the page: refused, the comment kept in its box
    page = client.post(f"/assessments/{aid}/return", data={"comment": over})
    assert page.status_code == 422
    assert error_summary(page) == [message]
    assert page.soup.select_one("#comment").get_text() == over
    assert page.soup.select_one("#comment-error") is not None  # beside the box too
    # … and through the API
    refused = client.post(f"/api/v1/assessments/{aid}/return", json={"comment": over}, headers=api)
    assert refused.status_code == 422
    assert refused.json["details"] == [{"field": "comment", "message": message}]
    assert _status(aid) == "submitted" and _comments(aid) == []  # nothing changed, nothing cut

    # the provider commenting on the shared draft, in the portal
    assessments.share_draft(Actor(manager, "web"), manager, aid)
    portal = app.test_client()
    make.sign_in(portal, make.user("provider", submitted["provider"]))
    page = portal.post(f"/portal/assessments/{aid}/comments", data={"text": over})
    assert page.status_code == 422
    assert error_summary(page) == [message]
    assert page.soup.select_one("#text").get_text() == over
    assert _status(aid) == "draft_shared" and _comments(aid) == []

    # exactly at the limit, each is accepted and kept whole
    whole = ("The visit date in the draft is wrong. " * 200)[: limits.COMMENT.chars - 1] + "."
    assert len(whole) == limits.COMMENT.chars
    assert portal.post(f"/portal/assessments/{aid}/comments", data={"text": whole}).status_code == (
        302
    )
    returned = client.post(
        f"/api/v1/assessments/{aid}/return", json={"comment": whole}, headers=api
    )
    assert returned.status_code == 200, returned.json
    assessments.submit(Actor(submitted["officer"], "web"), submitted["officer"], aid)
    assert client.post(f"/assessments/{aid}/return", data={"comment": whole}).status_code == 302
    assert _comments(aid) == [("provider", whole), ("returned", whole), ("returned", whole)]
    assert _status(aid) == "in_progress"


def test_an_over_long_correction_reason_is_refused_not_cut(client, make, submitted):
    aid, manager = submitted["id"], make.user("manager")
    assessments.publish(Actor(manager, "web"), manager, aid)
    make.sign_in(client, manager)
    api = {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), manager)}"}
    over = "r" * (limits.REASON.chars + 1)

    page = client.post(f"/assessments/{aid}/correct", data={"reason": over})
    assert page.status_code == 422
    assert error_summary(page) == ["The reason must be 5,000 characters or fewer"]
    refused = client.post(f"/api/v1/assessments/{aid}/revise", json={"reason": over}, headers=api)
    assert refused.status_code == 422
    assert refused.json["details"] == [{"field": "reason", "message": limits.REASON.message}]
    assert db.session.scalar(select(Assessment.id).where(Assessment.revision_of_id == aid)) is None

    started = client.post(f"/assessments/{aid}/correct", data={"reason": over[:-1]})
    assert started.status_code == 302
    revision = db.session.scalar(select(Assessment).where(Assessment.revision_of_id == aid))
    assert revision.revision_reason == over[:-1]


def test_the_recording_page_refuses_over_long_notes_and_keeps_what_was_typed(
    client, make, submitted
):
    officer = submitted["officer"]
    assessment = assessments.plan(
        Actor(officer, "web"),
        officer,
        {
            "service_id": db.session.get(Assessment, submitted["id"]).service_id,
            "visit_date": date(2026, 12, 1),
        },
    )
    first, second = assessments.questions_for(assessment)[:2]
    assert first.domain_code == second.domain_code
    key, other = first.ref.replace(".", "-"), second.ref.replace(".", "-")
    make.sign_in(client, officer)
    evidence = "Seen the rota. " * (limits.EVIDENCE.chars // 15 + 1)
    reason = "n" * (limits.NA_REASON.chars + 1)

    page = client.post(
        f"/assessments/{assessment.id}/record/{first.domain_code}",
        data={
            f"{key}-score": "3",
            f"{key}-evidence": evidence,
            f"{other}-score": "na",
            f"{other}-na_reason": reason,
        },
    )
    assert page.status_code == 200  # the page again: the other answers on it were saved
    found = error_summary(page)  # "Question QA01.1 (People are treated…): Evidence notes…"
    assert [f.split(" (")[0] for f in found] == [f"Question {first.ref}", f"Question {second.ref}"]
    assert [f.split("): ")[-1] for f in found] == [
        limits.EVIDENCE.message,
        limits.NA_REASON.message,
    ]
    assert page.soup.select_one(f"#{key}-evidence").get_text() == evidence  # nothing lost
    assert page.soup.select_one(f"#{other}-na_reason").get_text() == reason
    assert (
        db.session.scalars(select(Answer).where(Answer.assessment_id == assessment.id)).all() == []
    )

    at_limit = evidence[: limits.EVIDENCE.chars]
    saved = client.post(
        f"/assessments/{assessment.id}/record/{first.domain_code}",
        data={f"{key}-score": "3", f"{key}-evidence": at_limit},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    answer = db.session.scalar(select(Answer).where(Answer.assessment_id == assessment.id))
    assert (answer.question_ref, answer.evidence) == (first.ref, at_limit)


def test_the_api_document_takes_its_max_lengths_from_the_limits(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]

    def max_length(schema: str, field: str) -> int:
        prop = schemas[schema]["properties"][field]
        return next(p for p in prop.get("anyOf", [prop]) if p.get("type") == "string")["maxLength"]

    assert max_length("ReturnBody", "comment") == limits.COMMENT.chars
    assert max_length("ReviseBody", "reason") == limits.REASON.chars
    assert max_length("AnswerPut", "evidence") == limits.EVIDENCE.chars
    assert max_length("AnswerPut", "na_reason") == limits.NA_REASON.chars
    assert max_length("ConcernCreate", "summary") == limits.SUMMARY.chars
    assert max_length("EscalateBody", "reason") == limits.REASON.chars
    assert max_length("IssueCreate", "title") == limits.ISSUE_TITLE.chars
    assert max_length("PlanReasonBody", "reason") == limits.REASON.chars
    assert max_length("ProviderCreate", "contact_email") == limits.EMAIL.chars
    assert max_length("RequirementResponseBody", "response") == limits.RESPONSE.chars
