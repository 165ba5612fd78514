"""The QuAD meeting's own record (issue 16, item 4): who may read and write it, the lock once
held (addenda, audited), bad input refused with nothing changed, and the record in the month's
report and the actions carried into the next month's JSON, CSV, XLSX, PDF text and page."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from qa_app.domain import meetings as rules
from qa_app.domain.months import last_full_month, month_of
from qa_app.extensions import db
from qa_app.models import AuditEvent, QuadAction, QuadMeeting, QuadMeetingItem
from qa_app.services import users
from qa_app.services.actors import Actor
from qa_app.services.calendar import utcnow
from tests.support.client import error_summary

LAST = last_full_month(utcnow())
THIS = month_of(utcnow())
HELD_ON = LAST.first_day + timedelta(days=13)
BASE = f"/reports/quad/{LAST}/meeting"


@pytest.fixture
def manager(make):
    return make.user("manager", name="Maria Manager")


@pytest.fixture
def world(make):
    north = make.service(name="Aster House", cluster="North")
    south = make.service(name="Birch Lodge", cluster="South")
    return north, south


@pytest.fixture
def api(client, manager):
    token = users.create_token(Actor.system("cli"), manager)

    def get(path):
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response

    return get


def _date(prefix: str, day) -> dict:
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def record_meeting(client, world, hold=True):
    """Two services discussed; Aster House gets an action still on track, Birch Lodge one
    achieved at the meeting (so it is never carried)."""
    north, south = world
    ok = client.post(
        f"{BASE}/details",
        data={
            **_date("held_on", HELD_ON),
            "attendees": "Maria Manager, Council\nSam Patel, North ICB",
        },
    )
    assert ok.status_code == 302, error_summary(ok)
    for service, discussion in ((north, "Staffing at night"), (south, "Medication audit")):
        ok = client.post(
            f"{BASE}/services/new",
            data={"service_id": str(service.id), "discussion": discussion, "decisions": "Monitor"},
        )
        assert ok.status_code == 302, error_summary(ok)
    items = {i.service_id: i.id for i in db.session.query(QuadMeetingItem)}
    for service, what, grade in (
        (north, "Unannounced night visit", "2"),
        (south, "Check MAR charts", "1"),
    ):
        ok = client.post(
            f"{BASE}/services/{items[service.id]}/actions/new",
            data={
                "description": what,
                "owner": "Quality officer",
                **_date("target_date", HELD_ON + timedelta(days=30)),
                "grade": grade,
                "then": "record",
            },
        )
        assert ok.status_code == 302, error_summary(ok)
    if hold:
        ok = client.post(f"{BASE}/held")
        assert ok.status_code == 302, error_summary(ok)


# ---------------------------------------------------------------- who may do what


def test_providers_never_see_it_officers_read_managers_write(client, make, world, manager):
    make.sign_in(client, manager)
    record_meeting(client, world, hold=False)
    provider_user = make.user("provider", provider_record=world[0].provider)
    make.sign_in(client, provider_user)
    for path in (BASE, f"{BASE}/details", f"{BASE}/services/new"):
        assert client.get(path).status_code == 404
    assert client.post(f"{BASE}/held").status_code == 404
    officer = make.user("officer")
    make.sign_in(client, officer)
    page = client.get(BASE)
    assert page.status_code == 200
    assert "Staffing at night" in page.get_data(as_text=True)
    assert not page.soup.select(f"form[action='{BASE}/held']")  # no buttons for a reader
    assert client.get(f"{BASE}/details").status_code == 403
    assert client.post(f"{BASE}/held").status_code == 403
    assert client.post(f"{BASE}/addenda", data={"text": "x"}).status_code == 403
    assert (
        db.session.get(QuadMeeting, db.session.query(QuadMeeting.id).scalar()).status == rules.DRAFT
    )


# ---------------------------------------------------------------- bad input, the lock


def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, make, manager):
    make.sign_in(client, manager)
    outside = LAST.last_day + timedelta(days=1)
    refused = client.post(
        f"{BASE}/details", data={**_date("held_on", outside), "attendees": "Just a name"}
    )
    assert refused.status_code == 422
    problems = error_summary(refused)
    assert f"The meeting's date must be in {LAST.label}" in problems
    assert any(p.startswith("Attendee 1 (Just a name)") for p in problems)
    assert db.session.query(QuadMeeting).count() == 0
    # nothing to add to yet: a clear message, not a 500
    refused = client.post(f"{BASE}/services/new", data={"service_id": "1", "discussion": "x"})
    assert refused.status_code == 409
    assert "Enter the meeting's date and attendees first" in error_summary(refused)


def test_a_held_record_is_locked_and_changes_are_audited_addenda(client, make, world, manager):
    make.sign_in(client, manager)
    record_meeting(client, world)
    refused = client.post(
        f"{BASE}/details", data={**_date("held_on", HELD_ON), "attendees": "Someone Else, ICB"}
    )
    assert refused.status_code == 409
    assert rules.LOCKED_MESSAGE in error_summary(refused)
    refused = client.post(
        f"{BASE}/services/new", data={"service_id": str(world[0].id), "discussion": "More"}
    )
    assert refused.status_code == 409
    assert rules.LOCKED_MESSAGE in error_summary(refused)
    page = client.get(BASE)
    assert "Someone Else" not in page.get_data(as_text=True)
    assert "Sam Patel, North ICB" in page.get_data(as_text=True)

    empty = client.post(f"{BASE}/addenda", data={"text": " "})
    assert empty.status_code == 422 and "Write the addendum" in error_summary(empty)
    added = client.post(f"{BASE}/addenda", data={"text": "ICB confirmed the visit date"})
    assert added.status_code == 302
    page = client.get(BASE)
    assert (
        "ICB confirmed the visit date"
        in page.soup.select_one("#addenda").find_next("dl").get_text()
    )
    event = (
        db.session.query(AuditEvent)
        .filter_by(entity_type="quad_meeting", action="addendum_added")
        .one()
    )
    assert event.changes["addendum"] == [None, "ICB confirmed the visit date"]
    assert event.actor_label.startswith("Maria Manager")
    assert "QuAD meeting record addendum added" in page.get_data(as_text=True)  # in the history
    held = (
        db.session.query(AuditEvent)
        .filter_by(entity_type="quad_meeting", action="marked_held")
        .count()
    )
    assert held == 1


# ---------------------------------------------------------------- in the report, carried forward


def test_the_record_and_the_carried_action_in_every_format(client, make, world, manager, api):
    make.sign_in(client, manager)
    record_meeting(client, world)
    open_action = (
        db.session.query(QuadAction).filter_by(description="Unannounced night visit").one()
    )

    this_month = api(f"/api/v1/reports/quad/{LAST}").get_json()["meeting"]
    assert this_month["status"] == "held"
    assert [s["name"] for s in this_month["services"]] == ["Aster House", "Birch Lodge"]
    assert [p["organisation"] for p in this_month["attendees"]] == ["Council", "North ICB"]
    assert this_month["services"][0]["actions"][0]["progress_grade_label"] == "2 On track"

    # opened after the end of the month before: not in that month's pack at all
    before = api(f"/api/v1/reports/quad/{LAST.previous()}").get_json()["meeting"]
    assert before["services"] == [] and before["carried_forward"] == []

    following = api(f"/api/v1/reports/quad/{THIS}").get_json()["meeting"]
    assert following["recorded"] is False
    [carried] = following["carried_forward"]  # the achieved action is not carried
    assert carried["id"] == open_action.id
    assert carried["carried_forward"] is True and carried["state"] == "Carried forward"
    assert carried["progress_grade"] == 2 and carried["opened_in"] == str(LAST)
    assert [h["progress_grade_label"] for h in carried["history"]] == ["2 On track"]

    csv = zipfile.ZipFile(io.BytesIO(client.get(f"/reports/quad/{THIS}.csv").data))
    [name] = [n for n in csv.namelist() if n.endswith("actions-carried-forward.csv")]
    text = csv.read(name).decode("utf-8-sig")
    assert "Unannounced night visit" in text and "2 On track" in text
    assert "Check MAR charts" not in text

    book = load_workbook(io.BytesIO(client.get(f"/reports/quad/{THIS}.xlsx").data))
    cells = [c.value for row in book["Actions carried forward"].iter_rows() for c in row]
    assert "Unannounced night visit" in cells and "Carried forward" in cells
    discussed = [
        c.value
        for row in load_workbook(io.BytesIO(client.get(f"/reports/quad/{LAST}.xlsx").data))[
            "Meeting discussions"
        ].iter_rows()
        for c in row
    ]
    assert "Staffing at night" in discussed

    pdf = client.get(f"/reports/quad/{THIS}.pdf").data
    words = pdf_text(pdf)
    carried_part = words[words.rindex("Actions carried forward") :]
    assert "Unannounced night visit" in carried_part and "2 On track" in carried_part
    pdf_last = client.get(f"/reports/quad/{LAST}.pdf").data
    words = pdf_text(pdf_last)
    assert "Meeting record" in words and "Sam Patel" in words and "Medication audit" in words

    # the page and the API agree on the record, on what is carried, and how it is graded
    page = client.get(f"/reports/quad?month={LAST}")
    headings = [
        h.get_text(" ", strip=True).split(" (")[0]
        for h in page.soup.select("#meeting-record ~ h3.govuk-heading-s")
    ]
    assert headings == [s["name"] for s in this_month["services"]]
    shown = page.soup.select_one("#meeting-record").find_next("dl").get_text(" ", strip=True)
    assert "Unannounced night visit" in shown and "2 On track" in shown
    page = client.get(f"/reports/quad?month={THIS}")
    rows = page.soup.select("#carried-forward ~ div table tbody tr")
    assert [r["id"] for r in rows] == [f"carried-{a['id']}" for a in following["carried_forward"]]
    assert carried["progress_grade_label"] in rows[0].get_text()


def test_next_months_meeting_grades_the_carried_action(client, make, world, manager, api):
    """Graded achieved at the next meeting: shown completed in that month's pack."""
    make.sign_in(client, manager)
    record_meeting(client, world)
    action = db.session.query(QuadAction).filter_by(description="Unannounced night visit").one()
    base = f"/reports/quad/{THIS}/meeting"
    ok = client.post(
        f"{base}/details",
        data={**_date("held_on", THIS.first_day), "attendees": "Maria Manager, Council"},
    )
    assert ok.status_code == 302, error_summary(ok)
    achieved = db.session.query(QuadAction).filter_by(description="Check MAR charts").one()
    not_carried = client.post(f"{base}/actions/{achieved.id}/progress", data={"grade": "2"})
    assert not_carried.status_code == 404  # completed last month: nothing to grade here
    bad = client.post(f"{base}/actions/{action.id}/progress", data={"grade": "9"})
    assert bad.status_code == 422
    assert "Choose a grading from 1 Fully achieved to 4 Not achieved" in error_summary(bad)
    ok = client.post(
        f"{base}/actions/{action.id}/progress",
        data={"grade": "1", "note": "Visit done"},
    )
    assert ok.status_code == 302, error_summary(ok)
    [carried] = api(f"/api/v1/reports/quad/{THIS}").get_json()["meeting"]["carried_forward"]
    assert carried["state"] == "Carried forward, completed" and carried["completed"] is True
    assert [h["progress_grade"] for h in carried["history"]] == [2, 1]


def test_filters_choose_the_services_discussed(client, make, world, manager, api):
    make.sign_in(client, manager)
    record_meeting(client, world)
    north = api(f"/api/v1/reports/quad/{LAST}?cluster=North").get_json()["meeting"]
    assert [s["name"] for s in north["services"]] == ["Aster House"]
    south = api(f"/api/v1/reports/quad/{THIS}?cluster=South").get_json()["meeting"]
    assert south["carried_forward"] == []


def _statements_reading(month) -> int:
    from sqlalchemy import event

    from qa_app.services.quad_report import meeting

    counted = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.split()[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            counted.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        record = meeting.read(month, month.end)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(counted), record


def test_reading_the_record_takes_the_same_statements_however_much_it_holds(
    client, make, world, manager
):
    from qa_app.services import quad_meetings

    make.sign_in(client, manager)
    record_meeting(client, world)
    before, record = _statements_reading(LAST)
    assert len(record.items) == 2
    actor = Actor(manager, "web")
    # a month earlier, a meeting with eight more services and actions, all still open
    earlier = LAST.previous()
    quad_meetings.save_details(actor, manager, earlier, earlier.first_day, "Jo Bloggs, Council")
    for n in range(8):
        service = make.service(name=f"Earlier {n}")
        item = quad_meetings.add_item(actor, manager, earlier, service.id, "Discussed", "")
        quad_meetings.add_action(
            actor,
            manager,
            earlier,
            item.id,
            {"description": f"Act {n}", "owner": "Jo", "target_date": earlier.last_day, "grade": 3},
        )
    after, record = _statements_reading(LAST)
    assert len(record.carried) == 8
    assert after == before == 6


def test_what_is_written_in_the_record_cannot_run_as_a_formula(client, make, world, manager):
    make.sign_in(client, manager)
    record_meeting(client, world, hold=False)
    item = db.session.query(QuadMeetingItem).filter_by(service_id=world[0].id).one()
    ok = client.post(
        f"{BASE}/services/{item.id}/actions/new",
        data={
            "description": '=HYPERLINK("http://evil.example","Click")',
            "owner": "+Someone",
            **_date("target_date", HELD_ON + timedelta(days=5)),
            "grade": "3",
        },
    )
    assert ok.status_code == 302, error_summary(ok)
    csv = zipfile.ZipFile(io.BytesIO(client.get(f"/reports/quad/{LAST}.csv").data))
    [name] = [n for n in csv.namelist() if n.endswith("meeting-actions.csv")]
    text = csv.read(name).decode("utf-8-sig")
    assert "'=HYPERLINK(" in text and "'+Someone" in text
    book = load_workbook(io.BytesIO(client.get(f"/reports/quad/{LAST}.xlsx").data))
    cells = [c.value for row in book["Meeting actions"].iter_rows() for c in row]
    assert "'+Someone" in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
