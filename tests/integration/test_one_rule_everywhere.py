"""One rule everywhere (issue 14, item 3): the service page, the services list, the API, the risk
RAG, the market overview, the home pages' counts and the provider's portal agree on a service's
latest published assessment, on which plans and actions are overdue, and on which concerns are
open, on a dataset built to hit each rule's edges:

- two assessments of one service published at the same instant with different ratings, both
  ways round (the higher id is the latest: domain.lifecycle.publication_order);
- a plan due yesterday (overdue) and one due today (not yet), an accepted plan past its date
  (not overdue: it is with the council), and actions on each side of their target dates in
  every status;
- concerns in every status, one escalated into a draft notice (still open against the
  service) and one into a notice that was withdrawn (no longer).

What each path shows is compared with what the domain rule answers for the same records, and
each query form in services/rules.py is compared with its domain rule row by row.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from qa_app.domain import concerns as concern_rules
from qa_app.domain import lifecycle
from qa_app.domain import plans as plan_rules
from qa_app.domain import programme as programme_rules
from qa_app.domain.clocks import london_date
from qa_app.domain.risk import RiskInputs, assess_risk
from qa_app.extensions import db
from qa_app.models import (
    Answer,
    Assessment,
    Concern,
    ImprovementPlan,
    Notice,
    PlanAction,
    PlanIssue,
)
from qa_app.services import assessments, concerns, notices, registry, rules, standards, users
from qa_app.services.actors import Actor
from qa_app.services.sweep import sweep
from tests.support.client import soup

GOOD, POOR = 3, 1  # every answer at this score gives this overall rating


def _publish(officer, manager, service, score, visit):
    """Plan, submit and publish an assessment (its answers written straight in: they are not
    what this test is about)."""
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": visit}
    )
    for q in assessments.questions_for(assessment):
        db.session.add(Answer(assessment_id=assessment.id, question_ref=q.ref, score=score))
    db.session.commit()
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    return assessments.publish(Actor(manager, "web"), manager, assessment.id)


def _plan_of(service):
    return db.session.scalar(
        select(ImprovementPlan).where(
            ImprovementPlan.service_id == service.id,
            ImprovementPlan.status.in_(plan_rules.OPEN_STATUSES),
        )
    )


@pytest.fixture
def world(app, make, monkeypatch):
    # One instant for the whole test, so that "today" cannot turn over half way through.
    now = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr("qa_app.services.calendar.utcnow", lambda: now)
    today = london_date(now)
    standards.load_directory(Actor.system("cli"))
    officer, manager = make.user("officer"), make.user("manager")
    system = Actor.system("cli")
    provider = make.provider(name="Alder Care")
    provider_user = make.user("provider", provider)

    def service(name, **fields):
        return make.service(
            provider,
            name=name,
            service_type="supported_living",
            contract_officer_id=officer.id,
            **fields,
        )

    # Two assessments of each service published at the same instant (175 days ago, so the
    # follow-up falls due within the home page's month), recorded in both orders.
    tie_poor, tie_good = service("Ash Court"), service("Birch Lodge")
    published = now - timedelta(days=175)
    monkeypatch.setattr("qa_app.services.assessments.utcnow", lambda: published)
    visit = london_date(published)
    _publish(officer, manager, tie_poor, GOOD, visit)
    _publish(officer, manager, tie_poor, POOR, visit)  # recorded later: the latest
    _publish(officer, manager, tie_good, POOR, visit)
    _publish(officer, manager, tie_good, GOOD, visit)  # recorded later: the latest
    monkeypatch.undo()
    monkeypatch.setattr("qa_app.services.calendar.utcnow", lambda: now)

    # the plans' due dates on either side of today
    _plan_of(tie_poor).submission_due_date = today - timedelta(days=1)  # overdue
    _plan_of(tie_good).submission_due_date = today  # due today: not yet overdue

    # An accepted plan, past its submission date (with the council: not overdue), with actions
    # either side of their target dates in every status.
    actions_service = service("Cedar House")
    registry.update_service(
        system,
        manager,
        actions_service.id,
        {"cqc_rating": "Requires improvement", "cqc_rating_date": today - timedelta(days=30)},
        None,
    )
    plan = _plan_of(actions_service)
    plan.status, plan.submission_due_date = plan_rules.ACCEPTED, today - timedelta(days=20)
    issue = PlanIssue(plan_id=plan.id, source="manual", title="Medicines audit")
    db.session.add(issue)
    db.session.flush()
    for status, target in [
        (plan_rules.OPEN, today - timedelta(days=1)),  # overdue
        (plan_rules.IN_PROGRESS, today - timedelta(days=1)),  # overdue
        (plan_rules.OPEN, today),  # due today: not yet
        (plan_rules.IN_PROGRESS, today + timedelta(days=1)),
        (plan_rules.DONE, today - timedelta(days=1)),  # completed by the provider: not overdue
        (plan_rules.VERIFIED, today - timedelta(days=9)),
    ]:
        db.session.add(
            PlanAction(
                plan_id=plan.id,
                issue_id=issue.id,
                description=f"{status} by {target}",
                owner="Registered manager",
                target_date=target,
                success_measure="Audit passes",
                status=status,
            )
        )
    db.session.commit()

    # Concerns in every status.
    concerns_service, withdrawn_service = service("Damson Place"), service("Elder View")

    def concern(service_, risk="medium"):
        return concerns.log(
            Actor(officer, "web"),
            officer,
            {
                "service_id": service_.id,
                "risk_level": risk,
                "source": "complaint",
                "received_at": datetime.now(UTC) - timedelta(hours=1),
                "summary": f"{risk} concern",
            },
        )

    concern(concerns_service, "high")  # open
    concern(concerns_service)  # open
    responded = concern(concerns_service)
    concerns.respond(Actor(officer, "web"), officer, responded.id, "call", "Rang the manager")
    closed = concern(concerns_service)
    concerns.close(Actor(officer, "web"), officer, closed.id, "resolved", "Sorted")
    escalated = concern(concerns_service)  # into the service's draft notice: still open
    concerns.escalate(Actor(officer, "web"), officer, escalated.id, "Pattern of late calls")
    gone = concern(withdrawn_service)  # into a notice the council then withdrew: not open
    concerns.escalate(Actor(officer, "web"), officer, gone.id, "Looked serious")
    notices.withdraw(
        Actor(manager, "web"), manager, db.session.get(Concern, gone.id).notice_id, "Not needed"
    )

    # The sweep records what has fallen overdue, as cron runs it every few minutes.
    sweep(now)
    db.session.commit()
    services = [
        tie_poor,
        tie_good,
        actions_service,
        concerns_service,
        withdrawn_service,
    ]
    for s in services:
        db.session.refresh(s)
    return {
        "now": now,
        "today": today,
        "services": services,
        "tie_poor": tie_poor,
        "tie_good": tie_good,
        "officer": officer,
        "manager": manager,
        "provider_user": provider_user,
    }


# ---------------------------------------------------------------- what the domain rules say


def _expected(service, today):
    """Each rule's answer for the service, from the domain rules over its records."""
    latest = lifecycle.latest_published(
        db.session.scalars(select(Assessment).where(Assessment.service_id == service.id))
    )
    plan = _plan_of(service)
    actions = (
        db.session.scalars(select(PlanAction).where(PlanAction.plan_id == plan.id)).all()
        if plan
        else []
    )
    notice_status = dict(db.session.execute(select(Notice.id, Notice.status)).all())
    open_concerns = [
        c
        for c in db.session.scalars(select(Concern).where(Concern.service_id == service.id))
        if concern_rules.counts_as_open(c.status, notice_status.get(c.notice_id))
    ]
    plan_overdue = bool(
        plan and plan_rules.plan_overdue(plan.status, plan.submission_due_date, today)
    )
    overdue_actions = sum(
        plan_rules.action_overdue(a.status, a.target_date, today) for a in actions
    )
    risk = assess_risk(
        RiskInputs(
            cqc_rating=service.cqc_rating,
            latest_assessment_overall=latest.overall_rating if latest else None,
            open_concerns=len(open_concerns),
            open_high_concerns=sum(c.risk_level == "high" for c in open_concerns),
            overdue_plan=plan_overdue,
            overdue_actions=overdue_actions,
        )
    )
    return {
        "latest": latest,
        "plan": plan,
        "plan_overdue": plan_overdue,
        "overdue_actions": overdue_actions,
        "open_concerns": len(open_concerns),
        "risk": risk,
    }


def test_the_dataset_hits_every_edge(world):
    today = world["today"]
    tie_poor = _expected(world["tie_poor"], today)
    tie_good = _expected(world["tie_good"], today)
    assert tie_poor["latest"].overall_rating == "Poor"
    assert tie_good["latest"].overall_rating == "Good"
    for name in ("tie_poor", "tie_good"):
        two = db.session.scalars(
            select(Assessment).where(Assessment.service_id == world[name].id)
        ).all()
        assert len({a.published_at for a in two}) == 1 and len({a.overall_rating for a in two}) == 2
    assert (tie_poor["plan_overdue"], tie_good["plan_overdue"]) == (True, False)
    by_name = {s.name: _expected(s, today) for s in world["services"]}
    assert by_name["Cedar House"]["overdue_actions"] == 2
    assert not by_name["Cedar House"]["plan_overdue"]
    assert by_name["Damson Place"]["open_concerns"] == 3  # two open, one escalated to a draft
    assert by_name["Elder View"]["open_concerns"] == 0
    assert {e["risk"].rag for e in by_name.values()} == {"red", "amber", "green"}


# ---------------------------------------------------------------- the query forms


def test_each_query_form_selects_what_its_domain_rule_does(world):
    today = world["today"]
    plans_ = db.session.scalars(select(ImprovementPlan)).all()
    assert {
        p.id for p in plans_ if plan_rules.plan_overdue(p.status, p.submission_due_date, today)
    } == set(db.session.scalars(select(ImprovementPlan.id).where(rules.plan_overdue(today))))
    actions = db.session.scalars(select(PlanAction)).all()
    assert {
        a.id for a in actions if plan_rules.action_overdue(a.status, a.target_date, today)
    } == set(db.session.scalars(select(PlanAction.id).where(rules.action_overdue(today))))
    # as the sweep recorded them at `now`, the same ones
    assert set(
        db.session.scalars(select(ImprovementPlan.id).where(rules.plan_overdue_as_recorded()))
    ) == set(db.session.scalars(select(ImprovementPlan.id).where(rules.plan_overdue(today))))
    assert set(
        db.session.scalars(select(PlanAction.id).where(rules.action_overdue_as_recorded()))
    ) == set(db.session.scalars(select(PlanAction.id).where(rules.action_overdue(today))))
    notice_status = dict(db.session.execute(select(Notice.id, Notice.status)).all())
    every = db.session.scalars(select(Concern)).all()
    assert {
        c.id
        for c in every
        if concern_rules.counts_as_open(c.status, notice_status.get(c.notice_id))
    } == set(db.session.scalars(select(Concern.id).where(rules.OPEN_CONCERN)))
    ids = [s.id for s in world["services"]]
    latest = rules.latest_published(ids)
    by_query = dict(db.session.execute(select(latest.c.service_id, latest.c.id)).all())
    by_rule = {
        s.id: _expected(s, today)["latest"].id
        for s in world["services"]
        if _expected(s, today)["latest"]
    }
    assert by_query == by_rule
    assert {i: a.id for i, a in rules.latest_published_by_service(ids).items()} == by_rule
    assert {i: rules.latest_published_of(i).id for i in by_rule} == by_rule
    assert rules.latest_overall_ratings(ids) == {
        s.id: _expected(s, today)["latest"].overall_rating
        for s in world["services"]
        if s.id in by_rule
    }


# ---------------------------------------------------------------- every path


def _row(page, name):
    """The table row that links to `name`."""
    link = page.find("a", string=re.compile(rf"^\s*{re.escape(name)}\s*$"))
    assert link is not None, f"{name} is not listed"
    return link.find_parent("tr")


def _columns(row) -> dict:
    """The row's cells by their column headings."""
    headings = [_text(th) for th in row.find_parent("table").find("thead").find_all("th")]
    return dict(zip(headings, row.find_all(["td", "th"]), strict=True))


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


RAG_TAG = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}


class Disagreements(list):
    """Every path that disagrees with the rule, gathered so that one run names them all."""

    def check(self, where: str, shown, rule) -> None:
        if shown != rule:
            self.append(f"{where}: shows {shown!r}, the rule says {rule!r}")


def _rag_of(node) -> str | None:
    return next((rag for rag, tag in RAG_TAG.items() if tag in str(node)), None)


def test_the_staff_pages_agree_with_the_rules(world, client, make):
    today = world["today"]
    make.sign_in(client, world["manager"])
    listing = soup(client.get("/services?per_page=100"))
    market = soup(client.get("/market"))
    plan_list = soup(client.get("/plans?overdue=1"))
    # the whole-council home an administrator keeps (a manager's is the dashboard, whose
    # counts tests/integration/test_manager_dashboard.py follows to their lists)
    make.sign_in(client, make.user("admin"))
    home = soup(client.get("/home"))
    make.sign_in(client, world["manager"])
    wrong = Disagreements()
    overdue_plans = overdue_actions = 0
    by_rag = dict.fromkeys(RAG_TAG, 0)
    for service in world["services"]:
        e = _expected(service, today)
        name = service.name
        overdue_plans += e["plan_overdue"]
        overdue_actions += e["overdue_actions"]
        by_rag[e["risk"].rag] += 1
        rating = e["latest"].overall_rating if e["latest"] else None

        # the stored risk RAG, and its reasons
        wrong.check(f"{name} risk RAG", service.risk, e["risk"].rag)
        wrong.check(f"{name} risk reasons", service.risk_reasons, "; ".join(e["risk"].reasons))

        # the service page: its latest assessment, plan and actions overdue
        page = soup(client.get(f"/services/{service.id}"))
        latest = page.find(string=re.compile("Latest published assessment"))
        if e["latest"]:
            tag = latest.parent.find(class_="govuk-tag")
            wrong.check(f"{name} service page latest rating", _text(tag), rating)
            wrong.check(
                f"{name} service page report link",
                latest.parent.find("a")["href"],
                url_for("staff.assessment_report", assessment_id=e["latest"].id),
            )
        else:
            wrong.check(f"{name} service page latest", latest, None)
        wrong.check(
            f"{name} service page RAG",
            _rag_of(next(p for p in page.find_all("p") if _text(p).startswith("Risk"))),
            e["risk"].rag,
        )
        block = _text(page.find(id="improvement-plan").find_next("p"))
        wrong.check(f"{name} service page plan overdue", "Overdue" in block, e["plan_overdue"])
        shown = re.search(r"(\d+) actions? overdue", block)
        wrong.check(
            f"{name} service page actions overdue",
            int(shown[1]) if shown else 0,
            e["overdue_actions"],
        )

        # the services list: the same RAG
        wrong.check(f"{name} services list RAG", _rag_of(_row(listing, name)), e["risk"].rag)

        # the market overview: RAG, latest rating, open concerns (and the list they link to), plan
        cells = _columns(_row(market, name))
        wrong.check(f"{name} market RAG", _rag_of(cells["Risk"]), e["risk"].rag)
        wrong.check(
            f"{name} market latest rating",
            _text(cells["Latest assessment"]),
            rating or "None published",
        )
        wrong.check(
            f"{name} market open concerns", _text(cells["Open concerns"]), str(e["open_concerns"])
        )
        if cells["Open concerns"].find("a"):
            linked = soup(client.get(cells["Open concerns"].find("a")["href"]))
            status = _text(linked.find(attrs={"role": "status"}))
            wrong.check(
                f"{name} concerns listed from the market's link",
                int(re.search(r"of (\d+) concerns", status)[1]),
                e["open_concerns"],
            )
        wrong.check(
            f"{name} market plan overdue", "Overdue" in _text(cells["Plan"]), e["plan_overdue"]
        )

        # the plan list's overdue filter: a plan overdue, or one with an action overdue
        wrong.check(
            f"{name} in the overdue plans list",
            plan_list.find("a", string=re.compile(re.escape(name))) is not None,
            e["plan_overdue"] or e["overdue_actions"] > 0,
        )

    # the market's counts by RAG are the services' RAGs
    shown = {
        _rag_of(li): int(_text(li.find(class_="govuk-!-font-weight-bold")))
        for li in market.find(attrs={"aria-label": "Services by risk"}).find_all("li")
    }
    wrong.check("market counts by RAG", shown, by_rag)

    # the home page's counts, and each follow-up once, with its latest rating
    cards = _text(home)
    wrong.check(
        "home: plans overdue",
        int(re.search(r"(\d+) plans? overdue", cards)[1]),
        overdue_plans,
    )
    wrong.check(
        "home: actions overdue",
        int(re.search(r"(\d+) actions? overdue", cards)[1]),
        overdue_actions,
    )
    follow_ups = home.find("caption", string=re.compile("Follow-up assessments due"))
    follow_ups = follow_ups.find_parent("table")
    for key in ("tie_poor", "tie_good"):
        service = world[key]
        rows = [_text(r) for r in follow_ups.find_all("tr") if service.name in _text(r)]
        latest = _expected(service, today)["latest"]
        due = programme_rules.next_assessment_due(
            london_date(latest.published_at), latest.overall_rating, 12, today
        )
        # rated Poor: due 6 months on, within the home page's month; Good: a year on
        listed = [True] if due <= today + timedelta(days=31) else []
        wrong.check(
            f"{service.name} home follow-ups", [latest.overall_rating in r for r in rows], listed
        )
    assert not wrong, "\n".join(wrong)


def test_the_api_agrees_with_the_rules(world, client):
    today = world["today"]
    token = users.create_token(Actor.system("cli"), world["manager"])
    headers = {"Authorization": f"Bearer {token}"}
    listing = client.get("/api/v1/services?per_page=200", headers=headers).json["items"]
    listed = {item["id"]: item for item in listing}
    wrong = Disagreements()
    for service in world["services"]:
        e = _expected(service, today)
        name = service.name
        one = client.get(f"/api/v1/services/{service.id}", headers=headers).json
        rule = (e["latest"].id, e["latest"].overall_rating) if e["latest"] else None
        for where, body in (("one service", one), ("service list", listed[service.id])):
            latest = body["latest_assessment"]
            wrong.check(
                f"{name} API {where} latest assessment",
                (latest["id"], latest["overall_rating"]) if latest else None,
                rule,
            )
            wrong.check(
                f"{name} API {where} risk",
                (body["risk"], body["risk_reasons"]),
                (e["risk"].rag, list(e["risk"].reasons)),
            )
        plan = client.get(f"/api/v1/services/{service.id}/improvement-plan", headers=headers)
        if e["plan"]:
            wrong.check(f"{name} API plan overdue", plan.json["overdue"], e["plan_overdue"])
            overdue = [a for i in plan.json["issues"] for a in i["actions"] if a["overdue"]]
            wrong.check(f"{name} API actions overdue", len(overdue), e["overdue_actions"])
        open_concerns = client.get(
            f"/api/v1/concerns?service_id={service.id}&counts_as_open=true", headers=headers
        )
        wrong.check(
            f"{name} API open concerns", open_concerns.json.get("total"), e["open_concerns"]
        )
    assert not wrong, "\n".join(wrong)


def test_the_providers_portal_agrees_with_the_rules(world, client, make):
    today = world["today"]
    make.sign_in(client, world["provider_user"])
    home = soup(client.get("/portal/"))
    wrong = Disagreements()
    for service in world["services"]:
        e = _expected(service, today)
        name = service.name
        cells = _columns(_row(home, name))
        tag = cells["Latest council rating"].find(class_="govuk-tag")
        wrong.check(
            f"{name} portal latest rating",
            _text(tag) if tag else None,
            e["latest"].overall_rating if e["latest"] else None,
        )
        plan_cell = _text(cells["Improvement plan"])
        wrong.check(f"{name} portal plan overdue", "Overdue" in plan_cell, e["plan_overdue"])
        shown = re.search(r"(\d+) overdue", plan_cell)
        wrong.check(
            f"{name} portal actions overdue", int(shown[1]) if shown else 0, e["overdue_actions"]
        )
        # the service's own page: the same plan, overdue or not
        page = _text(soup(client.get(f"/portal/services/{service.id}")))
        if e["plan"]:
            wrong.check(
                f"{name} portal service page plan overdue", "Overdue" in page, e["plan_overdue"]
            )
    assert not wrong, "\n".join(wrong)
