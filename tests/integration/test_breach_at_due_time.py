"""A breached response clock is recorded at its due time, whichever path stops it (issue 16).

The SPEC counts a breach in the month its due time falls, as the clock record already does, so
the `breached` event's time is the due time: for a late response (web and API), a late close
or escalation by hand of a concern never responded to, and the sweep. A clock stopped in time
is `met` at the moment it stopped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ClockEvent
from qa_app.services import concerns, sweep, users
from qa_app.services.actors import Actor

# received 30 October 2026 at 21:00 GMT, a high-risk 24-hour clock: due 31 October 21:00 GMT;
# every late step below happens in November, so the breach belongs to October only if it is
# recorded at the due time
RECEIVED = datetime(2026, 10, 30, 21, 0, tzinfo=UTC)
DUE = RECEIVED + timedelta(hours=24)
LATE = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(make):
    officer = make.user("officer")
    return {"officer": officer, "actor": Actor(officer, "web"), "service": make.service()}


def _log(world, received=RECEIVED):
    return concerns.log(
        world["actor"],
        world["officer"],
        {
            "service_id": world["service"].id,
            "risk_level": "high",
            "source": "complaint",
            "received_at": received,
            "summary": "Missed calls",
        },
        now=received + timedelta(minutes=5),
    )


def _events(concern_id: int) -> dict[str, datetime]:
    rows = db.session.execute(
        select(ClockEvent.kind, ClockEvent.at).where(ClockEvent.concern_id == concern_id)
    ).all()
    return dict(rows)


def test_a_late_response_is_breached_at_the_due_time(world):
    concern = _log(world)
    assert concern.response_due_at == DUE
    concerns.respond(world["actor"], world["officer"], concern.id, "call", "", now=LATE)
    events = _events(concern.id)
    assert events["breached"] == DUE
    assert "met" not in events
    # the page still says how late the response was, from the response's own time
    assert concerns.state(concern, LATE)["text"] == "Responded 1 day 13 h late"


def test_a_response_in_time_is_met_when_it_was_made(world):
    concern = _log(world)
    in_time = DUE - timedelta(minutes=1)
    concerns.respond(world["actor"], world["officer"], concern.id, "call", "", now=in_time)
    assert _events(concern.id) == {"due": DUE, "met": in_time}


def test_a_response_at_the_due_instant_is_in_time(world):
    concern = _log(world)
    concerns.respond(world["actor"], world["officer"], concern.id, "visit", "", now=DUE)
    assert _events(concern.id)["met"] == DUE


def test_a_late_close_without_response_is_breached_at_the_due_time(world):
    concern = _log(world)
    concerns.close(world["actor"], world["officer"], concern.id, "resolved", "", now=LATE)
    assert _events(concern.id)["breached"] == DUE


def test_a_late_escalation_by_hand_is_breached_at_the_due_time(world):
    concern = _log(world)
    concerns.escalate(world["actor"], world["officer"], concern.id, "Serious", now=LATE)
    events = _events(concern.id)
    assert events["breached"] == DUE
    assert events["escalated"] == LATE  # the escalation itself is when it happened


def test_the_sweep_records_the_breach_at_the_due_time(world):
    concern = _log(world)
    sweep.sweep(now=LATE)
    events = _events(concern.id)
    assert (events["breached"], events["escalated"]) == (DUE, LATE)


def test_a_late_response_through_the_api_is_breached_at_the_due_time(client, world):
    received = datetime.now(UTC) - timedelta(hours=30)
    concern = _log(world, received=received)
    token = users.create_token(Actor.system("cli"), world["officer"])
    response = client.post(
        f"/api/v1/concerns/{concern.id}/respond",
        json={"action": "call"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.json["clock_state"] == "breached"
    assert _events(concern.id)["breached"] == received + timedelta(hours=24)


def test_a_late_response_on_the_page_is_breached_at_the_due_time(client, world, make):
    received = datetime.now(UTC) - timedelta(hours=30)
    concern = _log(world, received=received)
    make.sign_in(client, world["officer"])
    client.get(f"/concerns/{concern.id}")
    response = client.post(f"/concerns/{concern.id}/respond", data={"action": "call"})
    assert response.status_code == 302
    assert _events(concern.id)["breached"] == received + timedelta(hours=24)
