"""A provider cannot tell another provider's record from one that does not exist (SPEC section
10; issue 12, point 7): for every route a provider reaches with an id, the answer for another
provider's id and for an id nobody has is the same 404, word for word. The routes come from the
app's url_map, so a new route is covered (or must say why it is skipped)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qa_app.services import plans
from tests.integration.test_access_matrix import MATRIX
from tests.support import provider_world as world_
from tests.support.provider_world import ID_ARGS, MISSING, OTHER_ARGS


@pytest.fixture
def world(make, app, tmp_path, monkeypatch):
    return world_.build(make, app, tmp_path, monkeypatch)


def _routes(app):
    """(rule, method) for every route a provider's request reaches a record through."""
    routes, unknown = [], []
    for rule in app.url_map.iter_rules():
        if world_.skip_reason(rule):
            continue
        if world_.unknown_args(rule):
            unknown.append(f"{rule.endpoint}: {sorted(world_.unknown_args(rule))}")
        elif set(rule.arguments) & set(ID_ARGS):
            routes += [(rule, method) for method in world_.methods(rule)]
    assert unknown == [], "fill these route arguments in provider_world (or skip with a reason)"
    return routes


def _body(endpoint: str, method: str, org: dict):
    row = MATRIX.get(endpoint)
    if method == "GET" or row is None or row[0] != method or row[3] is None:
        return {} if method != "GET" else None
    values = {
        "target": (plans.london_today() + timedelta(days=60)).isoformat(),
        "service_a": org["ids"]["service_id"][0],
        "provider_a": org["ids"]["provider_id"][0],
        "role": "provider",
    }

    def fill(value):
        if isinstance(value, str):
            text = value.format(**values)
            return int(text) if value.startswith("{") and text.isdigit() else text
        return value

    return {key: fill(value) for key, value in row[3].items()}


class Caller:
    """Provider A, on the portal (signed in) and the API (its token)."""

    def __init__(self, app, make, person):
        self.portal = app.test_client()
        make.sign_in(self.portal, person)
        self.portal.get("/portal/")  # a page with the session's CSRF token
        self.api, self.token = app.test_client(), world_.token_for(person)

    def __call__(self, method: str, url: str, body):
        if url.startswith("/api/"):
            return self.api.open(
                url, method=method, json=body, headers={"Authorization": f"Bearer {self.token}"}
            )
        if method == "GET":
            return self.portal.get(url)
        return self.portal.open(url, method=method, data={**body, "csrf_token": self.portal.csrf})


def _url(rule, values: dict) -> str:
    return rule.build({**OTHER_ARGS, **values}, append_unknown=False)[1]


def test_another_providers_record_and_a_missing_one_give_the_same_404(app, make, world):
    a, b = world["a"], world["b"]
    call = Caller(app, make, a["person"])
    own = {name: ids[0] for name, ids in a["ids"].items()}
    failures, compared = [], 0
    for rule, method in _routes(app):
        id_args = [name for name in rule.arguments if name in ID_ARGS]
        # each id in turn (the others the provider's own), then all of them at once
        variants = [((name,), own) for name in id_args]
        if len(id_args) > 1:
            variants.append((tuple(id_args), own))
        for varied, base in variants:
            hidden = {**base, **{name: b["ids"][name][0] for name in varied}}
            missing = {**base, **dict.fromkeys(varied, MISSING)}
            body = _body(rule.endpoint, method, a)
            answers = []
            for values in (hidden, missing):
                url = _url(rule, {k: v for k, v in values.items() if k in rule.arguments})
                response = call(method, url, body)
                answers.append((response.status_code, world_.content(response), url))
            (hidden_status, hidden_body, url), (missing_status, missing_body, _) = answers
            compared += 1
            if (hidden_status, missing_status) != (404, 404) or hidden_body != missing_body:
                failures.append(
                    f"{method} {url} ({', '.join(varied)}): "
                    f"{hidden_status} {world_.gist(hidden_body)} vs "
                    f"{missing_status} {world_.gist(missing_body)}"
                )
    assert compared > 40  # the url_map gave the routes (a sanity check on the enumeration)
    assert failures == [], "\n".join(failures)


def test_no_api_operation_answers_a_provider_with_403(app, make, world):
    """What a provider may not do is not there for it: a 404, never 403 (SPEC section 10)."""
    a = world["a"]
    call = Caller(app, make, a["person"])
    own = {name: ids[0] for name, ids in a["ids"].items()}
    refused = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or world_.skip_reason(rule):
            continue
        for method in world_.methods(rule):
            values = {k: v for k, v in own.items() if k in rule.arguments}
            url = _url(rule, values)
            response = call(method, url, _body(rule.endpoint, method, a))
            if response.status_code == 403:
                refused.append(f"{method} {url}: {response.get_json()}")
    assert refused == []
