"""Sending an evidence file (plan action or notice response) once its owner's permission check
has passed: always as a download, never cached, never sniffed into something the browser runs."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, request, send_file
from flask_login import current_user

from qa_app.services import answer_photos


def evidence_download(record, path):
    response = send_file(
        path,
        mimetype=record.content_type,
        as_attachment=True,
        download_name=record.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def photo_response(record, path, thumbnail: bool):
    """A photo on an answer: its thumbnail shown in the page (a JPEG the server made itself),
    anything else as a download, like other evidence."""
    if not thumbnail:
        return evidence_download(record, path)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def add_answer_photo_route(bp: Blueprint, guard: Callable) -> None:
    """An answer's photo or file (its thumbnail with `?size=thumbnail`), on the staff pages and
    the portal alike: `guard` says who may ask; `answer_photos.photo_file` what they may see."""

    def answer_photo(assessment_id, photo_id):
        thumbnail = request.args.get("size") == "thumbnail"
        record, path = answer_photos.photo_file(current_user, assessment_id, photo_id, thumbnail)
        return photo_response(record, path, thumbnail)

    bp.get("/assessments/<int:assessment_id>/photos/<int:photo_id>")(guard(answer_photo))
