"""Every id in an API request body that names nothing, or the wrong kind of thing (a provider
user or a deactivated user as an officer), is a 422 naming the field, never a 500 and never
accepted. (Ids in the address are 404s: see test_api.py.)"""

from datetime import UTC, datetime, timedelta

import pytest

from qa_app.services import standards, users
from qa_app.services.actors import Actor

MISSING = 999_999


@pytest.fixture
def world(make, client):
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer")
    provider = make.provider()
    service = make.service(provider, service_type="home_support")
    token = users.create_token(Actor.system("cli"), officer)
    return {
        "headers": {"Authorization": f"Bearer {token}"},
        "service": service,
        "provider": provider,
        "provider_user": make.user("provider", provider),
        "deactivated": make.user("officer", active=False),
        "manager": make.user("manager"),
        "officer": officer,
    }


def _bodies(world) -> dict:
    """A valid body for each request that carries ids."""
    received = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    return {
        ("POST", "/api/v1/services"): {
            "name": "Birch Court",
            "provider_id": world["provider"].id,
            "service_type": "extra_care",
            "cluster": "North",
        },
        ("PATCH", "/api/v1/services/{service}"): {"cluster": "South"},
        ("POST", "/api/v1/assessments"): {
            "service_id": world["service"].id,
            "visit_date": "2026-11-20",
        },
        ("POST", "/api/v1/concerns"): {
            "service_id": world["service"].id,
            "risk_level": "high",
            "received_at": received,
            "source": "complaint",
            "summary": "Missed calls",
        },
    }


# (request, field, how the field is sent, which kind of bad reference)
CASES = [
    (("POST", "/api/v1/services"), "provider_id", int, "missing"),
    (("POST", "/api/v1/services"), "contract_officer_id", int, "missing"),
    (("POST", "/api/v1/services"), "contract_officer_id", int, "provider_user"),
    (("POST", "/api/v1/services"), "contract_officer_id", int, "deactivated"),
    (("PATCH", "/api/v1/services/{service}"), "provider_id", int, "missing"),
    (("PATCH", "/api/v1/services/{service}"), "contract_officer_id", int, "missing"),
    (("PATCH", "/api/v1/services/{service}"), "contract_officer_id", int, "provider_user"),
    (("PATCH", "/api/v1/services/{service}"), "contract_officer_id", int, "deactivated"),
    (("POST", "/api/v1/assessments"), "service_id", int, "missing"),
    (("POST", "/api/v1/assessments"), "lead_officer_id", int, "missing"),
    (("POST", "/api/v1/assessments"), "lead_officer_id", int, "provider_user"),
    (("POST", "/api/v1/assessments"), "lead_officer_id", int, "deactivated"),
    (("POST", "/api/v1/assessments"), "officer_ids", list, "missing"),
    (("POST", "/api/v1/assessments"), "officer_ids", list, "provider_user"),
    (("POST", "/api/v1/assessments"), "officer_ids", list, "deactivated"),
    (("POST", "/api/v1/concerns"), "service_id", int, "missing"),
    (("POST", "/api/v1/concerns"), "officer_id", int, "missing"),
    (("POST", "/api/v1/concerns"), "officer_id", int, "provider_user"),
    (("POST", "/api/v1/concerns"), "officer_id", int, "deactivated"),
]


def _field_named(details, field: str) -> bool:
    if isinstance(details, dict):  # a use case's refusal: {field: message}
        return field in details
    return any(item["field"] == field for item in details)  # the request model's


@pytest.mark.parametrize(
    ("request_", "field", "shape", "kind"),
    CASES,
    ids=[f"{r[0]} {r[1]} {field}={kind}" for r, field, _, kind in CASES],
)
def test_a_bad_reference_is_a_422_naming_the_field(client, world, request_, field, shape, kind):
    method, path = request_
    bad_id = MISSING if kind == "missing" else world[kind].id
    body = {**_bodies(world)[request_], field: [bad_id] if shape is list else bad_id}
    response = client.open(
        path.format(service=world["service"].id), method=method, json=body, headers=world["headers"]
    )
    assert response.status_code == 422, response.json
    assert _field_named(response.json["details"], field), response.json


def test_the_valid_bodies_are_accepted(client, world):
    """The bodies above are good as they stand (so each 422 is the bad id's doing), and a
    manager may be named as an officer."""
    for (method, path), body in _bodies(world).items():
        if path.endswith("concerns"):
            body = {**body, "officer_id": world["manager"].id}
        elif path.endswith("assessments"):
            body = {**body, "lead_officer_id": world["manager"].id}
        else:
            body = {**body, "contract_officer_id": world["manager"].id}
        response = client.open(
            path.format(service=world["service"].id),
            method=method,
            json=body,
            headers=world["headers"],
        )
        assert response.status_code in (200, 201), (method, path, response.json)


def test_a_bad_standard_set_is_a_422_naming_it(client, world):
    body = {**_bodies(world)[("POST", "/api/v1/assessments")], "standard_set": {"key": "nope"}}
    response = client.post("/api/v1/assessments", json=body, headers=world["headers"])
    assert response.status_code == 422
    assert response.json["details"] == {"standard_set_key": "There is no standard set nope"}


def test_an_officer_named_twice_is_named_once(client, world):
    body = {
        **_bodies(world)[("POST", "/api/v1/assessments")],
        "officer_ids": [world["manager"].id, world["manager"].id, world["officer"].id],
    }
    response = client.post("/api/v1/assessments", json=body, headers=world["headers"])
    assert response.status_code == 201, response.json
    assert response.json["officer_ids"] == [world["manager"].id]  # the caller leads
