"""A photo as evidence on an answer, taken offline (issue 15, item 5): chosen with the network
really gone, it shows on the page at once from the device and counts as waiting; it survives a
reload; when the connection returns it reaches the server once, at most 1,600 pixels across
and with no GPS position; a photo whose reply was lost is sent again as the same photo."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.network import Network
from tests.browser.pages import Site, check_accessibility
from tests.browser.test_offline_visit import _domains, _plan
from tests.support.photos import camera_jpeg, exif_of, gps_of, size_of

SERVICE = "Castlegate View"
VISIT = date(2027, 8, 14)


def _photos(live_server, assessment_id: int) -> list[tuple[str, int, int, bytes]]:
    """What the server keeps: (question, width, height, the file's bytes) for each photo."""
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import AnswerPhoto
    from qa_app.services import evidence_store

    with live_server.app.app_context():
        rows = db.session.scalars(
            select(AnswerPhoto)
            .where(AnswerPhoto.assessment_id == assessment_id)
            .order_by(AnswerPhoto.id)
        )
        return [
            (p.question_ref, p.width, p.height, evidence_store.path_of(p).read_bytes())
            for p in rows
        ]


def _answers(live_server, assessment_id: int) -> int:
    from sqlalchemy import func, select

    from qa_app.extensions import db
    from qa_app.models import Answer

    with live_server.app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.assessment_id == assessment_id)
        )


def _arrived(site: Site, network: Network, h1: str) -> Page:
    expect(site.page.locator("h1")).to_have_text(h1)
    site.page.wait_for_load_state("load")
    check_accessibility(site.page)
    network.expected_errors()
    assert not site.browser_errors, f"browser errors on {site.page.url}: {site.browser_errors}"
    return site.page


def _on_device(page: Page) -> list[dict]:
    """The photos waiting in this browser's IndexedDB, each with the size of the picture kept."""
    return page.evaluate(
        """async () => {
          const db = await new Promise((resolve, reject) => {
            const req = indexedDB.open("qa-photos", 1);
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error);
          });
          const all = await new Promise((resolve) => {
            const req = db.transaction("photos").objectStore("photos").getAll();
            req.onsuccess = () => resolve(req.result);
          });
          const out = [];
          for (const entry of all) {
            const bitmap = await createImageBitmap(entry.blob);
            out.push({ref: entry.ref, name: entry.name, type: entry.blob.type,
                      width: bitmap.width, height: bitmap.height, client_id: entry.client_id});
          }
          db.close();
          return out;
        }"""
    )


@pytest.fixture
def evidence(live_server, tmp_path, monkeypatch):
    folder = tmp_path / "evidence"
    monkeypatch.setitem(live_server.app.config, "QA_EVIDENCE_DIR", str(folder))
    return folder


def test_a_photo_taken_offline_reaches_the_server_once_without_its_location(
    site, live_server, evidence
):
    site.sign_in("officer@demo.example")
    page = site.page
    assessment_id = _plan(live_server, SERVICE, VISIT)
    code, title, _refs = _domains(live_server, assessment_id)[0]
    record = f"/assessments/{assessment_id}/record/{code}"
    heading = f"{title}: {SERVICE}"
    site.visit(record, heading)
    expect(page.locator("#offline-ready")).to_contain_text("Ready to use offline", timeout=30_000)
    first = page.locator(".app-answer[data-ref]").first
    ref = first.get_attribute("data-ref")
    photos = first.locator(".app-photos")
    network = Network(site, live_server.line)

    # The line is cut; a photo from the camera (3000 by 2000, with a GPS position) is chosen.
    original = camera_jpeg(3000, 2000)
    assert gps_of(original)
    network.cut()
    photos.get_by_text("Add a photo or file").click()
    expect(photos.get_by_text("without their consent")).to_be_visible()
    photos.get_by_label("Or choose photos or files").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": original}
    )
    waiting = photos.locator(".app-photo--waiting")
    expect(waiting).to_have_count(1)
    expect(photos.get_by_role("heading", name="Photos and files (1)")).to_be_visible()
    expect(waiting).to_contain_text("Not saved yet: kept on this device")
    expect(waiting.locator("img")).to_have_attribute(
        "alt", f"Photo for question {ref} (IMG_2041.jpg), kept on this device"
    )
    expect(page.locator("#connection-state")).to_contain_text("1 photo is not saved yet.")
    # shrunk on the device before it is kept: a JPEG 1,600 pixels across
    (kept,) = _on_device(page)
    assert (kept["width"], kept["height"], kept["type"]) == (1600, 1067, "image/jpeg")
    assert kept["ref"] == ref
    site.screenshot("answer-photos-offline-1280", full_page=False)

    # A reload without a connection: the page comes from the device, and so does the photo.
    page.reload()
    _arrived(site, network, heading)
    expect(photos.locator(".app-photo--waiting")).to_have_count(1)
    expect(photos.locator(".app-photo--waiting img")).to_be_visible()
    expect(page.locator("#connection-state")).to_contain_text("1 photo is not saved yet.")
    assert _photos(live_server, assessment_id) == []

    # The overview, offline too: the photo counts as waiting there.
    page.goto(f"/assessments/{assessment_id}")
    _arrived(site, network, f"Assessment of {SERVICE}")
    note = page.locator(".app-photos-waiting")
    expect(note).to_have_text(
        "1 photo or file taken on this device is not saved yet: "
        "it will be sent when the connection returns."
    )
    site.screenshot("answer-photos-overview-offline-1280", full_page=False)

    # The connection returns: the photo goes from the overview, once, and leaves the device.
    network.restore()
    expect(note).to_have_count(0, timeout=20_000)
    assert _on_device(page) == []
    ((saved_ref, width, height, data),) = _photos(live_server, assessment_id)
    assert saved_ref == ref and max(width, height) <= 1600 and (width, height) == (1600, 1067)
    assert size_of(data) == (1600, 1067)
    assert gps_of(data) == {} and exif_of(data) == {}
    assert _answers(live_server, assessment_id) == 0  # a photo is not an answer
    network.expected_errors()

    # Back on the question's page: the photo is the server's now.
    site.visit(record, heading)
    expect(photos.locator(".app-photo__thumb")).to_have_attribute(
        "alt", f"Photo 1 for question {ref} (IMG_2041.jpg)"
    )
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")

    # A reply lost on the way back: the device sends the photo again, and it is the same photo.
    live_server.line.lose_replies = True
    second = page.locator(".app-answer[data-ref]").nth(1)
    second.get_by_text("Add a photo or file").click()
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/photos")):
        second.get_by_label("Or choose photos or files").set_input_files(
            {"name": "fire-door.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(1200, 1800)}
        )
    expect(second.locator(".app-photo--waiting")).to_have_count(1)
    assert len(_photos(live_server, assessment_id)) == 2
    assert len(_on_device(page)) == 1  # the reply never came: still waiting here
    live_server.line.lose_replies = False
    network.cut()  # the connection drops and comes back: the device tries again
    network.restore()
    expect(second.locator(".app-photo__state")).to_have_text("Saved", timeout=20_000)
    assert len(_photos(live_server, assessment_id)) == 2  # the same photo, not a third
    network.expected_errors()

    # Online again, reloaded: the saved photos are thumbnails from the server, with alt text.
    site.visit(record, heading)
    thumbs = page.locator(".app-photo__thumb")
    expect(thumbs).to_have_count(2)
    expect(thumbs.first).to_have_attribute("alt", f"Photo 1 for question {ref} (IMG_2041.jpg)")
    assert thumbs.first.evaluate("img => img.naturalWidth") == 320
    first.scroll_into_view_if_needed()
    for width in (1280, 768, 375):
        page.set_viewport_size({"width": width, "height": 900})
        first.locator(".app-photos").scroll_into_view_if_needed()
        check_accessibility(page)
        site.screenshot(f"answer-photos-{width}", full_page=False)
        # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The report lists them under their findings, as thumbnails.
    page.set_viewport_size({"width": 1280, "height": 900})
    site.visit(f"/assessments/{assessment_id}/report")
    finding = page.locator(f"#finding-{ref.replace('.', '-')}")
    expect(finding.locator("img.app-photo__thumb")).to_have_attribute(
        "alt", f"Photo 1 for question {ref} (IMG_2041.jpg)"
    )
    finding.scroll_into_view_if_needed()
    site.screenshot("answer-photos-report-1280", full_page=False)

    # Removed from the recording page (through the API, the connection being there).
    site.visit(record, heading)
    second = page.locator(".app-answer[data-ref]").nth(1)
    with page.expect_response(lambda r: r.request.method == "DELETE"):
        second.get_by_role("link", name="Remove fire-door.jpg").click()
    expect(second.locator(".app-photo")).to_have_count(0)
    assert [p[0] for p in _photos(live_server, assessment_id)] == [ref]


def test_a_file_the_server_refuses_says_why_and_can_be_removed_from_the_device(
    site, live_server, evidence
):
    site.sign_in("officer@demo.example")
    page = site.page
    assessment_id = _plan(live_server, SERVICE, date(2027, 8, 15))
    code, title, _refs = _domains(live_server, assessment_id)[0]
    site.visit(f"/assessments/{assessment_id}/record/{code}", f"{title}: {SERVICE}")
    block = page.locator(".app-answer[data-ref]").first
    block.get_by_text("Add a photo or file").click()
    block.get_by_label("Or choose photos or files").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Seen: the fire doors."}
    )
    refused = block.locator(".app-photo--problem")
    expect(refused).to_contain_text(
        "Not saved: notes.txt is not a file we accept: upload a PDF, PNG, JPEG, GIF, Word, "
        "Excel, PowerPoint or OpenDocument text file"
    )
    expect(page.locator("#connection-state")).to_contain_text("1 photo is not saved yet.")
    check_accessibility(page)
    assert _photos(live_server, assessment_id) == []
    refused.get_by_role("button", name="Remove notes.txt").click()
    expect(block.locator(".app-photo")).to_have_count(0)
    expect(page.locator("#connection-state")).to_have_text("All answers are saved.")
    assert _on_device(page) == []
