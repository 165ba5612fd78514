"""The visit programme (issue 20): the page for every role, planning in place (and bad input),
capacity, the API field, the iCalendar feed (parsed back with `icalendar`), a cluster's month
planned in one step (preview, then confirm), one definition of overdue shared with the
managers' dashboard and the home page, and statements that do not grow with the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import event, func, select

from qa_app.domain.clocks import LONDON
from qa_app.domain.months import Month
from qa_app.domain.programme import add_months
from qa_app.extensions import db
from qa_app.models import Assessment, AuditEvent, User
from qa_app.services import assessment_facts, dashboard, programme, standards
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.standards import latest_for_service_type
from tests.support.client import error_summary, soup


def _published(service, officer, when: datetime, rating: str) -> Assessment:
    standard_set = latest_for_service_type(service.service_type)
    record = Assessment(
        service_id=service.id,
        standard_set_id=standard_set.id,
        lead_officer_id=officer.id,
        visit_date=when.date(),
        status="published",
        created_at=when - timedelta(days=20),
        submitted_at=when - timedelta(days=10),
        published_at=when,
        overall_rating=rating,
        overall_percentage=50,
    )
    db.session.add(record)
    db.session.commit()
    return record


def _at_noon(day) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def world(make):
    standards.load_directory(Actor.system("cli"))
    today = london_today()
    officer = make.user("officer", name="Olive Officer")
    other = make.user("officer", name="Oscar Officer")
    manager = make.user("manager", name="Mina Manager")
    provider_org = make.provider(name="Programme Care Ltd")
    provider_user = make.user("provider", provider_org)
    s = {
        "never": make.service(provider_org, name="Never House", cluster="North"),
        "overdue": make.service(
            provider_org, name="Overdue House", cluster="North", contract_officer_id=officer.id
        ),
        "next_month": make.service(provider_org, name="Next Month House", cluster="North"),
        "later": make.service(provider_org, name="Later House", cluster="North"),
        "planned": make.service(provider_org, name="Planned House", cluster="North"),
        "south": make.service(
            provider_org, name="South House", cluster="South", service_type="home_support"
        ),
        "closed": make.service(
            provider_org, name="Closed House", cluster="North", closed_on=today - timedelta(days=3)
        ),
    }
    # rated Requires improvement 7 months ago: due a month ago, overdue
    _published(s["overdue"], officer, _at_noon(add_months(today, -7)), "Requires improvement")
    # rated Good 12 months ago less a few days: due within weeks
    next_month = Month(today.year, today.month).next()
    _published(s["next_month"], officer, _at_noon(add_months(next_month.first_day, -12)), "Good")
    # rated Good 2 months ago: due in 10 months
    _published(s["later"], officer, _at_noon(add_months(today, -2)), "Good")
    # rated Poor 8 months ago, and its follow-up planned: not overdue
    _published(s["planned"], officer, _at_noon(add_months(today, -8)), "Poor")
    _published(s["south"], officer, _at_noon(add_months(today, -13)), "Good")  # overdue
    _published(s["closed"], officer, _at_noon(add_months(today, -13)), "Good")
    planned = db.session.scalar(select(Assessment).where(Assessment.service_id == s["planned"].id))
    follow_up = Assessment(
        service_id=s["planned"].id,
        standard_set_id=planned.standard_set_id,
        lead_officer_id=other.id,
        visit_date=today,  # this month, whatever the day
        status="planned",
    )
    db.session.add(follow_up)
    db.session.commit()
    return {
        "today": today,
        "officer": officer,
        "other": other,
        "manager": manager,
        "provider": provider_user,
        "s": s,
        "next_month": next_month,
    }


def _rows(page) -> list[str]:
    table = soup(page).select_one("#programme")
    return [r.select_one("a").get_text(strip=True) for r in table.select("tr[data-service]")]


def _groups(page) -> list[str]:
    table = soup(page).select_one("#programme")
    return [th.get_text(" ", strip=True) for th in table.select("th[scope=colgroup]")]


def test_the_programme_by_month_in_priority_order(client, make, world):
    make.sign_in(client, world["manager"])
    page = client.get("/programme")
    assert page.status_code == 200
    names = _rows(page)
    # overdue first (all green here: the longest since assessed first), then by month due
    # (never assessed: due now, this month), each month in priority order
    assert names == [
        "South House",
        "Overdue House",
        "Never House",
        "Planned House",
        "Next Month House",
        "Later House",
    ]
    assert "Closed House" not in names
    assert _groups(page)[0] == "Overdue (2)"
    this_month = Month(world["today"].year, world["today"].month)
    assert f"{this_month.label} (" in " ".join(_groups(page))
    # the planned follow-up is shown as planned, not overdue, with no form
    row = soup(page).select_one(f'tr[data-service="{world["s"]["planned"].id}"]')
    assert "Planned for" in row.get_text() and row.select_one("form") is None
    # reasons in words
    row = soup(page).select_one(f'tr[data-service="{world["s"]["overdue"].id}"]')
    assert "Overdue since" in row.get_text() and "last assessed 7 months ago" in row.get_text()
    # filters: cluster, type, officer, risk
    south = _rows(client.get("/programme?cluster=South"))
    assert south == ["South House"]
    assert _rows(client.get("/programme?service_type=home_support")) == ["South House"]
    mine = _rows(client.get(f"/programme?officer={world['officer'].id}"))
    assert mine == ["Overdue House"]  # the contract officer's; Planned House is Oscar's visit
    oscars = _rows(client.get(f"/programme?officer={world['other'].id}"))
    assert oscars == ["Planned House"]
    none = client.get("/programme?risk=red")
    assert "No services are due" in none.get_data(as_text=True)
    # nonsense filters are ignored, never a 500
    assert (
        client.get("/programme?officer=abc&risk=purple&page=-3&service_type=x").status_code == 200
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("provider", 404), ("officer", 200), ("manager", 200)],
)
def test_every_programme_page_for_every_role(client, make, world, role, status):
    if role != "anonymous":
        make.sign_in(client, world[role])
    for path in ("/programme", "/programme/calendar", "/programme/feed"):
        assert client.get(path).status_code == status, path
    bulk = client.get("/programme/bulk")
    assert bulk.status_code == {"officer": 403}.get(role, status)
    confirm = client.post("/programme/bulk", data={"cluster": "North", "month": "x"})
    assert confirm.status_code == {"officer": 403, "manager": 422}.get(role, status)


def test_a_manager_plans_a_visit_in_place_audited(client, make, world):
    make.sign_in(client, world["manager"])
    service = world["s"]["never"]
    day = world["today"] + timedelta(days=10)
    done = client.post(
        "/programme/plan",
        data={
            "service_id": service.id,
            "officer_id": world["other"].id,
            "visit_date": day.isoformat(),
            "cluster": "North",
        },
    )
    assert done.status_code == 302 and "cluster=North" in done.headers["Location"]
    made = db.session.scalar(select(Assessment).where(Assessment.service_id == service.id))
    assert (made.status, made.visit_date, made.lead_officer_id) == (
        "planned",
        day,
        world["other"].id,
    )
    assert db.session.scalar(
        select(func.count()).where(
            AuditEvent.entity_type == "assessment",
            AuditEvent.entity_id == made.id,
            AuditEvent.action == "planned",
        )
    )
    row = soup(client.get("/programme")).select_one(f'tr[data-service="{service.id}"]')
    assert "Planned for" in row.get_text() and "Oscar Officer" in row.get_text()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"visit_date": "2026-02-30"}, "Enter the planned date as a real date"),
        ({"visit_date": ""}, "Enter the planned date"),
        ({"visit_date": "2001-01-01"}, "today or later"),
        ({"service_id": "999999"}, "Choose a service"),
        ({"service_id": "closed"}, "closed"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, make, world, values, message):
    make.sign_in(client, world["manager"])
    before = db.session.scalar(select(func.count()).select_from(Assessment))
    data = {
        "service_id": world["s"]["never"].id,
        "officer_id": world["officer"].id,
        "visit_date": (world["today"] + timedelta(days=5)).isoformat(),
    } | values
    if data["service_id"] == "closed":
        data["service_id"] = world["s"]["closed"].id
    refused = client.post("/programme/plan", data=data)
    assert refused.status_code == 422
    assert any(message in line for line in error_summary(refused)), error_summary(refused)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == before


def test_an_officer_plans_only_their_own_visits(client, make, world):
    make.sign_in(client, world["officer"])
    data = {
        "service_id": world["s"]["never"].id,
        "visit_date": (world["today"] + timedelta(days=5)).isoformat(),
    }
    refused = client.post("/programme/plan", data=data | {"officer_id": world["other"].id})
    assert refused.status_code == 422
    assert "You can plan visits only for yourself" in error_summary(refused)[0]
    assert (
        client.post("/programme/plan", data=data | {"officer_id": world["officer"].id}).status_code
        == 302
    )
    # the officer's page offers only themselves, and no capacity forms
    page = soup(client.get("/programme"))
    options = {o.get_text() for o in page.select("select[name=officer_id] option")}
    assert options == {"Olive Officer"}
    assert page.select("input[name=capacity]") == []


def test_capacity_set_by_a_manager_not_an_officer(client, make, world):
    officer = world["officer"]
    make.sign_in(client, world["manager"])
    assert (
        client.post(f"/programme/capacity/{officer.id}", data={"capacity": "5"}).status_code == 302
    )
    db.session.refresh(officer)
    assert officer.visits_per_month == 5
    refused = client.post(f"/programme/capacity/{officer.id}", data={"capacity": "lots"})
    assert refused.status_code == 422
    assert "whole number from 0 to 100" in error_summary(refused)[0]
    db.session.refresh(officer)
    assert officer.visits_per_month == 5
    assert (
        client.post(
            f"/programme/capacity/{world['manager'].id}", data={"capacity": "5"}
        ).status_code
        == 404
    )
    page = soup(client.get("/programme"))
    assert "0 of 5" in page.select_one("#capacity").find_next("table").get_text()
    officer_client = make.sign_in(client.application.test_client(), officer)
    assert (
        officer_client.post(f"/programme/capacity/{officer.id}", data={"capacity": "9"}).status_code
        == 403
    )


def test_next_assessment_due_in_the_api_and_its_document(client, make, world):
    token = _token(world["manager"])
    headers = {"Authorization": f"Bearer {token}"}
    s, today = world["s"], world["today"]
    due = {
        key: client.get(f"/api/v1/services/{s[key].id}", headers=headers).json[
            "next_assessment_due"
        ]
        for key in ("never", "overdue", "later", "closed")
    }
    assert due["never"] == today.isoformat()
    assert due["overdue"] == add_months(add_months(today, -7), 6).isoformat()
    assert due["later"] == add_months(add_months(today, -2), 12).isoformat()
    assert due["closed"] is None
    listed = client.get("/api/v1/services?cluster=South", headers=headers).json["items"]
    assert listed[0]["next_assessment_due"] == add_months(add_months(today, -13), 12).isoformat()
    document = client.get("/api/v1/openapi.json").json
    assert "next_assessment_due" in document["components"]["schemas"]["ServiceOut"]["properties"]


def _token(user: User) -> str:
    from qa_app.services import users

    return users.create_token(Actor.system("cli"), user)


def test_the_service_page_and_export_show_the_due_date(client, make, world):
    make.sign_in(client, world["officer"])
    service = world["s"]["overdue"]
    page = soup(client.get(f"/services/{service.id}"))
    text = page.select_one("#next-assessment").get_text(" ", strip=True)
    due = add_months(add_months(world["today"], -7), 6)
    assert f"Next assessment due {due.day} {due:%B %Y}" in text and "Overdue" in text
    csv = client.get("/services/export.csv?cluster=North").get_data(as_text=True)
    assert "Next assessment due" in csv.splitlines()[0]
    assert f"{due:%d/%m/%Y}" in next(line for line in csv.splitlines() if "Overdue House" in line)


def test_the_calendar_feed_parsed_back_and_revoked(client, make, world):
    other = world["other"]
    make.sign_in(client, other)
    made = client.post("/programme/feed")
    address = soup(made).select_one("#feed-url").get_text(strip=True)
    path = "/" + address.split("/", 3)[3]
    assert path.startswith("/calendar/cal_") and path.endswith(".ics")
    db.session.refresh(other)
    assert (
        other.calendar_token_hash and path[len("/calendar/") : -4] not in other.calendar_token_hash
    )
    anonymous = client.application.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = list(Calendar.from_ical(feed.data).walk("VEVENT"))
    assert len(events) == 1
    visit = events[0]
    assert str(visit["summary"]) == "Assessment visit: Planned House"
    assert visit.decoded("dtstart") == world["today"]
    # a new address ends the old one; revoking ends the new one
    again = client.post("/programme/feed")
    newer = "/" + soup(again).select_one("#feed-url").get_text(strip=True).split("/", 3)[3]
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(newer).status_code == 200
    assert client.post("/programme/feed/revoke").status_code == 302
    assert anonymous.get(newer).status_code == 404
    assert anonymous.get("/calendar/cal_nonsense.ics").status_code == 404
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "user", AuditEvent.entity_id == other.id
        )
    ).all()
    assert actions == ["calendar_feed_created", "calendar_feed_replaced", "calendar_feed_revoked"]


def test_a_clusters_month_previewed_then_confirmed(client, make, world):
    make.sign_in(client, world["manager"])
    month = world["next_month"]
    before = db.session.scalar(select(func.count()).select_from(Assessment))
    preview = client.get(f"/programme/bulk?cluster=North&month={month}")
    assert preview.status_code == 200
    rows = soup(preview).select("#preview tbody tr")
    names = [r.select_one("td").contents[0].strip() for r in rows]
    # North's services due by the month's end with nothing planned, in priority order
    assert names == ["Overdue House", "Never House", "Next Month House"]
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == before
    fingerprint = soup(preview).select_one("input[name=fingerprint]")["value"]
    # a stale preview is refused, and nothing is planned
    stale = client.post(
        "/programme/bulk", data={"cluster": "North", "month": str(month), "fingerprint": "x"}
    )
    assert stale.status_code == 422
    assert "changed since the preview" in error_summary(stale)[0]
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == before
    done = client.post(
        "/programme/bulk",
        data={"cluster": "North", "month": str(month), "fingerprint": fingerprint},
    )
    assert done.status_code == 302
    made = db.session.scalars(
        select(Assessment).where(Assessment.id > 0, Assessment.status == "planned")
    ).all()
    new = [a for a in made if a.service.cluster == "North" and a.service.name != "Planned House"]
    assert len(new) == 3
    assert all(month.first_day <= a.visit_date <= month.last_day for a in new)
    assert {a.lead_officer_id for a in new} == {world["officer"].id, world["other"].id}
    # bad input: no such month or cluster
    bad = client.get("/programme/bulk?cluster=Atlantis&month=1999-01")
    assert bad.status_code == 422
    assert set(error_summary(bad)) >= {"Choose a cluster"}


def test_capacity_limits_a_bulk_plan(client, make, world):
    make.sign_in(client, world["manager"])
    for officer in (world["officer"], world["other"]):
        client.post(f"/programme/capacity/{officer.id}", data={"capacity": "1"})
    month = world["next_month"]
    db.session.expire_all()  # the requests wrote through sessions of their own
    assert [o.visits_per_month for o in programme.officers()] == [1, 1]
    plan = programme.bulk_preview("North", str(month))
    assert [line.officer_id is not None for line in plan.lines] == [True, True, False]


def test_the_programme_and_the_dashboard_agree_on_overdue(client, make, world):
    rows = programme.all_rows(world["today"])
    overdue = [r for r in rows if r.overdue]
    assert {r.name for r in overdue} == {"Overdue House", "South House"}
    assert assessment_facts.follow_ups_overdue(world["today"]) == len(overdue)
    board = dashboard.manager_dashboard(datetime.now(UTC))
    assert board.follow_ups_overdue == len(overdue)
    listed = {f.service_name for f in assessment_facts.follow_ups_due() if f.overdue}
    assert listed == {r.name for r in overdue}


def test_statements_do_not_grow_with_the_services(client, make, world):
    make.sign_in(client, world["manager"])
    client.get("/programme")  # warm

    def statements() -> int:
        seen = []
        engine = db.session.get_bind()
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/programme").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements()
    provider_org = make.provider()
    for n in range(30):
        service = make.service(provider_org, name=f"More {n}", cluster="North")
        _published(service, world["officer"], _at_noon(add_months(world["today"], -11)), "Good")
    assert statements() == few


def test_the_officer_sees_their_visits_on_their_home_page(client, make, world):
    make.sign_in(client, world["other"])
    home = soup(client.get("/home"))
    table = home.select_one("#your-visits").find_next("table")
    assert "Planned House" in table.get_text()
    make.sign_in(client, world["officer"])
    home = soup(client.get("/home"))
    assert "You have no visits planned" in home.get_text()
