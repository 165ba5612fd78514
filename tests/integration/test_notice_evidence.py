"""Providers attach evidence to a notice response (issue 13, point 9), with the same file checks,
limit, storage and permission-checked download as plan evidence; staff see the files beside the
response; each attachment is audited; nothing typed or chosen is dropped without saying so."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import AuditEvent, NoticeResponseFile
from qa_app.services import notices
from qa_app.services.actors import Actor
from qa_app.services.errors import ValidationFailed
from tests.support.client import error_summary

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def world(make, app, tmp_path, monkeypatch):
    evidence = tmp_path / "evidence"
    monkeypatch.setitem(app.config, "QA_EVIDENCE_DIR", str(evidence))
    provider = make.provider(name="Acme Care")
    service = make.service(provider, name="Elm House")
    officer, manager = make.user("officer"), make.user("manager")
    as_manager = Actor(manager, "web")
    draft, _ = notices.draft_for(Actor(officer, "web"), service.id)
    notices.update_draft(as_manager, manager, draft.id, "Missed medicines.", None)
    first = notices.add_requirement(
        as_manager, manager, draft.id, "Weekly medicines audit", date.today() + timedelta(days=14)
    )
    second = notices.add_requirement(
        as_manager, manager, draft.id, "Competency checks", date.today() + timedelta(days=28)
    )
    notices.issue(as_manager, manager, draft.id)
    provider_user = make.user("provider", provider, name="Rita Registered")
    other_user = make.user("provider", make.provider(name="Other Care"))
    portal, staff, other = app.test_client(), app.test_client(), app.test_client()
    make.sign_in(portal, provider_user)
    make.sign_in(staff, officer)
    make.sign_in(other, other_user)
    return {
        "notice": draft.id,
        "first": first.id,
        "second": second.id,
        "portal": portal,
        "staff": staff,
        "other": other,
        "evidence": evidence,
        "provider_user": provider_user,
        "officer": officer,
    }


def _respond(client, world, requirement, text, file=None):
    data = {"response": text}
    if file is not None:
        data["file"] = (io.BytesIO(file[1]), file[0])
    return client.post(
        f"/portal/notices/{world['notice']}/requirements/{world[requirement]}/respond",
        data=data,
        content_type="multipart/form-data",
    )


def _stored(world) -> list[Path]:
    folder = world["evidence"]
    return sorted(folder.iterdir()) if folder.exists() else []


def _file_count() -> int:
    return db.session.scalar(select(func.count(NoticeResponseFile.id)))


def test_the_provider_attaches_evidence_and_the_officer_sees_and_downloads_it(world):
    portal, staff, nid = world["portal"], world["staff"], world["notice"]
    page = portal.get(f"/portal/notices/{nid}")
    form = page.soup.select_one(f"form[action$='/requirements/{world['first']}/respond']")
    assert form["enctype"] == "multipart/form-data"
    assert form.select_one("input[type=file][name=file]") is not None

    sent = _respond(portal, world, "first", "Weekly audits started", ("audit week 1.pdf", PDF))
    assert sent.status_code == 302
    [record] = db.session.scalars(select(NoticeResponseFile)).all()
    assert (record.filename, record.content_type, record.size) == (
        "audit week 1.pdf",
        "application/pdf",
        len(PDF),
    )
    assert record.uploaded_by_label == "Rita Registered"
    [kept] = _stored(world)  # outside the web root, under a name nobody typed
    assert kept.read_bytes() == PDF and "audit" not in kept.name
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "provider attached evidence")
    )
    assert (event.entity_type, event.entity_id) == ("notice", nid)
    assert event.changes == {"requirement 1": [None, "audit week 1.pdf"]}

    # a second file with the same words: the file is added, the response is not "changed"
    again = _respond(portal, world, "first", "Weekly audits started", ("week 2.png", PNG))
    assert again.status_code == 302
    assert _file_count() == 2
    responded = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "provider responded")
    ).all()
    assert len(responded) == 1

    shown = portal.get(f"/portal/notices/{nid}").soup.select_one(f"#r{world['first']}")
    links = {a.get_text(strip=True): a["href"] for a in shown.select(".app-evidence-files a")}
    assert set(links) == {"audit week 1.pdf", "week 2.png"}
    with portal.get(links["audit week 1.pdf"]) as download:
        assert download.status_code == 200 and download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]
        assert download.headers["Cache-Control"] == "private, no-store"
        assert download.headers["X-Content-Type-Options"] == "nosniff"

    # the officer sees the files beside the response, and downloads them
    staff_page = staff.get(f"/notices/{nid}").soup
    [table] = [t for t in staff_page.select("table") if "responses" in t.caption.get_text()]
    row = table.select_one("tbody tr")
    cells = row.select("td")
    assert "Weekly audits started" in cells[2].get_text(" ")
    staff_links = {a.get_text(strip=True): a["href"] for a in cells[2].select("a")}
    assert set(staff_links) == {"audit week 1.pdf", "week 2.png"}
    with staff.get(staff_links["week 2.png"]) as download:
        assert download.status_code == 200 and download.data == PNG
        assert download.mimetype == "image/png"


def test_another_provider_gets_the_same_404_as_for_a_file_that_does_not_exist(world, app):
    _respond(world["portal"], world, "first", "Done", ("audit.pdf", PDF))
    record = db.session.scalar(select(NoticeResponseFile))
    other = world["other"]
    hidden = other.get(f"/portal/notices/files/{record.id}")
    missing = other.get("/portal/notices/files/2147483647")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.soup.select_one("main").get_text() == missing.soup.select_one("main").get_text()
    assert record.filename not in hidden.get_data(as_text=True)
    # a provider never reaches the staff route, and the file gone from the folder is a 404 too
    assert world["portal"].get(f"/notices/files/{record.id}").status_code == 404
    for path in _stored(world):
        path.unlink()
    gone = world["staff"].get(f"/notices/files/{record.id}")
    assert gone.status_code == 404


def test_a_file_that_fails_the_checks_is_refused_naming_it_and_nothing_is_kept(world):
    portal = world["portal"]
    cases = [
        (("minutes.pdf", b"not a pdf at all"), "minutes.pdf is not a file we accept"),
        (("rota.exe", b"MZ" + bytes(30)), "rota.exe is not a file we accept"),
        (("empty.pdf", b""), "empty.pdf is empty: choose the file again"),
    ]
    for file, message in cases:
        refused = _respond(portal, world, "first", "My words, kept", file)
        assert refused.status_code == 422, file[0]
        [error] = error_summary(refused)
        assert error.startswith(message) and error.endswith(
            "(your response to rectification requirement 1)"
        )
        link = refused.soup.select_one(".govuk-error-summary a")["href"]
        assert refused.soup.select_one(link) is not None  # the link goes to the file input
        typed = refused.soup.select_one(f"#response-{world['first']}").get_text()
        assert typed.strip() == "My words, kept"
    # the 10 MB limit, through the use case (Werkzeug's test client leaves a large request
    # body's temporary file open, which pytest reports as a warning)
    person = world["provider_user"]
    with pytest.raises(ValidationFailed) as too_big:
        notices.respond_to_requirement(
            Actor(person, "web"),
            person,
            world["notice"],
            world["first"],
            "My words",
            files=[("huge.pdf", PDF + bytes(10 * 1024 * 1024))],
        )
    assert too_big.value.errors == {
        "file": "huge.pdf is larger than 10 MB: a file must be 10 MB or smaller"
    }
    assert _file_count() == 0 and _stored(world) == []
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("provider%"))
    ).all()


def test_a_good_file_with_a_missing_response_is_not_dropped_silently(world):
    refused = _respond(world["portal"], world, "second", "   ", ("audit.pdf", PDF))
    assert refused.status_code == 422
    assert error_summary(refused) == [
        "Say what you have done to meet this requirement (your response to rectification "
        "requirement 2)",
        "audit.pdf has not been attached yet: choose it again when you send your response "
        "(your response to rectification requirement 2)",
    ]
    assert _file_count() == 0 and _stored(world) == []


def test_no_evidence_once_the_requirement_is_met(world):
    officer = world["officer"]
    notices.assess_requirement(
        Actor(officer, "web"), officer, world["notice"], world["first"], "met", ""
    )
    refused = _respond(world["portal"], world, "first", "Late evidence", ("audit.pdf", PDF))
    assert refused.status_code == 409
    assert error_summary(refused) == [
        "audit.pdf was not attached and nothing was saved. This requirement has already been "
        "marked as met"
    ]
    assert refused.soup.select_one(f"#r{world['first']} input[type=file]") is None
    assert _file_count() == 0 and _stored(world) == []
