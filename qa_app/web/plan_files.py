"""Downloads for improvement plans (PDF, XLSX) and their evidence files, staff and portal alike."""

from __future__ import annotations

from qa_app.services import plan_export, plans
from qa_app.web.downloads import PDF, XLSX, attachment, council, slug
from qa_app.web.evidence_downloads import evidence_download


def _name(plan, extension: str) -> str:
    return f"improvement-plan-{slug(plan.service.name)}-{plan.opened_at:%Y-%m-%d}.{extension}"


def plan_pdf_response(plan):
    return attachment(plan_export.render_pdf(plan, council()), PDF, _name(plan, "pdf"))


def plan_xlsx_response(plan):
    return attachment(plan_export.render_xlsx(plan, council()), XLSX, _name(plan, "xlsx"))


def evidence_response(viewer, file_id: int):
    return evidence_download(*plans.evidence_file(viewer, file_id))
