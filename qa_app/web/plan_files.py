"""Downloads for improvement plans (PDF, XLSX) and their evidence files, staff and portal alike."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask_login import current_user

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


def add_plan_file_routes(bp: Blueprint, guard: Callable) -> None:
    """The plan's PDF and XLSX and its evidence files, on the staff pages and the portal alike:
    `guard` says who may ask (staff_required, provider_required); `plans` says what they see."""

    def plan_pdf(plan_id):
        return plan_pdf_response(plans.get_plan(current_user, plan_id))

    def plan_xlsx(plan_id):
        return plan_xlsx_response(plans.get_plan(current_user, plan_id))

    def evidence_download(file_id):
        return evidence_response(current_user, file_id)

    bp.get("/plans/<int:plan_id>/plan.pdf")(guard(plan_pdf))
    bp.get("/plans/<int:plan_id>/plan.xlsx")(guard(plan_xlsx))
    bp.get("/plans/evidence/<int:file_id>")(guard(evidence_download))
