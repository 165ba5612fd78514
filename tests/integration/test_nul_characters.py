"""A NUL character (U+0000) in any text that comes in is refused with a message naming the field:
a 422 from the API (JSON bodies, query strings; in the address it names nothing, a 404), and a
page whose GOV.UK error summary names the field for form posts and query strings. PostgreSQL
cannot store one (it was a 500 there) and SQLite kept it silently: both refuse it now."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Concern, Provider
from qa_app.services import concerns, standards, users
from qa_app.services.actors import Actor

MESSAGE = "must not contain a NUL character (U+0000)"


@pytest.fixture
def api(client, make):
    officer = make.user("officer")
    service = make.service(name="Elm House")
    headers = {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), officer)}"}

    def call(method, path, body=None):
        return client.open(path, method=method, json=body, headers=headers)

    return {"call": call, "service": service, "officer": officer}


def _concern_body(service_id, **changes):
    received = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    return {
        "service_id": service_id,
        "risk_level": "high",
        "received_at": received,
        "source": "complaint",
        "summary": "Missed calls",
        **changes,
    }


def _fields(response) -> list[str]:
    return [item["field"] for item in response.json["details"]]


def test_the_api_refuses_nul_in_json_bodies_naming_each_field(api):
    before = db.session.scalar(select(func.count()).select_from(Concern))
    response = api["call"](
        "POST",
        "/api/v1/concerns",
        _concern_body(api["service"].id, summary="Missed\x00calls", details="\x00"),
    )
    assert response.status_code == 422, response.json
    assert response.json["error"] == "The request is not valid"
    assert sorted(_fields(response)) == ["details", "summary"]
    assert f"summary {MESSAGE}" in [item["message"] for item in response.json["details"]]
    assert db.session.scalar(select(func.count()).select_from(Concern)) == before

    provider = api["call"]("POST", "/api/v1/providers", {"name": "Acme\x00"})
    assert provider.status_code == 422 and _fields(provider) == ["name"]
    assert db.session.scalar(select(Provider).where(Provider.name.like("Acme%"))) is None


def test_the_api_refuses_nul_in_nested_fields_lists_and_keys(api):
    standards.load_directory(Actor.system("cli"))
    nested = api["call"](
        "POST",
        "/api/v1/assessments",
        {
            "service_id": api["service"].id,
            "visit_date": "2026-11-20",
            "standard_set": {"key": "care\x00homes"},
        },
    )
    assert nested.status_code == 422 and _fields(nested) == ["standard_set.key"]
    key = api["call"]("POST", "/api/v1/providers", {"name": "Acme", "col\x00our": "blue"})
    assert key.status_code == 422 and _fields(key) == ["col\\0our"]


def test_the_api_refuses_nul_in_query_strings(api, make):
    for path, field in [
        ("/api/v1/services?q=%00", "q"),
        ("/api/v1/services?cluster=North%00", "cluster"),
        ("/api/v1/providers?q=a%00b", "q"),
        ("/api/v1/concerns?status=open&unknown=%00", "unknown"),
    ]:
        response = api["call"]("GET", path)
        assert response.status_code == 422, (path, response.json)
        assert _fields(response) == [field], path


def test_a_nul_in_the_address_names_nothing(api):
    response = api["call"]("GET", "/api/v1/standard-sets/care%00homes/1")
    assert response.status_code == 404
    assert set(response.json) == {"error", "details"}


def test_the_api_still_takes_other_control_characters(api):
    response = api["call"](
        "POST", "/api/v1/concerns", _concern_body(api["service"].id, summary="Tab\there")
    )
    assert response.status_code == 201 and response.json["summary"] == "Tab\there"


def _summary(response) -> list[str]:
    return [li.get_text(" ", strip=True) for li in response.soup.select(".govuk-error-summary li")]


def test_a_page_form_with_nul_is_refused_naming_the_field(client, make):
    make.sign_in(client, make.user("officer"))
    service = make.service()
    before = db.session.scalar(select(func.count()).select_from(Concern))
    response = client.post(
        f"/services/{service.id}/concerns/new",
        data={
            "risk_level": "high",
            "source": "complaint",
            "received_date-day": "1",
            "received_date-month": "11",
            "received_date-year": "2026",
            "received_time": "09:00",
            "summary": "Missed\x00calls",
            "details": "Fine",
        },
    )
    assert response.status_code == 400
    assert _summary(response) == [f"Summary {MESSAGE}"]
    assert response.soup.title.get_text().startswith("Error: ")
    assert db.session.scalar(select(func.count()).select_from(Concern)) == before


def test_a_hand_written_step_form_with_nul_is_refused_too(client, make):
    officer = make.user("officer")
    make.sign_in(client, officer)
    concern = concerns.log(
        Actor.system("cli"),
        officer,
        _concern_body(make.service().id, received_at=datetime.now(UTC) - timedelta(hours=1)),
    )
    response = client.post(
        f"/concerns/{concern.id}/escalate", data={"reason": "Unsafe\x00", "extra_note": "\x00"}
    )
    assert response.status_code == 400
    assert _summary(response) == [f"Reason {MESSAGE}", f"Extra note {MESSAGE}"]
    db.session.expire_all()
    assert db.session.get(Concern, concern.id).status == "open"


def test_a_page_address_with_nul_in_its_query_is_refused_naming_the_parameter(client, make):
    make.sign_in(client, make.user("officer"))
    for path, label in [
        ("/concerns?service=Elm%00", "Service"),
        ("/services?cluster=%00&service_type=castle", "Cluster"),
    ]:
        response = client.get(path)
        assert response.status_code == 400, path
        assert _summary(response) == [f"{label} {MESSAGE}"], path


def test_sign_in_with_nul_is_refused_before_any_lookup(client):
    response = client.post(
        "/sign-in", data={"email": "someone\x00@example.test", "password": "anything"}
    )
    assert response.status_code == 400
    assert _summary(response) == [f"Email {MESSAGE}"]
