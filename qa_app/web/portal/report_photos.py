"""Photos and files on the answers of a report the provider may read (its own service's shared
draft or published report); otherwise the same "not found" as a missing one."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from qa_app.services import answer_photos
from qa_app.web.access import provider_required
from qa_app.web.evidence_downloads import photo_response
from qa_app.web.portal import bp


@bp.get("/assessments/<int:assessment_id>/photos/<int:photo_id>")
@provider_required
def answer_photo(assessment_id, photo_id):
    thumbnail = request.args.get("size") == "thumbnail"
    record, path = answer_photos.photo_file(current_user, assessment_id, photo_id, thumbnail)
    return photo_response(record, path, thumbnail)
