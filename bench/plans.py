"""Issue 6's figures: ~3,000 improvement plans with ~30,000 actions, then the portal home of a
provider with 40 services and the officer's plan list (p95 ≤ 150 ms), with statement counts that
must not change with the number of services and actions."""

from __future__ import annotations

import random
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bench import floor
from qa_app.extensions import db
from qa_app.models import (
    ImprovementPlan,
    PlanAction,
    PlanIssue,
    Provider,
    Service,
    User,
)
from qa_app.services import sessions
from qa_app.services.passwords import hash_password

PLANS, ACTIONS_PER_PLAN, ISSUES_PER_PLAN = 3_000, 10, 3
PAGE_BUDGET_MS = 150.0
STATUSES = ("awaiting_submission", "submitted", "returned", "accepted", "accepted", "completed")


def _provider_with(n_services: int, name: str, now: datetime) -> tuple[int, str]:
    """A provider running `n_services` services (each with a plan and ten actions), and its
    portal user: (user id, session id)."""
    provider_id = db.session.execute(
        insert(Provider.__table__)
        .values(
            name=name,
            cqc_provider_id=f"1-B{secrets.token_hex(4)}",
            created_at=now,
            updated_at=now,
            version=1,
        )
        .returning(Provider.__table__.c.id)
    ).scalar_one()
    services = [
        {
            "name": f"{name} service {n:02d}",
            "provider_id": provider_id,
            "cqc_location_id": f"1-B{secrets.token_hex(5)}",
            "service_type": "care_home_residential",
            "cluster": "Bench",
            "cqc_rating": "Requires improvement",
            "risk": "amber",
            "risk_reasons": "",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for n in range(n_services)
    ]
    db.session.execute(insert(Service.__table__), services)
    user_id = db.session.execute(
        insert(User.__table__)
        .values(
            email=f"portal-{secrets.token_hex(4)}@provider.bench.example",
            name=f"{name} manager",
            role="provider",
            provider_id=provider_id,
            password_hash=hash_password(secrets.token_urlsafe(12)),
            active=True,
            created_at=now,
            version=1,
        )
        .returning(User.__table__.c.id)
    ).scalar_one()
    db.session.commit()
    return user_id, sessions.begin(db.session.get(User, user_id))


def seed(now: datetime | None = None) -> dict:
    """Bulk-load plans (one per service, for ~3,000 services) with issues and actions, and two
    providers (5 and 40 services) whose portal homes are measured."""
    now = now or datetime.now(UTC)
    rng = random.Random(3_000)
    started = time.perf_counter()
    small = _provider_with(5, "Bench Small Care", now)
    large = _provider_with(40, "Bench Large Care", now)
    taken = set(db.session.scalars(select(ImprovementPlan.service_id)))
    mine = list(
        db.session.scalars(
            select(Service.id)
            .join(Provider, Service.provider_id == Provider.id)
            .where(Provider.name.in_(["Bench Small Care", "Bench Large Care"]))
        )
    )
    others = [
        s
        for s in db.session.scalars(select(Service.id).order_by(Service.id))
        if s not in taken and s not in mine
    ]
    service_ids = mine + others[: PLANS - len(mine)]
    today = now.date()
    plans = []
    for n, service_id in enumerate(service_ids):
        opened = now - timedelta(days=rng.randrange(400))
        status = STATUSES[n % len(STATUSES)]
        plans.append(
            {
                "service_id": service_id,
                "status": status,
                "opened_at": opened,
                "opened_because": "CQC rating Requires improvement",
                "basis": f"bench:{service_id}",
                "submission_due_date": opened.date() + timedelta(days=14),
                "submitted_at": None if status in ("awaiting_submission",) else opened,
                "version": 1,
            }
        )
    first_plan = (db.session.scalar(select(func.max(ImprovementPlan.id))) or 0) + 1
    db.session.execute(insert(ImprovementPlan.__table__), plans)
    issues = []
    for offset in range(len(plans)):
        for k in range(ISSUES_PER_PLAN):
            issues.append(
                {
                    "plan_id": first_plan + offset,
                    "source": "manual",
                    "title": f"Bench issue {k + 1}",
                    "evidence": "Found at the visit. " * 5,
                    "added_by_label": "Bench",
                    "created_at": now,
                    "position": k + 1,
                }
            )
    first_issue = (db.session.scalar(select(func.max(PlanIssue.id))) or 0) + 1
    db.session.execute(insert(PlanIssue.__table__), issues)
    actions = []
    for offset, plan in enumerate(plans):
        for k in range(ACTIONS_PER_PLAN):
            status = (
                "verified"
                if plan["status"] == "completed"
                else rng.choice(("open", "in_progress", "completed"))
                if plan["status"] == "accepted"
                else "open"
            )
            actions.append(
                {
                    "plan_id": first_plan + offset,
                    "issue_id": first_issue + offset * ISSUES_PER_PLAN + k % ISSUES_PER_PLAN,
                    "description": "Weekly audit by the manager; findings to the staff meeting.",
                    "owner": "Registered manager",
                    "target_date": today + timedelta(days=rng.randrange(-60, 120)),
                    "success_measure": "Two clean audits in a row.",
                    "status": status,
                    "progress_evidence": "Under way." if status != "open" else "",
                    "progress_grade": rng.choice((1, 2, 3)) if status != "open" else None,
                    "impact_evidence": "",
                    "created_by_label": "Bench",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        if len(actions) >= 20_000:
            db.session.execute(insert(PlanAction.__table__), actions)
            actions = []
    if actions:
        db.session.execute(insert(PlanAction.__table__), actions)
    db.session.commit()
    counted = db.session.scalar(select(func.count(PlanAction.id)))
    return {
        "plans": len(plans),
        "actions": counted,
        "seconds": round(time.perf_counter() - started, 1),
        "small_provider": small,
        "large_provider": large,
    }


def measure(app, counter, seeded: dict, requests: int = 60) -> tuple[list[dict], list[str]]:
    rows, failures = [], []
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.role == "officer").order_by(User.id))
        officer_session = sessions.begin(officer)

    def client_for(session_id):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = session_id, True
        return client

    def timed(label, client, url, expect):
        for _ in range(3):
            client.get(url).close()
        times, seen = [], set()
        for _ in range(requests):
            counter.n = 0
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            seen.add(counter.n)
            body = response.get_data(as_text=True)
            response.close()
            assert response.status_code == 200, url
            assert expect in body, (url, expect)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
        row = {
            "scenario": label,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(p95, 1),
            "budget_p95_ms": PAGE_BUDGET_MS,
            "statements": max(seen),
        }
        counter.judge(row, times)
        rows.append(row)
        if not row["pass"]:
            failures.append(floor.miss(label, row))
        return row

    small = timed(
        "portal home, provider with 5 services",
        client_for(seeded["small_provider"][1]),
        "/portal/",
        "Bench Small Care service 04",
    )
    large = timed(
        "portal home, provider with 40 services",
        client_for(seeded["large_provider"][1]),
        "/portal/",
        "Bench Large Care service 39",
    )
    staff = client_for(officer_session)
    first = timed("officer's plan list, open plans", staff, "/plans", "Showing 1 to 50 of")
    every = timed(
        "officer's plan list, all plans, page 3",
        staff,
        "/plans?status=all&page=3",
        "Showing 101 to 150 of",
    )
    with app.app_context():
        plan_id = db.session.scalar(
            select(ImprovementPlan.id)
            .join(Service, ImprovementPlan.service_id == Service.id)
            .where(Service.name == "Bench Large Care service 00")
        )
    timed("plan page, 10 actions", staff, f"/plans/{plan_id}", "Improvement plan: ")
    for a, b in ((small, large), (first, every)):
        if a["statements"] != b["statements"]:
            failures.append(
                f"{b['scenario']}: statements {b['statements']}, not {a['statements']} as for {a['scenario']}"
            )
    return rows, failures
