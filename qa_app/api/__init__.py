"""The JSON API under /api/v1 (SPEC section 10)."""

from flask import Blueprint

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

from qa_app.api import (  # noqa: E402, F401
    answer_photos,
    assessments,
    concerns,
    errors,
    notices,
    openapi_view,
    plans,
    providers,
    reports,
    services,
    standard_sets,
)
