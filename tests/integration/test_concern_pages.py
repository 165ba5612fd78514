"""Logging a concern in the pages and following its clock."""

from datetime import datetime, timedelta

from sqlalchemy import select

from qa_app.domain.limits import NOTES
from qa_app.extensions import db
from qa_app.models import Concern
from qa_app.services import concerns
from qa_app.services.actors import Actor
from qa_app.web.filters import LONDON
from tests.support.client import error_summary


def test_log_a_concern_see_its_clock_and_respond(client, make):
    make.sign_in(client, make.user("officer"))
    service = make.service(name="Ash Court")
    received = datetime.now(LONDON) - timedelta(hours=25)
    form = {
        "risk_level": "high",
        "source": "whistleblower",
        "summary": "Night staff asleep",
        "received_date": [str(received.day), str(received.month), str(received.year)],
        "received_time": received.strftime("%H:%M"),
        "details": "Phoned in by a carer\n<b>second line</b>",
    }
    response = client.post(f"/services/{service.id}/concerns/new", data=form)
    assert response.status_code == 302
    concern = db.session.scalar(select(Concern))
    listing = client.get("/concerns")
    row = listing.soup.select_one("tbody tr").get_text(" ", strip=True)
    assert "Night staff asleep" in row and "Overdue by 1 h" in row
    page = client.get(response.headers["Location"])
    assert page.soup.h1.get_text(strip=True) == "Night staff asleep"
    row = next(r for r in page.soup.select(".govuk-summary-list__row") if "Details" in r.dt.text)
    details = row.select_one(".govuk-summary-list__value")  # line breaks kept, markup as text
    assert [t.strip() for t in details.stripped_strings] == [
        "Phoned in by a carer",
        "<b>second line</b>",
    ]
    assert details.find("br") is not None and details.find("b") is None
    client.post(
        f"/concerns/{concern.id}/respond", data={"action": "visit", "notes": "Visited at night"}
    )
    db.session.expire_all()
    assert db.session.get(Concern, concern.id).status == "responded"
    assert (
        "Responded 1 h"
        in client.get(f"/concerns/{concern.id}").soup.select_one(".app-clock").get_text()
    )


def test_a_concern_received_in_the_future_is_refused(client, make):
    make.sign_in(client, make.user("officer"))
    service = make.service()
    tomorrow = datetime.now(LONDON) + timedelta(days=1)
    response = client.post(
        f"/services/{service.id}/concerns/new",
        data={
            "risk_level": "low",
            "source": "complaint",
            "summary": "x",
            "received_date": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)],
            "received_time": "10:00",
        },
    )
    assert error_summary(response) == ["When the concern was received cannot be in the future"]
    bad_time = client.post(
        f"/services/{service.id}/concerns/new",
        data={
            "risk_level": "low",
            "source": "complaint",
            "summary": "x",
            "received_date": ["1", "11", "2026"],
            "received_time": "25:99",
        },
    )
    assert error_summary(bad_time) == ["Enter the time in 24-hour form, like 14:30"]
    impossible = client.post(
        f"/services/{service.id}/concerns/new",
        data={
            "risk_level": "low",
            "source": "complaint",
            "summary": "x" * 301,
            "received_date": ["31", "2", "2026"],
            "received_time": "10:00",
        },
    )
    skipped = client.post(
        f"/services/{service.id}/concerns/new",
        data={
            "risk_level": "low",
            "source": "complaint",
            "summary": "x",
            "received_date": ["29", "3", "2026"],
            "received_time": "01:30",
        },
    )
    assert error_summary(skipped) == [
        "There was no 01:30 on 29 March 2026: the clocks went forward an hour at 01:00. Enter "
        "the time the clock showed, like 02:30"
    ]
    assert error_summary(impossible) == [  # one message for each problem, said once
        "Date received must be a real date",
        "The summary must be 300 characters or fewer",
    ]
    assert db.session.scalar(select(Concern.id)) is None


def test_a_refused_step_says_why_beside_the_box_and_keeps_what_was_typed(client, make):
    officer = make.user("officer")
    service = make.service()
    concern = concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": service.id,
            "risk_level": "medium",
            "source": "complaint",
            "received_at": datetime.now(LONDON) - timedelta(hours=1),
            "summary": "Lost laundry",
        },
    )
    make.sign_in(client, officer)

    long_notes = "Rang the manager. " * (NOTES.chars // 18 + 1)
    too_long = client.post(
        f"/concerns/{concern.id}/respond", data={"action": "call", "notes": long_notes}
    )
    assert too_long.status_code == 422
    assert error_summary(too_long) == ["Notes must be 20,000 characters or fewer"]
    assert too_long.soup.select_one("#respond-notes").get_text() == long_notes
    assert too_long.soup.select_one("#action option[selected]")["value"] == "call"
    assert "govuk-form-group--error" in too_long.soup.select_one("#respond-notes").parent["class"]

    no_reason = client.post(f"/concerns/{concern.id}/escalate", data={"reason": "  "})
    assert no_reason.status_code == 422
    assert error_summary(no_reason) == ["Say why the concern is being escalated"]
    assert no_reason.soup.select_one(".govuk-error-summary a")["href"] == "#reason"

    db.session.expire_all()
    unchanged = db.session.get(Concern, concern.id)
    assert unchanged.status == "open" and unchanged.response_notes is None

    closed = client.post(
        f"/concerns/{concern.id}/close", data={"outcome": "resolved", "notes": "Found"}
    )
    assert closed.status_code == 302
    again = client.post(f"/concerns/{concern.id}/respond", data={"action": "call", "notes": "x"})
    assert again.status_code == 409
    assert len(error_summary(again)) == 1
    assert again.soup.title.get_text().startswith("Error: ")


def test_a_concern_escalated_into_a_withdrawn_draft_can_still_be_closed(client, make):
    officer, manager = make.user("officer"), make.user("manager")
    service = make.service()
    concern = concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": service.id,
            "risk_level": "high",
            "source": "professional",
            "received_at": datetime.now(LONDON) - timedelta(hours=2),
            "summary": "Medication errors",
        },
    )
    make.sign_in(client, manager)
    client.post(f"/concerns/{concern.id}/escalate", data={"reason": "Third error this month"})
    db.session.expire_all()
    notice_id = db.session.get(Concern, concern.id).notice_id
    assert notice_id is not None

    page = client.get(f"/concerns/{concern.id}")
    assert page.soup.find("button", string=lambda t: t and "Close concern" in t) is None
    early = client.post(f"/concerns/{concern.id}/close", data={"outcome": "resolved"})
    assert early.status_code == 409
    assert error_summary(early) == [
        "This concern is part of a notice of concern that is still a draft: close it once the "
        "notice is decided or withdrawn"
    ]

    client.post(f"/notices/{notice_id}/withdraw", data={"note": "Handled by a visit instead"})
    page = client.get(f"/concerns/{concern.id}")
    assert page.soup.find("button", string=lambda t: t and "Close concern" in t) is not None
    closed = client.post(
        f"/concerns/{concern.id}/close",
        data={"outcome": "no_further_action", "notes": "Visit found it resolved"},
    )
    assert closed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Concern, concern.id).status == "closed"
