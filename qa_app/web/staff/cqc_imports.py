"""Staff pages for importing CQC's monthly ratings file: upload, progress, preview, confirm,
history."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
)
from wtforms import RadioField, SelectMultipleField

from qa_app.domain import limits
from qa_app.domain.codes import SERVICE_TYPES, whole_number
from qa_app.domain.cqc_successors import DIFFERENT, SAME
from qa_app.domain.service_closing import CQC_FILE_REASON
from qa_app.domain.wording import count
from qa_app.services import cqc_choices, cqc_decisions, cqc_import
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import (
    ButtonForm,
    apply_errors,
    ask_for_file_again,
    options,
    page_number,
    refusal_problems,
    select_field,
    text_input,
)
from qa_app.web.staff import bp
from qa_app.web.views import ImportView


class CqcUploadForm(FlaskForm):
    file = FileField(
        "CQC ratings file",
        widget=GovFileInput(),
        description=(
            "CQC's “care directory with ratings” spreadsheet as downloaded (ODS), or saved as "
            "XLSX or CSV"
        ),
    )
    local_authority = text_input(
        "Local authority for new services (optional)",
        limits.LOCAL_AUTHORITY,
        optional=True,
        description=(
            "Locations in this local authority that the council does not know yet are added as "
            "new services. Spell it as CQC does, for example Northumberland. Leave blank to "
            "only update the services you already have."
        ),
    )


def _type_field(location_id: str) -> str:
    return "type_" + location_id.replace("-", "_")


def types_form(record, formdata=None) -> FlaskForm:
    """One choice per new service whose type the file cannot tell (SERVICE_TYPES by the
    location's choices); the field for a location is `type_<location ID>`."""

    class ServiceTypesForm(FlaskForm):
        pass

    for new in (record.preview or {}).get("new_services", []):
        choices = new.get("type_choices") or []
        if len(choices) > 1:
            field = select_field(
                f"Type of {new['name']}",
                choices=options([("", "Choose a type")] + [(t, SERVICE_TYPES[t]) for t in choices]),
                default=new["service_type"],
            )
            setattr(ServiceTypesForm, _type_field(new["location_id"]), field)
    return ServiceTypesForm(formdata=formdata)


def _successor_field(location_id: str) -> str:
    return "same_" + location_id.replace("-", "_")


def successors_form(record, formdata=None) -> FlaskForm:
    """For each new location that looks like a known service: the same service registered
    again, or a different one; the field for a location is `same_<new location ID>`."""

    class SuccessorsForm(FlaskForm):
        pass

    for pair in (record.preview or {}).get("successors", []):
        field = RadioField(
            f"Is {pair['new_name']} ({pair['new_location_id']}) {pair['name']}?",
            widget=GovRadioInput(),
            choices=options(
                [
                    (SAME, f"Yes: the same service, now registered by {pair['new_provider_name']}"),
                    (DIFFERENT, "No: a different service, to add as new"),
                ]
            ),
            default=pair["decision"] or None,
            validate_choice=False,  # the use case says what is wrong, in words
        )
        setattr(SuccessorsForm, _successor_field(pair["new_location_id"]), field)
    return SuccessorsForm(formdata=formdata)


class ClosingsForm(FlaskForm):
    close = SelectMultipleField(
        "Mark closed when the file is imported",
        widget=GovCheckboxesInput(),
        coerce=str,
        validate_choice=False,  # the use case says what is wrong, in words
    )


def closings_form(record, formdata=None) -> ClosingsForm:
    """A box for each known service this file may mark closed (`cqc_decisions.closable`)."""
    stored = record.preview or {}
    form = ClosingsForm(formdata=formdata)
    form.close.choices = [
        (str(sid), f"{item['name']} ({item['location_id']})")
        for sid, item in sorted(
            cqc_decisions.closable(stored).items(), key=lambda i: i[1]["name"].casefold()
        )
    ]
    if formdata is None:
        form.close.data = [str(sid) for sid in stored.get("closings", [])]
    return form


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
                # Served for real, the worker reads it (`qa worker`); in tests, this request.
                if not current_app.config.get(
                    "QA_CQC_IMPORT_IN_BACKGROUND", not current_app.testing
                ):
                    cqc_import.read_now(record.id, f"web request {request.remote_addr}")
                return redirect(url_for("staff.cqc_import_page", import_id=record.id))
    ask_for_file_again(form, form.file)
    return render_template(
        "staff/cqc/upload.html", form=form, section="services"
    ), 422 if form.errors else 200


@bp.get("/cqc-imports")
@staff_required
def cqc_import_list():
    imports, page = cqc_import.list_imports(page_number(request.args.get("page")))
    return render_template(
        "staff/cqc/list.html",
        imports=[ImportView(record) for record in imports],
        page=page,
        section="services",
    )


@bp.get("/cqc-imports/<int:import_id>")
@staff_required
def cqc_import_page(import_id, problems=None, status=200, sent=None):
    """problems: why confirming or discarding was refused (someone else decided first); sent:
    the decision form posted and refused ({"types" or "successors": form}), shown again."""
    record = cqc_import.get_import(import_id)
    sent = sent or {}
    return render_template(
        "staff/cqc/show.html",
        record=record,
        view=ImportView(record),
        stalled=cqc_import.is_stalled(record),
        no_worker=cqc_import.no_worker_yet(record),
        step_form=ButtonForm(),
        types=sent.get("types") or types_form(record),
        successors=sent.get("successors") or successors_form(record),
        closings=sent.get("closings") or closings_form(record),
        closed_reason=CQC_FILE_REASON,
        form=next(iter(sent.values()), None),  # its errors head the page
        type_field=_type_field,
        successor_field=_successor_field,
        problems=problems,
        section="services",
    ), status


def _decide(import_id, name: str, make_form, items: str, key: str, field_of, save, said, anchor):
    """One of the officer's decisions on a preview (new services' types, possible successors):
    the form's fields by location ID, saved by `save`; the page again with what is wrong."""
    record = cqc_import.get_import(import_id)
    form = make_form(record, request.form)
    if not form.validate_on_submit():
        return cqc_import_page(import_id, status=400, sent={name: form})
    by_field = {field_of(item[key]): item[key] for item in record.preview.get(items, [])}
    decided = {by_field[f.name]: f.data or "" for f in form if f.name in by_field}
    try:
        record = save(web_actor(), import_id, decided)
    except ValidationFailed as refused:
        apply_errors(form, {field_of(k): v for k, v in refused.errors.items()})
        return cqc_import_page(import_id, status=422, sent={name: form})
    except Conflict as refused:
        return _refused(import_id, refused)
    flash(said(ImportView(record)), "success")
    return redirect(url_for("staff.cqc_import_page", import_id=import_id, _anchor=anchor))


@bp.post("/cqc-imports/<int:import_id>/successors")
@staff_required
def cqc_import_successors(import_id):
    return _decide(
        import_id,
        "successors",
        successors_form,
        "successors",
        "new_location_id",
        _successor_field,
        cqc_choices.set_successors,
        lambda view: (
            f"Saved: {count(view.successors_to_decide, 'location')} still to decide"
            if view.successors_to_decide
            else "Saved"
        ),
        "successors",
    )


@bp.post("/cqc-imports/<int:import_id>/service-types")
@staff_required
def cqc_import_service_types(import_id):
    return _decide(
        import_id,
        "types",
        types_form,
        "new_services",
        "location_id",
        _type_field,
        cqc_choices.set_service_types,
        lambda view: (
            f"Types saved: {count(view.types_to_choose, 'new service')} still to choose"
            if view.types_to_choose
            else "Every new service has a type: you can import the file now"
        ),
        "new-services",
    )


@bp.post("/cqc-imports/<int:import_id>/closings")
@staff_required
def cqc_import_closings(import_id):
    record = cqc_import.get_import(import_id)
    form = closings_form(record, request.form)
    if not form.validate_on_submit():
        return cqc_import_page(import_id, status=400, sent={"closings": form})
    chosen = [n for v in form.close.data or [] if (n := whole_number(v, max_digits=11)) is not None]
    if len(chosen) != len(form.close.data or []):
        form.close.errors = ["Choose from the services listed"]
        return cqc_import_page(import_id, status=422, sent={"closings": form})
    try:
        record = cqc_choices.set_closings(web_actor(), import_id, chosen)
    except ValidationFailed as refused:
        form.close.errors = list(dict.fromkeys(refused.errors.values()))
        return cqc_import_page(import_id, status=422, sent={"closings": form})
    except Conflict as refused:
        return _refused(import_id, refused)
    n = len(record.preview.get("closings", []))
    flash(
        f"Saved: {count(n, 'service')} will be marked closed when the file is imported"
        if n
        else "Saved: no service will be marked closed",
        "success",
    )
    return redirect(url_for("staff.cqc_import_page", import_id=import_id, _anchor="missing"))


def _refused(import_id, refused):
    return cqc_import_page(import_id, problems=refusal_problems(refused, {}), status=refused.status)


@bp.get("/cqc-imports/<int:import_id>/progress")
@staff_required
def cqc_import_progress(import_id):
    record = cqc_import.get_import(import_id)
    return jsonify(
        status=record.status,
        percent_read=record.percent_read,
        stalled=cqc_import.is_stalled(record),
        no_worker=cqc_import.no_worker_yet(record),
    )


@bp.post("/cqc-imports/<int:import_id>/commit")
@staff_required
def cqc_import_commit(import_id):
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            record = cqc_import.commit_import(web_actor(), import_id)
        except (Conflict, ValidationFailed) as refused:
            return _refused(import_id, refused)
        else:
            applied = record.counts.get("applied", {})
            if (
                applied.get("changed_services")
                or applied.get("new_services")
                or applied.get("closed")
            ):
                flash(
                    f"{record.filename} has been imported: "
                    f"{count(applied['changed_services'], 'service')} updated, "
                    f"{count(applied['new_services'], 'service')} added"
                    + (f", {applied['closed']} closed" if applied.get("closed") else ""),
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
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            record = cqc_import.discard(web_actor(), import_id)
        except Conflict as refused:
            return _refused(import_id, refused)
        else:
            flash(f"{record.filename} has been discarded: nothing was imported", "success")
            return redirect(url_for("staff.cqc_import_list"))
    return redirect(url_for("staff.cqc_import_page", import_id=import_id))
