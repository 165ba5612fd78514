"""Notices through the pages: drafting with errors in the summary, issuing with a placement stop,
the stop shown wherever the service appears, the provider's response in the portal, lifting."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from qa_app.extensions import db
from qa_app.models import Notice, NoticeRequirement
from qa_app.services import notices
from qa_app.services.actors import Actor
from tests.support.client import soup


def _parts(day):
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture
def world(make):
    provider = make.provider(name="Acme Care")
    service = make.service(provider, name="Elm House")
    officer, manager = make.user("officer"), make.user("manager")
    draft, _ = notices.draft_for(Actor(officer, "web"), service.id)
    db.session.commit()
    return {
        "service": service,
        "officer": officer,
        "manager": manager,
        "provider_user": make.user("provider", provider),
        "draft": draft.id,
    }


def test_drafting_lists_every_error_then_saves(client, make, world):
    make.sign_in(client, world["officer"])
    page = client.post(
        f"/notices/{world['draft']}/requirements", data={"text": "", "due_date": ["", "", ""]}
    )
    assert page.status_code == 422  # refused, with what was typed
    html = page.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Say what the rectification requirement requires" in html
    assert "Enter the date the rectification requirement is due" in html
    past = client.post(
        f"/notices/{world['draft']}/requirements",
        data={"text": "x", "due_date": ["1", "1", "2020"]},
    )
    assert "The due date must be today or later" in past.get_data(as_text=True)
    assert db.session.get(Notice, world["draft"]).requirements == []

    soon = date.today() + timedelta(days=10)
    saved = client.post(
        f"/notices/{world['draft']}/requirements",
        data={"text": "Fix the rota", "due_date": _parts(soon)},
    )
    assert saved.status_code == 302
    page = client.get(f"/notices/{world['draft']}").get_data(as_text=True)
    assert "Fix the rota" in page and "A manager issues" in page  # officers do not decide
    assert f'<a class="govuk-link" href="/services/{world["service"].id}">Elm House</a>' in page
    assert client.post(f"/notices/{world['draft']}/issue", data={}).status_code == 403


def test_issue_with_a_stop_shows_it_everywhere_then_lift(client, make, world):
    nid, service = world["draft"], world["service"]
    manager = Actor(world["manager"], "web")
    requirement = notices.add_requirement(
        manager, world["manager"], nid, "Fix the rota", date.today() + timedelta(days=7)
    )
    make.sign_in(client, world["manager"])
    stale = client.post(
        f"/notices/{nid}/draft",
        data={"grounds": "x", "placement_stop_start": _parts(date.today()), "version": "1"},
    )  # the form was opened before the requirement was added
    assert "changed by someone else" in stale.get_data(as_text=True)
    version = str(db.session.get(Notice, nid).version)
    saved = client.post(
        f"/notices/{nid}/draft",
        data={
            "grounds": "Missed checks",
            "placement_stop_start": _parts(date.today()),
            "version": version,
        },
    )
    assert saved.status_code == 302
    stale_issue = client.post(f"/notices/{nid}/issue", data={"version": version})
    assert stale_issue.status_code == 409  # told, on the notice page, that it changed
    assert "There is a problem" in stale_issue.get_data(as_text=True)
    assert db.session.get(Notice, nid).status == "draft"
    current = str(db.session.get(Notice, nid).version)
    assert client.post(f"/notices/{nid}/issue", data={"version": current}).status_code == 302
    for path in ("/services", f"/services/{service.id}", "/market"):
        assert "Closed to new placements" in client.get(path).get_data(as_text=True), path
    market = client.get("/market").get_data(as_text=True)
    assert "Placement stop since" in market  # the reasons, with the date

    portal = client.application.test_client()
    make.sign_in(portal, world["provider_user"])
    home = portal.get("/portal/").get_data(as_text=True)
    assert "Closed to new placements" in home and "Respond to 1 requirement" in home
    page = portal.get(f"/portal/notices/{nid}").get_data(as_text=True)
    assert "Fix the rota" in page and "Missed checks" in page
    assert (
        portal.post(
            f"/portal/notices/{nid}/requirements/{requirement.id}/respond",
            data={"response": "Done: new rota"},
        ).status_code
        == 302
    )
    assert "Waiting for the council" in portal.get("/portal/").get_data(as_text=True)

    assert "Done: new rota" in client.get(f"/notices/{nid}").get_data(as_text=True)
    refused = client.post(f"/notices/{nid}/lift", data={"note": "Rota checked on 3 March"})
    assert refused.status_code == 409
    shown = refused.get_data(as_text=True)
    # the reason in the error summary, and the note still in its box
    assert "every rectification requirement is met" in shown
    assert 'name="note" rows="2">Rota checked on 3 March</textarea>' in shown
    assert db.session.get(Notice, nid).status == "issued"
    unexplained = client.post(
        f"/notices/{nid}/requirements/{requirement.id}/assess", data={"status": "not_met"}
    )
    assert unexplained.status_code == 422
    shown = unexplained.get_data(as_text=True)
    assert "Say what is still missing" in shown
    assert f'href="#assess-{requirement.id}-met"' not in shown  # the note is what is missing
    assert f'href="#assess-note-{requirement.id}"' in shown
    assert (
        f'id="assess-{requirement.id}-not_met" name="status" type="radio" value="not_met" checked'
        in shown
    )
    assert db.session.get(NoticeRequirement, requirement.id).status == "open"
    client.post(f"/notices/{nid}/requirements/{requirement.id}/assess", data={"status": "met"})
    client.post(f"/notices/{nid}/lift", data={"note": "Checked on a visit"})
    for path in ("/services", f"/services/{service.id}", "/market"):
        assert "Closed to new placements" not in client.get(path).get_data(as_text=True), path
    assert "Closed to new placements" not in portal.get("/portal/").get_data(as_text=True)


def test_provider_never_sees_a_draft(client, make, world):
    make.sign_in(client, world["provider_user"])
    assert client.get(f"/portal/notices/{world['draft']}").status_code == 404
    assert client.get(f"/portal/notices/{world['draft']}/letter.pdf").status_code == 404


def test_home_counts_concerns_and_notices_needing_attention(client, make, world):
    from datetime import UTC, datetime

    from qa_app.services import concerns

    officer = world["officer"]
    concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": world["service"].id,
            "risk_level": "high",
            "source": "complaint",
            "received_at": datetime.now(UTC) - timedelta(hours=30),
            "summary": "Late one",
        },
    )
    make.sign_in(client, make.user("admin"))  # the whole-council home (a manager's: the dashboard)
    page = soup(client.get("/home"))
    cards = [" ".join(a.get_text().split()) for a in page.select("a.app-card")]
    assert "1 concern past the response time, 0 due within 24 hours" in cards
    assert "1 draft notice waiting for a decision" in cards
    assert "0 services closed to new placements" in cards
    recent = " ".join(page.select_one(".app-recent").get_text().split())
    assert "Elm House: concern logged by" in recent  # the service and the thing that changed


def test_market_overview_shows_each_service_with_its_plan_state_red_first(client, make, world):
    from qa_app.services import registry

    officer = world["officer"]
    below = make.service(name="Aspen Court", cqc_rating="Good")
    registry.update_service(
        Actor(officer, "web"), officer, below.id, {"cqc_rating": "Inadequate"}, None
    )
    make.sign_in(client, officer)
    page = soup(client.get("/market"))
    rows = [" ".join(tr.get_text().split()) for tr in page.select("tbody tr")]
    assert rows[0].startswith("Red Aspen Court")  # red first
    assert "CQC rating Inadequate" in rows[0] and "Awaiting submission" in rows[0]
    elm = next(r for r in rows if "Elm House" in r)
    assert elm.endswith("None")  # no open plan
    nonsense = client.get("/market?risk=purple&cluster=Nowhere&officer_id=x&page=abc")
    assert nonsense.status_code == 200 and "Showing 1 to" in nonsense.get_data(as_text=True)
    filtered = soup(client.get("/market?risk=red"))
    assert [tr.select_one("a").get_text() for tr in filtered.select("tbody tr")] == ["Aspen Court"]


def test_a_response_that_cannot_be_sent_comes_back_with_the_reason_and_the_text(
    client, make, world
):
    nid = world["draft"]
    manager = Actor(world["manager"], "web")
    requirement = notices.add_requirement(
        manager, world["manager"], nid, "Fix the rota", date.today() + timedelta(days=7)
    )
    notices.update_draft(manager, world["manager"], nid, "Missed checks", None)
    notices.issue(manager, world["manager"], nid)
    make.sign_in(client, world["provider_user"])
    typed = "New rota agreed. " * 400  # over 5,000 characters
    response = client.post(
        f"/portal/notices/{nid}/requirements/{requirement.id}/respond", data={"response": typed}
    )
    assert response.status_code == 422
    page = soup(response)
    assert (
        "Your response must be 5,000 characters or fewer"
        in page.select_one(".govuk-error-summary").text
    )
    assert page.select_one(f"#response-{requirement.id}").text == typed  # nothing lost
    db.session.expire_all()
    assert db.session.get(NoticeRequirement, requirement.id).provider_response is None


def test_a_withdrawn_draft_offers_no_letter_and_its_letter_stays_marked_draft(client, make, world):
    nid = world["draft"]
    make.sign_in(client, world["manager"])
    assert "Preview the letter" in client.get(f"/notices/{nid}").get_data(as_text=True)
    client.post(f"/notices/{nid}/withdraw", data={"note": "Resolved on a visit"})
    page = client.get(f"/notices/{nid}").get_data(as_text=True)
    assert "Withdrawn" in page and "the letter (PDF" not in page
    letter = client.get(f"/notices/{nid}/letter.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert "DRAFT" in text and "not yet issued" in text
