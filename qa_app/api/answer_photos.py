"""/api/v1/assessments/{id}/answers/{ref}/photos: photos and files as evidence on an answer.

Sent as multipart/form-data (`file`, `client_id`); the device's `client_id` makes a resend after
a lost reply the same photo. What is kept of an image carries no metadata (no GPS position)."""

from __future__ import annotations

from datetime import datetime

from flask import Response, request
from pydantic import Field

from qa_app.api.auth import api_actor, api_user
from qa_app.api.errors import BadRequest
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import Response as ResponseModel
from qa_app.domain import answer_photos as rules
from qa_app.domain.evidence_files import ALLOWED_WORDS, MAX_EVIDENCE_BYTES
from qa_app.services import answer_photos
from qa_app.services.errors import ValidationFailed

UPLOAD = {
    "type": "object",
    "required": ["file", "client_id"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": f"A {ALLOWED_WORDS} file of at most 10 MB. An image is kept as a "
            f"JPEG at most {rules.MAX_SIDE} pixels on its longest side, without metadata.",
        },
        "client_id": {
            "type": "string",
            "pattern": rules.CLIENT_ID.pattern,
            "description": "Made by the sending device (a UUID): sending the same client_id "
            "again returns the photo already kept, not a second one",
        },
    },
}


class PhotoOut(ResponseModel):
    id: int
    question_ref: str
    client_id: str
    filename: str
    content_type: str
    size: int
    width: int | None = Field(description="Pixels, for an image")
    height: int | None = Field(description="Pixels, for an image")
    uploaded_by: str
    uploaded_at: datetime


def photo_out(photo) -> PhotoOut:
    return PhotoOut.of(photo, uploaded_by=photo.uploaded_by_label)


@endpoint(
    "/assessments/<int:assessment_id>/answers/<question_ref>/photos",
    "POST",
    summary="Add a photo or file as evidence on an answer (sent again: the same photo)",
    tag="assessments",
    response=PhotoOut,
    status=201,
    errors=(409, 422),
    upload=UPLOAD,
)
def add_photo(assessment_id: int, question_ref: str):
    user, actor = api_user(), api_actor()
    answer_photos.check_can_add(user, assessment_id, question_ref[:20])  # before reading the file
    if request.mimetype != "multipart/form-data":
        raise BadRequest("Send the photo or file as multipart/form-data, with client_id")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed({"file": "Send the photo or file as the multipart part named file"})
    data = upload.stream.read(MAX_EVIDENCE_BYTES + 1)
    added = answer_photos.add_photo(
        actor,
        user,
        assessment_id,
        question_ref[:20],
        upload.filename,
        data,
        request.form.get("client_id"),
    )
    return photo_out(added.photo)


@endpoint(
    "/assessments/<int:assessment_id>/photos/<int:photo_id>",
    "DELETE",
    summary="Remove a photo or file from an answer",
    tag="assessments",
    status=204,
    errors=(409,),
)
def remove_photo(assessment_id: int, photo_id: int):
    answer_photos.remove_photo(api_actor(), api_user(), assessment_id, photo_id)
    response = Response(status=204)
    del response.headers["Content-Type"]  # no content, so no type
    return response
