"""Closing a service and reopening it (issue 17's last item): from its page and the API, for
every role; what stops a closing (and that a refusal changes nothing); and a closed service
out of everything about the live market: the services list (unless asked for), the market
overview and its counts, the dashboards, the QuAD report's month-end counts, planning and
concerns. Its provider still reads its reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from qa_app.domain.months import Month
from qa_app.extensions import db
from qa_app.models import Assessment, AuditEvent, Service
from qa_app.services import assessments, concerns, dashboard, quad_report, standards, users
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import ValidationFailed
from qa_app.services.quad_report import lists
from tests.support.client import error_summary, soup

TODAY = london_today()


def _token(user) -> dict:
    return {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), user)}"}


def _close_form(day: date, reason="Deregistered by CQC", other="", confirmed=True) -> MultiDict:
    pairs = [("closed_on", str(day.day)), ("closed_on", str(day.month))]
    pairs += [("closed_on", str(day.year)), ("reason", reason), ("other_reason", other)]
    if confirmed:
        pairs.append(("confirmed", "yes"))
    return MultiDict(pairs)


def _link(response, text: str) -> str | None:
    found = [a["href"] for a in soup(response).select("a") if a.get_text(strip=True) == text]
    return found[0] if found else None


def _text(response) -> str:
    return " ".join(soup(response).select_one("main").get_text(" ").split())


@pytest.fixture
def world(make):
    provider = make.provider(name="Elm Care")
    return {
        "elm": make.service(provider, name="Elm House", risk="red", cqc_rating="Inadequate"),
        "oak": make.service(provider, name="Oak Lodge"),
        "provider": provider,
        "manager": make.user("manager"),
        "admin": make.user("admin"),
        "officer": make.user("officer"),
        "own_provider": make.user("provider", provider),
        "other_provider": make.user("provider", make.provider()),
    }


def _events(service_id, action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.service_id == service_id, AuditEvent.action == action)
    ).all()


# ---------------------------------------------------------------- the page


def test_a_manager_closes_a_service_after_a_confirmation_and_reopens_it(client, world, make):
    elm = world["elm"]
    make.sign_in(client, world["manager"])
    page = client.get(f"/services/{elm.id}")
    assert _link(page, "Close this service") == f"/services/{elm.id}/close"
    form = client.get(f"/services/{elm.id}/close")
    assert form.status_code == 200 and soup(form).h1.get_text(strip=True) == "Close Elm House"
    day = TODAY - timedelta(days=3)
    check = client.post(f"/services/{elm.id}/close", data=_close_form(day, confirmed=False))
    assert check.status_code == 200
    assert soup(check).h1.get_text(strip=True) == "Check before closing Elm House"
    db.session.expire_all()
    assert db.session.get(Service, elm.id).closed_on is None  # not until confirmed
    done = client.post(f"/services/{elm.id}/close", data=_close_form(day))
    assert done.status_code == 302
    db.session.expire_all()
    closed = db.session.get(Service, elm.id)
    assert (closed.closed_on, closed.closed_reason) == (day, "Deregistered by CQC")
    [event] = _events(elm.id, "closed")
    assert event.actor_id == world["manager"].id and event.changes["closed_on"] == [
        None,
        day.isoformat(),
    ]
    page = client.get(f"/services/{elm.id}")
    banner = soup(page).select_one("#service-closed").get_text(" ")
    assert "Closed on" in banner and "Deregistered by CQC" in banner
    assert _link(page, "Log a concern") is None
    assert soup(page).select_one("#no-planning") is not None
    assert "Service closed" in soup(page).select_one("table.app-history").get_text(" ")

    assert client.get(f"/services/{elm.id}/reopen").status_code == 200
    assert client.post(f"/services/{elm.id}/reopen").status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, elm.id).closed_on is None
    [event] = _events(elm.id, "reopened")
    assert event.changes["closed_on"] == [day.isoformat(), None]


def test_another_reason_is_written_in(client, world, make):
    elm = world["elm"]
    make.sign_in(client, world["admin"])
    form = _close_form(TODAY, reason="other", other="Fire: the home is unsafe")
    assert client.post(f"/services/{elm.id}/close", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, elm.id).closed_reason == "Fire: the home is unsafe"


@pytest.mark.parametrize(
    ("day", "reason", "other", "message"),
    [
        (TODAY + timedelta(days=1), "Deregistered by CQC", "", "must be today or in the past"),
        (TODAY, "other", "", "Enter why the service closed"),
        (TODAY, "", "", "Enter why the service closed"),
        (TODAY, "other", "x" * 201, "200 characters or fewer"),
    ],
)
def test_a_wrong_date_or_reason_is_explained_and_nothing_changes(
    client, world, make, day, reason, other, message
):
    elm = world["elm"]
    make.sign_in(client, world["manager"])
    response = client.post(f"/services/{elm.id}/close", data=_close_form(day, reason, other))
    assert response.status_code == 422
    assert any(message in e for e in error_summary(response))
    db.session.expire_all()
    assert db.session.get(Service, elm.id).closed_on is None
    assert not _events(elm.id, "closed")


def test_a_date_in_parts_or_not_real_is_explained(client, world, make):
    make.sign_in(client, world["manager"])
    pairs = MultiDict([("closed_on", "31"), ("closed_on", "2"), ("closed_on", "2026")])
    pairs.add("reason", "Deregistered by CQC")
    response = client.post(f"/services/{world['elm'].id}/close", data=pairs)
    assert response.status_code == 422 and "Date it closed must be a real date" in error_summary(
        response
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 403), ("own_provider", 404), ("other_provider", 404)],
)
def test_only_managers_and_administrators_close_or_reopen(client, world, make, role, status):
    elm = world["elm"]
    make.sign_in(client, world[role])
    assert client.get(f"/services/{elm.id}/close").status_code == status
    assert client.post(f"/services/{elm.id}/close", data=_close_form(TODAY)).status_code == status
    assert client.get(f"/services/{elm.id}/reopen").status_code == status
    assert client.post(f"/services/{elm.id}/reopen").status_code == status
    db.session.expire_all()
    assert db.session.get(Service, elm.id).closed_on is None
    if role == "officer":
        page = client.get(f"/services/{elm.id}")
        assert _link(page, "Close this service") is None


# ---------------------------------------------------------------- what stops a closing


@pytest.fixture
def busy(world, make):
    """Elm House with a visit in progress, one planned, and an open concern."""
    standards.load_directory(Actor.system("cli"))
    officer, elm = world["officer"], world["elm"]
    actor = Actor(officer, "web")
    started = assessments.plan(
        actor, officer, {"service_id": elm.id, "visit_date": TODAY - timedelta(days=2)}
    )
    first = assessments.questions_for(started)[0]
    assessments.save_answer(
        actor, officer, started.id, first.ref, assessments.AnswerInput(score=3, evidence="x"), None
    )
    planned = assessments.plan(
        actor, officer, {"service_id": elm.id, "visit_date": TODAY + timedelta(days=20)}
    )
    concern = concerns.log(
        actor,
        officer,
        {
            "service_id": elm.id,
            "risk_level": "high",
            "source": "complaint",
            "received_at": datetime.now(UTC) - timedelta(hours=1),
            "summary": "Falls not reported",
        },
    )
    return {"started": started, "planned": planned, "concern": concern}


def test_open_work_is_listed_and_the_closing_refused(client, world, make, busy):
    elm = world["elm"]
    make.sign_in(client, world["manager"])
    page = client.get(f"/services/{elm.id}/close")
    assert soup(page).h1.get_text(strip=True) == "Elm House cannot be closed yet"
    blockers = [a["href"] for a in soup(page).select("#closing-blockers a")]
    assert blockers == [
        f"/assessments/{busy['started'].id}",
        f"/concerns/{busy['concern'].id}",
    ]
    assert soup(page).select_one("main form[method=post]") is None
    refused = client.post(f"/services/{elm.id}/close", data=_close_form(TODAY))
    assert refused.status_code == 409
    api = client.patch(
        f"/api/v1/services/{elm.id}",
        json={"closed_on": TODAY.isoformat(), "closed_reason": "Deregistered by CQC"},
        headers=_token(world["manager"]),
    )
    assert api.status_code == 409 and "Falls not reported" in api.json["error"]
    db.session.expire_all()
    assert db.session.get(Service, elm.id).closed_on is None
    assert db.session.get(Assessment, busy["planned"].id) is not None  # nothing cancelled


def test_a_planned_visit_not_started_is_cancelled_by_the_closing(client, world, make):
    standards.load_directory(Actor.system("cli"))
    elm, officer = world["elm"], world["officer"]
    planned_id = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": elm.id, "visit_date": TODAY}
    ).id
    make.sign_in(client, world["manager"])
    form = client.get(f"/services/{elm.id}/close")
    assert "will be cancelled" not in _text(form) and "cancels the visits planned" in _text(form)
    assert client.post(f"/services/{elm.id}/close", data=_close_form(TODAY)).status_code == 302
    db.session.expire_all()
    assert db.session.get(Assessment, planned_id) is None
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cancelled")).all()
    assert (event.entity_type, event.entity_id, event.service_id) == (
        "assessment",
        planned_id,
        elm.id,
    )


def test_nothing_new_is_planned_or_logged_for_a_closed_service(world, make):
    standards.load_directory(Actor.system("cli"))
    elm, officer = world["elm"], world["officer"]
    elm.closed_on, elm.closed_reason = TODAY, "Deregistered by CQC"
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        assessments.plan(
            Actor(officer, "web"), officer, {"service_id": elm.id, "visit_date": TODAY}
        )
    assert refused.value.errors["service_id"].startswith("Elm House closed on")
    with pytest.raises(ValidationFailed) as refused:
        concerns.log(
            Actor(officer, "web"),
            officer,
            {
                "service_id": elm.id,
                "risk_level": "low",
                "source": "complaint",
                "received_at": datetime.now(UTC),
                "summary": "Late",
            },
        )
    assert refused.value.errors["service_id"].startswith("Elm House closed on")


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 403), ("own_provider", 404), ("other_provider", 404), ("manager", 200)],
)
def test_the_api_closes_for_managers_only(client, world, role, status):
    elm = world["elm"]
    response = client.patch(
        f"/api/v1/services/{elm.id}",
        json={"closed_on": TODAY.isoformat(), "closed_reason": "Deregistered by CQC"},
        headers=_token(world[role]),
    )
    assert response.status_code == status
    db.session.expire_all()
    assert (db.session.get(Service, elm.id).closed_on == TODAY) is (status == 200)
    if status == 200:
        assert response.json["closed_on"] == TODAY.isoformat()
        assert response.json["closed_reason"] == "Deregistered by CQC"


def test_the_api_reopens_and_lists_closed_services_only_when_asked(client, world):
    elm, headers = world["elm"], _token(world["admin"])
    assert client.get(f"/api/v1/services/{elm.id}", headers=headers).json["closed_on"] is None
    closed = client.patch(
        f"/api/v1/services/{elm.id}",
        json={"closed_on": TODAY.isoformat(), "closed_reason": "No longer commissioned"},
        headers=headers,
    )
    assert closed.status_code == 200
    names = [s["name"] for s in client.get("/api/v1/services", headers=headers).json["items"]]
    assert names == ["Oak Lodge"]
    every = client.get("/api/v1/services?include_closed=1", headers=headers).json["items"]
    assert [s["name"] for s in every] == ["Elm House", "Oak Lodge"]
    reopened = client.patch(f"/api/v1/services/{elm.id}", json={"closed_on": None}, headers=headers)
    assert reopened.status_code == 200 and reopened.json["closed_on"] is None
    assert reopened.json["closed_reason"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"closed_on": (TODAY + timedelta(days=1)).isoformat(), "closed_reason": "x"}, "closed_on"),
        ({"closed_on": TODAY.isoformat()}, "closed_reason"),
        ({"closed_reason": "x"}, "closed_reason"),
        ({"closed_on": TODAY.isoformat(), "closed_reason": "x", "name": "New"}, "name"),
        ({"closed_on": "yesterday", "closed_reason": "x"}, "closed_on"),
    ],
)
def test_the_api_refuses_a_bad_closing_and_changes_nothing(client, world, body, field):
    elm = world["elm"]
    response = client.patch(
        f"/api/v1/services/{elm.id}", json=body, headers=_token(world["manager"])
    )
    assert response.status_code == 422 and field in str(response.json["details"])
    db.session.expire_all()
    service = db.session.get(Service, elm.id)
    assert service.closed_on is None and service.name == "Elm House"


# ---------------------------------------------------------------- out of the live market


def _close(service, day):
    service.closed_on, service.closed_reason = day, "Deregistered by CQC"
    db.session.commit()


def test_closed_services_leave_the_lists_and_counts_of_the_live_market(client, world, make):
    elm, manager = world["elm"], world["manager"]
    elm.contract_officer_id = manager.id
    db.session.commit()
    before = dashboard.staff_summary(manager)
    assert before.by_risk == {"red": 1, "green": 1} and before.my_service_count == 1
    _close(elm, TODAY)
    after = dashboard.staff_summary(manager)
    assert after.by_risk == {"green": 1} and after.services == 1
    assert after.by_cqc == {"Good": 1} and after.my_service_count == 0
    make.sign_in(client, manager)
    listed = client.get("/services")
    assert [a.get_text() for a in soup(listed).select("tbody a.govuk-link")] == ["Oak Lodge"]
    every = client.get("/services?include_closed=y")
    names = [a.get_text() for a in soup(every).select("tbody a.govuk-link")]
    assert names == ["Elm House", "Oak Lodge"] and "Closed on" in _text(every)
    market = client.get("/market")
    assert "Elm House" not in _text(market) and "Oak Lodge" in _text(market)
    export = client.get("/services/export.csv")
    assert b"Elm House" not in export.data and b"Oak Lodge" in export.data


def test_the_provider_still_reads_a_closed_services_page_and_reports(client, world, make):
    _close(world["elm"], TODAY)
    make.sign_in(client, world["own_provider"])
    home = client.get("/portal/")
    assert home.status_code == 200 and "Elm House" in _text(home)
    api = client.get(f"/api/v1/services/{world['elm'].id}", headers=_token(world["own_provider"]))
    assert api.status_code == 200 and api.json["closed_on"] == TODAY.isoformat()


def test_the_quad_report_counts_services_open_at_the_months_end(world):
    """Closed on 15 October: counted in September's pack, not in October's (SPEC section 8:
    states at the month's last instant), and October's pack says so."""
    _close(world["elm"], date(2026, 10, 15))
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    manager = world["manager"]
    report = quad_report.build(manager, Month(2026, 10), quad_report.Filters(), now=now)
    october, september = report.figures[0]["ratings"]["cqc"], report.figures[1]["ratings"]["cqc"]
    assert (october["Inadequate"], october["Good"]) == (0, 1)
    assert (september["Inadequate"], september["Good"]) == (1, 1)
    assert [s.name for s in report.services_of_concern] == []
    assert "Closed in the month: Elm House (15 October 2026)" in report.notes[0]
    for month, expected in ((Month(2026, 10), 0), (Month(2026, 9), 1)):
        found = lists.records(
            manager, month, quad_report.Filters(), "ratings.cqc.Inadequate", now=now
        )
        assert found.page.total == expected
    september_report = quad_report.build(manager, Month(2026, 9), quad_report.Filters(), now=now)
    assert [s.name for s in september_report.services_of_concern] == ["Elm House"]
    assert "Closed in the month" not in september_report.notes[0]


def test_the_closed_service_count_uses_one_definition(world):
    """rules.service_open_on gives what domain.service_closing.is_open_on gives, each day."""
    from qa_app.domain.service_closing import is_open_on
    from qa_app.services import rules

    _close(world["elm"], date(2026, 10, 15))
    for day in (date(2026, 10, 14), date(2026, 10, 15), date(2026, 10, 16)):
        counted = db.session.scalar(
            select(func.count(Service.id)).where(rules.service_open_on(day))
        )
        expected = sum(is_open_on(s.closed_on, day) for s in (world["elm"], world["oak"]))
        assert counted == expected
