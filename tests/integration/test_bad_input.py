"""No input makes a 500: odd addresses, forms and JSON get a clear 4xx or are ignored."""

import pytest
from werkzeug.datastructures import MultiDict

from qa_app.services import users
from qa_app.services.actors import Actor

ODD_PAGES = [
    "/services?page=-1",
    "/services?page=99999999999999999999",
    "/services?officer_id=abc&cluster=%01&service_type=castle",  # NUL: test_nul_characters.py
    "/services?q=" + "x" * 5000,
    "/services?q=%25_%25",
    "/providers?page=abc&q=%27%22%3C",
    "/services/99999999999999999999",
    "/providers/0/edit",
    # digits Python calls digits but int() refuses (superscripts, circled numbers)
    "/services?page=%C2%B2",
    "/providers?page=%E2%91%A0",
    "/assessments?officer_id=%C2%B2&page=%C2%B3",
    "/concerns?officer_id=%C2%B2&service_id=%C2%B9",
    "/plans?officer_id=%C2%B2",
    "/notices?service_id=%C2%B2",
    "/programme?officer=%C2%B2",
    "/services/new?provider_id=%C2%B2",
    "/notifications?page=%C2%B2",
]


@pytest.mark.parametrize("path", ODD_PAGES)
def test_odd_addresses(client, make, path):
    make.sign_in(client, make.user("officer"))
    assert client.get(path).status_code in (200, 404)


@pytest.mark.parametrize(
    "fields",
    [
        {"beds": "lots", "provider_id": "x", "contract_officer_id": "y", "version": "abc"},
        {
            "contract_start": ["99", "99", "99999"],
            "cqc_rating": "Brilliant",
            "service_type": "castle",
        },
        {
            "name": "n" * 1000,
            "postcode": "p" * 500,
            "cluster": "\x01",
        },  # NUL: see test_nul_characters
        {"contract_end": ["1"]},
    ],
)
def test_odd_service_forms_are_explained(client, make, fields):
    make.sign_in(client, make.user("officer"))
    service = make.service(name="Unchanged")
    data = MultiDict()
    for key, value in fields.items():
        for part in value if isinstance(value, list) else [value]:
            data.add(key, part)
    for url in ("/services/new", f"/services/{service.id}/edit"):
        response = client.post(url, data=data)
        assert response.status_code == 200, url
        assert response.soup.select(".govuk-error-summary li"), url


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/services?per_page=100000", None),
        ("GET", "/api/v1/services?provider_id=abc", None),
        ("GET", "/api/v1/services?risk=purple", None),
        ("POST", "/api/v1/services", []),
        ("POST", "/api/v1/services", "just a string"),
        ("POST", "/api/v1/services", {"name": None, "provider_id": "seven"}),
        (
            "POST",
            "/api/v1/services",
            {"name": "A", "provider_id": 999999, "service_type": "extra_care", "cluster": "N"},
        ),
        ("PATCH", "/api/v1/services/{id}", {"version": "one"}),
        ("PATCH", "/api/v1/services/{id}", {"provider_id": 999999}),
        ("PATCH", "/api/v1/services/{id}", {"contract_officer_id": -5}),
        ("PATCH", "/api/v1/services/{id}", {"cqc_rating_date": "31/02/2026"}),
        ("POST", "/api/v1/providers", {"name": "x" * 201}),
    ],
)
def test_odd_api_requests_are_4xx_json(client, make, method, path, body):
    service = make.service()
    headers = {
        "Authorization": f"Bearer {users.create_token(Actor.system('cli'), make.user('officer'))}"
    }
    response = client.open(path.format(id=service.id), method=method, json=body, headers=headers)
    assert 400 <= response.status_code < 500, response.json
    assert set(response.json) == {"error", "details"}
