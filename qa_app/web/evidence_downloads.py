"""Sending an evidence file (plan action or notice response) once its owner's permission check
has passed: always as a download, never cached, never sniffed into something the browser runs."""

from __future__ import annotations

from flask import send_file


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
