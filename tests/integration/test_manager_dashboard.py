"""The managers' dashboard (issue 16, item 5): every count is the number of rows its link lists
(the test follows each link and counts), officers keep their own home, providers are refused,
"Recent changes" is one line per piece of work, the query forms agree with the domain rules,
and the statements a dashboard costs do not grow with the data."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from qa_app.domain import dashboard as rules_now
from qa_app.domain.concerns import counts_as_open
from qa_app.domain.months import month_of
from qa_app.extensions import db
from qa_app.models import (
    Answer,
    Assessment,
    AuditEvent,
    Concern,
    ImprovementPlan,
    Notice,
    StandardSetVersion,
)
from qa_app.services import dashboard, risk, rules
from tests.support.client import PageCheckingClient

NOW = datetime.now(UTC)


def _concern(service, due_in: timedelta, **fields) -> Concern:
    due = NOW + due_in
    concern = Concern(
        service_id=service.id,
        risk_level=fields.pop("risk_level", "medium"),
        source="complaint",
        summary=fields.pop("summary", "A concern"),
        received_at=due - timedelta(hours=72),
        logged_by_label="Test",
        status=fields.pop("status", "open"),
        clock="72-hour",
        clock_mode="elapsed",
        response_due_at=due,
        **fields,
    )
    db.session.add(concern)
    return concern


def _standard_set() -> StandardSetVersion:
    standard_set = StandardSetVersion(
        key="dash",
        version=1,
        title="Dashboard set",
        service_types=["care_home_residential"],
        document={"domains": []},
        content_hash="1" * 64,
        source_file="dash.yaml",
        question_count=0,
        loaded_by="Test",
    )
    db.session.add(standard_set)
    db.session.flush()
    return standard_set


def _assessment(service, standard_set, officer, **fields) -> Assessment:
    record = Assessment(
        service_id=service.id,
        standard_set_id=standard_set.id,
        lead_officer_id=officer.id,
        visit_date=fields.pop("visit_date", date(2026, 1, 5)),
        **fields,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _within_this_week(hours: float = 1) -> timedelta:
    """A time from now that is still this London week (half the time left, at most `hours`)."""
    return min(timedelta(hours=hours), (rules_now.end_of_week(NOW) - NOW) / 2)


@pytest.fixture
def world(make):
    """Two of every kind of thing the dashboard counts, and one of each near miss."""
    officer = make.user("officer", name="Sam Patel")
    manager = make.user("manager")
    provider = make.provider(name="Dash Care Ltd")
    s = [make.service(provider, name=f"Dash House {n}") for n in range(1, 9)]
    # concerns: due within 24 hours (two), due later, breached and open, breached and
    # escalated into a draft notice (still open), breached but responded to (not counted)
    _concern(s[0], timedelta(hours=3), summary="Due soon one")
    _concern(s[0], timedelta(hours=23), summary="Due soon two")
    _concern(s[1], timedelta(hours=30), summary="Due later")
    _concern(s[1], -timedelta(hours=2), summary="Breached open")
    draft = Notice(kind="notice_of_concern", service_id=s[2].id, created_by_label="Test")
    other_draft = Notice(kind="notice_of_concern", service_id=s[3].id, created_by_label="Test")
    db.session.add_all([draft, other_draft])
    db.session.flush()
    _concern(
        s[2],
        -timedelta(hours=50),
        summary="Breached escalated",
        status="escalated",
        escalated_at=NOW - timedelta(hours=49),
        notice_id=draft.id,
    )
    _concern(
        s[1],
        -timedelta(hours=5),
        summary="Answered late",
        status="responded",
        responded_at=NOW - timedelta(hours=1),
    )
    # a notice issued this month: its service turns red this month
    month_start = month_of(NOW).start
    db.session.add(
        Notice(
            kind="notice_of_concern",
            service_id=s[4].id,
            created_by_label="Test",
            status="issued",
            issued_at=month_start + (NOW - month_start) / 2,
        )
    )
    # red since before the month began (a notice issued last month, still in force): not
    # counted as turned red this month
    db.session.add(
        Notice(
            kind="notice_of_concern",
            service_id=s[1].id,
            created_by_label="Test",
            status="issued",
            issued_at=month_start - timedelta(days=3),
        )
    )
    # the RAG moves as the app moves it: red, and the audit trail records the change
    db.session.flush()
    assert risk.refresh_risk_many([s[4].id]) == 1
    recorded = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_id == s[4].id, AuditEvent.action == "risk_changed"
        )
    )
    assert recorded.changes == {"risk": ["green", "red"]}
    # the other turned red (recorded so) before this month began
    s[1].risk = "red"
    db.session.add(
        AuditEvent(
            occurred_at=month_start - timedelta(days=3),
            actor_label="System",
            channel="system",
            entity_type="service",
            entity_id=s[1].id,
            action="risk_changed",
            changes={"risk": ["amber", "red"]},
            service_id=s[1].id,
        )
    )
    # assessments: two submitted, a shared draft whose comments close this week, one whose
    # comment period ends later, and a service whose next assessment is long overdue
    standard_set = _standard_set()
    for service in s[5:7]:
        _assessment(service, standard_set, officer, status="submitted", submitted_at=NOW)
    _assessment(
        s[5],
        standard_set,
        officer,
        status="draft_shared",
        shared_at=NOW - timedelta(days=14) + _within_this_week(),
    )
    _assessment(
        s[6], standard_set, officer, status="draft_shared", shared_at=NOW + timedelta(days=8)
    )
    published = _assessment(
        s[7],
        standard_set,
        officer,
        status="published",
        # rated Good more than the regular 12 months ago (domain.programme)
        created_at=NOW - timedelta(days=400),
        published_at=NOW - timedelta(days=390),
        overall_rating="Good",
    )
    # long overdue too, but its follow-up is under way (the submitted one): not counted
    _assessment(
        s[6],
        standard_set,
        officer,
        status="published",
        created_at=NOW - timedelta(days=400),
        published_at=NOW - timedelta(days=390),
        overall_rating="Poor",
    )
    # plans: one submitted for review, one still with the provider
    db.session.add_all(
        [
            ImprovementPlan(
                service_id=s[6].id,
                status="submitted",
                opened_at=NOW - timedelta(days=20),
                submission_due_date=NOW.date() + timedelta(days=5),
                submitted_at=NOW - timedelta(days=1),
            ),
            ImprovementPlan(
                service_id=s[7].id,
                status="awaiting_submission",
                opened_at=NOW - timedelta(days=2),
                submission_due_date=NOW.date() + timedelta(days=10),
            ),
        ]
    )
    db.session.flush()
    return {"officer": officer, "manager": manager, "services": s, "published": published}


def _count_of(card) -> int:
    return int(card.select_one(".app-card__count").get_text(strip=True))


def _rows_listed(client, href: str) -> int:
    """How many records the list at `href` shows (every page of it)."""
    page = client.get(href)
    assert page.status_code == 200, href
    status = page.soup.select_one('[role="status"]').get_text(" ", strip=True)
    total = re.search(r"of ([\d,]+)", status)
    rows = len(page.soup.select("tbody.govuk-table__body tr"))
    if total is None:
        assert rows == 0, (href, status)
        return 0
    assert int(total.group(1).replace(",", "")) == rows, (href, status)  # one page here
    return rows


EXPECTED = {
    "past the response time, still open": 2,
    "due in the next 24 hours": 2,
    "waiting to be issued": 2,
    "turned red in": 1,
    "assessments submitted for review": 2,
    "comment period ends this week": 1,
    "plan submitted for review": 1,
    "overdue": 1,  # the follow-up
}


def test_each_count_is_the_number_of_rows_its_link_lists(world, client: PageCheckingClient, make):
    make.sign_in(client, world["manager"])
    home = client.get("/home")
    assert home.status_code == 200
    cards = home.soup.select("a.app-card")
    assert len(cards) == 8
    seen = {}
    for card in cards:
        words = card.get_text(" ", strip=True)
        count = _count_of(card)
        assert _rows_listed(client, card["href"]) == count, (words, card["href"])
        key = next(k for k in EXPECTED if k in words)
        seen[key] = count
    assert seen == EXPECTED


def test_the_filtered_lists_show_those_items_and_say_so(world, client, make):
    make.sign_in(client, world["manager"])
    due = client.get("/concerns?clock=due_soon")
    names = [a.get_text(strip=True) for a in due.soup.select("tbody a.govuk-link")]
    assert sorted(names) == ["Due soon one", "Due soon two"]
    assert "Only: response due within 24 hours" in due.soup.get_text(" ", strip=True)
    breached = client.get("/concerns?clock=breached")
    names = [a.get_text(strip=True) for a in breached.soup.select("tbody a.govuk-link")]
    assert sorted(names) == ["Breached escalated", "Breached open"]
    # an unknown filter value is ignored, not an error
    assert _rows_listed(client, "/concerns?clock=nonsense") == 6


def test_officers_keep_their_home_and_providers_are_refused(world, client, make):
    make.sign_in(client, world["officer"])
    page = client.get("/home")
    assert page.status_code == 200
    assert "Services you are contract officer for" in page.soup.get_text()
    assert not page.soup.find(string=re.compile("turned red"))
    provider_user = make.user("provider", world["services"][0].provider)
    make.sign_in(client, provider_user)
    assert client.get("/home").status_code in (302, 403, 404)
    assert client.get("/concerns?clock=breached").status_code in (302, 403, 404)


def _answer_saves(assessment, officer, times: list[datetime], refs: list[str]):
    answers = {}
    for ref in dict.fromkeys(refs):
        answers[ref] = Answer(assessment_id=assessment.id, question_ref=ref, evidence="")
        db.session.add(answers[ref])
    db.session.flush()
    for at, ref in zip(times, refs, strict=True):
        db.session.add(
            AuditEvent(
                occurred_at=at,
                actor_id=officer.id,
                actor_label=officer.name,
                channel="web",
                entity_type="answer",
                entity_id=answers[ref].id,
                action="saved",
                changes={"question": [None, ref]},
                service_id=assessment.service_id,
            )
        )


def test_recent_changes_are_one_line_per_sitting(world, ctx):
    officer, s = world["officer"], world["services"]
    standard_set = db.session.scalar(select(StandardSetVersion))
    visit = _assessment(s[0], standard_set, officer, status="in_progress")
    start = NOW - timedelta(hours=3)
    # 14 different answers in 40 minutes, some saved more than once (autosave): one line
    refs = [f"Q{n}" for n in range(1, 15)] + ["Q3", "Q3", "Q7"]
    times = [start + timedelta(minutes=40 * k / (len(refs) - 1)) for k in range(len(refs))]
    _answer_saves(visit, officer, times, refs)
    # an hour later, the same officer again: a second sitting, a line of its own
    _answer_saves(visit, officer, [start + timedelta(minutes=100)], ["Q15"])
    db.session.flush()
    lines = dashboard.recent_work()
    sittings = [line for line in lines if line.saved]
    assert [line.saved for line in sittings] == [1, 14]
    assert sittings[1].assessment_id == visit.id and sittings[1].service_name == s[0].name
    assert " to " in sittings[1].span and not sittings[1].partial


@pytest.mark.parametrize("hours", [-30, -2, 0.5, 3, 23.9, 24, 30])
def test_the_clock_rules_agree_with_their_query_forms(world, ctx, hours):
    concern = _concern(world["services"][0], timedelta(hours=hours), summary="Edge")
    db.session.flush()
    soon = db.session.scalar(
        select(Concern.id).where(Concern.id == concern.id, rules.clock_due_soon(NOW))
    )
    breached = db.session.scalar(
        select(Concern.id).where(Concern.id == concern.id, rules.clock_breached(NOW))
    )
    due = concern.response_due_at
    assert (soon is not None) == rules_now.clock_due_soon(True, due, NOW)
    assert (breached is not None) == rules_now.clock_breached(
        counts_as_open(concern.status, None), due, None, NOW
    )


def test_the_dashboard_costs_the_same_statements_with_more_data(world, ctx, make):
    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            dashboard.manager_dashboard(datetime.now(UTC))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = statements()
    provider = make.provider(name="More Care Ltd")
    standard_set = db.session.scalar(select(StandardSetVersion))
    for n in range(20):
        service = make.service(provider, name=f"More House {n}", cqc_rating="Inadequate")
        _concern(service, -timedelta(hours=n + 1))
        _assessment(service, standard_set, world["officer"], status="submitted")
        _assessment(
            service,
            standard_set,
            world["officer"],
            status="published",
            created_at=NOW - timedelta(days=400),
            published_at=NOW - timedelta(days=390 - n),
            overall_rating="Poor",
        )
    db.session.flush()
    assert statements() == before


def test_a_rating_edit_that_turns_a_service_red_is_recorded_and_counted(world, ctx, make):
    from qa_app.services import registry
    from qa_app.services.actors import Actor

    before = dashboard.manager_dashboard(datetime.now(UTC)).turned_red
    service = make.service(name="Edit House", cqc_rating="Good")
    registry.update_service(
        Actor(world["manager"], "web"),
        world["manager"],
        service.id,
        {"cqc_rating": "Inadequate"},
        service.version,
    )
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "service", AuditEvent.entity_id == service.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.action == "updated"
    assert event.changes["risk"] == ["green", "red"]
    assert dashboard.manager_dashboard(datetime.now(UTC)).turned_red == before + 1
