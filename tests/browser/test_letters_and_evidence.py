"""Issue 13, points 5 and 9, as the people concerned do them: an officer records a service's
registered manager; the provider answers a requirement of the demo's issued notice with an
evidence file (a file that is not what its name says is refused first, with the error summary);
the officer sees and downloads the file beside the response; the letter opens "Dear <the
registered manager>," above the provider's postal address."""

import io

from playwright.sync_api import expect
from pypdf import PdfReader

SERVICE = "Heathervale Court"  # the demo's issued notice of concern is on it
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_registered_manager_letter_and_evidence_on_a_notice_response(
    new_visitor, live_server, tmp_path
):
    officer = new_visitor()
    officer.sign_in("officer@demo.example")
    page = officer.page
    officer.visit(f"/services/{live_server.service_id(SERVICE)}", SERVICE)
    officer.follow(page.get_by_role("button", name="Change details"), f"Change {SERVICE}")
    page.get_by_label("Registered manager").fill("Nadia Okoro")
    officer.follow(page.get_by_role("button", name="Save changes"), SERVICE)
    details = page.locator(".govuk-summary-list").first
    expect(
        details.locator(".govuk-summary-list__row", has_text="Registered manager")
    ).to_contain_text("Nadia Okoro")

    provider = new_visitor()
    provider.sign_in("provider@demo.example", lands_on="Your services")
    ppage = provider.page
    notices = ppage.get_by_role("table", name="Notices from the council")
    provider.follow(notices.get_by_role("row").filter(has_text=SERVICE).get_by_role("link"))
    second = ppage.locator(".app-requirement", has_text="Rectification requirement 2")
    fake = tmp_path / "training record.pdf"
    fake.write_bytes(b"just some words")
    second.get_by_label("Your response").fill("Competency training booked for every nurse.")
    second.get_by_label("Attach evidence (optional)").set_input_files(str(fake))
    provider.follow(second.get_by_role("button", name="Send response"), status=422)
    assert provider.errors() == [
        "training record.pdf is not a file we accept: upload a PDF, PNG, JPEG, GIF, Word, "
        "Excel, PowerPoint or OpenDocument text file (your response to rectification "
        "requirement 2)"
    ]
    provider.follow_error("training record.pdf is not a file we accept")
    second = ppage.locator(".app-requirement", has_text="Rectification requirement 2")
    expect(second.get_by_label("Attach evidence (optional)")).to_be_focused()
    expect(second.get_by_label("Your response")).to_have_value(
        "Competency training booked for every nurse."
    )
    real = tmp_path / "training plan.pdf"
    real.write_bytes(PDF)
    second.get_by_label("Attach evidence (optional)").set_input_files(str(real))
    provider.follow(second.get_by_role("button", name="Send response"))
    expect(provider.banner()).to_contain_text("training plan.pdf have been sent to the council")
    expect(ppage.get_by_role("link", name="training plan.pdf")).to_be_visible()
    provider.screenshot("letters-portal-evidence")

    officer.go_to("Notices")
    officer.follow(
        page.get_by_role("row")
        .filter(has_text=SERVICE)
        .filter(has_text="Issued")
        .get_by_role("link")
        .first
    )
    response_cell = page.get_by_role("row").filter(has_text="Competency training booked")
    with page.expect_download() as download:
        response_cell.get_by_role("link", name="training plan.pdf").click()
    assert download.value.suggested_filename == "training plan.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PDF
    officer.screenshot("letters-staff-evidence")

    with page.expect_download() as letter:
        page.get_by_role("link", name="Download the letter (PDF)").click()
    letter_path = tmp_path / "letter.pdf"
    letter.value.save_as(letter_path)
    pages = PdfReader(io.BytesIO(letter_path.read_bytes())).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Dear Nadia Okoro," in text
    assert "Registered manager, Heathervale Court Heathervale Care Ltd" in text
    assert "14 Station Road Morpeth NE61 1AB" in text
