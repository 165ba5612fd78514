"""Notices through the API, end to end: draft → issued with a placement stop → provider responds →
officer records met → lifted; escalation into a contract breach notice; bad steps refused."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditEvent, Notice, Service
from qa_app.services import notices, users
from qa_app.services.actors import Actor

SOON = (date.today() + timedelta(days=14)).isoformat()


@pytest.fixture
def world(client, make):
    provider = make.provider(name="Acme Care")
    service = make.service(provider, name="Elm House")
    people = {
        "officer": make.user("officer"),
        "manager": make.user("manager", name="Maria Manager"),
        "provider": make.user("provider", provider),
        "other_provider": make.user("provider", make.provider(name="Other Care")),
    }
    tokens = {
        role: {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), person)}"}
        for role, person in people.items()
    }

    def call(role, method, path, body=None):
        return client.open(f"/api/v1{path}", method=method, json=body, headers=tokens[role])

    draft, _ = notices.draft_for(Actor(people["officer"], "web"), service.id)
    db.session.commit()
    notices.update_draft(
        Actor(people["officer"], "web"), people["officer"], draft.id, "Missed checks", None
    )
    return {"call": call, "service": service, "draft": draft.id, "people": people}


def _service(world):
    db.session.expire_all()
    return db.session.get(Service, world["service"].id)


def test_a_notice_from_draft_to_lifted(world):
    call, nid = world["call"], world["draft"]
    refused = call("manager", "POST", f"/notices/{nid}/issue", {})
    assert refused.status_code == 422
    assert "at least one rectification requirement" in str(refused.json["details"])

    added = call(
        "officer",
        "POST",
        f"/notices/{nid}/requirements",
        {"text": "Rotas with two waking night staff", "due_date": SOON},
    )
    assert added.status_code == 201
    requirement_id = added.json["requirements"][0]["id"]
    assert (
        call(
            "officer", "PATCH", f"/notices/{nid}", {"grounds": "Two missed night checks"}
        ).status_code
        == 200
    )
    assert call("provider", "GET", f"/notices/{nid}").status_code == 404  # drafts are not shown

    assert call("officer", "POST", f"/notices/{nid}/issue", {}).status_code == 403
    issued = call(
        "manager",
        "POST",
        f"/notices/{nid}/issue",
        {"placement_stop_start": date.today().isoformat()},
    )
    assert issued.status_code == 200, issued.json
    assert issued.json["status"] == "issued"
    assert issued.json["placement_stop"] == {
        "start_date": date.today().isoformat(),
        "lifted_at": None,
    }
    service = _service(world)
    assert service.placement_stop_since == date.today()
    assert service.risk == "red"
    assert service.risk_reasons.startswith(f"placement stop since {date.today().day} ")
    assert "notice issued" in service.risk_reasons
    api_service = call("officer", "GET", f"/services/{service.id}").json
    assert api_service["placement_stop"]["start_date"] == date.today().isoformat()

    assert call("provider", "GET", f"/notices/{nid}").status_code == 200
    assert call("other_provider", "GET", f"/notices/{nid}").status_code == 404
    lift_early = call("manager", "POST", f"/notices/{nid}/lift", {})
    assert (
        lift_early.status_code == 409
        and "every rectification requirement is met" in lift_early.json["error"]
    )

    responded = call(
        "provider",
        "POST",
        f"/notices/{nid}/requirements/{requirement_id}/respond",
        {"response": "New rota from Monday"},
    )
    assert (
        responded.status_code == 200
        and responded.json["provider_response"] == "New rota from Monday"
    )
    assert (
        call(
            "other_provider",
            "POST",
            f"/notices/{nid}/requirements/{requirement_id}/respond",
            {"response": "x"},
        ).status_code
        == 404
    )
    not_met = call(
        "officer",
        "POST",
        f"/notices/{nid}/requirements/{requirement_id}/assess",
        {"status": "not_met"},
    )
    assert not_met.status_code == 422  # say what is missing
    met = call(
        "officer", "POST", f"/notices/{nid}/requirements/{requirement_id}/assess", {"status": "met"}
    )
    assert met.status_code == 200 and met.json["status"] == "met"

    lifted = call("manager", "POST", f"/notices/{nid}/lift", {"note": "All done"})
    assert lifted.status_code == 200 and lifted.json["status"] == "lifted"
    assert lifted.json["placement_stop"]["lifted_at"] is not None
    service = _service(world)
    assert service.placement_stop_since is None and service.risk == "green"
    assert call("officer", "GET", f"/services/{service.id}").json["placement_stop"] is None
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "notice", AuditEvent.entity_id == nid)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "drafted",
        "updated",  # the fixture's grounds
        "requirement added",
        "updated",
        "issue",
        "provider responded",
        "requirement assessed",
        "lift",
    ]


def test_a_notice_is_not_issued_without_grounds(world):
    call, nid = world["call"], world["draft"]
    call("officer", "POST", f"/notices/{nid}/requirements", {"text": "Fix it", "due_date": SOON})
    assert call("officer", "PATCH", f"/notices/{nid}", {"grounds": "  "}).status_code == 200
    refused = call("manager", "POST", f"/notices/{nid}/issue", {})
    assert refused.status_code == 422
    assert refused.json["details"] == {
        "grounds": "Write the grounds: why the council is issuing this notice"
    }
    assert call("manager", "GET", f"/notices/{nid}").json["status"] == "draft"
    call("officer", "PATCH", f"/notices/{nid}", {"grounds": "Medicines not given"})
    assert call("manager", "POST", f"/notices/{nid}/issue", {}).json["status"] == "issued"


def test_escalation_raises_a_breach_notice_that_ends_in_a_decision(world):
    call, nid = world["call"], world["draft"]
    call("officer", "POST", f"/notices/{nid}/requirements", {"text": "Fix it", "due_date": SOON})
    call("manager", "POST", f"/notices/{nid}/issue", {"placement_stop_start": SOON})
    service = _service(world)
    assert service.placement_stop_since == date.fromisoformat(SOON)  # a stop in the future
    assert "placement stop" not in service.risk_reasons  # not yet in force; the notice is

    breach = call("manager", "POST", f"/notices/{nid}/escalate", {"note": "No progress at all"})
    assert breach.status_code == 200, breach.json
    assert (breach.json["kind"], breach.json["status"], breach.json["parent_id"]) == (
        "contract_breach",
        "draft",
        nid,
    )
    assert call("manager", "POST", f"/notices/{nid}/escalate", {"note": "again"}).status_code == 409
    bid = breach.json["id"]
    assert call("manager", "POST", f"/notices/{bid}/issue", {}).status_code == 422
    action = call(
        "officer",
        "POST",
        f"/notices/{bid}/requirements",
        {"text": "Independent audit", "due_date": SOON},
    ).json["requirements"][0]["id"]
    assert call("manager", "POST", f"/notices/{bid}/issue", {}).json["status"] == "issued"
    assert call("manager", "POST", f"/notices/{bid}/remedy", {}).status_code == 409
    call("officer", "POST", f"/notices/{bid}/requirements/{action}/assess", {"status": "met"})
    remedied = call("manager", "POST", f"/notices/{bid}/remedy", {})
    assert remedied.json["status"] == "remedied"
    parent = call("officer", "GET", f"/notices/{nid}").json
    assert parent["status"] == "escalated" and parent["placement_stop"]["lifted_at"] is not None
    assert _service(world).placement_stop_since is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": "", "due_date": SOON}, 422),
        ({"text": "x", "due_date": "2020-01-01"}, 422),
        ({"text": "x", "due_date": "not a date"}, 422),
        ({"text": "x"}, 422),
        ({"text": "x", "due_date": SOON, "extra": 1}, 422),
    ],
)
def test_bad_requirements_change_nothing(world, body, status):
    response = world["call"]("officer", "POST", f"/notices/{world['draft']}/requirements", body)
    assert response.status_code == status and response.json["error"]
    assert db.session.get(Notice, world["draft"]).requirements == []


def test_steps_that_do_not_apply_are_refused_with_a_reason(world):
    call, nid = world["call"], world["draft"]
    for step in ("lift", "remedy"):
        response = call("manager", "POST", f"/notices/{nid}/{step}", {})
        assert response.status_code == 409 and response.json["error"]
    assert call("manager", "POST", f"/notices/{nid}/withdraw", {"note": ""}).status_code == 422
    assert (
        call("manager", "POST", f"/notices/{nid}/withdraw", {"note": "Resolved informally"}).json[
            "status"
        ]
        == "withdrawn"
    )
    assert call("manager", "POST", f"/notices/{nid}/issue", {}).status_code == 409
    assert call("officer", "GET", "/notices/999999").status_code == 404


def test_the_letter_names_the_service_requirements_and_stop(client, make, world):
    call, nid = world["call"], world["draft"]
    call(
        "officer",
        "POST",
        f"/notices/{nid}/requirements",
        {"text": "Two waking night staff on every shift", "due_date": SOON},
    )
    call("officer", "PATCH", f"/notices/{nid}", {"grounds": "Repeated missed night checks"})
    call(
        "manager",
        "POST",
        f"/notices/{nid}/issue",
        {"placement_stop_start": date.today().isoformat()},
    )
    make.sign_in(client, world["people"]["provider"])
    response = client.get(f"/portal/notices/{nid}/letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in (
        "Notice of concern",
        "Elm House",
        "Acme Care",
        "Two waking night staff",
        "Repeated missed night checks",
        "Placement stop",
        "Maria Manager",
    ):
        assert expected in text, expected


def test_the_letter_never_shows_the_concerns_and_copes_with_long_requirements(client, make, world):
    from datetime import UTC, datetime

    from qa_app.services import concerns

    officer = world["people"]["officer"]
    concern = concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": world["service"].id,
            "risk_level": "high",
            "source": "whistleblower",
            "received_at": datetime.now(UTC) - timedelta(hours=2),
            "summary": "Night carer J. Smith shouts at residents",
        },
    )
    concerns.escalate(Actor(officer, "web"), officer, concern.id, "Serious")
    call, nid = world["call"], world["draft"]
    long_text = "\n".join(f"Step {n}: do it" for n in range(300))  # under 5,000 characters
    call("officer", "POST", f"/notices/{nid}/requirements", {"text": long_text, "due_date": SOON})
    call("manager", "POST", f"/notices/{nid}/issue", {})
    make.sign_in(client, world["people"]["provider"])
    response = client.get(f"/portal/notices/{nid}/letter.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Step 299: do it" in text and len(reader.pages) > 1
    assert "J. Smith" not in text and "Whistleblower" not in text
    flat = " ".join(text.split())
    # nor their number, nor the day one was received (it can be enough to tell who raised it)
    assert "rests on" not in flat and "received" not in flat
    assert concern.summary not in client.get(f"/portal/notices/{nid}").get_data(as_text=True)


def _issued_with_breach(world):
    call, nid = world["call"], world["draft"]
    call("officer", "POST", f"/notices/{nid}/requirements", {"text": "Fix it", "due_date": SOON})
    call(
        "manager",
        "POST",
        f"/notices/{nid}/issue",
        {"placement_stop_start": date.today().isoformat()},
    )
    breach = call("manager", "POST", f"/notices/{nid}/escalate", {"note": "No progress"}).json
    return nid, breach["id"]


def test_a_remedied_breach_closes_its_notice_of_concern_and_the_service_is_no_longer_red(world):
    call = world["call"]
    nid, bid = _issued_with_breach(world)
    action = call(
        "officer", "POST", f"/notices/{bid}/requirements", {"text": "Audit", "due_date": SOON}
    ).json
    call("manager", "POST", f"/notices/{bid}/issue", {})
    assert _service(world).risk == "red"
    call(
        "officer",
        "POST",
        f"/notices/{bid}/requirements/{action['requirements'][0]['id']}/assess",
        {"status": "met"},
    )
    assert call("manager", "POST", f"/notices/{bid}/remedy", {}).json["status"] == "remedied"
    service = _service(world)
    assert service.risk == "green" and service.placement_stop_since is None
    parent = db.session.get(Notice, nid)
    assert parent.status == "escalated" and parent.closed_at is not None
    assert "remedy" in parent.close_note


def test_termination_recommended_keeps_the_service_red(world):
    call = world["call"]
    _nid, bid = _issued_with_breach(world)
    call("officer", "POST", f"/notices/{bid}/requirements", {"text": "Audit", "due_date": SOON})
    call("manager", "POST", f"/notices/{bid}/issue", {})
    done = call("manager", "POST", f"/notices/{bid}/recommend-termination", {"note": "No change"})
    assert done.json["status"] == "termination_recommended"
    assert _service(world).risk == "red"


def test_a_withdrawn_breach_draft_puts_the_notice_back_and_the_sweep_leaves_it_to_the_manager(
    world,
):
    from datetime import UTC, datetime

    from qa_app.services import sweep

    call = world["call"]
    nid, bid = _issued_with_breach(world)
    assert (
        call(
            "manager", "POST", f"/notices/{bid}/withdraw", {"note": "Talked it through"}
        ).status_code
        == 200
    )
    assert call("officer", "GET", f"/notices/{nid}").json["status"] == "issued"
    later = datetime.now(UTC) + timedelta(days=30)  # the requirement is now past due, unmet
    assert sweep.sweep(later)["breach_notices_created"] == 0
    again = call("manager", "POST", f"/notices/{nid}/escalate", {"note": "Still nothing"})
    assert again.status_code == 200 and again.json["id"] != bid
    assert call("officer", "GET", f"/notices/{nid}").json["status"] == "escalated"


def test_clock_record_far_in_the_future_is_not_an_error(world):
    response = world["call"](
        "officer", "GET", "/concerns/clock-record?from=2026-01-01&to=9999-12-31"
    )
    assert response.status_code == 200 and len(response.json["clocks"]) == 2
