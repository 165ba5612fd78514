"""The staff home page: what needs attention today."""

from flask import render_template
from flask_login import current_user

from qa_app.services import dashboard
from qa_app.web.access import staff_required
from qa_app.web.staff import bp


@bp.get("/home")
@staff_required
def home():
    summary = dashboard.staff_summary(current_user)
    return render_template("staff/home.html", summary=summary, section="home")
