"""After submission: return with comments, share the draft, provider comments, publish."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Assessment, AuditEvent
from qa_app.models.types import utcnow
from qa_app.services import assessments, standards
from qa_app.services.actors import Actor
from tests.support.client import error_summary


@pytest.fixture
def submitted(make):
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer")
    provider = make.provider(name="Larch Care")
    service = make.service(provider, service_type="supported_living", name="Larch House")
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 2)}
    )
    for q in assessments.questions_for(assessment):
        # QC01: 4, 1, 4, 4 with weights 1.5, 2, 1, 1 = 16 / 22 = 72.7%, which would be Good
        score = 1 if q.ref == "QC01.2" else 4 if q.standard_code == "QC01" else 3
        data = assessments.AnswerInput(score=score, evidence=f"Seen for {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, assessment.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    return {"id": assessment.id, "officer": officer, "provider": provider, "service": service}


def test_the_whole_review(client, app, make, submitted):
    manager = make.user("manager")
    make.sign_in(client, manager)
    page = client.get(f"/assessments/{submitted['id']}")
    assert "Share the draft with the provider" in page.get_data(as_text=True)

    # returned with comments, resubmitted
    assert (
        client.post(
            f"/assessments/{submitted['id']}/return", data={"comment": "Add evidence to QC01.2"}
        ).status_code
        == 302
    )
    assert db.session.get(Assessment, submitted["id"]).status == "in_progress"
    assessments.submit(Actor(submitted["officer"], "web"), submitted["officer"], submitted["id"])

    # shared: the provider reads the draft and comments
    client.post(f"/assessments/{submitted['id']}/share-draft")
    db.session.expire_all()
    assert db.session.get(Assessment, submitted["id"]).status == "draft_shared"
    portal = app.test_client()
    make.sign_in(portal, make.user("provider", submitted["provider"]))
    home = portal.get("/portal/")
    assert "Draft: waiting for your comments" in home.get_data(as_text=True)
    draft = portal.get(f"/portal/assessments/{submitted['id']}")
    assert draft.soup.h1.get_text(strip=True) == "Draft report: Larch House"
    assert "Add evidence to QC01.2" not in draft.get_data(
        as_text=True
    )  # the council's internal note
    sent = portal.post(
        f"/portal/assessments/{submitted['id']}/comments",
        data={"question_ref": "QC01.2", "text": "The safeguarding log was updated on 1 November."},
    )
    assert sent.status_code == 302

    # the manager sees the comment, pointed to from its finding, answers it, then publishes
    report = client.get(f"/assessments/{submitted['id']}/report")
    finding = report.soup.select_one("#finding-QC01-2").get_text(" ", strip=True)
    assert "1 Poor" in finding and "Comment 1 from the provider is about this finding" in finding
    comment = report.soup.select_one("#draft-comment-1").get_text(" ", strip=True)
    assert "The safeguarding log was updated on 1 November." in comment
    ratings = report.soup.select_one(".app-ratings").get_text(" ", strip=True)
    assert "limited to Requires improvement: question QC01.2 scored 1" in ratings
    (comment_id,) = [
        c.id for c in assessments.provider_comments(db.session.get(Assessment, submitted["id"]))
    ]
    client.post(
        f"/assessments/{submitted['id']}/comments/{comment_id}/answer",
        data={"decision": "not_accepted", "text": "The log was checked on the day."},
    )
    client.post(f"/assessments/{submitted['id']}/publish")
    db.session.expire_all()
    published = db.session.get(Assessment, submitted["id"])
    assert (published.status, published.overall_rating) == ("published", "Good")
    assert (
        portal.get(f"/portal/assessments/{submitted['id']}").soup.h1.get_text(strip=True)
        == "Report: Larch House"
    )
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "assessment")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["planned", "submitted", "returned", "submitted", "draft_shared", "published"]

    # published answers are read-only
    with pytest.raises(assessments.Conflict, match="published cannot be changed"):
        assessments.save_answer(
            Actor(submitted["officer"], "web"),
            submitted["officer"],
            submitted["id"],
            "QA01.1",
            assessments.AnswerInput(score=4),
            1,
        )


def test_officers_cannot_publish_and_steps_out_of_order_are_refused(make, submitted):
    officer = submitted["officer"]
    with pytest.raises(assessments.Forbidden):
        assessments.publish(Actor(officer, "web"), officer, submitted["id"])
    manager = make.user("manager")
    assessments.publish(Actor(manager, "web"), manager, submitted["id"])
    with pytest.raises(assessments.Conflict, match="published cannot be shared"):
        assessments.share_draft(Actor(manager, "web"), manager, submitted["id"])


def test_comments_close_after_fourteen_days(make, submitted):
    manager = make.user("manager")
    assessments.share_draft(Actor(manager, "web"), manager, submitted["id"])
    provider_user = make.user("provider", submitted["provider"])
    assessment = db.session.get(Assessment, submitted["id"])
    assessment.shared_at = utcnow() - timedelta(days=15)
    db.session.commit()
    with pytest.raises(assessments.Conflict, match="14 days for comments"):
        assessments.add_provider_comment(
            Actor(provider_user, "web"), provider_user, submitted["id"], None, "Late"
        )


def test_api_steps(client, make, submitted):
    from qa_app.services import users

    headers = {
        "Authorization": f"Bearer {users.create_token(Actor.system('cli'), make.user('manager'))}"
    }
    shared = client.post(f"/api/v1/assessments/{submitted['id']}/share-draft", headers=headers)
    assert shared.status_code == 200 and shared.json["status"] == "draft_shared"
    published = client.post(f"/api/v1/assessments/{submitted['id']}/publish", headers=headers)
    assert published.status_code == 200 and published.json["published_at"]
    again = client.post(f"/api/v1/assessments/{submitted['id']}/publish", headers=headers)
    assert again.status_code == 409 and "cannot be published" in again.json["error"]


def _pdf_text(data: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_report_pdf_matches_the_ratings(client, app, make, submitted):
    manager = make.user("manager")
    make.sign_in(client, manager)
    draft = client.get(f"/assessments/{submitted['id']}/report.pdf")
    assert draft.mimetype == "application/pdf"
    assert draft.headers["Content-Disposition"].endswith("-draft.pdf")
    pages = _pdf_text(draft.data)
    assert all("DRAFT" in page for page in pages)
    assessments.publish(Actor(manager, "web"), manager, submitted["id"])
    published = client.get(f"/assessments/{submitted['id']}/report.pdf")
    pages = _pdf_text(published.data)
    text = "\n".join(pages)
    assert "DRAFT" not in text
    for number, page in enumerate(pages, 1):
        assert "Larch House" in page and f"Page {number} of {len(pages)}" in page
    api = assessments.ratings_for(
        db.session.get(Assessment, submitted["id"]),
        assessments.questions_for(db.session.get(Assessment, submitted["id"])),
        assessments.answers_for(db.session.get(Assessment, submitted["id"])),
    ).as_dict()
    assert f"Overall rating {api['overall']['rating']} {api['overall']['percentage']}%" in " ".join(
        pages[0].split()
    )
    qc01 = next(s for s in api["standards"] if s["code"] == "QC01")
    assert f"QC01 Safeguarding {qc01['rating']} {qc01['percentage']}" in " ".join(text.split())
    assert "limited to Requires improvement: question QC01.2 scored 1" in " ".join(text.split())
    # the provider downloads the published PDF from the portal; another provider cannot
    portal = app.test_client()
    make.sign_in(portal, make.user("provider", submitted["provider"]))
    assert (
        portal.get(f"/portal/assessments/{submitted['id']}/report.pdf").mimetype
        == "application/pdf"
    )
    stranger = app.test_client()
    make.sign_in(stranger, make.user("provider", make.provider()))
    assert stranger.get(f"/portal/assessments/{submitted['id']}/report.pdf").status_code == 404


def test_the_service_page_shows_the_latest_published_rating_and_follow_up(client, make, submitted):
    manager = make.user("manager")
    assessments.publish(Actor(manager, "web"), manager, submitted["id"])
    make.sign_in(client, manager)
    page = client.get(f"/services/{submitted['service'].id}")
    text = " ".join(page.soup.select_one("main").get_text(" ").split())
    assert "Latest published assessment: Good 75%" in text
    from qa_app.domain.programme import add_months
    from qa_app.services.calendar import london_today

    due = add_months(london_today(), 12)  # rated Good: the regular interval (domain.programme)
    assert f"Next assessment due {due.day} {due:%B %Y}" in text
    history = page.soup.select_one("table.app-history").get_text(" ")
    assert "Assessment published" in history and "Answer saved" not in history


def test_a_correction_is_a_new_revision_and_both_stay_in_the_history(client, make, submitted):
    manager = make.user("manager")
    assessments.publish(Actor(manager, "web"), manager, submitted["id"])
    make.sign_in(client, manager)
    refused = client.post(f"/assessments/{submitted['id']}/correct", data={"reason": ""})
    assert refused.status_code == 422
    assert error_summary(refused) == ["Say why the published assessment needs correcting"]
    assert (
        db.session.scalar(select(Assessment.id).where(Assessment.revision_of_id == submitted["id"]))
        is None
    )
    started = client.post(
        f"/assessments/{submitted['id']}/correct",
        data={"reason": "QC01.2 evidence was for another home"},
    )
    revision = db.session.scalar(
        select(Assessment).where(Assessment.revision_of_id == submitted["id"])
    )
    assert started.headers["Location"].endswith(f"/assessments/{revision.id}")
    assert (revision.status, revision.revision_number) == ("in_progress", 2)
    assert assessments.answers_for(revision)["QC01.2"].score == 1  # answers copied
    original = db.session.get(Assessment, submitted["id"])
    assert original.status == "published" and original.superseded_at is None
    # correct the answer and publish the revision
    answer = assessments.answers_for(revision)["QC01.2"]
    assessments.save_answer(
        Actor(submitted["officer"], "web"),
        submitted["officer"],
        revision.id,
        "QC01.2",
        assessments.AnswerInput(score=3, evidence="Corrected"),
        answer.version,
    )
    assessments.submit(Actor(submitted["officer"], "web"), submitted["officer"], revision.id)
    assessments.publish(Actor(manager, "web"), manager, revision.id)
    db.session.expire_all()
    history = assessments.published_history(submitted["service"].id)
    assert [a.id for a in history] == [revision.id, submitted["id"]]
    assert db.session.get(Assessment, submitted["id"]).superseded_at is not None
    assert (
        assessments.answers_for(db.session.get(Assessment, submitted["id"]))["QC01.2"].score == 1
    )  # untouched
    page = client.get(f"/assessments/{submitted['id']}")
    assert "Superseded on" in page.get_data(as_text=True)


def test_publishing_a_poor_assessment_makes_the_service_red(make, submitted):
    from qa_app.models import Service

    manager = make.user("manager")
    officer = submitted["officer"]
    revision_source = db.session.get(Assessment, submitted["id"])
    assessments.publish(Actor(manager, "web"), manager, revision_source.id)
    db.session.expire_all()
    assert db.session.get(Service, submitted["service"].id).risk == "green"  # published Good
    revision = assessments.start_correction(
        Actor(manager, "web"), manager, submitted["id"], "Recheck"
    )
    for ref, answer in assessments.answers_for(revision).items():
        assessments.save_answer(
            Actor(officer, "web"),
            officer,
            revision.id,
            ref,
            assessments.AnswerInput(score=1),
            answer.version,
        )
    assessments.submit(Actor(officer, "web"), officer, revision.id)
    assessments.publish(Actor(manager, "web"), manager, revision.id)
    db.session.expire_all()
    service = db.session.get(Service, submitted["service"].id)
    assert (service.risk, service.risk_reasons) == ("red", "latest assessment rated Poor")
