"""Nothing half-done (issue 18, item 6; SPEC section 11): a database error injected at each
write of a step that writes several rows leaves every table (and every kept file) exactly as
before, the person is told clearly, and doing the step again succeeds.

The injector (tests/support/faults.py) raises the driver's own OperationalError from the real
engine, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import pytest

from qa_app.extensions import db
from qa_app.models import ImprovementPlan
from qa_app.services import assessments, standards, users
from qa_app.services.actors import Actor
from qa_app.web.errors import DATABASE_UNAVAILABLE
from tests.support.faults import Faults, differences, fails_cleanly_at_every_write, snapshot


def requires_improvement(q):
    return 2 if q.domain_code in ("D1", "D2", "D3") else 3


@pytest.fixture
def world(make):
    standards.load_directory(Actor.system("cli"))
    provider = make.provider(name="Oak Care")
    return {
        "provider": provider,
        "service": make.service(provider, service_type="supported_living", name="Oak House"),
        "officer": make.user("officer"),
        "manager": make.user("manager"),
        "provider_user": make.user("provider", provider),
    }


def submitted(world, score_for=requires_improvement, visit=date(2026, 11, 2)):
    officer = world["officer"]
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": world["service"].id, "visit_date": visit}
    )
    for q in assessments.questions_for(assessment):
        data = assessments.AnswerInput(score=score_for(q), evidence=f"Seen for {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, assessment.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    return assessment


def test_publishing_is_whole_or_not_at_all(world):
    assessment = submitted(world)
    manager = world["manager"]
    _writes, published = fails_cleanly_at_every_write(
        lambda: assessments.publish(Actor(manager, "web"), manager, assessment.id), minimum=5
    )
    assert published.status == "published"
    plan = db.session.query(ImprovementPlan).filter_by(service_id=world["service"].id).one()
    assert plan.status == "awaiting_submission"
    assert world["service"].risk == "amber"


def test_a_database_failure_while_publishing_on_the_page_says_so_and_keeps_nothing(
    world, client, make
):
    assessment = submitted(world)
    make.sign_in(client, world["manager"])
    client.get(f"/assessments/{assessment.id}")  # the page that has the button (and its token)
    before = snapshot()
    with Faults(db.engine, fail_at=3) as faults:
        response = client.post(f"/assessments/{assessment.id}/publish")
    assert faults.failed, faults
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.text
    assert "Nothing was saved" in response.text
    assert "Traceback" not in response.text
    assert differences(before, snapshot()) == []
    again = client.post(f"/assessments/{assessment.id}/publish")
    assert again.status_code == 302
    db.session.refresh(assessment)
    assert assessment.status == "published"


def test_a_database_failure_while_publishing_through_the_api_is_a_json_503(world, client):
    assessment = submitted(world)
    token = users.create_token(Actor.system("cli"), world["manager"])
    headers = {"Authorization": f"Bearer {token}"}
    client.get(f"/api/v1/assessments/{assessment.id}", headers=headers)
    before = snapshot()
    with Faults(db.engine, fail_at=3) as faults:
        response = client.post(f"/api/v1/assessments/{assessment.id}/publish", headers=headers)
    assert faults.failed, faults
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.json == {"error": DATABASE_UNAVAILABLE, "details": None}
    assert differences(before, snapshot()) == []
    again = client.post(f"/api/v1/assessments/{assessment.id}/publish", headers=headers)
    assert again.status_code == 200, again.json
    assert again.json["status"] == "published"
