"""Providers never learn of concerns (issue 12, point 4): nothing a provider can read (portal
pages, API, PDFs, spreadsheets, files) changes when concerns are logged about its services, and no
concern's words ever reach it. Every GET route a provider can reach is taken from the url_map and
filled with the provider's own records, so a new provider route is covered automatically.

What a provider sees of the risk RAG: nothing. The RAG mixes concerns in (amber for an open
high-risk concern or for three open concerns), so its colour, its reasons, a filter or a sort by it
could each give a concern away; the API's `risk` and `risk_reasons` are null for provider users.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from qa_app.domain.clocks import LONDON
from qa_app.extensions import db
from qa_app.models import Service
from qa_app.services import concerns, inbox
from qa_app.services.actors import Actor
from qa_app.services.risk import refresh_risk_many
from tests.support import provider_world as world_
from tests.support.provider_world import ID_ARGS, OTHER_ARGS

MARKER = "MARKER-7f3c whistleblower says night staff sleep on shift"

#: list routes whose query could sort or filter by something a provider must not see
QUERIES = {
    "api.list_services": ["", "?risk=red", "?risk=amber", "?risk=green", "?sort=risk"],
}


@pytest.fixture
def world(make, app, tmp_path, monkeypatch):
    return world_.build(make, app, tmp_path, monkeypatch)


def _provider_get_urls(app, own: dict) -> dict[str, str]:
    """url → endpoint, for every GET route a provider reaches, with its own records."""
    urls, unknown = {}, []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or world_.skip_reason(rule):
            continue
        if world_.unknown_args(rule):
            unknown.append(f"{rule.endpoint}: {sorted(world_.unknown_args(rule))}")
            continue
        id_args = [name for name in rule.arguments if name in ID_ARGS]
        for values in itertools.product(*(own[name] for name in id_args)):
            values = {**OTHER_ARGS, **dict(zip(id_args, values, strict=True))}
            url = rule.build(values, append_unknown=False)[1]
            for query in QUERIES.get(rule.endpoint, [""]):
                urls[url + query] = rule.endpoint
    assert unknown == [], "fill these route arguments in provider_world (or skip with a reason)"
    return urls


def _snapshot(app, make, person, urls) -> dict:
    portal, api = app.test_client(), app.test_client()
    make.sign_in(portal, person)
    headers = {"Authorization": f"Bearer {world_.token_for(person)}"}
    seen = {}
    for url in urls:
        response = api.get(url, headers=headers) if url.startswith("/api/") else portal.get(url)
        seen[url] = (response.status_code, response.mimetype, world_.content(response))
        response.close()
    return seen


def _log_concerns(officer, service_ids):
    for service_id in service_ids:
        for n, (level, source) in enumerate(
            [
                ("high", "whistleblower"),
                ("medium", "complaint"),
                ("low", "safeguarding"),
                ("medium", "professional"),
            ]
        ):
            concerns.log(
                Actor(officer, "web"),
                officer,
                {
                    "service_id": service_id,
                    "risk_level": level,
                    "source": source,
                    "summary": f"{MARKER} ({n})",
                    "details": f"{MARKER}: details {n}",
                    "received_at": datetime.now(UTC) - timedelta(hours=n + 1),
                },
            )
    refresh_risk_many(service_ids)
    db.session.commit()


def test_nothing_a_provider_reads_changes_when_concerns_are_logged(app, make, world):
    a = world["a"]
    urls = _provider_get_urls(app, a["ids"])
    endpoints = set(urls.values())
    for expected in (
        "portal.home",
        "portal.plan_xlsx",
        "portal.notice_letter_pdf",
        "api.get_service",
    ):
        assert expected in endpoints  # the enumeration reached the provider's pages and files
    # opening a notification marks it read, which every page's header count shows: begin with
    # them all read, so that only the concerns could change what the provider sees
    inbox.mark_all_read(a["person"])
    before = _snapshot(app, make, a["person"], urls)
    assert before["/portal/"][0] == 200

    service_ids = [a["calm"].id, a["busy"].id]
    _log_concerns(world["officer"], service_ids)
    db.session.expire_all()
    calm = db.session.get(Service, a["calm"].id)
    # the council sees what changed (so the comparison below could see it too)
    assert calm.risk == "amber" and "open high-risk concern" in calm.risk_reasons

    after = _snapshot(app, make, a["person"], urls)
    changed = [
        f"{url} {line}"
        for url in urls
        if before[url] != after[url]
        for line in world_.difference(before[url], after[url]) or ["(differs)"]
    ]
    assert changed == [], "\n".join(changed)
    assert MARKER not in repr(after)
    assert "escalated concern's own words" not in repr(after)


def test_a_notice_says_nothing_of_the_concerns_it_rests_on(app, make, world):
    """An issued notice is the provider's to read and answer; the concerns behind it are not:
    not their ids, their number or the days they were received."""
    a = world["a"]
    notice_id = a["ids"]["notice_id"][0]
    api = app.test_client()
    headers = {"Authorization": f"Bearer {world_.token_for(a['person'])}"}
    one = api.get(f"/api/v1/notices/{notice_id}", headers=headers).get_json()
    listed = api.get("/api/v1/notices", headers=headers).get_json()["items"]
    assert one["concern_ids"] == [] and [n["concern_ids"] for n in listed] == [[]]
    staff = app.test_client()
    staff_headers = {"Authorization": f"Bearer {world_.token_for(world['officer'])}"}
    council_view = staff.get(f"/api/v1/notices/{notice_id}", headers=staff_headers).get_json()
    assert council_view["concern_ids"] == [a["concern"].id]  # the council still sees them

    portal = app.test_client()
    make.sign_in(portal, a["person"])
    letter = world_.content(portal.get(f"/portal/notices/{notice_id}/letter.pdf"))
    text = " ".join(" ".join(letter).split())
    received = a["concern"].received_at.astimezone(LONDON).date()
    assert "Two waking night staff" in text  # the letter itself is there
    assert f"{received.day} {received:%B %Y}" not in text
    assert "rests on" not in text


def test_the_api_gives_a_provider_no_risk_and_says_so(app, make, world):
    a = world["a"]
    _log_concerns(world["officer"], [a["calm"].id])
    client = app.test_client()
    url = f"/api/v1/services/{a['calm'].id}"
    as_provider = client.get(
        url, headers={"Authorization": f"Bearer {world_.token_for(a['person'])}"}
    )
    as_officer = client.get(
        url, headers={"Authorization": f"Bearer {world_.token_for(world['officer'])}"}
    )
    assert (as_provider.json["risk"], as_provider.json["risk_reasons"]) == (None, None)
    assert as_officer.json["risk"] == "amber"
    assert "open high-risk concern" in as_officer.json["risk_reasons"]
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["ServiceOut"]
    assert "Null for provider users" in schema["properties"]["risk"]["description"]
    assert "Null for provider users" in schema["properties"]["risk_reasons"]["description"]
