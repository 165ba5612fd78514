"""Emails sent: the outbox, newest first (or only the failed ones), with each email's status
and text, and "Send again" for a failed one (audited, as the jobs page's "Try again")."""

from flask import current_app, flash, redirect, render_template, request, url_for

from qa_app.domain.emails import FAILED
from qa_app.services import outbox
from qa_app.services.errors import Conflict
from qa_app.web.access import admin_required, web_actor
from qa_app.web.admin import bp
from qa_app.web.forms import ButtonForm, one_of, page_number, refusal_problems


def _shown() -> dict:
    """The list's own arguments (its page, and whether only failed emails are shown), kept by
    "Send again" so that the list comes back as it was."""
    shown: dict = {}
    if one_of(request.args.get("status"), (FAILED,)):
        shown["status"] = FAILED
    if (page := page_number(request.args.get("page"))) > 1:
        shown["page"] = page
    return shown


@bp.get("/emails")
@admin_required
def email_list(problems=None, status=200):
    shown = _shown()
    page, emails = outbox.emails_page(shown.get("page"), shown.get("status"))
    return render_template(
        "admin/emails.html",
        page=page,
        emails=emails,
        counts=outbox.counts(),
        backend=current_app.config["QA_MAIL_BACKEND"],
        shown=shown,
        send_again=ButtonForm(),
        problems=problems,
        section="admin",
    ), status


@bp.post("/emails/<int:email_id>/send-again")
@admin_required
def email_send_again(email_id):
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("admin.email_list", **_shown()))
    try:
        email = outbox.send_again(web_actor(), email_id)
    except Conflict as refused:
        return email_list(problems=refusal_problems(refused, {}), status=refused.status)
    flash(f"The email to {email.recipient_email} will be sent again", "success")
    return redirect(url_for("admin.email_list", **_shown()))
