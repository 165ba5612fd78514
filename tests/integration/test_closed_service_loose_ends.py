"""A closed service's loose ends (issue 17), each through the one definition
`rules.service_open_on`: its open improvement plan is asked nothing more (not marked overdue,
out of the plans to act on and their counts on the home pages, the dashboard and the QuAD
pack) and comes back when the service reopens; the dashboard's "turned red" count and the
QuAD meeting's service picker leave it out; the QuAD pack names the services closed in the
month in its JSON, CSV zip and XLSX as well as on its page."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from qa_app.domain.months import Month
from qa_app.extensions import db
from qa_app.models import ImprovementPlan, PlanAction, PlanIssue, QuadMeetingItem
from qa_app.services import dashboard, plans, quad_meetings, quad_report, registry, users
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import ValidationFailed
from qa_app.services.plans.lists import PlanFilters, list_plans, staff_counts
from qa_app.services.quad_report import formats, lists
from tests.support.client import soup

TODAY = london_today()
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _plan(service, status="awaiting_submission", due=TODAY - timedelta(days=5), action_due=None):
    plan = ImprovementPlan(
        service_id=service.id,
        status=status,
        opened_at=datetime(2026, 9, 1, 9, tzinfo=UTC),
        submission_due_date=due,
    )
    db.session.add(plan)
    db.session.flush()
    if action_due:
        issue = PlanIssue(plan_id=plan.id, source="manual", title="Medicines")
        db.session.add(issue)
        db.session.flush()
        db.session.add(
            PlanAction(
                plan_id=plan.id,
                issue_id=issue.id,
                description="Audit the charts",
                owner="Manager",
                success_measure="Charts complete",
                target_date=action_due,
                status="open",
                created_at=datetime(2026, 9, 2, 9, tzinfo=UTC),
            )
        )
    db.session.commit()
    return plan


def _close(service, day):
    service.closed_on, service.closed_reason = day, "Deregistered by CQC"
    db.session.commit()


@pytest.fixture
def world(make):
    provider = make.provider(name="Elm Care")
    return {
        "elm": make.service(provider, name="Elm House"),
        "oak": make.service(provider, name="Oak Lodge"),
        "ash": make.service(provider, name="Ash Court"),
        "birch": make.service(provider, name="Birch View"),
        "manager": make.user("manager"),
    }


# ---------------------------------------------------------------- 1. its open plan


def test_a_closed_services_plan_is_not_marked_overdue_nor_counted_until_it_reopens(world):
    elm, oak, ash, birch = world["elm"], world["oak"], world["ash"], world["birch"]
    late = TODAY - timedelta(days=5)
    elm_plan = _plan(elm, due=late, action_due=late)
    oak_plan = _plan(oak, due=late)
    _plan(ash, status="submitted")
    birch_plan = _plan(birch, status="submitted")
    _close(elm, TODAY)
    _close(ash, TODAY - timedelta(days=1))

    counts = plans.mark_overdue()
    assert (counts["plans_overdue"], counts["actions_overdue"]) == (1, 0)
    db.session.expire_all()
    assert db.session.get(ImprovementPlan, elm_plan.id).overdue_at is None
    assert db.session.get(ImprovementPlan, oak_plan.id).overdue_at is not None

    assert staff_counts() == plans.PlanCounts(
        overdue_plans=1, awaiting_review=1, overdue_actions=0, open_plans=2
    )
    assert dashboard.manager_dashboard(datetime.now(UTC)).plans_to_review == 1
    listed = [r.plan.id for r in list_plans(PlanFilters())[0]]
    assert sorted(listed) == sorted([oak_plan.id, birch_plan.id])
    assert [r.plan.id for r in list_plans(PlanFilters(overdue=True))[0]] == [oak_plan.id]
    assert [r.plan.id for r in list_plans(PlanFilters(status="submitted"))[0]] == [birch_plan.id]
    assert len(list_plans(PlanFilters(status="all"))[0]) == 4
    # with its service chosen (from the service's page), the closed service's plan is there
    assert [r.plan.id for r in list_plans(PlanFilters(service_id=elm.id))[0]] == [elm_plan.id]

    # reopened, it is a plan to act on again, and the sweep marks it and its action
    elm.closed_on, elm.closed_reason = None, None
    db.session.commit()
    counts = plans.mark_overdue()
    assert (counts["plans_overdue"], counts["actions_overdue"]) == (1, 1)
    assert staff_counts().overdue_plans == 2 and staff_counts().overdue_actions == 1


def test_the_quad_packs_plan_counts_leave_out_a_service_closed_by_the_months_end(world):
    """Elm closed on 15 October with its plan overdue since September: counted at September's
    end, not at October's; the figure's list agrees with its count."""
    _plan(world["elm"], due=date(2026, 9, 15), action_due=date(2026, 9, 20))
    _plan(world["oak"], due=date(2026, 9, 15))
    _close(world["elm"], date(2026, 10, 15))
    manager = world["manager"]
    report = quad_report.build(manager, Month(2026, 10), quad_report.Filters(), now=NOW)
    assert report.value("plans.overdue", 0) == 1 and report.value("plans.overdue", 1) == 2
    assert report.value("plans.awaiting_submission", 0) == 1
    assert report.value("plans.overdue_actions", 0) == 0
    assert report.value("plans.overdue_actions", 1) == 1
    assert report.value("plans.open_actions", 0) == 0
    for month, expected in ((Month(2026, 10), 1), (Month(2026, 9), 2)):
        found = lists.records(manager, month, quad_report.Filters(), "plans.overdue", now=NOW)
        assert found.page.total == expected


# ---------------------------------------------------------------- 2. turned red, the picker


def test_a_closed_service_is_not_counted_as_turned_red(world, make):
    manager = world["manager"]
    before = dashboard.manager_dashboard(datetime.now(UTC)).turned_red
    service = make.service(name="Red House", cqc_rating="Good")
    registry.update_service(
        Actor(manager, "web"), manager, service.id, {"cqc_rating": "Inadequate"}, service.version
    )
    assert dashboard.manager_dashboard(datetime.now(UTC)).turned_red == before + 1
    _close(service, TODAY)
    assert dashboard.manager_dashboard(datetime.now(UTC)).turned_red == before


def test_the_meetings_picker_offers_services_open_in_the_month_only(client, world, make):
    month = Month(TODAY.year, TODAY.month)
    _close(world["elm"], month.first_day - timedelta(days=1))  # before the month
    _close(world["ash"], month.first_day + timedelta(days=1))  # during it
    chosen = [label for _id, label in quad_meetings.services_to_choose(month)]
    assert chosen == ["Ash Court (Elm Care)", "Birch View (Elm Care)", "Oak Lodge (Elm Care)"]
    manager = world["manager"]
    quad_meetings.save_details(Actor(manager, "web"), manager, month, TODAY, "Jo Bloggs, Council")
    with pytest.raises(ValidationFailed) as refused:
        quad_meetings.add_item(
            Actor(manager, "web"), manager, month, world["elm"].id, "Talked about it", ""
        )
    assert refused.value.errors == {"service_id": "Choose the service discussed"}
    assert db.session.query(QuadMeetingItem).count() == 0

    make.sign_in(client, manager)
    url = f"/reports/quad/{month}/meeting/services/new"
    page = client.get(url)
    options = [o.get_text(strip=True) for o in soup(page).select("#service_id option")]
    assert "Elm House (Elm Care)" not in options and "Ash Court (Elm Care)" in options
    posted = client.post(url, data={"service_id": str(world["elm"].id), "discussion": "Talked"})
    assert posted.status_code == 422 and db.session.query(QuadMeetingItem).count() == 0


# ---------------------------------------------------------------- 3. the pack's closed services


def test_the_packs_closed_services_are_in_its_json_csv_and_xlsx(client, world, make):
    elm = world["elm"]
    elm.name = '=HYPERLINK("http://x")'
    _close(elm, date(2026, 10, 15))
    _close(world["ash"], date(2026, 9, 30))  # the month before: not October's
    report = quad_report.build(world["manager"], Month(2026, 10), quad_report.Filters(), now=NOW)
    assert formats.as_dict(report)["services_closed"] == [
        {"id": elm.id, "name": elm.name, "provider": "Elm Care", "closed_on": "2026-10-15"}
    ]
    made = zipfile.ZipFile(io.BytesIO(formats.csv_zip(report, "Council")))
    name = next(n for n in made.namelist() if n.endswith("-services-closed.csv"))
    rows = list(csv.reader(io.StringIO(made.read(name).decode("utf-8-sig"))))
    assert rows == [
        ["Service", "Provider", "Closed on", "Service ID"],
        ["'" + elm.name, "Elm Care", "15/10/2026", str(elm.id)],
    ]
    sheet = load_workbook(io.BytesIO(formats.xlsx(report, "Council")))["Services closed"]
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["'" + elm.name, "Elm Care", datetime(2026, 10, 15), elm.id] in values
    assert not any(str(c).startswith("=") for row in values for c in row)

    # and through the API, for a month whose pack the API builds now
    last = Month(TODAY.year, TODAY.month).previous()
    _close(world["oak"], last.first_day)
    token = users.create_token(Actor.system("cli"), world["manager"])
    answer = client.get(
        f"/api/v1/reports/quad/{last}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    assert {
        "id": world["oak"].id,
        "name": "Oak Lodge",
        "provider": "Elm Care",
        "closed_on": last.first_day.isoformat(),
    } in answer.json["services_closed"]
