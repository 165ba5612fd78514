"""Administrators upload a new version of a standard set: validate, preview, then confirm."""

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import HiddenField

from qa_app.services import standards
from qa_app.web.access import admin_required, web_actor
from qa_app.web.admin import bp


class UploadForm(FlaskForm):
    file = FileField(
        "Set file",
        widget=GovFileInput(),
        description="A .yaml file in the format of the files in audit_standards/, with a new version number",
    )


class ConfirmUploadForm(FlaskForm):
    filename = HiddenField()
    content = HiddenField()


@bp.route("/standards/upload", methods=["GET", "POST"])
@admin_required
def standards_upload():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            form.file.errors = ["Choose a set file to upload"]
        else:
            filename = upload.filename.rsplit("/", 1)[-1][:200]
            try:
                text = standards.read_upload(upload.read(standards.MAX_UPLOAD_BYTES + 1), filename)
                preview = standards.preview_upload(text, filename)
            except standards.SetsRefused as refused:
                form.file.errors = [str(p) for p in refused.problems]
            else:
                confirm = ConfirmUploadForm(formdata=None, filename=filename, content=text)
                return render_template(
                    "admin/standards_preview.html",
                    preview=preview,
                    confirm=confirm,
                    section="standards",
                )
    return render_template("admin/standards_upload.html", form=form, section="standards")


@bp.post("/standards/upload/confirm")
@admin_required
def standards_upload_confirm():
    form = ConfirmUploadForm()
    if not form.validate_on_submit() or not form.content.data:
        return redirect(url_for("admin.standards_upload"))
    try:
        result = standards.load_upload(
            web_actor(), form.content.data, form.filename.data or "upload.yaml"
        )
    except standards.SetsRefused as refused:
        upload = UploadForm(formdata=None)
        upload.file.errors = [str(p) for p in refused.problems]
        return render_template("admin/standards_upload.html", form=upload, section="standards"), 422
    loaded = result.loaded or result.unchanged
    key, _, version = loaded[0].partition(" v")
    flash(f"{loaded[0]} {'has been loaded' if result.loaded else 'was already loaded'}", "success")
    return redirect(url_for("staff.standard_set", key=key, version=int(version)))
