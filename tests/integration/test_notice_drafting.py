"""Issue 13, point 1: a draft notice's page is one form, and every button on it (save, add or
remove a requirement, issue, withdraw) takes what is typed there, saved first in the same
transaction; a refused step keeps everything typed. Grounds are required to issue. A manager
adds, moves or lifts a placement stop on a notice already issued, audited, and the stop shows
wherever the service does."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from qa_app.extensions import db
from qa_app.models import Notice, Service
from qa_app.services import notices
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from tests.support.client import error_summary, soup


def _parts(day):
    return [str(day.day), str(day.month), str(day.year)]


BLANK = ["", "", ""]


@pytest.fixture
def world(make):
    provider = make.provider(name="Acme Care")
    service = make.service(provider, name="Elm House")
    officer, manager = make.user("officer"), make.user("manager", name="Maria Manager")
    draft, _ = notices.draft_for(Actor.system("cli"), service.id)  # as the sweep makes it
    db.session.commit()
    return {
        "service": service,
        "officer": officer,
        "manager": manager,
        "provider_user": make.user("provider", provider),
        "draft": draft.id,
    }


def _notice(nid) -> Notice:
    db.session.expire_all()
    return db.session.get(Notice, nid)


def _typed(nid, **fields):
    """What the draft's page posts: every field on it, as a browser sends them."""
    values = {
        "version": str(_notice(nid).version),
        "grounds": "",
        "placement_stop_start": BLANK,
        "text": "",
        "due_date": BLANK,
        "note": "",
    }
    values.update(fields)
    return values


def _add_requirement(world, text="Fix the rota", days=14):
    notices.add_requirement(
        Actor(world["officer"], "web"),
        world["officer"],
        world["draft"],
        text,
        london_today() + timedelta(days=days),
    )


def _letter_text(client, nid) -> str:
    letter = client.get(f"/notices/{nid}/letter.pdf")
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages)


def test_issuing_takes_the_grounds_and_stop_typed_without_saving_first(client, make, world):
    nid, today = world["draft"], london_today()
    _add_requirement(world)
    make.sign_in(client, world["manager"])
    issued = client.post(
        f"/notices/{nid}/issue",
        data=_typed(
            nid,
            grounds="Medicines were not given as prescribed",
            placement_stop_start=_parts(today),
        ),
    )
    assert issued.status_code == 302
    notice = _notice(nid)
    assert notice.status == "issued"
    assert notice.grounds == "Medicines were not given as prescribed"
    assert notice.placement_stop_start == today
    assert db.session.get(Service, world["service"].id).placement_stop_since == today
    page = soup(client.get(f"/notices/{nid}")).get_text(" ", strip=True)
    assert "Medicines were not given as prescribed" in page and "None written" not in page
    assert f"In force from {today.day} {today:%B %Y}" in page
    letter = _letter_text(client, nid)
    assert "Medicines were not given as prescribed" in letter
    assert "will make no new placements" in letter


def test_a_requirement_typed_but_not_added_is_issued_with_the_notice(client, make, world):
    nid = world["draft"]
    make.sign_in(client, world["manager"])
    due = london_today() + timedelta(days=10)
    response = client.post(
        f"/notices/{nid}/issue",
        data=_typed(
            nid, grounds="Missed checks", text="Night checks every hour", due_date=_parts(due)
        ),
    )
    assert response.status_code == 302
    notice = _notice(nid)
    assert notice.status == "issued"
    assert [(r.text, r.due_date) for r in notice.requirements] == [("Night checks every hour", due)]


def test_adding_a_requirement_keeps_the_grounds_typed(client, make, world):
    nid = world["draft"]
    make.sign_in(client, world["officer"])
    due = london_today() + timedelta(days=7)
    added = client.post(
        f"/notices/{nid}/requirements",
        data=_typed(
            nid, grounds="Two missed night checks", text="Fix the rota", due_date=_parts(due)
        ),
    )
    assert added.status_code == 302
    notice = _notice(nid)
    assert notice.grounds == "Two missed night checks"
    assert [r.text for r in notice.requirements] == ["Fix the rota"]
    page = soup(client.get(f"/notices/{nid}"))
    assert page.select_one("#grounds").get_text() == "Two missed night checks"

    # removing one keeps what is typed too
    requirement = notice.requirements[0]
    removed = client.post(
        f"/notices/{nid}/requirements/{requirement.id}/remove",
        data=_typed(nid, grounds="Two missed night checks, and a fall"),
    )
    assert removed.status_code == 302
    notice = _notice(nid)
    assert notice.requirements == [] and notice.grounds == "Two missed night checks, and a fall"


def test_a_refused_step_saves_nothing_and_keeps_everything_typed(client, make, world):
    nid = world["draft"]
    make.sign_in(client, world["manager"])
    stop = london_today() + timedelta(days=3)
    refused = client.post(
        f"/notices/{nid}/issue",
        data=_typed(
            nid,
            grounds="   ",
            placement_stop_start=_parts(stop),
            text="Staff trained in medicines",
        ),
    )
    assert refused.status_code == 422
    assert error_summary(refused) == [
        "Write the grounds: why the council is issuing this notice",
        "Enter the date the rectification requirement is due",
    ]
    page = soup(refused)
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one("#text").get_text() == "Staff trained in medicines"
    assert [
        page.select_one(f"#placement_stop_start-{p}")["value"] for p in ("day", "month", "year")
    ] == _parts(stop)
    notice = _notice(nid)
    assert (notice.status, notice.grounds, notice.placement_stop_start) == ("draft", "", None)
    assert notice.requirements == []

    # no requirement at all: the summary links to the box to write one in
    none_yet = client.post(f"/notices/{nid}/issue", data=_typed(nid, grounds="Missed checks"))
    assert none_yet.status_code == 422
    assert error_summary(none_yet) == [
        "Add at least one rectification requirement before issuing the notice"
    ]
    assert soup(none_yet).select_one(".govuk-error-summary a")["href"] == "#text"
    assert soup(none_yet).select_one("#grounds").get_text() == "Missed checks"
    assert _notice(nid).grounds == ""

    # saving with half a requirement typed is refused too, with both kept
    half = client.post(
        f"/notices/{nid}/draft",
        data=_typed(nid, grounds="Missed checks", due_date=_parts(stop)),
    )
    assert half.status_code == 422
    assert error_summary(half) == [
        "Say what the rectification requirement requires of the provider"
    ]
    assert soup(half).select_one("#grounds").get_text() == "Missed checks"


def test_a_stale_page_is_told_and_keeps_what_was_typed(client, make, world):
    nid = world["draft"]
    make.sign_in(client, world["manager"])
    typed = _typed(nid, grounds="Missed checks")
    _add_requirement(world)  # an officer adds one while the manager is typing
    stale = client.post(f"/notices/{nid}/issue", data=typed)
    assert stale.status_code == 409
    assert "changed by someone else" in error_summary(stale)[0]
    page = soup(stale)
    assert page.select_one("#grounds").get_text() == "Missed checks"
    assert "Fix the rota" in page.get_text()  # the notice as it is now
    assert _notice(nid).status == "draft"
    # pressing again, having seen it, issues it
    again = {**typed, "version": page.select_one("#version")["value"]}
    assert client.post(f"/notices/{nid}/issue", data=again).status_code == 302
    assert _notice(nid).status == "issued" and _notice(nid).grounds == "Missed checks"


def test_withdrawing_keeps_the_grounds_typed_on_the_record(client, make, world):
    nid = world["draft"]
    make.sign_in(client, world["manager"])
    refused = client.post(f"/notices/{nid}/withdraw", data=_typed(nid, grounds="Late calls"))
    assert refused.status_code == 422
    assert error_summary(refused) == ["Say why the notice is being withdrawn"]
    assert soup(refused).select_one("#grounds").get_text() == "Late calls"
    done = client.post(
        f"/notices/{nid}/withdraw", data=_typed(nid, grounds="Late calls", note="Resolved")
    )
    assert done.status_code == 302
    notice = _notice(nid)
    assert (notice.status, notice.grounds, notice.close_note) == (
        "withdrawn",
        "Late calls",
        "Resolved",
    )


def test_the_draft_page_is_one_form_whose_default_button_saves(client, make, world):
    nid = world["draft"]
    _add_requirement(world)
    make.sign_in(client, world["manager"])
    page = soup(client.get(f"/notices/{nid}"))
    form = page.select_one("#grounds").find_parent("form")
    assert form["action"] == f"/notices/{nid}/draft"
    for name in ("placement_stop_start-day", "text", "due_date-day", "note", "version"):
        assert form.select_one(f"#{name}") is not None, name
    buttons = form.select("button")
    # the first button (the one Enter presses) saves; every other one posts the same form
    assert "formaction" not in buttons[0].attrs and buttons[0].get_text(strip=True) == "Save draft"
    actions = {b.get_text(" ", strip=True): b.get("formaction") for b in buttons[1:]}
    assert actions["Remove rectification requirement 1"].endswith("/remove")
    assert actions["Add rectification requirement"] == f"/notices/{nid}/requirements"
    assert actions["Issue notice of concern"] == f"/notices/{nid}/issue"
    assert actions["Withdraw draft"] == f"/notices/{nid}/withdraw"


# ---------------------------------------------------------------- a stop after issue


@pytest.fixture
def issued(world):
    _add_requirement(world)
    manager = world["manager"]
    notices.update_draft(Actor(manager, "web"), manager, world["draft"], "Missed checks", None)
    notices.issue(Actor(manager, "web"), manager, world["draft"])
    return world


def _service(world) -> Service:
    db.session.expire_all()
    return db.session.get(Service, world["service"].id)


def test_a_manager_adds_moves_and_lifts_a_stop_after_issue(client, make, issued):
    nid, today = issued["draft"], london_today()
    later = today + timedelta(days=5)
    make.sign_in(client, issued["manager"])
    page = soup(client.get(f"/notices/{nid}"))
    assert page.select_one("#placement-stop") is not None
    assert "Add placement stop" in page.get_text()

    past = client.post(
        f"/notices/{nid}/placement-stop",
        data={"placement_stop_start": _parts(today - timedelta(days=1)), "note": "Falls"},
    )
    assert past.status_code == 422
    assert error_summary(past) == ["The placement stop cannot start before today"]
    assert soup(past).select_one("#stop-why").get_text() == "Falls"

    added = client.post(
        f"/notices/{nid}/placement-stop",
        data={"placement_stop_start": _parts(later), "note": "Falls at night"},
    )
    assert added.status_code == 302
    assert _notice(nid).placement_stop_start == later
    assert _service(issued).placement_stop_since == later
    services = client.get("/services").get_data(as_text=True)
    assert f"Placement stop from {later.day} {later:%B %Y}" in services

    moved = client.post(
        f"/notices/{nid}/placement-stop",
        data={"placement_stop_start": _parts(today), "note": "Another fall"},
    )
    assert moved.status_code == 302
    service = _service(issued)
    assert service.placement_stop_since == today and service.risk == "red"
    assert service.risk_reasons.startswith("placement stop since")
    for path in ("/services", f"/services/{service.id}", "/market"):
        assert "Closed to new placements" in client.get(path).get_data(as_text=True), path
    portal = client.application.test_client()
    make.sign_in(portal, issued["provider_user"])
    assert "Closed to new placements" in portal.get("/portal/").get_data(as_text=True)
    assert "will make no new placements" in _letter_text(client, nid)

    # begun: it is lifted, never moved
    page = soup(client.get(f"/notices/{nid}"))
    assert "Change start date" not in page.get_text() and "Lift placement stop" in page.get_text()
    refused = client.post(
        f"/notices/{nid}/placement-stop",
        data={"placement_stop_start": _parts(later), "note": "x"},
    )
    assert refused.status_code == 422
    assert "cannot be moved: lift it if it should end" in error_summary(refused)[0]
    lifted = client.post(f"/notices/{nid}/lift_stop", data={"note": "Falls reviewed"})
    assert lifted.status_code == 302
    assert _service(issued).placement_stop_since is None
    assert "Closed to new placements" not in portal.get("/portal/").get_data(as_text=True)

    history = soup(client.get(f"/notices/{nid}")).select_one("table.app-history").get_text(" ")
    for done in ("placement stop added", "placement stop moved", "placement stop lifted"):
        assert done in history.lower()
    assert "Falls at night" in history and "Maria Manager" in history


def test_only_a_manager_sets_a_stop_and_only_on_a_notice_in_force(client, make, issued):
    nid = issued["draft"]
    make.sign_in(client, issued["officer"])
    page = soup(client.get(f"/notices/{nid}")).get_text()
    assert "Add placement stop" not in page
    denied = client.post(
        f"/notices/{nid}/placement-stop",
        data={"placement_stop_start": _parts(london_today()), "note": "x"},
    )
    assert denied.status_code == 403
    assert _notice(nid).placement_stop_start is None

    manager = issued["manager"]
    notices.assess_requirement(
        Actor(manager, "web"), manager, nid, _notice(nid).requirements[0].id, "met", ""
    )
    notices.lift(Actor(manager, "web"), manager, nid)
    make.sign_in(client, manager)
    closed = client.post(
        f"/notices/{nid}/placement-stop",
        data={"placement_stop_start": _parts(london_today()), "note": "x"},
    )
    assert closed.status_code == 409
    assert error_summary(closed) == [
        "A placement stop can be added or changed only while the notice is in force"
    ]


def test_the_api_adds_a_stop_to_an_issued_notice(client, make, issued):
    from qa_app.services import users

    nid, today = issued["draft"], london_today()
    token = users.create_token(Actor.system("cli"), issued["manager"])
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        f"/api/v1/notices/{nid}/placement-stop",
        json={"start_date": today.isoformat(), "note": "Falls"},
        headers=headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["placement_stop"] == {"start_date": today.isoformat(), "lifted_at": None}
    service = client.get(f"/api/v1/services/{issued['service'].id}", headers=headers).json
    assert service["placement_stop"]["start_date"] == today.isoformat()
    assert service["risk"] == "red"
    past = client.post(
        f"/api/v1/notices/{nid}/placement-stop",
        json={"start_date": date(2020, 1, 1).isoformat(), "note": "x"},
        headers=headers,
    )
    assert past.status_code == 422 and "placement_stop_start" in past.json["details"]
