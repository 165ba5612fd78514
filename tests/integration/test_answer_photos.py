"""Photos and files as evidence on an answer (issue 15, item 5), through the API, the recording
page without JavaScript, the report and its PDF: checked by content like plan evidence, kept
without location data and at most 1,600 pixels across, sent once (client_id), added and removed
only while the answer may be recorded, seen by whoever may read the report."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from qa_app.domain.evidence_files import MAX_EVIDENCE_BYTES
from qa_app.extensions import db
from qa_app.models import AnswerPhoto, AuditEvent
from qa_app.services import answer_photos, assessments, standards, users
from qa_app.services.actors import Actor
from qa_app.services.errors import ValidationFailed
from tests.support.photos import bomb_png, camera_jpeg, exif_of, gps_of, size_of
from tests.support.provider_world import content

REF = "QA01.1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(make, app, client, tmp_path, monkeypatch):
    evidence = tmp_path / "evidence"
    monkeypatch.setitem(app.config, "QA_EVIDENCE_DIR", str(evidence))
    standards.load_directory(Actor.system("cli"))
    provider = make.provider(name="Oak Care")
    service = make.service(provider, service_type="supported_living", name="Oak House")
    officer, manager = make.user("officer"), make.user("manager")
    assessment = assessments.plan(
        Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": date(2026, 11, 2)}
    )
    ref = assessments.questions_for(assessment)[0].ref

    def token(user):
        return {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), user)}"}

    return {
        "id": assessment.id,
        "ref": ref,
        "officer": officer,
        "manager": manager,
        "provider_user": make.user("provider", provider),
        "other_provider_user": make.user("provider", make.provider(name="Elm Care")),
        "evidence": evidence,
        "token": token,
        "client": client,
    }


def post_photo(world, data, client_id="photo-0001", name="IMG_0042.jpg", user=None, ref=None):
    return world["client"].post(
        f"/api/v1/assessments/{world['id']}/answers/{ref or world['ref']}/photos",
        data={"client_id": client_id, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=world["token"](user or world["officer"]),
    )


def photos():
    return list(db.session.scalars(select(AnswerPhoto).order_by(AnswerPhoto.id)))


def kept_files(world) -> list[Path]:
    folder = world["evidence"]
    return sorted(folder.iterdir()) if folder.is_dir() else []


def finish(world, publish=False):
    officer, manager = world["officer"], world["manager"]
    for q in assessments.questions_for(assessments.get_assessment(officer, world["id"])):
        data = assessments.AnswerInput(score=3, evidence=f"Seen for {q.ref}")
        assessments.save_answer(Actor(officer, "web"), officer, world["id"], q.ref, data, None)
    assessments.submit(Actor(officer, "web"), officer, world["id"])
    if publish:
        assessments.publish(Actor(manager, "web"), manager, world["id"])


def test_a_camera_photo_is_kept_smaller_and_without_its_location(world):
    original = camera_jpeg(3000, 2000)
    assert gps_of(original), "the test photo carries a GPS position"
    sent = post_photo(world, original)
    assert sent.status_code == 201, sent.json
    body = sent.json
    assert body["question_ref"] == world["ref"] and body["client_id"] == "photo-0001"
    assert (body["width"], body["height"]) == (1600, 1067)
    assert body["content_type"] == "image/jpeg" and body["filename"] == "IMG_0042.jpg"
    (photo,) = photos()
    kept = (world["evidence"] / photo.stored_name).read_bytes()
    assert size_of(kept) == (1600, 1067)
    assert gps_of(kept) == {} and exif_of(kept) == {}
    assert b"PhoneMaker" not in kept
    thumb = (world["evidence"] / photo.thumb_name).read_bytes()
    assert max(size_of(thumb)) == 320 and exif_of(thumb) == {}
    assert photo.size == len(kept)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "answer_photo"))
    assert event.action == "added"
    # the first thing recorded starts the assessment, as a first answer does
    assert (
        world["client"]
        .get(f"/api/v1/assessments/{world['id']}", headers=world["token"](world["officer"]))
        .json["photos"][0]["id"]
        == body["id"]
    )


def test_a_png_with_transparency_and_a_pdf_are_kept(world):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (255, 0, 0, 0)).save(out, "PNG")
    png = post_photo(world, out.getvalue(), "photo-png-1", "plan.png")
    assert png.status_code == 201 and png.json["filename"] == "plan.jpg", png.json
    pdf = post_photo(world, PDF, "photo-pdf-1", "policy.pdf")
    assert pdf.status_code == 201, pdf.json
    assert pdf.json["content_type"] == "application/pdf" and pdf.json["width"] is None
    assert photos()[1].thumb_name is None
    assert (world["evidence"] / photos()[1].stored_name).read_bytes() == PDF


def test_sending_the_same_photo_again_gives_the_same_photo(world):
    data = camera_jpeg(800, 600)
    first = post_photo(world, data, "0b6f7d1c-5c1e-4c55-9d1e-2f8a9e6b1a11")
    again = post_photo(world, data, "0b6f7d1c-5c1e-4c55-9d1e-2f8a9e6b1a11")
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert len(photos()) == 1
    assert len(kept_files(world)) == 2  # the photo and its thumbnail, once
    # the same client_id on another question is not that photo
    other_ref = "QA01.2"
    clash = post_photo(world, data, "0b6f7d1c-5c1e-4c55-9d1e-2f8a9e6b1a11", ref=other_ref)
    assert clash.status_code == 422 and "client_id" in clash.json["details"]


@pytest.mark.parametrize(
    ("data", "name", "field", "words"),
    [
        (b"just some text, not a picture", "IMG_1.jpg", "file", "not a file we accept"),
        (b"\xff\xd8\xff" + b"\x00" * 200, "broken.jpg", "file", "damaged"),
        (bomb_png(), "bomb.png", "file", "too large a picture"),
        (b"", "empty.jpg", "file", "empty"),
    ],
)
def test_refused_files_store_nothing_and_say_why(world, data, name, field, words):
    sent = post_photo(world, data, name=name)
    assert sent.status_code == 422, sent.json
    assert words in sent.json["details"][field]
    assert photos() == [] and kept_files(world) == []


def test_the_10_mb_limit_is_the_evidence_limit(world):
    # through the use case: Werkzeug's test client leaves a large request's spooled file open
    huge = b"\xff\xd8\xff" + bytes(MAX_EVIDENCE_BYTES)
    officer = world["officer"]
    with pytest.raises(ValidationFailed) as refused:
        answer_photos.add_photo(
            Actor(officer, "api"), officer, world["id"], world["ref"], "huge.jpg", huge, "big-0001"
        )
    assert refused.value.errors == {
        "file": "huge.jpg is larger than 10 MB: a file must be 10 MB or smaller"
    }
    assert photos() == [] and kept_files(world) == []


def test_bad_requests_are_clear_and_store_nothing(world):
    data = camera_jpeg(200, 100)
    bad_id = post_photo(world, data, client_id="x")
    assert bad_id.status_code == 422 and "client_id" in bad_id.json["details"]
    unknown = post_photo(world, data, ref="ZZ99.9")
    assert unknown.status_code == 404 and "ZZ99.9" in unknown.json["error"]
    no_file = world["client"].post(
        f"/api/v1/assessments/{world['id']}/answers/{world['ref']}/photos",
        data={"client_id": "photo-0001"},
        content_type="multipart/form-data",
        headers=world["token"](world["officer"]),
    )
    assert no_file.status_code == 422 and "file" in no_file.json["details"]
    as_json = world["client"].post(
        f"/api/v1/assessments/{world['id']}/answers/{world['ref']}/photos",
        json={"client_id": "photo-0001"},
        headers=world["token"](world["officer"]),
    )
    assert as_json.status_code == 400 and "multipart/form-data" in as_json.json["error"]
    assert photos() == [] and kept_files(world) == []


def test_no_photo_once_submitted_and_none_removed(world):
    kept = post_photo(world, camera_jpeg(200, 100))
    finish(world)
    refused = post_photo(world, camera_jpeg(200, 100), "photo-0002")
    assert refused.status_code == 409 and "cannot be added" in refused.json["error"]
    removed = world["client"].delete(
        f"/api/v1/assessments/{world['id']}/photos/{kept.json['id']}",
        headers=world["token"](world["officer"]),
    )
    assert removed.status_code == 409
    assert len(photos()) == 1 and len(kept_files(world)) == 2


def test_removing_a_photo_removes_its_files(world):
    kept = post_photo(world, camera_jpeg(200, 100))
    assert len(kept_files(world)) == 2
    path = f"/api/v1/assessments/{world['id']}/photos/{kept.json['id']}"
    removed = world["client"].delete(path, headers=world["token"](world["officer"]))
    assert removed.status_code == 204
    assert photos() == [] and kept_files(world) == []
    assert world["client"].delete(path, headers=world["token"](world["officer"])).status_code == 404


@pytest.mark.parametrize("role", ["officer", "manager", "admin"])
def test_staff_who_may_record_answers_may_add_photos(world, make, role):
    user = make.user(role)
    assert post_photo(world, camera_jpeg(200, 100), user=user).status_code == 201


@pytest.mark.parametrize("who", ["provider_user", "other_provider_user"])
def test_providers_may_not_add_or_remove_photos_and_learn_nothing(world, who):
    kept = post_photo(world, camera_jpeg(200, 100))
    refused = post_photo(world, camera_jpeg(200, 100), "photo-0002", user=world[who])
    assert refused.status_code == 404 and refused.json["error"] == "Assessment not found"
    removed = world["client"].delete(
        f"/api/v1/assessments/{world['id']}/photos/{kept.json['id']}",
        headers=world["token"](world[who]),
    )
    assert removed.status_code == 404
    assert len(photos()) == 1


def test_without_javascript_the_recording_form_takes_a_photo_with_the_answer(world, make, app):
    browser = app.test_client()
    make.sign_in(browser, world["officer"])
    page = f"/assessments/{world['id']}/record/D1"
    form = browser.get(page)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "without their consent" in html
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    key = world["ref"].replace(".", "-")
    posted = browser.post(
        page,
        data={
            "csrf_token": token,
            f"{key}-score": "3",
            f"{key}-evidence": "Rota seen on the office wall",
            f"{key}-photos": (io.BytesIO(camera_jpeg(2400, 3200)), "rota.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)[:2000]
    (photo,) = photos()
    kept = (world["evidence"] / photo.stored_name).read_bytes()
    assert size_of(kept) == (1200, 1600) and gps_of(kept) == {}
    shown = browser.get(page).get_data(as_text=True)
    assert "1 answer and 1 photo or file saved" in shown
    assert f'alt="Photo 1 for question {world["ref"]} (rota.jpg)"' in shown
    thumb = browser.get(f"/assessments/{world['id']}/photos/{photo.id}?size=thumbnail")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in thumb.headers["Cache-Control"]
    full = browser.get(f"/assessments/{world['id']}/photos/{photo.id}")
    assert full.headers["Content-Disposition"].startswith("attachment")
    assert full.data == kept
    thumb.close()
    full.close()


def test_a_refused_file_on_the_form_is_named_and_the_answer_still_saved(world, make, app):
    browser = app.test_client()
    make.sign_in(browser, world["officer"])
    page = f"/assessments/{world['id']}/record/D1"
    html = browser.get(page).get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    key = world["ref"].replace(".", "-")
    posted = browser.post(
        page,
        data={
            "csrf_token": token,
            f"{key}-score": "2",
            f"{key}-photos": (io.BytesIO(b"MZ not a picture"), "virus.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert posted.status_code == 200
    text = posted.get_data(as_text=True)
    assert "virus.jpg is not a file we accept" in text and f'href="#{key}-photos"' in text
    assert "<title>Error: " in text  # the only refusal on the page, and it is one
    assert photos() == []
    answer = assessments.answers_for(assessments.get_assessment(world["officer"], world["id"]))
    assert answer[world["ref"]].score == 2


def test_removing_on_the_page_asks_first(world, make, app):
    kept = post_photo(world, camera_jpeg(200, 100)).json
    browser = app.test_client()
    make.sign_in(browser, world["officer"])
    address = f"/assessments/{world['id']}/photos/{kept['id']}/remove"
    asking = browser.get(address)
    assert asking.status_code == 200 and "Remove IMG_0042.jpg?" in asking.get_data(as_text=True)
    assert len(photos()) == 1
    token = asking.get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    done = browser.post(address, data={"csrf_token": token})
    assert done.status_code == 302 and "/record/D1" in done.headers["Location"]
    assert photos() == [] and kept_files(world) == []


def test_who_sees_the_photos_of_a_report(world, make, app):
    kept = post_photo(world, camera_jpeg(200, 100)).json
    portal = app.test_client()
    make.sign_in(portal, world["provider_user"])
    other = app.test_client()
    make.sign_in(other, world["other_provider_user"])
    address = f"/portal/assessments/{world['id']}/photos/{kept['id']}?size=thumbnail"
    missing = f"/portal/assessments/{world['id']}/photos/999999?size=thumbnail"
    # in progress: hidden from the provider, exactly like a missing photo
    hidden = portal.get(address)
    assert hidden.status_code == 404
    assert content(hidden) == content(portal.get(missing))
    finish(world, publish=True)
    shown = portal.get(address)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    shown.close()
    assert other.get(address).status_code == 404
    assert content(other.get(address)) == content(other.get(missing))
    report = portal.get(f"/portal/assessments/{world['id']}").get_data(as_text=True)
    assert f"/portal/assessments/{world['id']}/photos/{kept['id']}?size=thumbnail" in report
    # staff pages are not the provider's way in
    assert portal.get(f"/assessments/{world['id']}/photos/{kept['id']}").status_code == 404


def test_the_report_and_its_pdf_list_the_photos_with_thumbnails(world, make, app, tmp_path):
    post_photo(world, camera_jpeg(1200, 900), "photo-a-0001", "kitchen.jpg")
    post_photo(world, PDF, "photo-b-0001", "fire-log.pdf")
    finish(world)
    staff = app.test_client()
    make.sign_in(staff, world["manager"])
    report = staff.get(f"/assessments/{world['id']}/report").get_data(as_text=True)
    assert f'alt="Photo 1 for question {world["ref"]} (kitchen.jpg)"' in report
    assert "fire-log.pdf" in report
    pdf = staff.get(f"/assessments/{world['id']}/report.pdf")
    assert pdf.status_code == 200
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    texts = [page.extract_text() for page in pages]
    text = "\f".join(texts)
    assert "Photos and files (2):" in text
    assert "kitchen.jpg" in text and "File: fire-log.pdf" in text
    sizes = [image.image.size for page in pages for image in page.images]
    assert sizes.count((320, 240)) == 1, sizes  # the thumbnail, drawn once
    if shutil.which("pdftoppm"):  # a page to look at: test-artifacts/answer-photos-report-page.png
        page = next(i for i, chunk in enumerate(texts, 1) if "kitchen.jpg" in chunk)
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf.data)
        out = Path("test-artifacts")
        out.mkdir(exist_ok=True)
        target = str(out / "answer-photos-report-page")
        pages_wanted = ["-f", str(page), "-l", str(page), "-singlefile"]
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", *pages_wanted, str(path), target], check=True
        )
    assert db.session.scalar(select(func.count()).select_from(AnswerPhoto)) == 2


def test_a_correction_keeps_the_photos_and_the_published_report_keeps_its_own(world):
    kept = post_photo(world, camera_jpeg(400, 300)).json
    finish(world, publish=True)
    manager = world["manager"]
    revision = assessments.start_correction(
        Actor(manager, "web"), manager, world["id"], "The photo belongs to QA01.1 still"
    )
    original, copy = photos()
    assert (original.id, original.assessment_id) == (kept["id"], world["id"])
    assert copy.assessment_id == revision.id and copy.question_ref == original.question_ref
    assert copy.stored_name != original.stored_name and copy.thumb_name != original.thumb_name
    folder = world["evidence"]
    assert (folder / copy.stored_name).read_bytes() == (folder / original.stored_name).read_bytes()
    # removing it from the revision leaves the published report's photo as it was
    answer_photos.remove_photo(
        Actor(world["officer"], "web"), world["officer"], revision.id, copy.id
    )
    assert photos() == [original] and (folder / original.stored_name).is_file()
    assert len(kept_files(world)) == 2


def test_the_same_photo_sent_twice_at_once_is_kept_once(world, monkeypatch):
    """Two sends of one photo that pass the "seen before?" check together: the database's
    unique client_id keeps one, and the other's files are removed again."""
    first = post_photo(world, camera_jpeg(400, 300), "photo-race-1").json
    real = answer_photos._by_client_id
    calls = []

    def not_yet_seen(client_id):
        calls.append(client_id)
        return None if len(calls) == 1 else real(client_id)

    monkeypatch.setattr(answer_photos, "_by_client_id", not_yet_seen)
    officer = world["officer"]
    added = answer_photos.add_photo(
        Actor(officer, "api"),
        officer,
        world["id"],
        world["ref"],
        "IMG_0042.jpg",
        camera_jpeg(400, 300),
        "photo-race-1",
    )
    assert added.created is False and added.photo.id == first["id"]
    assert len(photos()) == 1 and len(kept_files(world)) == 2


def test_a_photo_that_meets_an_answer_moving_the_assessment_on_is_kept_not_a_500(
    world, monkeypatch
):
    """Back online, a device sends answers and photos at once: an answer may move the planned
    assessment to in progress between this photo's read and its write. The photo is kept on a
    second try (it was a 500, StaleDataError)."""
    from sqlalchemy import update

    from qa_app.models import Assessment
    from qa_app.services import evidence_store

    real_check, raced = evidence_store.check, []

    def an_answer_saved_meanwhile(filename, data):
        if not raced:  # what the answer's request commits between this one's read and write
            raced.append(True)
            db.session.connection().execute(
                update(Assessment)
                .where(Assessment.id == world["id"])
                .values(status="in_progress", version=Assessment.version + 1)
            )
        return real_check(filename, data)

    monkeypatch.setattr(evidence_store, "check", an_answer_saved_meanwhile)
    response = post_photo(world, camera_jpeg(800, 600), "race-0001")
    assert response.status_code == 201, response.json
    assert raced and len(photos()) == 1
    assert len(kept_files(world)) == 2  # the first try's files were not left behind
