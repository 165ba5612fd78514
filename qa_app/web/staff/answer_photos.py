"""Photos and files on the recording page: shown (thumbnails), sent with the form without
JavaScript, and removed while the assessment may be recorded. With JavaScript the page's script
(qa_app/static/photos.js) sends them through the API instead, queued on the device when offline."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from qa_app.domain import answer_photos as rules
from qa_app.domain.evidence_files import MAX_EVIDENCE_BYTES
from qa_app.services import answer_photos, assessments
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.evidence_downloads import add_answer_photo_route
from qa_app.web.forms import ButtonForm
from qa_app.web.staff import bp


def photos_field(key: str) -> str:
    """The name of a question's two file inputs (camera and files) on the recording page."""
    return f"{key}-photos"


def take_posted(assessment, questions, anchor) -> tuple[int, dict[str, str]]:
    """The photos and files posted with the recording form (a browser without JavaScript): how
    many were kept, and {question: why one was refused}."""
    kept, errors = 0, {}
    for q in questions:
        for upload in request.files.getlist(photos_field(anchor(q.ref))):
            if not upload or not upload.filename:
                continue
            data = upload.stream.read(MAX_EVIDENCE_BYTES + 1)
            try:
                answer_photos.add_photo(
                    web_actor(),
                    current_user,
                    assessment.id,
                    q.ref,
                    upload.filename,
                    data,
                    uuid.uuid4().hex,
                )
                kept += 1
            except (ValidationFailed, Conflict) as refused:
                message = (
                    next(iter(refused.errors.values()))
                    if isinstance(refused, ValidationFailed)
                    else refused.message
                )
                errors[q.ref] = f"Question {q.ref}: {message}"
    return kept, errors


def photo_context(assessment) -> dict:
    """What the recording page's photo include needs."""
    return {
        "photos": answer_photos.photos_for(assessment),
        "photo_field": photos_field,
        "photo_alt": rules.alt_text,
        "consent_note": rules.CONSENT_NOTE,
        "max_side": rules.MAX_SIDE,
    }


add_answer_photo_route(bp, staff_required)


@bp.route("/assessments/<int:assessment_id>/photos/<int:photo_id>/remove", methods=["GET", "POST"])
@staff_required
def answer_photo_remove(assessment_id, photo_id):
    """Asks first (a link from the recording page, which is one big form), then removes."""
    photo, _path = answer_photos.photo_file(current_user, assessment_id, photo_id)
    assessment = assessments.get_assessment(current_user, assessment_id)
    ref = photo.question_ref
    domain = next(q.domain_code for q in assessments.questions_for(assessment) if q.ref == ref)
    back = (
        url_for("staff.assessment_record", assessment_id=assessment_id, domain=domain)
        + f"#q-{ref.replace('.', '-')}"
    )
    form = ButtonForm()
    problem = None
    if form.validate_on_submit():
        try:
            answer_photos.remove_photo(web_actor(), current_user, assessment_id, photo_id)
        except Conflict as refused:
            problem = refused.message
        else:
            flash(f"{photo.filename} removed from question {ref}", "success")
            return redirect(back)
    elif request.method == "POST":
        problem = "The page had expired: remove it again"
    return render_template(
        "staff/assessments/remove_photo.html",
        assessment=assessment,
        photo=photo,
        back=back,
        form=form,
        problems={"": problem} if problem else {},
        section="assessments",
    ), 409 if problem else 200
