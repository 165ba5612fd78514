"""The monthly QuAD report in Chromium (issue 16): a manager opens it from the menu on the last
full month, changes the month, follows a number to the list behind it, and downloads the PDF,
the spreadsheet and the CSV files; every page passes axe-core."""

import io
import zipfile
from datetime import UTC, datetime

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from qa_app.domain.months import last_full_month, month_of

MANAGER = "manager@demo.example"


def test_a_manager_reads_the_months_report_and_downloads_it(site, tmp_path):
    now = datetime.now(UTC)
    last, current = last_full_month(now), month_of(now)
    site.sign_in(MANAGER)
    site.go_to("QuAD", f"QuAD report: {last.label}")
    page = site.page
    expect(page.get_by_label("Month", exact=True)).to_have_value(str(last))
    site.screenshot("quad-report-last-month")

    # the demo council's concerns and notices are this month's
    page.get_by_label("Month", exact=True).select_option(str(current))
    site.follow(page.get_by_role("button", name="Show report"), f"QuAD report: {current.label}")
    received = page.locator('tr[data-figure="concerns.received.total"] td').first
    total = int(received.inner_text().replace(",", ""))
    assert total > 0
    site.screenshot("quad-report-this-month")

    site.follow(received.get_by_role("link"), "Concerns received by risk level: total")
    expect(page.get_by_role("status")).to_contain_text(f"of {total}")
    assert len(page.locator("tbody tr").all()) == total
    site.screenshot("quad-report-list-behind-a-number")
    site.follow(
        page.get_by_role("link", name=f"QuAD report: {current.label}"),
        f"QuAD report: {current.label}",
    )

    downloads = {}
    for name, link in (
        ("pdf", "PDF for the meeting (with charts)"),
        ("xlsx", "Spreadsheet (XLSX, a sheet per table)"),
        ("zip", "CSV files (a zip, one file per table)"),
    ):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        assert download.value.suggested_filename == f"quad-report-{current}.{name}"
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        downloads[name] = path.read_bytes()

    pdf = PdfReader(io.BytesIO(downloads["pdf"]))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert f"QuAD report: {current.label}" in text and "Contents" in text
    assert f"Page {len(pdf.pages)} of {len(pdf.pages)}" in text
    book = load_workbook(io.BytesIO(downloads["xlsx"]))
    assert "Concerns by risk" in book.sheetnames
    sheet = book["Concerns by risk"]
    totals = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Total"]
    assert totals[0][1] == total  # a number, and the page's number
    files = zipfile.ZipFile(io.BytesIO(downloads["zip"])).namelist()
    assert "05-concerns-by-risk.csv" in files
