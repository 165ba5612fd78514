"""Assessments through the API: plan, record answers (with versions), ratings, submit."""

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Answer, AuditEvent
from qa_app.services import standards, users
from qa_app.services.actors import Actor


@pytest.fixture
def setup(make, client):
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer")
    provider = make.provider()
    service = make.service(provider, service_type="home_support")
    headers = {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), officer)}"}
    created = client.post(
        "/api/v1/assessments",
        json={"service_id": service.id, "visit_date": "2026-11-20"},
        headers=headers,
    )
    assert created.status_code == 201, created.json
    return {
        "headers": headers,
        "assessment": created.json,
        "service": service,
        "provider": provider,
        "officer": officer,
    }


def _put(client, setup, ref, body):
    return client.put(
        f"/api/v1/assessments/{setup['assessment']['id']}/answers/{ref}",
        json=body,
        headers=setup["headers"],
    )


def test_planning_picks_the_latest_set_for_the_service_type(setup):
    body = setup["assessment"]
    assert body["status"] == "planned"
    assert body["standard_set"] == {"key": "home_support", "version": 1}
    assert body["questions"] == 55 and body["unanswered"] == 55
    assert body["ratings"]["overall"] == {
        "code": "overall",
        "title": "Overall",
        "rating": "Not assessed",
        "value": None,
        "percentage": None,
        "limiter": None,
    }
    assert body["lead_officer_id"] == setup["officer"].id


def test_planning_errors(client, setup, make):
    care_home = make.service(service_type="care_home_nursing")
    wrong_set = client.post(
        "/api/v1/assessments",
        json={
            "service_id": care_home.id,
            "visit_date": "2026-11-20",
            "standard_set": {"key": "home_support"},
        },
        headers=setup["headers"],
    )
    assert wrong_set.status_code == 422
    assert wrong_set.json["details"] == {
        "standard_set_key": "Home support (domiciliary care) is not for care home with nursing services"
    }
    missing = client.post(
        "/api/v1/assessments",
        json={"service_id": 999999, "visit_date": "2026-11-20"},
        headers=setup["headers"],
    )
    assert missing.status_code == 422 and "service_id" in missing.json["details"]


def test_answers_save_with_versions_and_a_stale_save_is_a_409(client, setup):
    first = _put(
        client,
        setup,
        "QA01.1",
        {"score": 3, "evidence": "Staff knocked.", "sources": ["observation"]},
    )
    assert first.status_code == 200, first.json
    assert first.json["version"] == 1
    second = _put(client, setup, "QA01.1", {"score": 4, "evidence": "Better", "version": 1})
    assert second.status_code == 200 and second.json["version"] == 2
    stale = _put(client, setup, "QA01.1", {"score": 1, "evidence": "Mine", "version": 1})
    assert stale.status_code == 409
    assert stale.json["details"]["current"]["score"] == 4
    assert stale.json["details"]["current"]["evidence"] == "Better"
    assert stale.json["details"]["current_version"] == 2
    no_version = _put(client, setup, "QA01.1", {"score": 2})
    assert no_version.status_code == 409
    # a retry of exactly what is stored (its first reply lost) is not a conflict, and changes nothing
    retry = _put(client, setup, "QA01.1", {"score": 4, "evidence": "Better", "version": 1})
    assert retry.status_code == 200 and retry.json["version"] == 2
    assert db.session.scalar(select(Answer.score).where(Answer.question_ref == "QA01.1")) == 4
    assessment = client.get(
        f"/api/v1/assessments/{setup['assessment']['id']}", headers=setup["headers"]
    ).json
    assert assessment["status"] == "in_progress" and assessment["unanswered"] == 54
    assert assessment["answers"][0]["question_ref"] == "QA01.1"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "answer")).changes[
        "question"
    ] == [None, "QA01.1"]


@pytest.mark.parametrize(
    ("ref", "body", "status", "reason"),
    [
        ("QA01.1", {"score": 5}, 422, "score"),
        ("QA01.1", {"score": None}, 422, "na_reason"),
        ("QA01.1", {"score": None, "na_reason": "  "}, 422, "na_reason"),
        ("QA01.1", {"score": 3, "sources": ["gossip"]}, 422, "sources"),
        ("QA01.1", {"score": 3, "colour": "red"}, 422, "colour"),
        ("ZZ99.9", {"score": 3}, 404, None),
    ],
)
def test_bad_answers_change_nothing(client, setup, ref, body, status, reason):
    response = _put(client, setup, ref, body)
    assert response.status_code == status, response.json
    if reason:
        assert reason in str(response.json["details"])
    assert db.session.scalar(select(Answer.id)) is None


def test_submit_needs_every_question_then_locks_the_answers(client, setup):
    _put(client, setup, "QA01.1", {"score": 3})
    refused = client.post(
        f"/api/v1/assessments/{setup['assessment']['id']}/submit", headers=setup["headers"]
    )
    assert refused.status_code == 422
    assert len(refused.json["details"]) == 54 and "QA01.2" in refused.json["details"]
    refs = [
        a["ref"]
        for d in client.get("/api/v1/standard-sets/home_support/1", headers=setup["headers"]).json[
            "domains"
        ]
        for s in d["standards"]
        for a in s["questions"]
    ]
    for ref in refs[1:]:
        body = {"score": None, "na_reason": "No call data yet"} if ref == "QA03.2" else {"score": 4}
        assert _put(client, setup, ref, body).status_code == 200
    done = client.post(
        f"/api/v1/assessments/{setup['assessment']['id']}/submit", headers=setup["headers"]
    )
    assert done.status_code == 200, done.json
    assert done.json["status"] == "submitted" and done.json["unanswered"] == 0
    # one Good, 53 Excellent, one N/A: QA01 is (3 + 4 + 4) / 12 = 91.7% Excellent
    assert done.json["ratings"]["overall"]["rating"] == "Excellent"
    locked = _put(client, setup, "QA01.1", {"score": 1, "version": 1})
    assert locked.status_code == 409 and "submitted cannot be changed" in locked.json["error"]
    again = client.post(
        f"/api/v1/assessments/{setup['assessment']['id']}/submit", headers=setup["headers"]
    )
    assert again.status_code == 409


def test_providers_cannot_see_or_change_assessments_in_progress(client, setup, make):
    headers = {
        "Authorization": f"Bearer {users.create_token(Actor.system('cli'), make.user('provider', setup['provider']))}"
    }
    assessment_id = setup["assessment"]["id"]
    assert client.get(f"/api/v1/assessments/{assessment_id}", headers=headers).status_code == 404
    assert (
        client.put(
            f"/api/v1/assessments/{assessment_id}/answers/QA01.1",
            json={"score": 4},
            headers=headers,
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/assessments",
            json={"service_id": setup["service"].id, "visit_date": "2026-11-20"},
            headers=headers,
        ).status_code
        == 404
    )
