"""Staff pages for importing CQC's monthly ratings file: upload, progress, preview, confirm,
history; and the service list as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovTextInput
from wtforms import StringField
from wtforms.validators import Length, Optional

from qa_app.domain.wording import count
from qa_app.services import cqc_import, registry
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.downloads import CSV, XLSX, attachment
from qa_app.web.filters import LONDON
from qa_app.web.forms import apply_errors
from qa_app.web.staff import bp
from qa_app.web.staff.forms import ServiceFilterForm


class CqcUploadForm(FlaskForm):
    file = FileField(
        "CQC ratings file",
        widget=GovFileInput(),
        description=(
            "CQC's “care directory with ratings” spreadsheet as downloaded (ODS), or saved as "
            "XLSX or CSV"
        ),
    )
    local_authority = StringField(
        "Local authority for new services (optional)",
        widget=GovTextInput(),
        description=(
            "Locations in this local authority that the council does not know yet are added as "
            "new services. Spell it as CQC does, for example Northumberland. Leave blank to "
            "only update the services you already have."
        ),
        validators=[Optional(), Length(max=100, message="Must be 100 characters or fewer")],
    )


class StepForm(FlaskForm):
    """Confirm or discard: a CSRF token and nothing else."""


def _allow_large_upload() -> None:
    """CQC's file is larger than the app's usual request limit. The limit is raised for this
    one address before anything reads the body (the CSRF check reads the form first)."""
    if request.endpoint == "staff.cqc_import_new":
        request.max_content_length = cqc_import.MAX_UPLOAD_BYTES + 1024 * 1024


bp.record_once(
    lambda state: state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_large_upload)
)


@bp.route("/cqc-imports/new", methods=["GET", "POST"])
@staff_required
def cqc_import_new():
    form = CqcUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            form.file.errors = ["Choose CQC's ratings file to upload"]
        else:
            try:
                record = cqc_import.start_upload(
                    web_actor(), upload.stream, upload.filename, form.local_authority.data
                )
            except ValidationFailed as failed:
                apply_errors(form, failed.errors)
            else:
                if current_app.config.get("QA_CQC_IMPORT_IN_BACKGROUND", not current_app.testing):
                    cqc_import.start_in_background(current_app._get_current_object(), record.id)
                else:
                    cqc_import.run_preview(record.id)
                return redirect(url_for("staff.cqc_import_page", import_id=record.id))
    return render_template("staff/cqc/upload.html", form=form, section="services")


@bp.get("/cqc-imports")
@staff_required
def cqc_import_list():
    page_arg = request.args.get("page", "1")
    imports, page = cqc_import.list_imports(int(page_arg) if page_arg.isdigit() else 1)
    return render_template("staff/cqc/list.html", imports=imports, page=page, section="services")


@bp.get("/cqc-imports/<int:import_id>")
@staff_required
def cqc_import_page(import_id):
    record = cqc_import.get_import(import_id)
    return render_template(
        "staff/cqc/show.html",
        record=record,
        stalled=cqc_import.is_stalled(record),
        step_form=StepForm(),
        section="services",
    )


@bp.get("/cqc-imports/<int:import_id>/progress")
@staff_required
def cqc_import_progress(import_id):
    record = cqc_import.get_import(import_id)
    return jsonify(
        status=record.status,
        percent_read=record.percent_read,
        stalled=cqc_import.is_stalled(record),
    )


@bp.post("/cqc-imports/<int:import_id>/commit")
@staff_required
def cqc_import_commit(import_id):
    form = StepForm()
    if form.validate_on_submit():
        try:
            record = cqc_import.commit_import(web_actor(), import_id)
        except (Conflict, ValidationFailed) as refused:
            flash(refused.message, "error")
        else:
            applied = record.counts.get("applied", {})
            if applied.get("changed_services") or applied.get("new_services"):
                flash(
                    f"{record.filename} has been imported: "
                    f"{count(applied['changed_services'], 'service')} updated, "
                    f"{count(applied['new_services'], 'service')} added",
                    "success",
                )
            elif applied.get("kept_newer"):
                flash(
                    f"{record.filename} has been imported. Nothing changed: more recent CQC "
                    "ratings had been recorded since it was checked, and were kept.",
                    "success",
                )
            else:
                flash(
                    f"{record.filename} has been imported. Nothing changed: every rating in it "
                    "was already recorded.",
                    "success",
                )
    return redirect(url_for("staff.cqc_import_page", import_id=import_id))


@bp.post("/cqc-imports/<int:import_id>/discard")
@staff_required
def cqc_import_discard(import_id):
    form = StepForm()
    if form.validate_on_submit():
        try:
            record = cqc_import.discard(web_actor(), import_id)
        except Conflict as refused:
            flash(refused.message, "error")
        else:
            flash(f"{record.filename} has been discarded: nothing was imported", "success")
            return redirect(url_for("staff.cqc_import_list"))
    return redirect(url_for("staff.cqc_import_page", import_id=import_id))


# ---------------------------------------------------------------- export

EXPORT_COLUMNS = (
    "Service",
    "Provider",
    "CQC location ID",
    "Type",
    "Cluster",
    "Postcode",
    "Registered beds",
    "Contract officer",
    "CQC rating",
    "CQC rating date",
    "Risk",
)


def _export_rows(services) -> list[list]:
    return [
        [
            s.name,
            s.provider.name,
            s.cqc_location_id or "",
            s.service_type_label,
            s.cluster,
            s.postcode or "",
            s.beds if s.beds is not None else "",
            s.contract_officer.name if s.contract_officer else "",
            s.cqc_rating,
            s.cqc_rating_date or "",
            s.risk.title(),
        ]
        for s in services
    ]


def _safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/services/export.<any(csv, xlsx):fmt>")
@staff_required
def service_export(fmt):
    from qa_app.web.staff.services import filters_from_request

    form = ServiceFilterForm(request.args)
    filters = filters_from_request(form)
    rows = _export_rows(registry.all_services(current_user, filters))
    stamp = datetime.now(LONDON).strftime("%Y-%m-%d")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(
                [_safe_cell(v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v) for v in row]
            )
        data = ("\ufeff" + out.getvalue()).encode("utf-8")
        return attachment(data, CSV, f"services-{stamp}.csv")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Services")
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([_safe_cell(v) if v != "" else None for v in row])
    data = io.BytesIO()
    book.save(data)
    return attachment(data.getvalue(), XLSX, f"services-{stamp}.xlsx")
