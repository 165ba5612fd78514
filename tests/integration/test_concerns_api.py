"""Concerns through the API: log with a response clock, list by urgency, respond, close, escalate."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ClockEvent, Concern
from qa_app.services import users
from qa_app.services.actors import Actor


@pytest.fixture
def api(client, make):
    officer = make.user("officer")
    service = make.service(name="Elm House")
    headers = {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), officer)}"}

    def call(method, path, body=None):
        return client.open(path, method=method, json=body, headers=headers)

    return {"call": call, "service": service, "officer": officer}


def _log(api, **changes):
    received = datetime.now(UTC) - timedelta(hours=25)
    body = {
        "service_id": api["service"].id,
        "risk_level": "high",
        "received_at": received.isoformat(),
        "source": "whistleblower",
        "summary": "Night staff asleep on shift",
        **changes,
    }
    return api["call"]("POST", "/api/v1/concerns", body)


def test_log_a_concern_with_its_clock(api):
    response = _log(api)
    assert response.status_code == 201, response.json
    body = response.json
    received = datetime.fromisoformat(body["received_at"])
    due = datetime.fromisoformat(body["response_due_at"])
    assert due - received == timedelta(hours=24) and due.utcoffset() == timedelta(0)
    assert (body["status"], body["clock"], body["clock_state"]) == ("open", "24-hour", "overdue")
    assert body["clock_text"].startswith("Overdue by 1 h")
    assert db.session.scalar(select(ClockEvent.kind)) == "due"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "received_at"),
        ({"risk_level": "urgent"}, "risk_level"),
        ({"source": "gossip"}, "source"),
        ({"received_at": "2026-11-24T10:00:00"}, "received_at"),  # no offset
        ({"summary": ""}, "summary"),
    ],
)
def test_bad_concerns_are_refused_and_nothing_is_logged(api, change, field):
    response = _log(api, **change)
    assert response.status_code == 422
    assert field in str(response.json["details"])
    assert db.session.scalar(select(Concern.id)) is None


def test_respond_stops_the_clock_then_close(api):
    concern_id = _log(api, received_at=datetime.now(UTC).isoformat()).json["id"]
    responded = api["call"](
        "POST",
        f"/api/v1/concerns/{concern_id}/respond",
        {"action": "visit", "notes": "Visited at 9pm"},
    )
    assert responded.status_code == 200 and responded.json["clock_state"] == "met"
    assert db.session.scalars(select(ClockEvent.kind).order_by(ClockEvent.id)).all() == [
        "due",
        "met",
    ]
    again = api["call"]("POST", f"/api/v1/concerns/{concern_id}/respond", {"action": "call"})
    assert (
        again.status_code == 409
        and again.json["error"] == "A concern that is responded cannot be responded to"
    )
    closed = api["call"](
        "POST", f"/api/v1/concerns/{concern_id}/close", {"outcome": "not_substantiated"}
    )
    assert closed.json["status"] == "closed"
    late = api["call"]("POST", f"/api/v1/concerns/{concern_id}/respond", {"action": "call"})
    assert late.status_code == 409 and "closed cannot be responded to" in late.json["error"]


def test_a_late_response_is_a_breach_and_escalation_by_hand(api):
    overdue = _log(api).json["id"]
    late = api["call"]("POST", f"/api/v1/concerns/{overdue}/respond", {"action": "call"}).json
    assert late["clock_state"] == "breached" and late["clock_text"].startswith("Responded 1 h")
    other = _log(api, risk_level="medium").json["id"]
    assert (
        api["call"]("POST", f"/api/v1/concerns/{other}/escalate", {"reason": ""}).status_code == 422
    )
    escalated = api["call"](
        "POST", f"/api/v1/concerns/{other}/escalate", {"reason": "Repeated concerns"}
    ).json
    assert escalated["status"] == "escalated" and escalated["escalated_at"]


def test_list_is_most_urgent_first_and_filters(api):
    later = _log(api, received_at=datetime.now(UTC).isoformat(), risk_level="low").json["id"]
    sooner = _log(api).json["id"]
    closed = _log(api).json["id"]
    api["call"]("POST", f"/api/v1/concerns/{closed}/close", {"outcome": "resolved"})
    listing = api["call"]("GET", "/api/v1/concerns").json
    assert [c["id"] for c in listing["items"]] == [sooner, later, closed]
    assert [
        c["id"]
        for c in api["call"]("GET", "/api/v1/concerns?status=open&risk_level=low").json["items"]
    ] == [later]


def test_providers_never_see_concerns(client, make, api):
    concern_id = _log(api).json["id"]
    provider_headers = {
        "Authorization": f"Bearer {users.create_token(Actor.system('cli'), make.user('provider', api['service'].provider))}"
    }
    assert client.get(f"/api/v1/concerns/{concern_id}", headers=provider_headers).status_code == 404
    assert client.get("/api/v1/concerns", headers=provider_headers).status_code == 404


def test_an_open_high_concern_makes_the_service_amber_until_it_is_dealt_with(api):
    from qa_app.models import Service

    concern_id = _log(api).json["id"]
    db.session.expire_all()
    service = db.session.get(Service, api["service"].id)
    assert (service.risk, service.risk_reasons) == ("amber", "open high-risk concern")
    api["call"]("POST", f"/api/v1/concerns/{concern_id}/respond", {"action": "visit"})
    db.session.expire_all()
    assert db.session.get(Service, api["service"].id).risk == "green"
    for _ in range(3):
        _log(api, risk_level="low")
    db.session.expire_all()
    assert db.session.get(Service, api["service"].id).risk_reasons == "3 open concerns"
