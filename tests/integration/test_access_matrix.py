"""Every registered endpoint, for every kind of user. A new route without a row here fails.

Expected outcomes:
  302 = sent to sign in · 401 = API asks for a token · 403 = staff without permission ·
  404 = not there for this user (providers must not learn what exists) · 200/302/... = allowed.
"""

from datetime import UTC, date, datetime

import pytest

from qa_app.services import assessments, concerns, standards, users
from qa_app.services.actors import Actor

ROLES = ("anonymous", "provider_a", "provider_b", "officer", "manager", "admin")

STAFF_PAGE = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
ADMIN_PAGE = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 403,
    "manager": 403,
    "admin": 200,
}
ADMIN_POST = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 403,
    "manager": 403,
    "admin": 302,
}
PORTAL_PAGE = {
    "anonymous": 302,
    "provider_a": 200,
    "provider_b": 200,
    "officer": 404,
    "manager": 404,
    "admin": 404,
}
PORTAL_A_ONLY = {
    "anonymous": 302,
    "provider_a": 200,
    "provider_b": 404,
    "officer": 404,
    "manager": 404,
    "admin": 404,
}
SIGNED_IN = {
    "anonymous": 302,
    "provider_a": 200,
    "provider_b": 200,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
SIGN_OUT = {
    "anonymous": 302,
    "provider_a": 302,
    "provider_b": 302,
    "officer": 302,
    "manager": 302,
    "admin": 302,
}
PUBLIC = dict.fromkeys(ROLES, 200)
API_READ_ALL = {
    "anonymous": 401,
    "provider_a": 200,
    "provider_b": 200,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
API_READ_A = {
    "anonymous": 401,
    "provider_a": 200,
    "provider_b": 404,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
API_STAFF_CREATE = {
    "anonymous": 401,
    "provider_a": 403,
    "provider_b": 403,
    "officer": 201,
    "manager": 201,
    "admin": 201,
}
API_STAFF_ONLY = {
    "anonymous": 401,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
# review steps on a planned assessment: officers may not review; managers are told it is not ready
API_REVIEW = {
    "anonymous": 401,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 403,
    "manager": 409,
    "admin": 409,
}
STAFF_POST = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 302,
    "manager": 302,
    "admin": 302,
}
# a planned assessment is not in the portal at all
PORTAL_NONE = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 404,
    "manager": 404,
    "admin": 404,
}
API_PATCH_A = {
    "anonymous": 401,
    "provider_a": 403,
    "provider_b": 404,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}

# endpoint: (method, path template, expected, json body or form data)
MATRIX = {
    "index": ("GET", "/", {"anonymous": 302, **dict.fromkeys(ROLES[1:], 302)}, None),
    "static": ("GET", "/static/app.css", PUBLIC, None),
    "service_worker": ("GET", "/service-worker.js", PUBLIC, None),
    "govuk_assets": ("GET", "/assets/manifest.json", PUBLIC, None),
    "auth.sign_in": ("GET", "/sign-in", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}, None),
    "auth.sign_out": ("POST", "/sign-out", SIGN_OUT, {}),
    "auth.change_password": ("GET", "/account/password", SIGNED_IN, None),
    "auth.set_password": ("GET", "/set-password/not-a-real-token", dict.fromkeys(ROLES, 404), None),
    "staff.home": ("GET", "/home", STAFF_PAGE, None),
    "staff.service_list": ("GET", "/services", STAFF_PAGE, None),
    "staff.service_page": ("GET", "/services/{service_a}", STAFF_PAGE, None),
    "staff.service_new": ("GET", "/services/new", STAFF_PAGE, None),
    "staff.service_edit": ("GET", "/services/{service_a}/edit", STAFF_PAGE, None),
    "staff.provider_list": ("GET", "/providers", STAFF_PAGE, None),
    "staff.provider_page": ("GET", "/providers/{provider_a}", STAFF_PAGE, None),
    "staff.provider_new": ("GET", "/providers/new", STAFF_PAGE, None),
    "staff.provider_edit": ("GET", "/providers/{provider_a}/edit", STAFF_PAGE, None),
    "staff.assessment_list": ("GET", "/assessments", STAFF_PAGE, None),
    "staff.assessment_new": ("GET", "/services/{service_a}/assessments/new", STAFF_PAGE, None),
    "staff.assessment_page": ("GET", "/assessments/{assessment_a}", STAFF_PAGE, None),
    "staff.assessment_record": ("GET", "/assessments/{assessment_a}/record/D1", STAFF_PAGE, None),
    "staff.assessment_submit": (
        "POST",
        "/assessments/{assessment_a}/submit",
        {**STAFF_PAGE, "officer": 200, "manager": 200, "admin": 200},
        {},
    ),
    "staff.assessment_report": ("GET", "/assessments/{assessment_a}/report", STAFF_PAGE, None),
    "staff.assessment_return": (
        "POST",
        "/assessments/{assessment_a}/return",
        STAFF_POST,
        {"comment": "x"},
    ),
    "staff.assessment_share": ("POST", "/assessments/{assessment_a}/share-draft", STAFF_POST, {}),
    "staff.assessment_publish": ("POST", "/assessments/{assessment_a}/publish", STAFF_POST, {}),
    "staff.assessment_pdf": ("GET", "/assessments/{assessment_a}/report.pdf", STAFF_PAGE, None),
    "portal.assessment_pdf": (
        "GET",
        "/portal/assessments/{assessment_a}/report.pdf",
        PORTAL_NONE,
        None,
    ),
    "portal.assessment_report": ("GET", "/portal/assessments/{assessment_a}", PORTAL_NONE, None),
    "portal.assessment_comment": (
        "POST",
        "/portal/assessments/{assessment_a}/comments",
        PORTAL_NONE,
        {"text": "x"},
    ),
    "api.return_assessment": (
        "POST",
        "/api/v1/assessments/{assessment_a}/return",
        API_REVIEW,
        {"comment": "x"},
    ),
    "api.share_draft": ("POST", "/api/v1/assessments/{assessment_a}/share-draft", API_REVIEW, {}),
    "api.publish_assessment": (
        "POST",
        "/api/v1/assessments/{assessment_a}/publish",
        API_REVIEW,
        {},
    ),
    "staff.assessment_correct": (
        "POST",
        "/assessments/{assessment_a}/correct",
        STAFF_POST,
        {"reason": "x"},
    ),
    "api.revise_assessment": (
        "POST",
        "/api/v1/assessments/{assessment_a}/revise",
        API_REVIEW,
        {"reason": "x"},
    ),
    "staff.concern_list": ("GET", "/concerns", STAFF_PAGE, None),
    "staff.concern_new": ("GET", "/services/{service_a}/concerns/new", STAFF_PAGE, None),
    "staff.concern_page": ("GET", "/concerns/{concern_a}", STAFF_PAGE, None),
    "staff.concern_step": ("POST", "/concerns/{concern_a}/respond", STAFF_POST, {"action": "call"}),
    "api.create_concern": (
        "POST",
        "/api/v1/concerns",
        {**API_STAFF_CREATE, "provider_a": 404, "provider_b": 404},
        {
            "service_id": "{service_a}",
            "risk_level": "low",
            "received_at": "2026-11-20T10:00:00+00:00",
            "source": "complaint",
            "summary": "x",
        },
    ),
    "api.list_concerns": ("GET", "/api/v1/concerns", API_STAFF_ONLY, None),
    "api.get_concern": ("GET", "/api/v1/concerns/{concern_a}", API_STAFF_ONLY, None),
    "api.respond_concern": (
        "POST",
        "/api/v1/concerns/{concern_b}/respond",
        API_STAFF_ONLY,
        {"action": "call"},
    ),
    "api.close_concern": (
        "POST",
        "/api/v1/concerns/{concern_c}/close",
        API_STAFF_ONLY,
        {"outcome": "resolved"},
    ),
    "api.escalate_concern": (
        "POST",
        "/api/v1/concerns/{concern_d}/escalate",
        API_STAFF_ONLY,
        {"reason": "x"},
    ),
    "staff.standard_sets": ("GET", "/standards", STAFF_PAGE, None),
    "staff.standard_set": ("GET", "/standards/home_support/1", STAFF_PAGE, None),
    "staff.standard_set_compare": (
        "GET",
        "/standards/home_support/compare?from=1&to=1",
        STAFF_PAGE,
        None,
    ),
    "api.list_standard_sets": ("GET", "/api/v1/standard-sets", API_READ_ALL, None),
    "api.get_standard_set": ("GET", "/api/v1/standard-sets/home_support/1", API_READ_ALL, None),
    "admin.standards_upload": ("GET", "/admin/standards/upload", ADMIN_PAGE, None),
    "admin.standards_upload_confirm": ("POST", "/admin/standards/upload/confirm", ADMIN_POST, {}),
    "admin.user_list": ("GET", "/admin/users", ADMIN_PAGE, None),
    "admin.user_new": ("GET", "/admin/users/new", ADMIN_PAGE, None),
    "admin.user_page": ("GET", "/admin/users/{target_user}", ADMIN_PAGE, None),
    "admin.user_deactivate": ("POST", "/admin/users/{target_user}/deactivate", ADMIN_POST, {}),
    "admin.user_reactivate": ("POST", "/admin/users/{target_user}/reactivate", ADMIN_POST, {}),
    "admin.user_reinvite": (
        "POST",
        "/admin/users/{target_user}/invite",
        {**ADMIN_POST, "admin": 200},
        {},
    ),
    "admin.token_create": (
        "POST",
        "/admin/users/{target_user}/tokens",
        {**ADMIN_POST, "admin": 200},
        {"name": "x"},
    ),
    "admin.token_revoke": ("POST", "/admin/tokens/{target_token}/revoke", ADMIN_POST, {}),
    "portal.home": ("GET", "/portal/", PORTAL_PAGE, None),
    "portal.service_page": ("GET", "/portal/services/{service_a}", PORTAL_A_ONLY, None),
    "api.openapi_json": ("GET", "/api/v1/openapi.json", PUBLIC, None),
    "api.list_providers": ("GET", "/api/v1/providers", API_READ_ALL, None),
    "api.get_provider": ("GET", "/api/v1/providers/{provider_a}", API_READ_A, None),
    "api.create_provider": ("POST", "/api/v1/providers", API_STAFF_CREATE, {"name": "New {role}"}),
    "api.list_services": ("GET", "/api/v1/services", API_READ_ALL, None),
    "api.get_service": ("GET", "/api/v1/services/{service_a}", API_READ_A, None),
    "api.create_service": (
        "POST",
        "/api/v1/services",
        API_STAFF_CREATE,
        {
            "name": "New {role}",
            "provider_id": "{provider_a}",
            "service_type": "home_support",
            "cluster": "N",
        },
    ),
    "api.create_assessment": (
        "POST",
        "/api/v1/assessments",
        {**API_STAFF_CREATE},
        {"service_id": "{service_a}", "visit_date": "2026-11-20"},
    ),
    "api.get_assessment": ("GET", "/api/v1/assessments/{assessment_a}", API_STAFF_ONLY, None),
    "api.put_answer": (
        "PUT",
        "/api/v1/assessments/{assessment_a}/answers/QA01.1",
        API_STAFF_ONLY,
        {"score": 3},
    ),
    "api.submit_assessment": (
        "POST",
        "/api/v1/assessments/{assessment_a}/submit",
        {**API_STAFF_ONLY, "officer": 422, "manager": 422, "admin": 422},
        {},
    ),
    "api.patch_service": (
        "PATCH",
        "/api/v1/services/{service_a}",
        API_PATCH_A,
        {"cluster": "South"},
    ),
}


def test_every_endpoint_has_a_row(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered - set(MATRIX) == set(), "add these endpoints to the access matrix"
    assert set(MATRIX) - registered == set(), "these rows name endpoints that no longer exist"


@pytest.fixture
def world(make):
    provider_a, provider_b = make.provider(name="Provider A"), make.provider(name="Provider B")
    people = {
        "provider_a": make.user("provider", provider_a),
        "provider_b": make.user("provider", provider_b),
        "officer": make.user("officer"),
        "manager": make.user("manager"),
        "admin": make.user("admin"),
    }
    target = make.user("officer", name="Target User")
    standards.load_directory(Actor.system("cli"))
    service_a = make.service(provider_a)
    assessment_a = assessments.plan(
        Actor.system("cli"),
        people["officer"],
        {"service_id": service_a.id, "visit_date": date(2026, 11, 20)},
    )
    concern_ids = [
        concerns.log(
            Actor(people["officer"], "cli"),
            people["officer"],
            {
                "service_id": service_a.id,
                "risk_level": "high",
                "source": "complaint",
                "summary": f"Concern {n}",
                "received_at": datetime(2026, 11, 20, 10, tzinfo=UTC),
            },
        ).id
        for n in range(4)
    ]
    return {
        "people": people,
        "ids": {
            # one concern per step, so that one step does not make the next one a 409
            **{
                f"concern_{letter}": concern_id
                for letter, concern_id in zip("abcd", concern_ids, strict=True)
            },
            "provider_a": provider_a.id,
            "service_a": service_a.id,
            "assessment_a": assessment_a.id,
            "target_user": target.id,
            "target_token": _token_id_for(target),
        },
    }


def _token_id_for(user) -> int:
    users.create_token(Actor.system("cli"), user)
    return users.tokens_for(user.id)[0].id


def _fill(value, ids, role):
    if isinstance(value, str):
        text = value.format(role=role, **ids)
        return int(text) if text.isdigit() and value.startswith("{") else text
    if isinstance(value, dict):
        return {k: _fill(v, ids, role) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
def test_access(app, make, world, role):
    failures = []
    for endpoint, (method, path, expected, body) in MATRIX.items():
        client = app.test_client()
        headers = {}
        if role != "anonymous":
            user = world["people"][role]
            if path.startswith("/api/"):
                headers["Authorization"] = f"Bearer {users.create_token(Actor.system('cli'), user)}"
            else:
                make.sign_in(client, user)
        url = _fill(path, world["ids"], role)
        if method == "GET":
            response = client.get(url, headers=headers)
        elif path.startswith("/api/"):
            response = client.open(
                url, method=method, json=_fill(body, world["ids"], role), headers=headers
            )
        else:
            response = client.post(url, data=_fill(body, world["ids"], role))
        response.close()
        if response.status_code != expected[role]:
            failures.append(
                f"{endpoint} {method} {url}: {response.status_code}, expected {expected[role]}"
            )
        if (
            role == "anonymous"
            and expected[role] == 302
            and endpoint not in ("index", "auth.sign_in")
        ):
            assert "/sign-in" in response.headers["Location"], endpoint
    assert failures == []
