"""The report's downloadable files, one entry per format: the API and the staff pages serve the
same files from this one list (SPEC section 8: `.pdf`, `.csv` as a zip of tables, `.xlsx`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qa_app.services.quad_report import formats, pdf
from qa_app.services.quad_report.report import QuadReport


@dataclass(frozen=True)
class ReportFile:
    extension: str  # in the address: /reports/quad/2026-10.pdf
    download: str  # the downloaded file's extension (the CSV tables come as a zip)
    media_type: str
    summary: str
    render: Callable[[QuadReport, str], bytes]  # (report, council name) -> the file

    def name(self, report: QuadReport) -> str:
        return formats.download_name(report, self.download)


FILES = (
    ReportFile("pdf", "pdf", "application/pdf", "The monthly QuAD report as a PDF", pdf.render),
    ReportFile(
        "csv",
        "zip",
        "application/zip",
        "The monthly QuAD report's tables: a zip of CSV files, one per table",
        formats.csv_zip,
    ),
    ReportFile(
        "xlsx",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "The monthly QuAD report's tables as an XLSX workbook, a sheet per table",
        formats.xlsx,
    ),
)
