"""Pages for council staff: officers, managers and administrators."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from qa_app.web.staff import assessments, home, providers, services, standards  # noqa: E402, F401
