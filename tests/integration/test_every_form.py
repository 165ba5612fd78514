"""Every form in the app, sent empty, is answered with the GOV.UK error summary (issue 13).

Every POST address in the app's url_map is one of:
- WALKS: a form with fields. Signed in as someone who may use it, the test opens the page that
  holds the form, sends it with every field left empty (keeping the CSRF token and the hidden
  fields the page put there, as a browser would) and checks the answer: the error summary,
  whose links land on inputs of the page with the message beside them, "Error: " in the title,
  the page again rather than a redirect, and no "Important" banner carrying the refusal.
- REFUSED: a form that is only a button. The page is opened while the step is offered, the
  record changes behind it (someone else got there first), then the button is pressed: the
  refusal must read the same way.
- EXEMPT: with the reason.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from qa_app.domain.months import Month
from qa_app.extensions import db
from qa_app.services import (
    assessments,
    concerns,
    cqc_import,
    notices,
    outbox,
    plans,
    quad_meetings,
    queue,
    registry,
    service_closing,
    standards,
    users,
)
from qa_app.services.actors import Actor
from tests.support.client import soup
from tests.support.spreadsheets import location_rows, write_csv

_OCTOBER = Month(2026, 10)

#: blueprints whose POST addresses are not forms, and why
EXEMPT_BLUEPRINTS = {
    "api": "the JSON API has no forms: its errors are JSON {error, details} with a 4xx "
    "(test_bad_input, test_api and the OpenAPI fuzzing check them)",
}

#: endpoints that are neither walked nor refused here, and why
EXEMPT = {
    "staff.programme_plan": "a row's planning form (officer, date) on the programme: each wrong "
    "answer (no date, no real date, a past date, no such service, a closed service, another "
    "officer's visit) is sent in test_visit_programme and must answer 422 with the error summary",
    "staff.programme_capacity": "one number per officer: a wrong one is answered with the error "
    "summary and changes nothing in test_visit_programme (test_capacity_set_by_a_manager…)",
    "staff.programme_bulk": "confirms a preview by its fingerprint (hidden fields only): a stale "
    "or forged one is refused with the error summary in test_visit_programme",
    "staff.programme_feed_new": "a button with no fields: each press makes a new secret address "
    "and ends the old one, which is what it says (test_visit_programme)",
    "staff.programme_feed_revoke": "a button with no fields: stopping a feed that is already "
    "stopped leaves it stopped (test_visit_programme)",
    "staff.cqc_import_successors": "its wrong answer and its refusal once the import is decided "
    "are walked in test_cqc_import (a new owner's registration), which builds the known service "
    "and the file it needs",
    "staff.cqc_import_closings": "its wrong choices (a service the file holds, one said to be "
    "registered again, one with open work) and its refusal are walked in test_cqc_closings, "
    "which builds the known services and the file it needs",
    "auth.sign_out": "a button with no fields, and signing out is never refused",
    "account.notifications_read_all": "a button with no fields, never refused: marking read "
    "what is read changes nothing",
    "account.your_account": "its radios always hold one of two choices, both valid (the page "
    "opens with the user's own checked); a form sent without a choice, or with one not offered, "
    "is answered with the error summary in test_daily_digest",
    "admin.user_reactivate": "a button with no fields, never refused: reactivating an active "
    "user changes nothing",
    "admin.token_revoke": "a button with no fields, never refused: revoking a revoked token "
    "changes nothing",
    "staff.assessment_record": "every answer may stay blank until the assessment is submitted, "
    "so a blank page saves nothing and says so; a refused answer is listed in the error summary "
    "(test_assessment_pages: N/A without a reason, two officers on one answer)",
    "staff.notice_draft": "a draft notice may be saved with nothing in it: its grounds are "
    "needed only to issue it (its other forms, requirements and steps, are walked below)",
}


# ---------------------------------------------------------------- the records forms need


@dataclass
class World:
    """The records the forms need, made on first use (each test makes only what it needs)."""

    make: object
    app: object
    tmp_path: object
    monkeypatch: object
    _seen: dict = field(default_factory=dict)
    walked: object = None  # the record a refusal's page shows, for what happens meanwhile

    def __post_init__(self):
        self.monkeypatch.setitem(self.app.config, "QA_EVIDENCE_DIR", str(self.tmp_path / "ev"))
        self.monkeypatch.setitem(
            self.app.config, "QA_CQC_UPLOAD_DIR", str(self.tmp_path / "uploads")
        )

    def user(self, role: str):
        if role not in self._seen:
            self._seen[role] = (
                self.make.user("provider", self.provider, name="Rita Provider")
                if role == "provider"
                else self.make.user(role, name=f"{role.title()} Person")
            )
        return self._seen[role]

    @cached_property
    def sets(self):
        return standards.load_directory(Actor.system("cli"))

    @cached_property
    def provider(self):
        return self.make.provider(name="Walnut Care")

    @cached_property
    def service(self):
        self.sets  # noqa: B018 - the standard sets every service type needs
        return self.make.service(self.provider, service_type="supported_living", name="Walnut")

    def actor(self, role: str) -> Actor:
        return Actor(self.user(role), "web")

    # --- the QuAD meeting's record: October 2026's agreed an action; November's has begun

    @cached_property
    def meeting(self):
        manager, actor = self.user("manager"), self.actor("manager")
        october, november = Month(2026, 10), Month(2026, 11)
        quad_meetings.save_details(actor, manager, october, date(2026, 10, 14), "Jo Bloggs, ICB")
        item = quad_meetings.add_item(actor, manager, october, self.service.id, "Staffing", "")
        action = quad_meetings.add_action(
            actor,
            manager,
            october,
            item.id,
            {"description": "Visit", "owner": "Jo", "target_date": date(2026, 12, 1), "grade": 2},
        )
        quad_meetings.save_details(actor, manager, november, date(2026, 11, 2), "Jo Bloggs, ICB")
        return item, action

    def meeting_held(self) -> str:
        self.meeting  # noqa: B018
        quad_meetings.mark_held(self.actor("manager"), self.user("manager"), _OCTOBER)
        return "/reports/quad/2026-10/meeting"

    # --- users

    @cached_property
    def target(self):
        return self.make.user("officer", name="Tess Target")

    @cached_property
    def invite(self) -> str:
        _user, invite = users.create_user(
            self.actor("admin"), "new.person@council.test", "New Person", "officer", None
        )
        return invite

    # --- assessments

    @cached_property
    def unanswered_assessment(self):
        """Planned, nothing answered yet."""
        self.service  # noqa: B018
        return assessments.plan(
            self.actor("officer"),
            self.user("officer"),
            {"service_id": self.service.id, "visit_date": date(2026, 11, 2)},
        )

    def assessment(self, status: str):
        """An assessment of the service: every question answered, then taken to `status`."""
        officer, manager = self.user("officer"), self.user("manager")
        self.service  # noqa: B018
        record = assessments.plan(
            self.actor("officer"),
            officer,
            {"service_id": self.service.id, "visit_date": date(2026, 11, 2)},
        )
        for q in assessments.questions_for(record):
            data = assessments.AnswerInput(score=3, evidence=f"Seen for {q.ref}")
            assessments.save_answer(self.actor("officer"), officer, record.id, q.ref, data, None)
        if status in ("submitted", "draft_shared", "published"):
            # (any other status: in progress, every question answered)
            assessments.submit(self.actor("officer"), officer, record.id)
        if status == "draft_shared":
            assessments.share_draft(self.actor("manager"), manager, record.id)
        if status == "published":
            assessments.publish(self.actor("manager"), manager, record.id)
        return record

    def comment_to_answer(self) -> str:
        """The answer page of a provider's comment on a shared draft."""
        record = self.assessment("draft_shared")
        provider = self.user("provider")
        comment = assessments.add_provider_comment(
            Actor(provider, "web"), provider, record.id, None, "The visit date is wrong"
        )
        return f"/assessments/{record.id}/comments/{comment.id}/answer"

    # --- improvement plans

    @cached_property
    def plan(self):
        """An open plan (the CQC rating Requires improvement), with one issue and no action."""
        officer = self.user("officer")
        registry.update_service(
            self.actor("officer"),
            officer,
            self.service.id,
            {"cqc_rating": "Requires improvement", "cqc_rating_date": date(2026, 10, 1)},
            None,
        )
        return plans.plan_for_service(officer, self.service.id)

    @cached_property
    def issue(self):
        return plans.view(self.plan).issues[0]

    @cached_property
    def action(self):
        return plans.add_action(
            self.actor("provider"),
            self.user("provider"),
            self.issue.id,
            {
                "description": "Weekly medicines audit",
                "owner": "Registered manager",
                "target_date": plans.london_today() + timedelta(days=40),
                "success_measure": "No missed doses",
            },
        )

    def plan_at(self, status: str):
        self.action  # noqa: B018 - every issue has an action, so the plan can be sent
        plans.submit(self.actor("provider"), self.user("provider"), self.plan.id)
        if status == "accepted":
            plans.accept(self.actor("officer"), self.user("officer"), self.plan.id)
        return self.plan

    def completed_action(self):
        self.plan_at("accepted")
        plans.record_progress(
            self.actor("provider"),
            self.user("provider"),
            self.action.id,
            {"step": "complete", "note": "Audits done every week"},
        )
        return self.action

    # --- concerns and notices

    @cached_property
    def concern(self):
        return concerns.log(
            self.actor("officer"),
            self.user("officer"),
            {
                "service_id": self.service.id,
                "risk_level": "medium",
                "source": "complaint",
                "summary": "Missed visits reported by a relative",
                "received_at": datetime.now(UTC) - timedelta(hours=2),
            },
        )

    def notice(self, issued: bool):
        """A draft notice of concern with one requirement (issued, with its grounds)."""
        manager = self.user("manager")
        draft, _ = notices.draft_for(self.actor("manager"), self.service.id)
        db.session.commit()
        requirement = notices.add_requirement(
            self.actor("manager"), manager, draft.id, "Two waking night staff", date(2030, 1, 1)
        )
        if issued:
            notices.update_draft(
                self.actor("manager"), manager, draft.id, "Staffing at night", None, None
            )
            notices.issue(self.actor("manager"), manager, draft.id)
        return draft, requirement

    # --- uploads

    def set_file(self, title: str) -> str:
        """The supported living set as a new version 2 (its text)."""
        path = Path(__file__).parents[2] / "audit_standards" / "supported_living.v1.yaml"
        document = yaml.safe_load(path.read_text())
        document.update(version=2, title=title)
        return yaml.safe_dump(document, sort_keys=False)

    def standards_preview(self, client):
        """An administrator's upload of a new version, answered with its preview."""
        self.sets  # noqa: B018
        text = self.set_file("Supported living, revised")
        return client.post(
            "/admin/standards/upload",
            data={"file": (io.BytesIO(text.encode()), "supported_living.v2.yaml")},
            content_type="multipart/form-data",
        )

    def load_other_version_2(self):
        text = self.set_file("Supported living, revised by someone else")
        standards.load_upload(self.actor("manager"), text, "supported_living.v2.yaml")

    def cqc_preview(self, client, rows=(), local_authority="") -> str:
        """A CQC file uploaded and read: the address of its preview."""
        path = write_csv(self.tmp_path / "ratings.csv", list(rows))
        with path.open("rb") as stream:
            response = client.post(
                "/cqc-imports/new",
                data={"file": (stream, "ratings.csv"), "local_authority": local_authority},
                content_type="multipart/form-data",
            )
        assert response.status_code == 302, response.status_code
        return urlsplit(response.headers["Location"]).path


@pytest.fixture
def world(make, app, tmp_path, monkeypatch):
    return World(make, app, tmp_path, monkeypatch)


# ---------------------------------------------------------------- sending a form as a browser


def _forms_posting_to(page, page_url: str, endpoint: str, url_map) -> list:
    adapter = url_map.bind("qa.test")
    found = []
    for form in page.find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        # the form's own address, then each button that sends the same form elsewhere
        targets = [form.get("action") or page_url]
        targets += [button["formaction"] for button in form.find_all(formaction=True)]
        for target in targets:
            action = urlsplit(target).path
            try:
                matched, _args = adapter.match(action, method="POST")
            except (HTTPException, RequestRedirect):
                continue  # not an address of this app
            if matched == endpoint and (action, form) not in found:
                found.append((action, form))
    return found


def _visible_fields(form) -> list:
    return [
        tag
        for tag in form.find_all(["input", "textarea", "select"])
        if tag.name != "input" or (tag.get("type") or "text") not in ("hidden", "submit", "button")
    ]


def _as_sent(form, fill: dict | None = None) -> tuple[list, bool]:
    """What a browser sends for `form` with every field left as empty as a person can make it
    (or as in `fill`): text cleared, the blank choice of a list if it has one, no file chosen;
    hidden fields and radios as the page set them (a chosen radio cannot be unchosen); and the
    name of the first button, pressed."""
    fill = fill or {}
    data: list[tuple[str, object]] = []
    multipart = (form.get("enctype") or "") == "multipart/form-data"
    for tag in form.find_all(["input", "textarea", "select"]):
        name = tag.get("name")
        if not name:
            continue
        kind = (tag.get("type") or "text").lower() if tag.name == "input" else tag.name
        if name in fill:
            if kind not in ("radio", "checkbox") or not any(n == name for n, _ in data):
                data.append((name, fill[name]))
        elif kind == "hidden":
            data.append((name, tag.get("value", "")))
        elif kind in ("radio", "checkbox"):
            if tag.has_attr("checked"):
                data.append((name, tag.get("value", "on")))
        elif kind in ("submit", "button", "image", "reset"):
            continue
        elif kind == "file":
            data.append((name, (io.BytesIO(b""), "")))
        elif kind == "select":
            values = [o.get("value", o.get_text()) for o in tag.find_all("option")]
            chosen = [o.get("value", o.get_text()) for o in tag.find_all("option", selected=True)]
            data.append((name, "" if "" in values else (chosen or values or [""])[0]))
        else:
            data.append((name, ""))
    button = form.find(lambda t: t.name == "button" and (t.get("type") or "submit") == "submit")
    if button is not None and button.get("name"):
        data.append((button["name"], button.get("value", "")))
    return data, multipart


def send(client, action: str, form, fill: dict | None = None):
    data, multipart = _as_sent(form, fill)
    sent = MultiDict(data)
    if multipart:
        return client.post(action, data=sent, content_type="multipart/form-data")
    return client.post(action, data=sent)


def assert_error_page(response, what: str) -> None:
    """The refusal reads as GOV.UK asks: the page again (not a redirect to a banner), "Error: "
    in the title, and an error summary whose links land on the inputs, with the message beside
    each input."""
    assert response.status_code < 300 or 400 <= response.status_code < 500, (
        f"{what}: {response.status_code} {response.headers.get('Location', '')} (a refusal "
        "shown as a banner after a redirect loses what was typed)"
    )
    page = soup(response)
    title = " ".join(page.title.get_text().split())
    assert title.startswith("Error: "), f"{what}: title {title!r}"
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None, f"{what}: no error summary"
    links = summary.select(".govuk-error-summary__list a[href]")
    assert links, f"{what}: the error summary links to nothing"
    for link in links:
        text = " ".join(link.get_text(" ").split())
        href = link["href"]
        if not href.startswith("#"):
            continue  # a link to the page where it is put right (a question to answer)
        target = page.find(id=href[1:])
        assert target is not None, f"{what}: {text!r} links to {href}, not on the page"
        if href == "#main-content":
            continue  # about the record as a whole, not one field
        # the nearest group around the input that carries a message (a date's day box sits
        # in a group of its own inside the date's group)
        beside = next(
            (
                g.select_one(".govuk-error-message")
                for g in target.find_parents(class_="govuk-form-group")
                if g.select_one(".govuk-error-message")
            ),
            None,
        )
        assert beside is not None, f"{what}: no message beside {href} for {text!r}"
        message = " ".join(beside.get_text(" ").split()).removeprefix("Error: ")
        assert message and message in text, f"{what}: {href} says {message!r}, summary {text!r}"
    banners = [
        b
        for b in page.select(".govuk-notification-banner")
        if "govuk-notification-banner--success" not in b.get("class", [])
    ]
    assert not banners, f"{what}: a banner carries the refusal: {banners[0].get_text(' ', True)}"


# ---------------------------------------------------------------- the forms with fields


@dataclass
class Walk:
    role: str | None  # who uses the form (None: nobody signed in)
    page: Callable[[World], str]  # the page that holds it
    only: tuple[str, ...] = ()  # the forms whose address ends so (default: every form with fields)
    fill: dict = field(default_factory=dict)  # a choice made, where the empty form is a valid one


#: endpoint (":variant" when one address serves several forms) → the walk
WALKS = {
    "auth.sign_in": Walk(None, lambda w: "/sign-in"),
    "auth.change_password": Walk("officer", lambda w: "/account/password"),
    "auth.set_password": Walk(None, lambda w: f"/set-password/{w.invite}"),
    "auth.forgot_password": Walk(None, lambda w: "/forgot-password"),
    "admin.user_new": Walk("admin", lambda w: "/admin/users/new"),
    # the role's radios always hold a choice: a provider user with no provider chosen
    "admin.user_page": Walk(
        "admin", lambda w: f"/admin/users/{w.target.id}", fill={"role": "provider"}
    ),
    "admin.token_create": Walk("admin", lambda w: f"/admin/users/{w.target.id}"),
    "admin.standards_upload": Walk("admin", lambda w: "/admin/standards/upload"),
    "staff.provider_new": Walk("officer", lambda w: "/providers/new"),
    "staff.provider_edit": Walk("officer", lambda w: f"/providers/{w.provider.id}/edit"),
    "staff.service_new": Walk("officer", lambda w: "/services/new"),
    "staff.service_edit": Walk("officer", lambda w: f"/services/{w.service.id}/edit"),
    "staff.service_close": Walk("manager", lambda w: f"/services/{w.service.id}/close"),
    "staff.assessment_new": Walk("officer", lambda w: f"/services/{w.service.id}/assessments/new"),
    "staff.assessment_return": Walk(
        "manager", lambda w: f"/assessments/{w.assessment('submitted').id}"
    ),
    "staff.assessment_correct": Walk(
        "manager", lambda w: f"/assessments/{w.assessment('published').id}"
    ),
    "staff.concern_new": Walk("officer", lambda w: f"/services/{w.service.id}/concerns/new"),
    # responding takes optional notes; escalating needs the reason
    "staff.concern_step": Walk("officer", lambda w: f"/concerns/{w.concern.id}", ("/escalate",)),
    "staff.cqc_import_new": Walk("officer", lambda w: "/cqc-imports/new"),
    "staff.notice_requirement_add": Walk(
        "manager", lambda w: f"/notices/{w.notice(issued=False)[0].id}"
    ),
    # "not yet assessed" is chosen to begin with; "not met" needs a note of what is missing
    "staff.notice_requirement_assess": Walk(
        "officer", lambda w: f"/notices/{w.notice(issued=True)[0].id}", fill={"status": "not_met"}
    ),
    # the steps whose note is required (lifting and marking remedied take an optional note)
    "staff.notice_step:withdraw": Walk(
        "manager", lambda w: f"/notices/{w.notice(issued=False)[0].id}", ("/withdraw",)
    ),
    "staff.notice_step:escalate": Walk(
        "manager", lambda w: f"/notices/{w.notice(issued=True)[0].id}", ("/escalate",)
    ),
    "staff.plan_issue_add": Walk("officer", lambda w: f"/plans/{w.plan.id}"),
    "staff.plan_issue_withdraw": Walk("officer", lambda w: f"/plans/{w.plan.id}"),
    "staff.plan_review": Walk("officer", lambda w: f"/plans/{w.plan_at('submitted').id}"),
    "staff.plan_action_check": Walk("officer", lambda w: f"/plans/{w.completed_action().plan_id}"),
    "staff.comment_answer": Walk("manager", lambda w: w.comment_to_answer()),
    # a placement stop added to an issued notice needs its start date and the reason
    "staff.quad_meeting_details": Walk(
        "manager", lambda w: "/reports/quad/2026-10/meeting/details"
    ),
    "staff.quad_meeting_item_new": Walk(
        "manager", lambda w: w.meeting and "/reports/quad/2026-10/meeting/services/new"
    ),
    "staff.quad_meeting_action_new": Walk(
        "manager",
        lambda w: f"/reports/quad/2026-10/meeting/services/{w.meeting[0].id}/actions/new",
    ),
    "staff.quad_meeting_progress": Walk(
        "manager", lambda w: w.meeting and "/reports/quad/2026-11/meeting"
    ),
    "staff.quad_meeting_addendum": Walk("manager", lambda w: w.meeting_held()),
    "staff.notice_stop_set": Walk("manager", lambda w: f"/notices/{w.notice(issued=True)[0].id}"),
    "portal.assessment_comment": Walk(
        "provider", lambda w: f"/portal/assessments/{w.assessment('draft_shared').id}"
    ),
    "portal.notice_respond": Walk(
        "provider", lambda w: f"/portal/notices/{w.notice(issued=True)[0].id}"
    ),
    "portal.action_new": Walk(
        "provider", lambda w: f"/portal/plans/issues/{w.issue.id}/actions/new"
    ),
    "portal.action_edit": Walk("provider", lambda w: f"/portal/plans/actions/{w.action.id}/edit"),
    "portal.action_progress": Walk(
        "provider",
        lambda w: f"/portal/plans/actions/{w.plan_at('accepted') and w.action.id}/progress",
    ),
}


# ---------------------------------------------------------------- buttons whose step is refused


@dataclass
class Refusal:
    role: str
    page: Callable  # (world, client) → the address of the page with the button, or its response
    meanwhile: Callable[[World], object]  # what happens before the button is pressed
    only: tuple[str, ...] = ()
    action: Callable[[World], str] | None = None  # the address pressed, if not the page's form's
    status: int = 409
    fill: dict = field(default_factory=dict)  # what was typed before pressing (kept on the page)


def _closed_service_page(w) -> str:
    service_closing.close_service(
        w.actor("manager"), w.user("manager"), w.service.id, date.today(), "Deregistered by CQC"
    )
    return f"/services/{w.service.id}/reopen"


def _publish_behind(w):
    assessments.publish(w.actor("manager"), w.user("manager"), w.walked.id)


def _remember(w, record):
    w.walked = record
    return record


def _import_id(w) -> int:
    return int(w.walked.rsplit("/", 1)[1])


def _photo_to_remove(w) -> str:
    """The page that asks before a photo on an answer is removed (the recording page links to
    it); meanwhile the assessment is submitted."""
    from qa_app.services import answer_photos
    from tests.support.photos import camera_jpeg

    assessment = _remember(w, w.assessment("in_progress"))
    ref = assessments.questions_for(assessment)[0].ref
    officer = w.user("officer")
    photo = answer_photos.add_photo(
        w.actor("officer"),
        officer,
        assessment.id,
        ref,
        "hall.jpg",
        camera_jpeg(80, 60),
        "walk-0001",
    ).photo
    return f"/assessments/{assessment.id}/photos/{photo.id}/remove"


def _submitted_meanwhile(w):
    from qa_app.models import Assessment

    db.session.get(Assessment, w.walked.id).status = "submitted"
    db.session.commit()


def _failed_job_page(w) -> str:
    """Background jobs, listing a job that stopped after failing (with its Try again)."""
    job = queue.enqueue("cqc_import.read", {"import_id": 0}, max_attempts=1)
    job.status, job.failed_at, job.last_error = "failed", datetime.now(UTC), "OSError: disc full"
    db.session.commit()
    w.walked = job.id
    return "/admin/jobs"


def _failed_email_page(w) -> str:
    """Emails sent, listing a failed email (with its Send again)."""
    from qa_app.models import OutboxEmail

    officer = w.user("officer")
    outbox.enqueue(
        "assessment_submitted",
        f"walk:failed:{officer.id}",
        [officer],
        {"service_name": "Oak House", "link": outbox.link("staff.home")},
    )
    db.session.flush()
    email = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.event_key == f"walk:failed:{officer.id}")
    )
    email.status, email.last_error = "failed", "ConnectionRefusedError: refused"
    db.session.commit()
    w.walked = email.id
    return "/admin/emails?status=failed"


REFUSED = {
    # another administrator pressed Try again first
    "admin.job_retry": Refusal(
        "admin",
        lambda w, c: _failed_job_page(w),
        lambda w: queue.try_again(w.actor("admin"), w.walked),
    ),
    # another administrator pressed Send again first
    "admin.email_send_again": Refusal(
        "admin",
        lambda w, c: _failed_email_page(w),
        lambda w: outbox.send_again(w.actor("admin"), w.walked),
    ),
    # a colleague marked the meeting held while this manager had its record open
    "staff.quad_meeting_held": Refusal(
        "manager",
        lambda w, c: w.meeting and "/reports/quad/2026-10/meeting",
        lambda w: quad_meetings.mark_held(w.actor("manager"), w.user("manager"), _OCTOBER),
    ),
    # an administrator cannot deactivate their own account (their page does not offer it; a
    # post made by hand, or from a page of another time, is refused in words)
    "admin.user_deactivate": Refusal(
        "admin",
        lambda w, c: f"/admin/users/{w.target.id}",
        lambda w: None,
        action=lambda w: f"/admin/users/{w.user('admin').id}/deactivate",
        status=422,
    ),
    # another administrator deactivated the account while this one had its page open
    "admin.user_reinvite": Refusal(
        "admin",
        lambda w, c: f"/admin/users/{w.target.id}",
        lambda w: users.set_active(w.actor("admin"), w.target.id, False),
        only=("/invite",),
        status=422,
    ),
    "admin.standards_upload_confirm": Refusal(
        "admin", lambda w, c: w.standards_preview(c), World.load_other_version_2, status=422
    ),
    "staff.assessment_submit": Refusal(
        "officer",
        lambda w, c: f"/assessments/{_remember(w, w.assessment('in_progress')).id}",
        lambda w: assessments.submit(w.actor("officer"), w.user("officer"), w.walked.id),
    ),
    "staff.assessment_share": Refusal(
        "manager",
        lambda w, c: f"/assessments/{_remember(w, w.assessment('submitted')).id}",
        _publish_behind,
    ),
    "staff.assessment_publish": Refusal(
        "manager",
        lambda w, c: f"/assessments/{_remember(w, w.assessment('submitted')).id}",
        _publish_behind,
    ),
    # reopened by someone else while the page asking to reopen it was open
    "staff.service_reopen": Refusal(
        "manager",
        lambda w, c: _closed_service_page(w),
        lambda w: service_closing.reopen_service(w.actor("admin"), w.user("admin"), w.service.id),
    ),
    "staff.cqc_import_commit": Refusal(
        "officer",
        lambda w, c: _remember(w, w.cqc_preview(c)),
        lambda w: cqc_import.discard(w.actor("manager"), _import_id(w)),
    ),
    # a new care home's type (with nursing or without?) chosen after the file was discarded
    "staff.cqc_import_service_types": Refusal(
        "officer",
        lambda w, c: _remember(
            w,
            w.cqc_preview(
                c,
                location_rows(
                    "1-900000001",
                    "Form Walk House",
                    "Northshire",
                    "1-900000002",
                    "Form Walk Care",
                    {"Overall": "Good"},
                    date(2026, 1, 5),
                ),
                "Northshire",
            ),
        ),
        lambda w: cqc_import.discard(w.actor("manager"), _import_id(w)),
        only=("/service-types",),
    ),
    "staff.cqc_import_discard": Refusal(
        "officer",
        lambda w, c: _remember(w, w.cqc_preview(c)),
        lambda w: cqc_import.commit_import(w.actor("manager"), _import_id(w)),
    ),
    "staff.notice_requirement_remove": Refusal(
        "manager",
        lambda w, c: f"/notices/{_remember(w, w.notice(issued=False)[0]).id}",
        lambda w: (
            notices.update_draft(
                w.actor("manager"), w.user("manager"), w.walked.id, "Staffing", None, None
            ),
            notices.issue(w.actor("manager"), w.user("manager"), w.walked.id),
        ),
    ),
    "staff.plan_review:accept": Refusal(
        "officer",
        lambda w, c: f"/plans/{_remember(w, w.plan_at('submitted')).id}",
        lambda w: plans.accept(w.actor("manager"), w.user("manager"), w.walked.id),
    ),
    # the plan's issue has no action yet: sending the plan is refused, naming the issue
    "portal.plan_submit": Refusal(
        "provider", lambda w, c: f"/portal/plans/{w.plan.id}", lambda w: None
    ),
    # questions still to answer: each listed, linking to where it is answered
    "staff.assessment_submit:unanswered": Refusal(
        "officer",
        lambda w, c: f"/assessments/{w.unanswered_assessment.id}",
        lambda w: None,
        status=422,
    ),
    # a colleague sent the plan to the council while this action was being written
    "portal.action_new:plan sent": Refusal(
        "provider",
        lambda w, c: f"/portal/plans/issues/{w.action and w.issue.id}/actions/new",
        lambda w: plans.submit(w.actor("provider"), w.user("provider"), w.plan.id),
        fill={
            "description": "Night checks recorded on the new sheet",
            "owner": "Deputy manager",
            "target_date-day": str((plans.london_today() + timedelta(days=30)).day),
            "target_date-month": str((plans.london_today() + timedelta(days=30)).month),
            "target_date-year": str((plans.london_today() + timedelta(days=30)).year),
            "success_measure": "Every night check recorded for a month",
        },
    ),
    # a colleague submitted the assessment while the officer was asked to confirm the removal
    "staff.answer_photo_remove": Refusal(
        "officer", lambda w, c: _photo_to_remove(w), _submitted_meanwhile
    ),
    # the officer recorded the requirement met while the provider wrote a response
    "portal.notice_respond:met meanwhile": Refusal(
        "provider",
        lambda w, c: f"/portal/notices/{_remember(w, w.notice(issued=True))[0].id}",
        lambda w: notices.assess_requirement(
            w.actor("officer"), w.user("officer"), w.walked[0].id, w.walked[1].id, "met", ""
        ),
        fill={"response": "Two waking night staff on the rota from Monday"},
    ),
}


def _endpoint(key: str) -> str:
    return key.split(":", 1)[0]


def test_every_post_address_is_walked_refused_or_exempt(app):
    covered = {_endpoint(k) for k in WALKS} | {_endpoint(k) for k in REFUSED} | set(EXEMPT)
    missing, unknown = [], covered.copy()
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        unknown.discard(rule.endpoint)
        if rule.endpoint.split(".", 1)[0] in EXEMPT_BLUEPRINTS:
            continue
        if rule.endpoint not in covered:
            missing.append(f"{rule.endpoint} {rule.rule}")
    assert missing == [], "walk these forms, or say why they are exempt"
    assert unknown == set(), "these entries name no POST address"
    assert not set(EXEMPT) & ({_endpoint(k) for k in WALKS} | {_endpoint(k) for k in REFUSED})
    assert all(len(reason) > 20 for reason in (*EXEMPT.values(), *EXEMPT_BLUEPRINTS.values()))


def _sign_in(make, client, world, role):
    if role is not None:
        make.sign_in(client, world.user(role))


def _chosen(forms, only):
    if only:
        return [(a, f) for a, f in forms if a.endswith(only)]
    return [(a, f) for a, f in forms if _visible_fields(f)]


@pytest.mark.parametrize("key", sorted(WALKS))
def test_a_form_sent_empty_is_answered_with_the_error_summary(key, app, make, client, world):
    walk = WALKS[key]
    _sign_in(make, client, world, walk.role)
    url = walk.page(world)
    db.session.commit()
    page = client.get(url)
    assert page.status_code == 200, f"{key}: {url} gives {page.status_code}"
    chosen = _chosen(_forms_posting_to(page.soup, url, _endpoint(key), app.url_map), walk.only)
    assert chosen, f"{key}: {url} holds no such form"
    for n in range(len(chosen)):
        if n:  # each form from a fresh page, as a person would send it
            page = client.get(url)
        action, form = _chosen(
            _forms_posting_to(page.soup, url, _endpoint(key), app.url_map), walk.only
        )[n]
        response = send(client, action, form, walk.fill)
        assert_error_page(response, f"{key} ({action})")


@pytest.mark.parametrize("key", sorted(REFUSED))
def test_a_refused_step_is_answered_with_the_error_summary(key, app, make, client, world):
    refusal = REFUSED[key]
    _sign_in(make, client, world, refusal.role)
    opened = refusal.page(world, client)
    db.session.commit()
    if isinstance(opened, str):
        url, page = opened, client.get(opened)
    else:
        url, page = "/", opened
    assert page.status_code == 200, f"{key}: {url} gives {page.status_code}"
    forms = _forms_posting_to(page.soup, url, _endpoint(key), app.url_map)
    if refusal.only:
        forms = [(a, f) for a, f in forms if a.endswith(refusal.only)]
    if refusal.action is not None:
        any_form = page.soup.find("form", method="post")
        forms = [(refusal.action(world), any_form)]
    assert forms, f"{key}: {url} offers no such button"
    action, form = forms[0]
    refusal.meanwhile(world)
    db.session.commit()
    response = send(client, action, form, refusal.fill)
    assert response.status_code == refusal.status, (
        f"{key}: {response.status_code} {response.headers.get('Location', '')}"
    )
    assert_error_page(response, key)
    shown = response.get_data(as_text=True)
    for typed in refusal.fill.values():
        assert len(typed) < 10 or typed in shown, f"{key}: {typed!r} is lost"
