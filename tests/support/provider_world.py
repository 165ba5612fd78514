"""Two providers with one of everything a provider can see, and the app's routes as a provider
reaches them: for the tests that a provider learns nothing it may not (issue 12).

`build` makes, for provider A and provider B alike: a Good service with nothing on it (`calm`),
and a service (`busy`) with a published Requires improvement assessment, the improvement plan it
opened (an issue, the provider's action, an evidence file) and an issued notice of concern that
rests on an escalated concern (with the provider's response and its evidence file). Each organisation's ids are keyed by the route argument they fill.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from qa_app.domain.codes import MAX_ID
from qa_app.extensions import db
from qa_app.services import concerns, notices, plans, standards, users
from qa_app.services.actors import Actor
from tests.integration.test_plans import PNG, publish, requires_improvement

#: a route argument → the record of the organisation that fills it
ID_ARGS = (
    "service_id",
    "provider_id",
    "assessment_id",
    "plan_id",
    "issue_id",
    "action_id",
    "file_id",
    "notice_file_id",
    "notice_id",
    "requirement_id",
    "concern_id",
    "comment_id",
    "photo_id",
    "notification_id",
)
#: arguments that are not records of anyone's: the value to use
OTHER_ARGS = {"question_ref": "QA01.1", "month": "2026-10", "part": "overall"}  # month: QuAD (API)
MISSING = MAX_ID  # an id no record has

#: blueprints and endpoints a provider's requests never read a record through, and why
SKIPPED_BLUEPRINTS = {
    "staff": "council staff only: staff_required turns a provider away with the same 404 "
    "before any record is read (test_access_matrix checks the 404)",
    "admin": "administrators only: admin_required turns a provider away with the same 404 "
    "before any record is read (test_access_matrix checks the 404)",
}
SKIPPED_ENDPOINTS = {
    "static": "the app's own CSS and scripts, the same for everyone",
    "govuk_assets": "GOV.UK Frontend's fonts and images, the same for everyone",
    "service_worker": "the offline script, the same for everyone",
    "auth.set_password": "needs a one-time token from an invitation email; shows only a form",
    "calendar_feed": "an officer's visits feed, reached by its secret address with no session: "
    "only staff can make one, and any other address is a 404 (test_visit_programme)",
    "api.get_standard_set": "standard sets are the same for every signed-in user: nothing hidden",
}


def organisation(make, name: str, officer, manager) -> dict:
    provider = make.provider(name=f"{name} Care")
    person = make.user("provider", provider, name=f"{name} Provider User")
    calm = make.service(provider, name=f"{name} Calm House", service_type="supported_living")
    busy = make.service(provider, name=f"{name} Busy House", service_type="supported_living")
    assessment = publish(make, busy, requires_improvement, officer, manager)
    plan = plans.plan_for_service(officer, busy.id)
    issue = plans.view(plan).issues[0]
    action = plans.add_action(
        Actor(person, "web"),
        person,
        issue.id,
        {
            "description": f"{name} weekly audit",
            "owner": "Registered manager",
            "target_date": plans.london_today() + timedelta(days=40),
            "success_measure": "No missed checks",
        },
    )
    file = plans.upload_evidence(Actor(person, "web"), person, action.id, "rota.png", PNG)
    # a notice of concern that rests on a concern, as the escalation makes it
    concern = concerns.log(
        Actor(officer, "web"),
        officer,
        {
            "service_id": busy.id,
            "risk_level": "medium",
            "source": "complaint",
            "summary": f"{name}: the escalated concern's own words",
            "received_at": datetime.now(UTC) - timedelta(days=5),
        },
    )
    concerns.escalate(Actor(officer, "web"), officer, concern.id, "Not answered")
    draft, _ = notices.draft_for(Actor(officer, "web"), busy.id)
    db.session.commit()
    requirement = notices.add_requirement(
        Actor(manager, "web"), manager, draft.id, "Two waking night staff", date(2030, 1, 1)
    )
    notices.update_draft(
        Actor(manager, "web"), manager, draft.id, "Night staffing below the agreed level", None
    )
    notices.issue(Actor(manager, "web"), manager, draft.id)
    notices.respond_to_requirement(
        Actor(person, "web"),
        person,
        draft.id,
        requirement.id,
        "Rota attached",
        files=[("night-rota.png", PNG)],
    )
    notice_file = notices.response_files(notices.get_notice(person, draft.id))[requirement.id][0]
    comment = _answered_comment(assessment, person, manager)
    photo = _photo(assessment, name)
    return {
        "person": person,
        "calm": calm,
        "busy": busy,
        "concern": concern,
        "ids": {
            "service_id": [calm.id, busy.id],
            "provider_id": [provider.id],
            "assessment_id": [assessment.id],
            "plan_id": [plan.id],
            "issue_id": [issue.id],
            "action_id": [action.id],
            "file_id": [file.id],
            "notice_file_id": [notice_file.id],
            "notice_id": [draft.id],
            "requirement_id": [requirement.id],
            "concern_id": [concern.id],
            "comment_id": [comment.id],
            "photo_id": [photo.id],
            "notification_id": _notifications(person),
        },
    }


def _notifications(person) -> list[int]:
    """The emails written for the provider user (the plan opened, the report published): each is
    their notification too."""
    from sqlalchemy import select

    from qa_app.models import OutboxEmail
    from qa_app.services.inbox import IN_APP_KINDS

    found = list(
        db.session.scalars(
            select(OutboxEmail.id).where(
                OutboxEmail.user_id == person.id, OutboxEmail.kind.in_(IN_APP_KINDS)
            )
        )
    )
    assert found, "the organisation's provider user was emailed nothing"
    return found


def _answered_comment(assessment, person, manager):
    """The provider's comment on the draft of the published assessment, with its answer (made
    directly: the draft was published before it could be commented on here)."""
    from qa_app.models import AssessmentComment, CommentAnswer

    comment = AssessmentComment(
        assessment_id=assessment.id,
        kind="provider",
        text="The visit was on a Monday",
        author_id=person.id,
        author_label=person.name,
    )
    db.session.add(comment)
    db.session.flush()
    db.session.add(
        CommentAnswer(
            comment_id=comment.id,
            decision="accepted",
            text="Corrected",
            answered_by_id=manager.id,
            answered_by_label=manager.name,
        )
    )
    db.session.commit()
    return comment


def _photo(assessment, name):
    """A photo on a finding of the published assessment (made directly, with its files: photos
    are added only while an assessment is recorded)."""
    from qa_app.models import AnswerPhoto
    from qa_app.services import evidence_store
    from tests.support.photos import camera_jpeg

    stored = f"{name.lower()}-photo.jpg"
    (evidence_store.evidence_dir() / stored).write_bytes(camera_jpeg(80, 60))
    photo = AnswerPhoto(
        assessment_id=assessment.id,
        question_ref="QA01.1",
        client_id=f"{name.lower()}-photo-1",
        thumb_name=stored,
        width=80,
        height=60,
        filename=f"{name} kitchen.jpg",
        content_type="image/jpeg",
        size=1,
        stored_name=stored,
        uploaded_by_label="Officer",
    )
    db.session.add(photo)
    db.session.commit()
    return photo


def build(make, app, tmp_path, monkeypatch) -> dict:
    monkeypatch.setitem(app.config, "QA_EVIDENCE_DIR", str(tmp_path))
    standards.load_directory(Actor.system("cli"))
    officer, manager = make.user("officer"), make.user("manager")
    return {
        "officer": officer,
        "manager": manager,
        "a": organisation(make, "Alder", officer, manager),
        "b": organisation(make, "Beech", officer, manager),
    }


def token_for(person) -> str:
    return users.create_token(Actor.system("cli"), person)


def skip_reason(rule) -> str | None:
    blueprint = rule.endpoint.split(".", 1)[0] if "." in rule.endpoint else None
    return SKIPPED_ENDPOINTS.get(rule.endpoint) or SKIPPED_BLUEPRINTS.get(blueprint)


def unknown_args(rule) -> set[str]:
    return set(rule.arguments) - set(ID_ARGS) - set(OTHER_ARGS)


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


# ---------------------------------------------------------------- what is compared

_NOISE = (
    (re.compile(r'nonce="[^"]*"'), 'nonce="…"'),
    (re.compile(r"'nonce-[^']*'"), "'nonce-…'"),
    (re.compile(r'(name="csrf_token"[^>]*value=")[^"]*"'), r'\1…"'),
    (re.compile(r'(value=")[^"]*("[^>]*name="csrf_token")'), r"\1…\2"),
)


def normalise(text: str) -> str:
    """Leave out what changes with every request (CSP nonces, CSRF tokens) and nothing else."""
    for pattern, replacement in _NOISE:
        text = pattern.sub(replacement, text)
    return text


def content(response) -> object:
    """What a person or a program reads from a response: JSON as data, a PDF's text, an XLSX's
    cells, a page's HTML (nonces and tokens left out), other files as their bytes."""
    import io

    if response.is_json:
        return response.get_json()
    if response.mimetype == "application/pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(response.data))
        return [page.extract_text() for page in reader.pages]
    if response.mimetype.endswith("spreadsheetml.sheet"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.data))
        return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    if response.mimetype.startswith("text/"):
        return normalise(response.get_data(as_text=True))
    return response.data


def gist(value) -> str:
    """A short account of a response's content, for a failure message."""
    if isinstance(value, str) and "<main" in value:
        from bs4 import BeautifulSoup

        main = BeautifulSoup(value, "html.parser").find("main")
        value = " ".join(main.get_text(" ").split()) if main else value
    return repr(value)[:200]


def difference(before, after, path: str = "") -> list[str]:
    """Where two contents differ (paths into JSON, lines of text), for a failure message."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            line
            for key in sorted(set(before) | set(after), key=str)
            for line in difference(before.get(key), after.get(key), f"{path}.{key}")
        ]
    same_length = isinstance(before, list | tuple) and isinstance(after, list | tuple)
    if same_length and len(before) == len(after):
        return [
            line
            for n, (x, y) in enumerate(zip(before, after, strict=True))
            for line in difference(x, y, f"{path}[{n}]")
        ]
    if isinstance(before, str) and isinstance(after, str) and "\n" in before + after:
        import difflib

        lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        return [f"{path}: {line.strip()[:160]}" for line in list(lines)[2:12]]
    return [] if before == after else [f"{path}: {before!r:.80} -> {after!r:.80}"]
