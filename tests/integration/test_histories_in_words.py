"""Issue 13, point 6: words, not codes. Every history (a service's, a provider's, an
assessment's, a notice's, a concern's, a plan's, a user's, and the home page's recent changes)
is rendered after real changes made through the use cases, and none shows a raw code: no
snake_case status or field, no `_id` field name, no bare id number for a person, no ISO date.
The pages around them say "Rating" (not "Rating so far") once an assessment is published."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Assessment, ImprovementPlan, Notice, Service, User
from qa_app.models.types import utcnow
from qa_app.services import assessments, concerns, demo, notices, plans, registry, users
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from tests.support.client import soup

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
PERSON_FIELDS = ("Lead officer", "Contract officer", "Other officers", "For", "Provider")


def _one(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


@pytest.fixture
def council(make):
    """The demo council (assessments planned, shared and published; a notice issued and
    answered; a plan accepted with progress), then more changes of every kind."""
    demo.seed()
    people = {u.email: u for u in db.session.scalars(select(User))}
    manager, officer = people["manager@demo.example"], people["officer@demo.example"]
    admin, officer2 = people["admin@demo.example"], people["officer2@demo.example"]
    as_manager, as_officer = Actor(manager, "web"), Actor(officer, "web")

    # a service's details, its contract officer and type
    lodge = _one(Service, name="Heathervale Lodge")
    registry.update_service(
        as_officer,
        officer,
        lodge.id,
        {"contract_officer_id": officer.id, "beds": 41, "contract_end": london_today()},
        None,
    )
    # a published assessment corrected
    published = _one(Assessment, service_id=lodge.id, status="published")
    assessments.start_correction(as_manager, manager, published.id, "Wrong score on QF02")

    # a notice: requirement met, the stop lifted and a new one added, then escalated
    court = _one(Service, name="Heathervale Court")
    notice = _one(Notice, service_id=court.id, kind="notice_of_concern")
    first = notice.requirements[0]
    notices.assess_requirement(as_officer, officer, notice.id, first.id, "met", "Audits seen")
    notices.lift_placement_stop(as_manager, manager, notice.id, "Audits are in place")
    notices.set_placement_stop(
        as_manager, manager, notice.id, london_today() + timedelta(days=3), "New falls"
    )
    breach = notices.escalate(as_manager, manager, notice.id, "Training not done")

    # a concern responded to and closed; another escalated by hand
    mews = _one(Service, name="Brookside Mews")
    values = {
        "service_id": mews.id,
        "risk_level": "medium",
        "source": "provider_notification",
        "received_at": utcnow() - timedelta(hours=2),
        "summary": "A fall in the lounge",
    }
    concern = concerns.log(as_officer, officer, values)
    concerns.respond(as_officer, officer, concern.id, "safeguarding_referral", "Referred")
    concerns.close(as_officer, officer, concern.id, "not_substantiated", "Checked")
    escalated = concerns.log(as_officer, officer, {**values, "summary": "Missed calls"})
    concerns.escalate(as_officer, officer, escalated.id, "Third this month")

    # a plan: the completed action verified, overdue dates recorded
    plan = _one(ImprovementPlan, service_id=lodge.id)
    done = next(a for a in plans.view(plan).all_actions if a.status == "completed")
    plans.verify(as_officer, officer, done.id)
    plans.mark_overdue(utcnow() + timedelta(days=400))

    # users: a role changed, an account deactivated and back, a token
    users.change_role(Actor(admin, "web"), officer2.id, "manager", None)
    users.set_active(Actor(admin, "web"), officer2.id, False)
    users.set_active(Actor(admin, "web"), officer2.id, True)
    users.create_token(Actor(admin, "web"), officer2, "Reporting")
    db.session.commit()
    return {
        "manager": manager,
        "admin": admin,
        "pages": {
            "service (assessments, plan)": f"/services/{lodge.id}",
            "service (notices)": f"/services/{court.id}",
            "service (concerns)": f"/services/{mews.id}",
            "provider": f"/providers/{lodge.provider_id}",
            "assessment": f"/assessments/{published.id}",
            "notice": f"/notices/{notice.id}",
            "breach notice": f"/notices/{breach.id}",
            "concern": f"/concerns/{concern.id}",
            "escalated concern": f"/concerns/{escalated.id}",
            "plan": f"/plans/{plan.id}",
            "home": "/home",
        },
        "user_page": f"/admin/users/{officer2.id}",
        "person_ids": {u.id for u in people.values()},
        "published": published,
    }


def _raw_codes(lines: list[tuple[str, str]], person_ids: set[int]) -> list[str]:
    """What in these (label, value) history lines is a code rather than words."""
    found = []
    for label, value in lines:
        text = f"{label}: {value}"
        person_as_number = label in PERSON_FIELDS and any(
            part.strip().isdigit() and int(part) in person_ids for part in re.split(r"[,→]", value)
        )
        problems = (
            SNAKE.search(text),  # draft_shared, awaiting_submission, lead_officer_id
            ISO_DATE.search(text),  # 2026-12-11
            re.search(r"\bid\b", label),  # "Lead officer id"
            person_as_number,  # "Lead officer: 3"
            label == "Status" and re.search(r"(^|→ )[a-z]", value),  # "draft → issued"
        )
        if any(problems):
            found.append(text)
    return found


def _history(page) -> tuple[list[str], list[tuple[str, str]]]:
    table = page.select_one("table.app-history")
    assert table is not None, "no history table"
    titles = [" ".join(s.get_text().split()) for s in table.select("td strong")]
    lines = []
    for item in table.select(".app-changes li"):
        label = item.select_one(".app-field").get_text(strip=True)
        value = " ".join(item.get_text().split()).partition(": ")[2]
        lines.append((label, value))
    return titles, lines


def test_every_history_reads_as_words(client, make, council):
    make.sign_in(client, council["manager"])
    seen_titles, seen_lines = set(), []
    for name, path in council["pages"].items():
        page = soup(client.get(path))
        if name == "home":
            recent = " ".join(page.select_one(".app-recent").get_text().split())
            assert not SNAKE.search(recent), recent
            continue
        titles, lines = _history(page)
        assert titles, name
        assert not [t for t in titles if SNAKE.search(t)], (name, titles)
        assert _raw_codes(lines, council["person_ids"]) == [], name
        seen_titles.update(titles)
        seen_lines += lines

    admin = client.application.test_client()
    make.sign_in(admin, council["admin"])
    titles, lines = _history(soup(admin.get(council["user_page"])))
    assert _raw_codes(lines, council["person_ids"]) == []
    assert "User role changed" in titles and "API token created" in titles
    assert ("Role", "Quality officer → Manager") in lines
    assert ("Active", "Yes → No") in lines
    assert ("For", "Jordan Reid") in lines

    # the changes the issue names, now in words
    assert "Assessment draft shared with the provider" in seen_titles
    assert ("Status", "Submitted → Published") in seen_lines
    assert ("Lead officer", "Sam Taylor") in seen_lines
    assert ("Standard set", "Care homes (residential and nursing), version 1") in seen_lines
    assert ("Contract officer", "Jordan Reid → Sam Taylor") in seen_lines
    assert "Notice issued" in seen_titles and "Notice placement stop added" in seen_titles
    assert ("Requirement 1", "Not yet met → Met") in seen_lines
    assert ("Raised from", f"Notice of concern {_one(Notice, status='escalated').id}") in seen_lines
    assert ("Source", "Provider notification") in seen_lines
    assert ("Response", "Safeguarding referral") in seen_lines
    assert ("Outcome", "Not substantiated") in seen_lines
    assert ("Status", "Awaiting submission → Submitted for review") in seen_lines
    assert ("Status", "Completed → Verified") in seen_lines
    assert ("Progress grade", "1 Fully achieved") in seen_lines
    published = council["published"]
    assert (
        "Correcting",
        f"the assessment of {published.visit_date.day} {published.visit_date:%B %Y}",
    ) in seen_lines
    assert any(label == "Response due" and " at " in value for label, value in seen_lines)


def test_a_published_assessment_reads_as_final(client, make, council):
    make.sign_in(client, council["manager"])
    page = soup(client.get(council["pages"]["assessment"]))
    text = " ".join(page.select_one("main").get_text().split())
    assert "so far" not in text
    assert "Overall rating:" in text and "Rating" in [
        th.get_text(strip=True) for th in page.select("thead th")
    ]
    in_progress = _one(Assessment, status="in_progress", revision_of_id=None)
    text = soup(client.get(f"/assessments/{in_progress.id}")).get_text(" ")
    assert "Rating so far" in text and "Overall so far" in text
