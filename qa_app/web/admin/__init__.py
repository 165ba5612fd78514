"""Administrator pages: users, roles, deactivation and API tokens."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from qa_app.web.admin import emails, standards, users  # noqa: E402, F401
