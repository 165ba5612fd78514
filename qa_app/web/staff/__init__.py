"""Pages for council staff: officers, managers and administrators."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from qa_app.web.staff import (  # noqa: E402, F401
    answer_photos,
    assessment_comments,
    assessments,
    concerns,
    cqc_imports,
    home,
    market,
    notices,
    plans,
    programme,
    providers,
    quad_meeting,
    reports,
    service_closing,
    services,
    standards,
)
