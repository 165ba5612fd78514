"""A small hand-built council for the QuAD report, with events on the edges of months at
midnight London time, in British Summer Time and in Greenwich Mean Time.

October 2026 starts at midnight BST (2026-09-30T23:00Z) and ends at midnight GMT
(2026-11-01T00:00Z); every record below sits a second either side of one of those edges, or at
the edge itself, so a report that counted in UTC, or took the end as included, would count it
in the wrong month. `EXPECTED` gives the right figures for October 2026, September 2026 and
October 2025; each record says which figures it makes.

Rows are written straight to the database (the report reads rows, and the dates must be
exactly these), except one late response, made through `concerns.respond` so that the report
and the breach fix are tested together.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from qa_app.extensions import db
from qa_app.models import (
    Assessment,
    AuditEvent,
    ClockEvent,
    Concern,
    ImprovementPlan,
    Notice,
    PlanAction,
    PlanIssue,
    StandardSetVersion,
)
from qa_app.services import concerns
from qa_app.services.actors import Actor

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OCT_START = datetime(2026, 9, 30, 23, 0, tzinfo=UTC)  # 1 October 00:00 BST
OCT_END = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # 1 November 00:00 GMT
SECOND = timedelta(seconds=1)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _concern(service, risk, source, received, **fields) -> Concern:
    hours = 24 if risk == "high" else 72
    due = received + timedelta(hours=hours)
    concern = Concern(
        service_id=service.id,
        risk_level=risk,
        source=source,
        summary=f"{risk} {source} concern",
        received_at=received,
        logged_by_label="Test",
        status=fields.pop("status", "open"),
        clock=f"{hours}-hour",
        clock_mode="elapsed",
        response_due_at=due,
        **fields,
    )
    db.session.add(concern)
    db.session.flush()
    db.session.add(ClockEvent(concern_id=concern.id, kind="due", clock=concern.clock, at=due))
    return concern


def _clock(concern, kind, at):
    db.session.add(ClockEvent(concern_id=concern.id, kind=kind, clock=concern.clock, at=at))


def _notice(service, kind, **fields) -> Notice:
    notice = Notice(kind=kind, service_id=service.id, created_by_label="Test", **fields)
    db.session.add(notice)
    return notice


def _audit(entity_type, entity_id, service_id, action, changes, at):
    db.session.add(
        AuditEvent(
            occurred_at=at,
            actor_label="Test",
            channel="system",
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            changes=changes,
            service_id=service_id,
        )
    )


def build(make) -> dict:
    """The council: returns its services and people by name."""
    officer = make.user("officer")
    manager = make.user("manager")
    provider = make.provider(name="Edge Care Ltd")
    # every service is in the West cluster except `east`, which the filter tests leave out
    s = {
        name: make.service(provider, name=name.capitalize() + " House", cluster="West", **extra)
        for name, extra in (
            ("rowan", {}),
            ("birch", {"cqc_rating": "Requires improvement"}),
            ("cedar", {"cqc_rating": "Inadequate"}),
            ("larch", {}),
            ("hazel", {"service_type": "home_support"}),
            ("alder", {}),
        )
    }
    s["east"] = make.service(provider, name="East House", cluster="East")
    standard_set = StandardSetVersion(
        key="edge",
        version=1,
        title="Edge set",
        service_types=["care_home_residential"],
        document={"domains": []},
        content_hash="0" * 64,
        source_file="edge.yaml",
        question_count=0,
        loaded_by="Test",
    )
    db.session.add(standard_set)
    db.session.flush()

    def assessment(service, **fields) -> Assessment:
        record = Assessment(
            service_id=service.id,
            standard_set_id=standard_set.id,
            lead_officer_id=officer.id,
            visit_date=fields.pop("visit_date", date(2026, 9, 1)),
            **fields,
        )
        db.session.add(record)
        db.session.flush()
        return record

    # ------------------------------------------------------------ concerns and clocks
    # A: high, received a second before October (September), responded half an hour into
    # October in London (met, in October: a clock is met in the month of its response)
    a = _concern(
        s["hazel"],
        "high",
        "complaint",
        OCT_START - SECOND,
        status="responded",
        responded_at=OCT_START + timedelta(minutes=30),
    )
    _clock(a, "met", OCT_START + timedelta(minutes=30))
    # B: high, received at the first instant of October (midnight BST); responded late on
    # 3 November: breached at its due time, 1 October 23:00 UTC, so in October
    b = _concern(s["hazel"], "high", "complaint", OCT_START)
    # C: medium whistleblowing received at the last second of October (GMT): received in
    # October, its clock still running at the month's end (in neither met nor breached)
    _concern(s["hazel"], "medium", "whistleblower", OCT_END - SECOND)
    # D: low, received at the first instant of November: not October
    _concern(s["hazel"], "low", "professional", OCT_END)
    # E: low, October 2025
    _concern(
        s["larch"],
        "low",
        "cqc",
        utc(2025, 10, 15, 9, 0),
        status="closed",
        closed_at=utc(2025, 10, 16, 9, 0),
        outcome="resolved",
    )
    # F: medium from a safeguarding referral, due 31 October 23:00 UTC (23:00 GMT), closed
    # late in November with no response: breached at the due time, in October
    f = _concern(
        s["larch"],
        "medium",
        "safeguarding",
        utc(2026, 10, 28, 23, 0),
        status="closed",
        closed_at=utc(2026, 11, 2, 9, 0),
        outcome="no_further_action",
    )
    _clock(f, "breached", f.response_due_at)
    # G: high, in September 2026, escalated by the sweep at the start of October; its clock
    # breached on 30 September 09:00 UTC (September)
    g = _concern(
        s["alder"],
        "high",
        "visit",
        utc(2026, 9, 29, 9, 0),
        status="escalated",
        escalated_at=OCT_START + timedelta(minutes=5),
    )
    _clock(g, "breached", g.response_due_at)
    _clock(g, "escalated", OCT_START + timedelta(minutes=5))

    # ------------------------------------------------------------ notices and stops
    # N1: a notice of concern issued at the first instant of October and lifted at the last
    # second: issued and lifted in October, in force at neither month's end
    _notice(
        s["rowan"],
        "notice_of_concern",
        status="lifted",
        issued_at=OCT_START,
        closed_at=OCT_END - SECOND,
    )
    # N2: issued a second before October, with a placement stop from 1 October, lifted at the
    # first instant of November: in force at the end of September and of October; the stop
    # started in October, was in force at its end, and was lifted in November
    _notice(
        s["larch"],
        "notice_of_concern",
        status="issued",
        issued_at=OCT_START - SECOND,
        placement_stop_start=date(2026, 10, 1),
        placement_stop_lifted_at=OCT_END,
    )
    # N3: a breach notice issued in October, remedied at the first instant of November
    _notice(
        s["cedar"],
        "contract_breach",
        status="remedied",
        issued_at=utc(2026, 10, 15, 10, 0),
        closed_at=OCT_END,
    )
    # N4: a breach notice issued in October, termination recommended in October (still counts
    # as in force, as in the risk RAG)
    _notice(
        s["alder"],
        "contract_breach",
        status="termination_recommended",
        issued_at=utc(2026, 10, 2, 10, 0),
        closed_at=utc(2026, 10, 31, 12, 0),
    )
    # N5: a draft (never issued): counts nowhere
    _notice(s["alder"], "notice_of_concern", status="draft", placement_stop_start=date(2026, 10, 5))

    # ------------------------------------------------------------ assessments
    # rowan: its first assessment, planned in September, submitted in September, published at
    # the first instant of October, rated Good: a move from none to Good in October
    assessment(
        s["rowan"],
        status="published",
        created_at=utc(2026, 9, 10, 9, 0),
        submitted_at=utc(2026, 9, 20, 9, 0),
        published_at=OCT_START,
        overall_rating="Good",
    )
    # birch: rated Requires improvement on 1 March 2026 (follow-up due 1 September: overdue at
    # the end of September), then a new assessment planned at the start of October, submitted
    # on 20 October and published at the last second of October, rated Poor: Requires
    # improvement → Poor (worse) in October
    assessment(
        s["birch"],
        status="published",
        created_at=utc(2026, 2, 1, 9, 0),
        submitted_at=utc(2026, 2, 20, 9, 0),
        published_at=utc(2026, 3, 1, 9, 0),
        overall_rating="Requires improvement",
    )
    assessment(
        s["birch"],
        status="published",
        created_at=OCT_START,
        submitted_at=utc(2026, 10, 20, 9, 0),
        published_at=OCT_END - SECOND,
        overall_rating="Poor",
    )
    # larch: rated Excellent, published 30 April 2025 at 23:30 UTC, which is 1 May in London: its
    # next assessment is due 12 months on, 1 May 2026 (not in October 2025), and overdue at the
    # end of September and of October 2026
    assessment(
        s["larch"],
        status="published",
        created_at=utc(2025, 4, 1, 9, 0),
        submitted_at=utc(2025, 4, 20, 9, 0),
        published_at=utc(2025, 4, 30, 23, 30),
        overall_rating="Excellent",
    )
    # alder: rated Good, published 15 April 2026 (next due 15 April 2027), with an assessment
    # planned in September and not yet published: under way, so neither due nor overdue
    assessment(
        s["alder"],
        status="published",
        created_at=utc(2026, 3, 1, 9, 0),
        published_at=utc(2026, 4, 15, 9, 0),
        overall_rating="Good",
    )
    assessment(s["alder"], status="planned", created_at=utc(2026, 9, 15, 9, 0))
    # hazel: rated Requires improvement, published 10 April 2026 (follow-up due 6 months on, 10
    # October 2026: due in October, overdue at its end, nothing started)
    assessment(
        s["hazel"],
        status="published",
        created_at=utc(2026, 3, 1, 9, 0),
        published_at=utc(2026, 4, 10, 9, 0),
        overall_rating="Requires improvement",
    )
    # east (another cluster): planned in October 2025
    assessment(s["east"], status="planned", created_at=utc(2025, 10, 3, 9, 0))

    # ------------------------------------------------------------ CQC ratings
    # cedar: Good until the last second of October, Inadequate since: a move in October
    _audit(
        "service",
        s["cedar"].id,
        s["cedar"].id,
        "updated",
        {"cqc_rating": ["Good", "Inadequate"]},
        OCT_END - SECOND,
    )
    # birch: Good until the first instant of November: Good at October's end, no move in it
    _audit(
        "service",
        s["birch"].id,
        s["birch"].id,
        "cqc_import",
        {"cqc_rating": ["Good", "Requires improvement"], "source": [None, "file"]},
        OCT_END,
    )

    # ------------------------------------------------------------ plans and actions
    # P1 (birch): opened 15 September, due 29 September, submitted at the last second of
    # October: awaiting and overdue at September's end, awaiting review at October's
    p1 = ImprovementPlan(
        service_id=s["birch"].id,
        status="submitted",
        opened_at=utc(2026, 9, 15, 9, 0),
        submission_due_date=date(2026, 9, 29),
        submitted_at=OCT_END - SECOND,
    )
    # P2 (cedar): opened in October, due 31 October: awaiting, not yet overdue at its end
    p2 = ImprovementPlan(
        service_id=s["cedar"].id,
        status="awaiting_submission",
        opened_at=utc(2026, 10, 20, 9, 0),
        submission_due_date=date(2026, 10, 31),
    )
    db.session.add_all([p1, p2])
    db.session.flush()
    issue = PlanIssue(plan_id=p1.id, source="manual", title="Medicines")
    db.session.add(issue)
    db.session.flush()

    def action(target, **fields) -> PlanAction:
        record = PlanAction(
            plan_id=p1.id,
            issue_id=issue.id,
            description="Audit the medicines",
            owner="Jo",
            target_date=target,
            success_measure="Clean audits",
            **fields,
        )
        db.session.add(record)
        db.session.flush()
        return record

    # A1: target 30 October, open: overdue at October's end; graded 2 then, 3 since November
    a1 = action(date(2026, 10, 30), created_at=utc(2026, 10, 10, 9, 0), progress_grade=3)
    _audit(
        "plan_action",
        a1.id,
        s["birch"].id,
        "progress_recorded",
        {"progress_grade": [2, 3]},
        utc(2026, 11, 5, 9, 0),
    )
    # A2: target 31 October: open, not overdue at the month's end, not graded
    action(date(2026, 10, 31), created_at=utc(2026, 10, 10, 9, 0))
    # A3: completed at the last second of October: not open at its end; graded 1
    action(
        date(2026, 10, 15),
        created_at=utc(2026, 10, 1, 9, 0),
        status="completed",
        completed_at=OCT_END - SECOND,
        progress_grade=1,
    )
    db.session.commit()

    # the late response, through the service: breached at B's due time (1 October, 23:00 UTC)
    concerns.respond(
        Actor(officer, "web"), officer, b.id, "visit", "Visited", now=utc(2026, 11, 3, 10, 0)
    )
    db.session.commit()
    return {"services": s, "officer": officer, "manager": manager}


#: What the report must say for October 2026 (all services), and for the two months beside it.
EXPECTED_OCTOBER = {
    "concerns": {
        "received": {"high": 1, "medium": 2, "low": 0, "total": 3},  # B; C, F
        "by_source": {
            "complaint": 1,
            "whistleblower": 1,
            "safeguarding": 1,
            "professional": 0,
            "cqc": 0,
            "visit": 0,
            "provider_notification": 0,
        },
        "clocks": {
            "high": {"met": 1, "breached": 1, "on_time_rate": 0.5},  # A met, B breached
            "other": {"met": 0, "breached": 1, "on_time_rate": 0.0},  # F breached
        },
    },
    "notices": {
        "notice_of_concern": {"issued": 1, "lifted": 1, "open": 1},  # N1, N1, N2
        "contract_breach": {
            "issued": 2,
            "remedied": 0,
            "termination_recommended": 1,
            "open": 2,
        },
    },
    "placement_stops": {"started": 1, "lifted": 0, "active": 1},
    "assessments": {
        "planned": 1,  # birch's second
        "completed": 1,
        "published": 2,  # rowan, birch
        "corrections_published": 0,
        "follow_ups_due": 1,  # hazel (alder's is under way)
        "follow_ups_overdue": 2,  # hazel, larch
    },
    "plans": {
        "opened": 1,
        "awaiting_submission": 1,  # P2
        "overdue": 0,
        "awaiting_review": 1,  # P1
        "open_actions": 2,  # A1, A2
        "overdue_actions": 1,  # A1
        "actions_by_grade": {
            "fully_achieved": 1,  # A3
            "on_track": 1,  # A1 then
            "slipped": 0,
            "not_achieved": 0,
            "not_graded": 1,  # A2
        },
    },
    "ratings": {
        # rowan Good, birch Poor, larch Excellent, alder Good, hazel Requires improvement; cedar
        # and east none
        "assessment": {
            "Excellent": 1,
            "Good": 2,
            "Requires improvement": 1,
            "Poor": 1,
            "None": 2,
        },
        # birch Good (changed in November), cedar Inadequate (changed at October's last second)
        "cqc": {
            "Outstanding": 0,
            "Good": 6,
            "Requires improvement": 0,
            "Inadequate": 1,
            "Not rated": 0,
        },
    },
}

EXPECTED_SEPTEMBER = {
    "concerns.received.high": 2,  # A, G
    "concerns.received.total": 2,
    "concerns.clocks.high.breached": 1,  # G
    "concerns.clocks.high.met": 0,
    "notices.notice_of_concern.issued": 1,  # N2
    "notices.notice_of_concern.open": 1,
    "notices.notice_of_concern.lifted": 0,
    "placement_stops.active": 0,  # N2's stop starts on 1 October
    "assessments.planned": 2,  # rowan's, alder's follow-up
    "assessments.completed": 1,  # rowan's
    "assessments.published": 0,
    "assessments.follow_ups_due": 1,  # birch (due 1 September)
    "assessments.follow_ups_overdue": 2,  # birch, larch
    "plans.opened": 1,
    "plans.awaiting_submission": 1,
    "plans.overdue": 1,  # P1 (due 29 September)
    "plans.open_actions": 0,
    "ratings.assessment.Good": 1,  # alder
    "ratings.assessment.Requires improvement": 2,  # birch, hazel
    "ratings.assessment.None": 3,  # rowan, cedar, east
    "ratings.cqc.Good": 7,  # cedar and birch were Good
    "ratings.cqc.Inadequate": 0,
}

EXPECTED_OCTOBER_2025 = {
    "concerns.received.low": 1,  # E
    "concerns.received.total": 1,
    "concerns.by_source.cqc": 1,
    "assessments.planned": 1,  # east
    "assessments.follow_ups_due": 0,  # larch's falls on 1 May 2026 (rated Excellent)
    "assessments.follow_ups_overdue": 0,
    "ratings.assessment.Excellent": 1,  # larch
    "ratings.assessment.None": 6,
}
