"""Improvement plan pages, API, PDF and XLSX, through the page-checking client."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import ImprovementPlan, PlanAction
from qa_app.services import plans, standards, users
from qa_app.services.actors import Actor
from tests.integration.test_plans import PNG, publish, requires_improvement
from tests.support.client import error_summary


@pytest.fixture
def setup(make, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "QA_EVIDENCE_DIR", str(tmp_path))
    standards.load_directory(Actor.system("cli"))
    provider = make.provider(name="Birch Care")
    service = make.service(provider, service_type="supported_living", name="Birch Court")
    officer = make.user("officer", name="Olive Officer")
    publish(make, service, requires_improvement, officer)
    plan = db.session.scalar(
        select(ImprovementPlan).where(ImprovementPlan.service_id == service.id)
    )
    return {
        "service": service,
        "plan": plan,
        "officer": officer,
        "provider_user": make.user("provider", provider, name="Rita Registered"),
        "other": make.user("provider", make.provider(name="Ash Care")),
    }


def _target(days=30):
    return plans.london_today() + timedelta(days=days)


def test_the_provider_writes_submits_and_the_officer_returns_then_accepts(setup, app, make):
    plan, portal, staff = setup["plan"], app.test_client(), app.test_client()
    make.sign_in(portal, setup["provider_user"])
    make.sign_in(staff, setup["officer"])

    home = portal.get("/portal/")
    row = home.soup.select_one(".app-portal-services tbody tr").get_text(" ", strip=True)
    assert "Birch Court" in row and "Awaiting submission" in row and "Requires improvement" in row

    page = portal.get(f"/portal/plans/{plan.id}")
    assert page.soup.h1.get_text(strip=True) == "Improvement plan: Birch Court"
    issues = plans.view(plan).issues
    assert "What the officer found" in page.get_data(as_text=True)

    # an action with mistakes: every one listed in the error summary, nothing saved
    bad = portal.post(
        f"/portal/plans/issues/{issues[0].id}/actions/new",
        data={"description": "", "owner": "", "target_date": ["1", "13", "2026"]},
    )
    assert bad.status_code == 422
    assert error_summary(bad) == [
        "Describe the action",
        "Name the person responsible for the action",
        "Target date must be a real date",
        "Say how you will know the action has worked",
    ]
    assert bad.soup.title.get_text().startswith("Error: ")
    assert db.session.scalar(select(func.count(PlanAction.id))) == 0
    bad = portal.post(
        f"/portal/plans/issues/{issues[0].id}/actions/new",
        data={"description": "", "owner": "", "target_date": ["", "", ""], "success_measure": ""},
    )
    assert set(error_summary(bad)) == {
        "Describe the action",
        "Name the person responsible for the action",
        "Enter the target date",
        "Say how you will know the action has worked",
    }

    t = _target()
    for issue in issues:
        done = portal.post(
            f"/portal/plans/issues/{issue.id}/actions/new",
            data={
                "description": f"Fix {issue.standard_code}",
                "owner": "Rita Registered",
                "target_date": [str(t.day), str(t.month), str(t.year)],
                "success_measure": "Audit shows it",
            },
        )
        assert done.status_code == 302
    assert portal.post(f"/portal/plans/{plan.id}/submit").status_code == 302
    db.session.expire_all()
    assert db.session.get(ImprovementPlan, plan.id).status == "submitted"

    # the officer returns it with a comment; the provider sees the comment
    assert "Review the plan" in staff.get(f"/plans/{plan.id}").get_data(as_text=True)
    staff.post(
        f"/plans/{plan.id}/review", data={"decision": "return", "comments": "Sooner, please"}
    )
    shown = portal.get(f"/portal/plans/{plan.id}").soup.select_one("#review-comments")
    assert "Sooner, please" in shown.get_text()
    action = db.session.scalar(select(PlanAction).order_by(PlanAction.id))
    edit = portal.post(
        f"/portal/plans/actions/{action.id}/edit",
        data={
            "version": str(action.version),
            "description": action.description,
            "owner": "Rita Registered",
            "target_date": [str(t.day - 0), str(t.month), str(t.year)],
            "success_measure": "Weekly audit shows it",
        },
    )
    assert edit.status_code == 302
    portal.post(f"/portal/plans/{plan.id}/submit")
    staff.post(f"/plans/{plan.id}/review", data={"decision": "accept"})
    db.session.expire_all()
    assert db.session.get(ImprovementPlan, plan.id).status == "accepted"

    # progress with a file of the wrong kind: the error names the file, nothing is saved
    wrong = portal.post(
        f"/portal/plans/actions/{action.id}/progress",
        data={
            "progress_evidence": "All trained",
            "progress_grade": "1",
            "step": "complete",
            "note": "Training done",
            "file": (io.BytesIO(b"not a pdf"), "certificate.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422
    assert any("certificate.pdf is not a file we accept" in e for e in error_summary(wrong))
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status == "open"
    done = portal.post(
        f"/portal/plans/actions/{action.id}/progress",
        data={
            "progress_evidence": "All trained",
            "progress_grade": "1",
            "step": "complete",
            "note": "Training done",
            "file": (io.BytesIO(PNG), "certificate.png"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status == "completed"
    [file] = plans.view(db.session.get(ImprovementPlan, plan.id)).files[action.id]
    with staff.get(f"/plans/evidence/{file.id}") as download:
        assert download.data == PNG and "attachment" in download.headers["Content-Disposition"]
        assert download.headers["Cache-Control"] == "private, no-store"
    with portal.get(f"/portal/plans/evidence/{file.id}") as download:
        assert download.data == PNG

    staff.post(f"/plans/actions/{action.id}/check", data={"decision": "verify", "plan_id": plan.id})
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status == "verified"

    # the other provider reaches none of it
    other = app.test_client()
    make.sign_in(other, setup["other"])
    for url in (
        f"/portal/plans/{plan.id}",
        f"/portal/plans/{plan.id}/plan.pdf",
        f"/portal/plans/{plan.id}/plan.xlsx",
        f"/portal/plans/evidence/{file.id}",
        f"/portal/plans/actions/{action.id}/progress",
    ):
        with other.get(url) as refused:
            assert refused.status_code == 404, url
    assert "Birch Court" not in other.get("/portal/").get_data(as_text=True)


def test_plan_pdf_and_xlsx_carry_the_issues_actions_owners_dates_and_gradings(setup, app, make):
    plan, provider = setup["plan"], setup["provider_user"]
    issue = plans.view(plan).issues[0]
    plans.add_action(
        Actor(provider, "web"),
        provider,
        issue.id,
        {
            "description": "Weekly medicines audit",
            "owner": "Deputy manager",
            "target_date": _target(20),
            "success_measure": "No missed doses",
        },
    )
    client = app.test_client()
    make.sign_in(client, setup["officer"])
    pdf = client.get(f"/plans/{plan.id}/plan.pdf")
    assert pdf.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())  # table cells wrap
    for expected in (
        "Improvement plan",
        "Birch Court",
        "Weekly medicines audit",
        "Deputy manager",
        f"{_target(20).day} {_target(20):%B %Y}",
        issue.title,
        "Page 1 of",
    ):
        assert expected in text, expected
    xlsx = client.get(f"/plans/{plan.id}/plan.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "Issue")
    assert header[:6] == [
        "Issue",
        "Issue source",
        "Action",
        "Owner (responsibility)",
        "Target date",
        "Success measure",
    ]
    action_row = next(r for r in rows if r and r[2] == "Weekly medicines audit")
    assert action_row[3] == "Deputy manager" and action_row[4].date() == _target(20)


def test_the_api_follows_the_same_rules(setup, client):
    plan = setup["plan"]
    provider_token = users.create_token(Actor.system("cli"), setup["provider_user"])
    officer_token = users.create_token(Actor.system("cli"), setup["officer"])
    other_token = users.create_token(Actor.system("cli"), setup["other"])

    def call(method, url, token, body=None):
        return client.open(
            url, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
        )

    got = call("GET", f"/api/v1/services/{setup['service'].id}/improvement-plan", provider_token)
    assert got.status_code == 200
    body = got.get_json()
    assert body["status"] == "awaiting_submission" and body["issues"]
    assert {"id", "standard_code", "title", "actions"} <= set(body["issues"][0])
    assert (
        call(
            "GET", f"/api/v1/services/{setup['service'].id}/improvement-plan", other_token
        ).status_code
        == 404
    )
    early = call("POST", f"/api/v1/improvement-plans/{plan.id}/submit", provider_token, {})
    assert early.status_code == 409 and "No actions yet for" in early.get_json()["error"]
    bad = call(
        "POST",
        f"/api/v1/plan-issues/{body['issues'][0]['id']}/actions",
        provider_token,
        {"description": "x", "owner": "", "target_date": "2020-01-01", "success_measure": "y"},
    )
    assert bad.status_code == 422 and set(bad.get_json()["details"]) == {"owner", "target_date"}
    for issue in body["issues"]:
        made = call(
            "POST",
            f"/api/v1/plan-issues/{issue['id']}/actions",
            provider_token,
            {
                "description": "Do it",
                "owner": "RM",
                "target_date": _target().isoformat(),
                "success_measure": "Done",
            },
        )
        assert made.status_code == 201
        assert set(made.get_json()) >= {
            "id",
            "description",
            "owner",
            "target_date",
            "success_measure",
            "progress_grade",
            "status",
        }
    assert (
        call("POST", f"/api/v1/improvement-plans/{plan.id}/submit", provider_token, {}).status_code
        == 200
    )
    assert (
        call("POST", f"/api/v1/improvement-plans/{plan.id}/accept", provider_token, {}).status_code
        == 404
    )
    accepted = call("POST", f"/api/v1/improvement-plans/{plan.id}/accept", officer_token, {})
    assert accepted.get_json()["status"] == "accepted"
    action_ids = [a["id"] for i in accepted.get_json()["issues"] for a in i["actions"]]
    for action_id in action_ids:
        done = call(
            "POST",
            f"/api/v1/plan-actions/{action_id}/progress",
            provider_token,
            {"step": "complete", "note": "Done", "progress_grade": 1},
        )
        assert done.get_json()["status"] == "completed"
        assert (
            call("POST", f"/api/v1/plan-actions/{action_id}/verify", officer_token, {}).status_code
            == 200
        )
    final = call("GET", f"/api/v1/improvement-plans/{plan.id}", officer_token).get_json()
    assert final["status"] == "completed"
    assert call("GET", f"/api/v1/improvement-plans/{plan.id}", other_token).status_code == 404


def test_home_pages_flag_overdue_plans(setup, app, make):
    plan = setup["plan"]
    plan.submission_due_date = plans.london_today() - timedelta(days=1)
    db.session.commit()
    portal = app.test_client()
    make.sign_in(portal, setup["provider_user"])
    home = portal.get("/portal/")
    assert "Overdue: 1 improvement plan not yet sent to the council" in " ".join(
        home.soup.select_one(".app-overdue-summary").get_text(" ").split()
    )
    manager = app.test_client()
    make.sign_in(manager, make.user("admin"))  # the whole-council home (a manager's: the dashboard)
    page = manager.get("/home").get_data(as_text=True)
    assert "1</span> plan overdue" in page.replace("\n", "")
    listed = manager.get("/plans?overdue=1")
    assert "Birch Court" in listed.get_data(as_text=True)
    service_page = manager.get(f"/services/{setup['service'].id}")
    block = service_page.soup.select_one("#improvement-plan").find_next("p").get_text(" ")
    assert "Overdue" in block


def test_a_refused_review_step_keeps_what_the_officer_typed(setup, app, make):
    plan, staff = setup["plan"], app.test_client()
    make.sign_in(staff, setup["officer"])
    issue = plans.view(plan).issues[0]

    # adding an issue without saying what needs to improve: the details typed stay
    no_title = staff.post(
        f"/plans/{plan.id}/issues", data={"title": " ", "details": "From CQC's report of May"}
    )
    assert no_title.status_code == 422
    assert error_summary(no_title) == ["Say what needs to improve"]
    assert no_title.soup.select_one(".govuk-error-summary a")["href"] == "#issue-title"
    assert no_title.soup.select_one("#add-issue").has_attr("open")
    assert no_title.soup.select_one("#issue-details").get_text() == "From CQC's report of May"
    assert no_title.soup.select_one("#issue-title")["aria-describedby"] == "issue-title-error"

    # withdrawing an issue with an over-long reason: refused, nothing shortened or saved
    reason = "Covered by the CQC action plan. " * 200
    too_long = staff.post(
        f"/plans/issues/{issue.id}/withdraw", data={"plan_id": str(plan.id), "reason": reason}
    )
    assert too_long.status_code == 422
    assert error_summary(too_long) == ["The reason must be 5,000 characters or fewer"]
    assert too_long.soup.select_one(f"#withdraw-{issue.id}").get_text() == reason

    # returning a plan that has not been submitted: refused, and said why
    not_yet = staff.post(
        f"/plans/{plan.id}/review", data={"decision": "return", "comments": "Add dates"}
    )
    assert not_yet.status_code == 409
    assert len(error_summary(not_yet)) == 1
    db.session.expire_all()
    assert db.session.get(ImprovementPlan, plan.id).status == "awaiting_submission"
    assert plans.view(plan).issues[0].withdrawn_at is None
