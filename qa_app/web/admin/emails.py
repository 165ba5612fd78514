"""Emails sent: the outbox, newest first, with each email's status and text."""

from flask import current_app, render_template, request

from qa_app.services import outbox
from qa_app.web.access import admin_required
from qa_app.web.admin import bp
from qa_app.web.forms import page_number


@bp.get("/emails")
@admin_required
def email_list():
    page, emails = outbox.emails_page(page_number(request.args.get("page")))
    return render_template(
        "admin/emails.html",
        page=page,
        emails=emails,
        counts=outbox.counts(),
        backend=current_app.config["QA_MAIL_BACKEND"],
        section="admin",
    )
