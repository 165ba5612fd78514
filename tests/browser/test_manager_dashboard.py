"""The managers' dashboard in Chromium (issue 16, item 5): a manager signs in to it, follows a
count to its list and sees that many rows, opens the month's QuAD report from it and downloads
each format; every page passes axe-core; screenshots at 1280, 768 and 375 pixels wide."""

import io
import re
import zipfile
from datetime import UTC, datetime

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from qa_app.domain.months import last_full_month

MANAGER = "manager@demo.example"
WIDTHS = (1280, 768, 375)


def _count(card) -> int:
    return int(card.locator(".app-card__count").inner_text().strip())


def test_a_manager_follows_a_count_then_takes_the_months_report(site, tmp_path):
    site.sign_in(MANAGER)
    page = site.page
    expect(page.get_by_role("heading", name="Concerns and notices")).to_be_visible()
    cards = page.locator("a.app-card")
    assert cards.count() == 8
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        site.screenshot(f"manager-dashboard-{width}")
        # nothing wider than the screen (no sideways scrolling)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})

    # follow the largest count (the demo council has concerns, notices and assessments)
    counts = [_count(cards.nth(i)) for i in range(cards.count())]
    chosen = cards.nth(counts.index(max(counts)))
    expected, words = max(counts), chosen.inner_text()
    assert expected > 0, "the demo council should give the dashboard something to count"
    site.follow(chosen)
    status = page.get_by_role("status").inner_text()
    assert re.search(rf"of {expected}\b", status), (words, status)
    assert page.locator("tbody tr").count() == expected, words
    site.screenshot("manager-dashboard-followed")

    # back home, and on to last month's QuAD report, in each format
    site.go_to("Home", "Home")
    month = last_full_month(datetime.now(UTC))
    site.follow(
        page.get_by_role("link", name=f"Open the QuAD report for {month.label}"),
        f"QuAD report: {month.label}",
    )
    downloads = {}
    for name, link in (
        ("pdf", "PDF for the meeting (with charts)"),
        ("xlsx", "Spreadsheet (XLSX, a sheet per table)"),
        ("zip", "CSV files (a zip, one file per table)"),
    ):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        assert download.value.suggested_filename == f"quad-report-{month}.{name}"
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        downloads[name] = path.read_bytes()
    pdf = PdfReader(io.BytesIO(downloads["pdf"]))
    assert f"QuAD report: {month.label}" in " ".join(pdf.pages[0].extract_text().split())
    assert "Concerns by risk" in load_workbook(io.BytesIO(downloads["xlsx"])).sheetnames
    assert "05-concerns-by-risk.csv" in zipfile.ZipFile(io.BytesIO(downloads["zip"])).namelist()
