"""The council answers each of the provider's comments on a shared draft before publishing:
accepted (with the change made) or not accepted (with the reason); a manager may return the draft
to the officer, who answers too; the corrected draft is shared again; the published report, its
PDF, the portal and the API show every comment with its answer; every step is audited."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Assessment, AuditEvent
from qa_app.models.types import utcnow
from qa_app.services import assessments, standards, users
from qa_app.services.actors import Actor
from tests.support.client import error_summary

FIRST = "The safeguarding log was updated on 1 November; it was in the office."
SECOND = "The report says two staff were on shift; there were three."


@pytest.fixture
def shared(make):
    """A draft shared with Larch Care, with two comments: one on QC01.2, one on the whole."""
    standards.load_directory(Actor.system("cli"))
    officer, manager = make.user("officer", name="Olive Officer"), make.user("manager")
    provider = make.provider(name="Larch Care")
    service = make.service(provider, service_type="supported_living", name="Larch House")
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 2)}
    )
    for q in assessments.questions_for(assessment):
        score = 1 if q.ref == "QC01.2" else 3
        data = assessments.AnswerInput(score=score, evidence=f"Seen for {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, assessment.id, q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, assessment.id)
    assessments.share_draft(Actor(manager, "web"), manager, assessment.id)
    provider_user = make.user("provider", provider, name="Petra Provider")
    first = assessments.add_provider_comment(
        Actor(provider_user, "web"), provider_user, assessment.id, "QC01.2", FIRST
    )
    second = assessments.add_provider_comment(
        Actor(provider_user, "web"), provider_user, assessment.id, None, SECOND
    )
    return {
        "id": assessment.id,
        "officer": officer,
        "manager": manager,
        "provider": provider_user,
        "service": service,
        "first": first.id,
        "second": second.id,
    }


def _answer(shared, comment, decision, text, who="manager", version=None):
    person = shared[who]
    return assessments.answer_comment(
        Actor(person, "web"), person, shared["id"], shared[comment], decision, text, version
    )


def _status(assessment_id):
    db.session.expire_all()
    return db.session.get(Assessment, assessment_id).status


def _token(user):
    return {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), user)}"}


def _words(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_publishing_is_refused_until_every_comment_has_an_answer(client, shared):
    from tests.support import factories

    factories.sign_in(client, shared["manager"])
    page = client.get(f"/assessments/{shared['id']}")
    warning = _words(page.soup.select_one(".govuk-warning-text"))
    assert "2 comments from the provider need an answer before you can publish" in warning

    refused = client.post(f"/assessments/{shared['id']}/publish")
    assert refused.status_code == 409
    assert refused.soup.title.get_text().startswith("Error: ")
    assert error_summary(refused) == [
        "Comment 1 from the provider (on QC01.2) needs an answer before you publish",
        "Comment 2 from the provider (on the report as a whole) needs an answer before you publish",
    ]
    for link in refused.soup.select(".govuk-error-summary a"):
        assert refused.soup.select_one(link["href"]) is not None  # each lands on its comment
    assert _status(shared["id"]) == "draft_shared"

    _answer(shared, "first", "accepted", "QC01.2 now records the log seen after the visit.")
    again = client.post(f"/assessments/{shared['id']}/publish")
    assert error_summary(again) == [
        "Comment 2 from the provider (on the report as a whole) needs an answer before you publish"
    ]
    _answer(shared, "second", "not_accepted", "The rota for 2 November shows two staff.")
    assert client.post(f"/assessments/{shared['id']}/publish").status_code == 302
    assert _status(shared["id"]) == "published"


def test_the_api_refuses_to_publish_with_an_unanswered_comment(client, shared):
    refused = client.post(
        f"/api/v1/assessments/{shared['id']}/publish", headers=_token(shared["manager"])
    )
    assert refused.status_code == 409
    assert refused.json["error"] == (
        "Answer every comment from the provider before publishing: 2 comments still have no answer"
    )


def test_a_manager_answers_on_a_page_with_errors_in_the_summary(client, shared):
    from tests.support import factories

    factories.sign_in(client, shared["manager"])
    page = client.get(f"/assessments/{shared['id']}")
    card = page.soup.select_one(f"#comment-{shared['first']}")
    assert FIRST in _words(card) and "Not answered yet" in _words(card)
    link = card.select_one(".govuk-summary-card__actions a")
    assert _words(link) == "Answer (Comment 1)"
    url = f"/assessments/{shared['id']}/comments/{shared['first']}/answer"
    assert link["href"].endswith(url)

    form = client.get(url)
    assert form.soup.h1.get_text(strip=True) == "Answer comment 1 from the provider"
    assert FIRST in _words(form.soup.select_one("main"))
    assert "Seen for QC01.2" in _words(form.soup.select_one("main"))  # the finding beside it

    empty = client.post(url, data={"decision": "", "text": "", "version": ""})
    assert empty.status_code == 422
    assert error_summary(empty) == [
        "Choose whether the comment is accepted or not accepted",
        "Say what is changed in the report, or why the comment is not accepted",
    ]
    for link in empty.soup.select(".govuk-error-summary a"):
        assert empty.soup.select_one(link["href"]) is not None
    no_reason = client.post(url, data={"decision": "not_accepted", "text": " ", "version": ""})
    assert error_summary(no_reason) == ["Give the reason the comment is not accepted"]
    assert no_reason.soup.select_one("#decision-2").has_attr("checked")  # the choice is kept

    saved = client.post(
        url,
        data={"decision": "accepted", "text": "QC01.2 evidence now names the log.", "version": ""},
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        f"#comment-{shared['first']}"
    )
    page = client.get(f"/assessments/{shared['id']}")
    card = _words(page.soup.select_one(f"#comment-{shared['first']}"))
    assert "Accepted" in card and "QC01.2 evidence now names the log." in card
    assert "Change answer" in card

    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "assessment_comment", AuditEvent.action == "answered"
        )
    ).one()
    assert event.changes == {
        "decision": [None, "Accepted"],
        "answer": [None, "QC01.2 evidence now names the log."],
    }
    assert event.service_id == shared["service"].id
    history = _words(
        client.get(f"/services/{shared['service'].id}").soup.select_one(".app-history")
    )
    assert "Comment on the draft report answered" in history and "Accepted" in history


def test_two_people_answering_at_once_never_overwrite_each_other(client, make, shared):
    from tests.support import factories

    first = _answer(shared, "first", "accepted", "Changed QC01.2.")
    version = first.version
    other = make.user("manager", name="Mo Manager")
    assessments.answer_comment(
        Actor(other, "web"), other, shared["id"], shared["first"], "not_accepted", "Seen.", version
    )
    factories.sign_in(client, shared["manager"])
    url = f"/assessments/{shared['id']}/comments/{shared['first']}/answer"
    stale = client.post(
        url, data={"decision": "accepted", "text": "My late answer", "version": str(version)}
    )
    assert stale.status_code == 409
    assert "Mo Manager saved an answer to this comment" in error_summary(stale)[0]
    conflict = _words(stale.soup.select_one(".app-conflict"))
    assert "Not accepted: Seen." in conflict
    assert stale.soup.select_one("#text").get_text() == "My late answer"  # nothing typed lost
    db.session.expire_all()
    saved = assessments.get_comment(shared["manager"], shared["id"], shared["first"]).answer
    assert (saved.decision, saved.text) == ("not_accepted", "Seen.")
    # saving again, knowingly, replaces it
    again = client.post(
        url,
        data={
            "decision": "accepted",
            "text": "My late answer",
            "version": stale.soup.select_one("input[name=version]")["value"],
        },
    )
    assert again.status_code == 302


def test_return_to_officer_answer_resubmit_share_again_publish(client, app, make, shared):
    from tests.support import factories

    manager, officer = shared["manager"], shared["officer"]
    # while the draft is with the manager, the officer may not answer
    with pytest.raises(assessments.Forbidden, match="A manager answers"):
        _answer(shared, "first", "accepted", "x", who="officer")
    factories.sign_in(client, officer)
    url = f"/assessments/{shared['id']}/comments/{shared['first']}/answer"
    assert "A manager answers" in _words(client.get(url).soup.select_one("main"))
    assert client.post(url, data={"decision": "accepted", "text": "x"}).status_code == 403

    _answer(shared, "second", "not_accepted", "The rota shows two staff on 2 November.")
    first_share = db.session.get(Assessment, shared["id"]).shared_at
    manager_client = app.test_client()
    factories.sign_in(manager_client, manager)
    returned = manager_client.post(
        f"/assessments/{shared['id']}/return",
        data={"comment": "The provider is right about the log: change QC01.2."},
    )
    assert returned.status_code == 302 and _status(shared["id"]) == "in_progress"

    # the provider sees the draft is being corrected, with the answers so far, not the findings
    portal = app.test_client()
    factories.sign_in(portal, shared["provider"])
    home = portal.get("/portal/")
    assert "Draft: being corrected by the council" in _words(home.soup.select_one("main"))
    waiting = portal.get(f"/portal/assessments/{shared['id']}")
    assert waiting.status_code == 200
    text = _words(waiting.soup.select_one("main"))
    assert "The council is correcting this draft" in text
    assert "The rota shows two staff on 2 November." in text
    assert "Seen for QC01.2" not in text and "change QC01.2" not in text  # findings, notes
    assert portal.get(f"/portal/assessments/{shared['id']}/report.pdf").status_code == 404

    # the council's own note stays on the staff side, in the staff report
    staff_report = _words(manager_client.get(f"/assessments/{shared['id']}/report").soup)
    assert "Notes on returning it to the officer" in staff_report
    assert "The provider is right about the log: change QC01.2." in staff_report

    # the officer corrects the finding and answers the comment
    answer = assessments.answers_for(db.session.get(Assessment, shared["id"]))["QC01.2"]
    assessments.save_answer(
        Actor(officer, "web"),
        officer,
        shared["id"],
        "QC01.2",
        assessments.AnswerInput(score=3, evidence="Log seen after the visit"),
        answer.version,
    )
    page = client.get(f"/assessments/{shared['id']}")
    assert "Answer each one" in _words(page.soup.select_one("main"))
    assert (
        client.post(
            url, data={"decision": "accepted", "text": "QC01.2 scored 3 on the log seen later."}
        ).status_code
        == 302
    )
    assessments.submit(Actor(officer, "web"), officer, shared["id"])

    # the corrected draft must be shown to the provider before it is published
    page = manager_client.get(f"/assessments/{shared['id']}")
    buttons = [b.get_text(strip=True) for b in page.soup.select("main button")]
    assert "Share the corrected draft with the provider" in buttons and "Publish" not in buttons
    refused = manager_client.post(f"/assessments/{shared['id']}/publish")
    assert refused.status_code == 409
    assert error_summary(refused) == [
        "Share the corrected draft with the provider before publishing: "
        "they have not seen the changes yet"
    ]
    # sharing again starts a new comment period
    manager_client.post(f"/assessments/{shared['id']}/share-draft")
    db.session.expire_all()
    again = db.session.get(Assessment, shared["id"])
    assert again.status == "draft_shared" and again.shared_at > first_share
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "assessment", AuditEvent.action == "draft_shared_again")
        .order_by(AuditEvent.id.desc())
    ).first()
    first_until = (first_share + timedelta(days=14)).date().isoformat()
    assert event.changes["comments_until"][0] == first_until
    assert (
        event.changes["comments_until"][1]
        == (again.shared_at + timedelta(days=14)).date().isoformat()
    )

    # the provider reads the corrected draft with the answers, and may comment on it
    draft = portal.get(f"/portal/assessments/{shared['id']}")
    section = _words(draft.soup.select_one("#draft-comments").parent)
    assert "QC01.2 scored 3 on the log seen later." in section and "Accepted" in section
    assert "Not accepted" in section and "The rota shows two staff on 2 November." in section
    assert draft.soup.select_one("form.app-comment-form") is not None
    assert manager_client.post(f"/assessments/{shared['id']}/publish").status_code == 302
    assert _status(shared["id"]) == "published"
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "assessment", AuditEvent.entity_id == shared["id"])
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "planned",
        "submitted",
        "draft_shared",
        "returned",
        "submitted",
        "draft_shared_again",
        "published",
    ]


def test_the_published_report_and_its_pdf_list_every_comment_with_its_answer(client, app, shared):
    from pypdf import PdfReader

    from tests.support import factories

    _answer(shared, "first", "accepted", "QC01.2 now names the log seen after the visit.")
    _answer(shared, "second", "not_accepted", "The rota for 2 November shows two staff.")
    manager = shared["manager"]
    assessments.publish(Actor(manager, "web"), manager, shared["id"])

    portal = app.test_client()
    factories.sign_in(portal, shared["provider"])
    report = portal.get(f"/portal/assessments/{shared['id']}")
    assert report.soup.h1.get_text(strip=True) == "Report: Larch House"
    first = _words(report.soup.select_one("#draft-comment-1"))
    assert "QC01.2" in first and FIRST in first
    assert "Accepted" in first and "QC01.2 now names the log seen after the visit." in first
    second = _words(report.soup.select_one("#draft-comment-2"))
    assert "The report as a whole" in second and SECOND in second
    assert "Not accepted" in second and "The rota for 2 November shows two staff." in second
    finding = _words(report.soup.select_one("#finding-QC01-2"))
    assert "Comment 1 from the provider is about this finding (accepted)" in finding

    factories.sign_in(client, manager)
    pdf = client.get(f"/assessments/{shared['id']}/report.pdf")
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages
    )
    assert "Comments on the draft report" in text
    for words in (
        "Accepted: QC01.2 now names the log seen after the visit.",
        "Not accepted: The rota for 2 November shows two staff.",
        "The report as a whole",
        "Provider comment 1 is about this finding (accepted)",
    ):
        assert words in text, words
    assert FIRST.split(";")[0] in text and "there were three" in text


def test_answers_do_not_change_after_publication(client, shared):
    from tests.support import factories

    answer = _answer(shared, "first", "accepted", "Changed.")
    _answer(shared, "second", "accepted", "Changed too.")
    assessments.publish(Actor(shared["manager"], "web"), shared["manager"], shared["id"])
    with pytest.raises(assessments.Conflict, match="published"):
        _answer(shared, "first", "not_accepted", "Second thoughts", version=answer.version)
    factories.sign_in(client, shared["manager"])
    url = f"/assessments/{shared['id']}/comments/{shared['first']}/answer"
    page = client.get(url)
    assert page.soup.select_one("main form") is None
    assert "can no longer change" in _words(page.soup.select_one("main"))
    put = client.put(
        f"/api/v1/assessments/{shared['id']}/comments/{shared['first']}/answer",
        json={"decision": "not_accepted", "text": "No", "version": answer.version},
        headers=_token(shared["manager"]),
    )
    assert put.status_code == 409


def test_the_api_shows_and_takes_answers(client, make, shared):
    manager, officer, provider = shared["manager"], shared["officer"], shared["provider"]
    url = f"/api/v1/assessments/{shared['id']}/comments/{shared['first']}/answer"

    assert client.put(
        url, json={"decision": "accepted", "text": "x"}, headers=_token(provider)
    ).json == {
        "error": "Comment not found",
        "details": None,
    }
    assert (
        client.put(
            url, json={"decision": "accepted", "text": "x"}, headers=_token(officer)
        ).status_code
        == 403
    )
    missing = client.put(url, json={"decision": "accepted", "text": "  "}, headers=_token(manager))
    assert missing.status_code == 422
    assert missing.json["details"] == {"text": "Say what is changed in the report"}
    bad = client.put(url, json={"decision": "perhaps", "text": "x"}, headers=_token(manager))
    assert bad.status_code == 422
    elsewhere = client.put(
        f"/api/v1/assessments/{shared['id']}/comments/{10**6}/answer",
        json={"decision": "accepted", "text": "x"},
        headers=_token(manager),
    )
    assert elsewhere.status_code == 404

    saved = client.put(
        url, json={"decision": "accepted", "text": "QC01.2 changed."}, headers=_token(manager)
    )
    assert saved.status_code == 200
    assert saved.json["answer"]["decision"] == "accepted"
    version = saved.json["answer"]["version"]
    stale = client.put(
        url, json={"decision": "not_accepted", "text": "No."}, headers=_token(manager)
    )
    assert stale.status_code == 409 and stale.json["details"]["current_version"] == version

    for who in (manager, provider):
        body = client.get(f"/api/v1/assessments/{shared['id']}", headers=_token(who)).json
        comments = {c["id"]: c for c in body["comments"]}
        assert set(comments) == {shared["first"], shared["second"]}
        first = comments[shared["first"]]
        assert (first["question_ref"], first["text"], first["by"]) == (
            "QC01.2",
            FIRST,
            "Petra Provider",
        )
        assert first["answer"]["text"] == "QC01.2 changed." and first["answer"]["at"]
        assert comments[shared["second"]]["answer"] is None
        assert comments[shared["second"]]["question_ref"] is None


def test_the_comment_period_is_counted_from_each_sharing(make, shared):
    assessment = db.session.get(Assessment, shared["id"])
    assessment.shared_at = utcnow() - timedelta(days=15)
    db.session.commit()
    with pytest.raises(assessments.Conflict, match="14 days for comments"):
        assessments.add_provider_comment(
            Actor(shared["provider"], "web"), shared["provider"], shared["id"], None, "Late"
        )
    manager, officer = shared["manager"], shared["officer"]
    assessments.return_to_officer(Actor(manager, "web"), manager, shared["id"], "Fix QC01.2")
    assessments.submit(Actor(officer, "web"), officer, shared["id"])
    assessments.share_draft(Actor(manager, "web"), manager, shared["id"])
    added = assessments.add_provider_comment(
        Actor(shared["provider"], "web"), shared["provider"], shared["id"], None, "On the new one"
    )
    assert added.text == "On the new one"
