"""Two changes to one record at the same moment: the one that loses is told (a 409), never a 500."""

from sqlalchemy import update

from qa_app.extensions import db
from qa_app.models import Service
from qa_app.services import registry, users
from qa_app.services.actors import Actor


def test_a_service_changed_by_someone_else_mid_request_is_a_409(client, make, monkeypatch):
    service = make.service(name="Raced", cluster="North")
    token = users.create_token(Actor.system("cli"), make.user("officer"))
    real_refresh = registry.refresh_risk

    def another_request_commits_first(record):
        # what a concurrent PATCH does between this request's read and its write (on
        # PostgreSQL, where two writers run side by side): it raises the row's version
        db.session.connection().execute(
            update(Service).where(Service.id == record.id).values(version=Service.version + 1)
        )
        return real_refresh(record)

    monkeypatch.setattr(registry, "refresh_risk", another_request_commits_first)
    response = client.patch(
        f"/api/v1/services/{service.id}",
        json={"cluster": "South"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 409, response.json
    assert "changed by someone else" in response.json["error"]


def test_an_answer_that_meets_another_moving_the_assessment_on_is_saved(make, monkeypatch):
    """Two answers of one planned assessment sent at once (a device back online): both move it
    to in progress, and the one that loses the race is saved on a second try, not refused."""
    from datetime import date

    from qa_app.models import Answer, Assessment
    from qa_app.services import assessments, standards

    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer")
    service = make.service(name="Raced Home")
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 2)}
    )
    ref = assessments.questions_for(assessment)[0].ref
    real_check, raced = assessments.check_answer, []

    def another_answer_saved_meanwhile(data):
        if not raced:
            raced.append(True)
            db.session.connection().execute(
                update(Assessment)
                .where(Assessment.id == assessment.id)
                .values(status="in_progress", version=Assessment.version + 1)
            )
        return real_check(data)

    monkeypatch.setattr(assessments, "check_answer", another_answer_saved_meanwhile)
    saved = assessments.save_answer(
        Actor(officer, "web"),
        officer,
        assessment.id,
        ref,
        assessments.AnswerInput(score=3, evidence="Seen."),
        None,
    )
    assert raced and isinstance(saved, Answer) and saved.version == 1
    assert db.session.get(Assessment, assessment.id).status == "in_progress"
