"""The API answers as its OpenAPI document says (what the fuzzing in test_api_fuzz.py found):
every status it gives is documented, required query parameters are marked required, bodies are
read as the document types them, and a 405 says which methods are allowed."""

import pytest

from qa_app.services import users
from qa_app.services.actors import Actor


@pytest.fixture
def headers(make):
    token = users.create_token(Actor.system("cli"), make.user("manager"))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def test_every_body_and_query_documents_its_400_and_422(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            if "requestBody" in operation:
                assert {"400", "422"} <= statuses, (method, path)
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "422" in statuses, (method, path)


def test_required_query_parameters_are_marked_required(document, client, headers):
    parameters = {
        p["name"]: p["required"]
        for p in document["paths"]["/api/v1/concerns/clock-record"]["get"]["parameters"]
    }
    assert parameters["from"] is True and parameters["to"] is True
    assert parameters["page"] is False
    missing = client.get("/api/v1/concerns/clock-record?from=2026-01-01", headers=headers)
    assert missing.status_code == 422
    assert missing.json["details"] == [{"field": "to", "message": "Field required"}]


def test_a_body_that_is_not_a_json_object_is_a_documented_400(client, headers, document):
    response = client.post("/api/v1/providers", headers=headers)
    assert response.status_code == 400 and set(response.json) == {"error", "details"}
    assert "400" in document["paths"]["/api/v1/providers"]["post"]["responses"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contract_start", 0),  # a date is text, not a timestamp
        ("beds", "5"),  # a number is not a string
        ("provider_id", True),
        ("name", 7),
    ],
)
def test_bodies_are_read_as_the_document_types_them(client, headers, make, field, value):
    body = {
        "name": "Larch House",
        "provider_id": make.provider().id,
        "service_type": "extra_care",
        "cluster": "North",
        field: value,
    }
    response = client.post("/api/v1/services", json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert [item["field"] for item in response.json["details"]] == [field]


def test_a_whole_number_written_with_a_point_is_still_that_number(client, headers, make):
    provider = make.provider()
    body = {
        "name": "Larch House",
        "provider_id": float(provider.id),
        "service_type": "care_home_residential",
        "cluster": "North",
        "beds": 12.0,
    }
    response = client.post("/api/v1/services", json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert (response.json["provider_id"], response.json["beds"]) == (provider.id, 12)


def test_a_405_lists_the_allowed_methods(client, headers, make):
    response = client.put("/api/v1/notices/1", headers=headers)
    assert response.status_code == 405 and set(response.json) == {"error", "details"}
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, PATCH"
    make.sign_in(client, make.user("officer"))
    page = client.put("/services")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_an_id_too_big_to_exist_is_a_404_whatever_the_method(client, headers):
    for method in ("GET", "PATCH", "POST"):
        response = client.open("/api/v1/notices/4657704192", method=method, headers=headers)
        assert response.status_code == 404, method
    assert client.patch("/api/v1/services/99999999999", headers=headers).status_code == 404


def test_each_request_is_authenticated_afresh(app, headers):
    """Requests that share an app context (as a plain WSGI client's do inside a test) do not
    share who is calling."""
    from werkzeug.test import Client

    wsgi = Client(app)
    assert wsgi.get("/api/v1/services", headers=headers).status_code == 200
    assert wsgi.get("/api/v1/services").status_code == 401


@pytest.mark.parametrize(
    ("path", "field", "limit"),
    [
        ("/api/v1/providers", "contact_phone", 40),
        ("/api/v1/providers", "cqc_provider_id", 20),
        ("/api/v1/services", "cluster", 100),
        ("/api/v1/services", "cqc_location_id", 20),
    ],
)
def test_text_longer_than_its_column_is_a_422(client, headers, make, path, field, limit):
    """The document's limits are the columns' (PostgreSQL refused longer text with a 500)."""
    body = {"name": "Rowan Care"}
    if path.endswith("services"):
        body.update(provider_id=make.provider().id, service_type="extra_care", cluster="North")
    response = client.post(path, json={**body, field: "1" * (limit + 1)}, headers=headers)
    assert response.status_code == 422, response.json
    assert [item["field"] for item in response.json["details"]] == [field]
