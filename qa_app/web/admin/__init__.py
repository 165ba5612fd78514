"""Administrator pages: users, roles, deactivation and API tokens; background jobs; emails sent."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from qa_app.web.admin import emails, jobs, standards, users  # noqa: E402, F401
