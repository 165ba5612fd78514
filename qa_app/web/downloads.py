"""Files the pages hand over as downloads: the reports, letters, plans and exports, staff and
portal alike. One place names them and sends them."""

from __future__ import annotations

import io
import re

from flask import current_app, send_file

from qa_app.domain.lifecycle import is_published
from qa_app.domain.notices import is_draft
from qa_app.services import notice_letter, report_pdf

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def slug(name: str) -> str:
    """A name safe in a file name: "Heathervale Court" → "heathervale-court"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def attachment(data: bytes, mimetype: str, download_name: str):
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=download_name
    )


def council() -> str:
    return current_app.config["QA_COUNCIL_NAME"]


def assessment_pdf(assessment):
    draft = "" if is_published(assessment.status) else "-draft"
    name = (
        f"assessment-{slug(assessment.service.name)}-{assessment.visit_date.isoformat()}{draft}.pdf"
    )
    return attachment(report_pdf.render(assessment, council()), PDF, name)


def notice_letter_pdf(notice):
    kind = notice.kind.replace("_", "-")
    draft = "-draft" if is_draft(notice.status) else ""
    name = f"{kind}-{notice.id}-{slug(notice.service.name)}{draft}.pdf"
    return attachment(notice_letter.render(notice, council()), PDF, name)
