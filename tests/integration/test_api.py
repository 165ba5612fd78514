"""The JSON API: tokens, the spec's field names, errors as JSON, and who may see what."""

import re

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditEvent, Service
from qa_app.services import users
from qa_app.services.actors import Actor


def _token(user) -> dict:
    return {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), user)}"}


def test_no_token_or_a_bad_one_is_a_401_in_json(client):
    response = client.get("/api/v1/services")
    assert response.status_code == 401
    assert response.json == {
        "error": "Send an API token: Authorization: Bearer <token>",
        "details": None,
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = client.get("/api/v1/services", headers={"Authorization": "Bearer qa_nonsense"})
    assert (
        bad.status_code == 401
        and bad.json["error"] == "The API token is missing, unknown or revoked"
    )


def test_tokens_are_stored_hashed(make):
    officer = make.user("officer")
    secret = users.create_token(Actor.system("cli"), officer)
    from qa_app.models import ApiToken

    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == officer.id))
    assert secret not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64


def test_create_and_read_providers_and_services_with_the_spec_field_names(client, make):
    headers = _token(make.user("officer"))
    provider = client.post(
        "/api/v1/providers",
        json={"name": "Aspen Care", "cqc_provider_id": "1-123123123"},
        headers=headers,
    )
    assert provider.status_code == 201, provider.json
    provider_id = provider.json["id"]
    created = client.post(
        "/api/v1/services",
        json={
            "name": "Aspen Lodge",
            "provider_id": provider_id,
            "cqc_location_id": "1-321321321",
            "service_type": "care_home_nursing",
            "cluster": "West",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    body = created.json
    for field in (
        "name",
        "provider_id",
        "cqc_location_id",
        "service_type",
        "cluster",
        "cqc_rating",
        "cqc_rating_date",
        "risk",
        "placement_stop",
        "latest_assessment",
    ):
        assert field in body
    assert (body["cqc_rating"], body["risk"], body["placement_stop"]) == (
        "Not rated",
        "green",
        None,
    )
    read = client.get(f"/api/v1/services/{body['id']}", headers=headers)
    assert read.json["name"] == "Aspen Lodge"
    assert (
        client.get(f"/api/v1/providers/{provider_id}", headers=headers).json["name"] == "Aspen Care"
    )
    listing = client.get(
        "/api/v1/services?service_type=care_home_nursing&cluster=West", headers=headers
    )
    assert listing.json["total"] == 1 and listing.json["items"][0]["id"] == body["id"]
    assert set(listing.json) == {"items", "page", "pages", "total"}
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "service", AuditEvent.entity_id == body["id"]
        )
    )
    assert event.channel == "api"


def test_patch_changes_the_cqc_rating_and_the_risk_follows(client, make):
    headers = _token(make.user("manager"))
    service = make.service(cqc_rating="Good")
    response = client.patch(
        f"/api/v1/services/{service.id}",
        json={"cqc_rating": "Inadequate", "cqc_rating_date": "2026-10-01"},
        headers=headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["cqc_rating"] == "Inadequate"
    assert response.json["risk"] == "red"
    assert response.json["risk_reasons"] == ["CQC rating Inadequate"]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_id == service.id, AuditEvent.action == "updated")
    )
    assert event.changes["cqc_rating"] == ["Good", "Inadequate"]
    assert event.changes["cqc_rating_date"][1] == "2026-10-01"


def test_patch_with_a_stale_version_is_a_409_and_changes_nothing(client, make):
    headers = _token(make.user("officer"))
    service = make.service(name="Versioned")
    first = client.patch(
        f"/api/v1/services/{service.id}", json={"name": "One", "version": 1}, headers=headers
    )
    assert first.status_code == 200 and first.json["version"] == 2
    stale = client.patch(
        f"/api/v1/services/{service.id}", json={"name": "Two", "version": 1}, headers=headers
    )
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json["error"]
    assert stale.json["details"]["current"]["name"] == "One"
    assert stale.json["details"]["current_version"] == 2
    db.session.expire_all()
    assert db.session.get(Service, service.id).name == "One"


def test_bad_requests_are_4xx_json_with_reasons(client, make):
    headers = _token(make.user("officer"))
    service = make.service()
    unknown_field = client.post(
        "/api/v1/providers", json={"name": "X", "colour": "blue"}, headers=headers
    )
    assert unknown_field.status_code == 422
    assert unknown_field.json["details"] == [
        {"field": "colour", "message": "Extra inputs are not permitted"}
    ]
    not_json = client.post("/api/v1/providers", data="name=X", headers=headers)
    assert not_json.status_code == 400 and "JSON" in not_json.json["error"]
    wrong_type = client.post(
        "/api/v1/services",
        json={
            "name": "A",
            "provider_id": service.provider_id,
            "service_type": "castle",
            "cluster": "N",
        },
        headers=headers,
    )
    assert wrong_type.status_code == 422
    assert wrong_type.json["details"][0]["field"] == "service_type"
    rule_broken = client.patch(
        f"/api/v1/services/{service.id}",
        json={"contract_start": "2026-01-01", "contract_end": "2025-01-01", "postcode": "XX"},
        headers=headers,
    )
    assert rule_broken.status_code == 422
    assert rule_broken.json["details"] == {
        "contract_end": "The contract end date must be the same as or after the start date",
        "postcode": "Enter a real UK postcode, like SW1A 1AA",
    }
    assert client.get("/api/v1/services/0", headers=headers).status_code == 404
    assert client.get("/api/v1/nowhere", headers=headers).json["error"] == "Page not found"
    assert client.get("/api/v1/services?page=0", headers=headers).status_code == 422


def test_a_provider_user_sees_only_its_own_services_and_cannot_learn_of_others(client, make):
    mine, theirs = make.provider(), make.provider()
    own = make.service(mine, name="Own Home")
    other = make.service(theirs, name="Other Home")
    headers = _token(make.user("provider", mine))
    listing = client.get("/api/v1/services", headers=headers)
    assert [item["name"] for item in listing.json["items"]] == ["Own Home"]
    assert client.get(f"/api/v1/services/{own.id}", headers=headers).status_code == 200
    hidden = client.get(f"/api/v1/services/{other.id}", headers=headers)
    missing = client.get("/api/v1/services/987654", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json == missing.json
    assert (
        client.patch(
            f"/api/v1/services/{other.id}", json={"name": "x"}, headers=headers
        ).status_code
        == 404
    )
    # changing a service is not there for a provider: the same 404 as for a missing service
    own_patch = client.patch(f"/api/v1/services/{own.id}", json={"name": "x"}, headers=headers)
    assert own_patch.status_code == 404 and own_patch.json == missing.json
    assert client.get(f"/api/v1/providers/{theirs.id}", headers=headers).status_code == 404
    assert [p["id"] for p in client.get("/api/v1/providers", headers=headers).json["items"]] == [
        mine.id
    ]
    assert (
        client.post("/api/v1/providers", json={"name": "Sneaky"}, headers=headers).status_code
        == 404
    )


def test_revoked_tokens_and_deactivated_users_stop_working_at_once(client, app, make):
    officer = make.user("officer")
    secret = users.create_token(Actor.system("cli"), officer)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/services", headers=headers).status_code == 200
    users.set_active(Actor.system("cli"), officer.id, False)
    assert client.get("/api/v1/services", headers=headers).status_code == 401
    users.set_active(Actor.system("cli"), officer.id, True)
    assert client.get("/api/v1/services", headers=headers).status_code == 200
    token = users.tokens_for(officer.id)[0]
    admin = app.test_client()
    make.sign_in(admin, make.user("admin"))
    assert admin.post(f"/admin/tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/services", headers=headers).status_code == 401


def test_a_signed_in_page_can_use_the_api_but_must_send_its_csrf_token_to_change_things(
    client, make
):
    make.sign_in(client, make.user("officer"))
    service = make.service()
    assert client.get(f"/api/v1/services/{service.id}").status_code == 200
    refused = client.patch(f"/api/v1/services/{service.id}", json={"name": "Via page"})
    assert refused.status_code == 403 and "CSRF" in refused.json["error"]
    client.get("/home")
    allowed = client.patch(
        f"/api/v1/services/{service.id}",
        json={"name": "Via page"},
        headers={"X-CSRFToken": client.csrf},
    )
    assert allowed.status_code == 200 and allowed.json["name"] == "Via page"


def test_openapi_document_is_built_from_the_endpoint_models(client, app):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    service_create = schemas["ServiceCreate"]
    assert set(service_create["required"]) == {"name", "provider_id", "service_type", "cluster"}
    assert service_create["additionalProperties"] is False
    assert "care_home_nursing" in str(service_create["properties"]["service_type"])
    # every API route is documented, and every reference resolves
    api_rules = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert api_rules == documented

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
