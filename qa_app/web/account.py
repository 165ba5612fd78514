"""A signed-in user's own pages, staff and provider alike: their notifications (the emails
written for them, services/inbox.py) and their account (email preferences)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField

from qa_app.domain.notification_rules import FREQUENCY_LABELS
from qa_app.services import inbox
from qa_app.services.errors import NotFound, ValidationFailed
from qa_app.web.access import signed_in
from qa_app.web.forms import ButtonForm, apply_errors, options, page_number

bp = Blueprint("account", __name__)


class EmailPreferencesForm(FlaskForm):
    frequency = RadioField(
        "How often do you want emails?",
        widget=GovRadioInput(),
        choices=options(FREQUENCY_LABELS.items()),
        validate_choice=False,  # the use case says what is wrong, in words
    )


@bp.get("/notifications")
@signed_in
def notifications():
    page, shown = inbox.notifications_page(current_user, page_number(request.args.get("page")))
    return render_template(
        "account/notifications.html",
        page=page,
        notifications=shown,
        unread=unread_notifications(),
        form=None,
        read_all_form=ButtonForm(),
    )


@bp.get("/notifications/<int:notification_id>")
@signed_in
def notification_open(notification_id):
    """Opening a notification marks it read and brings the user to its page."""
    try:
        opened = inbox.open_notification(current_user, notification_id)
    except NotFound:
        abort(404)
    return redirect(opened.link or url_for("account.notifications"))


@bp.post("/notifications/read")
@signed_in
def notifications_read_all():
    marked = inbox.mark_all_read(current_user)
    flash(
        "All your notifications are marked as read"
        if marked
        else "You had no unread notifications",
        "success",
    )
    return redirect(url_for("account.notifications"))


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def your_account():
    form = EmailPreferencesForm(
        data=None if request.method == "POST" else {"frequency": current_user.email_frequency}
    )
    status = 200
    if form.validate_on_submit():
        try:
            changed = inbox.set_email_frequency(current_user, form.frequency.data)
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
            status = 422
        else:
            flash(
                "Your email preferences have been saved" if changed else "Nothing has changed",
                "success",
            )
            return redirect(url_for("account.your_account"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "account/your_account.html",
        form=form,
        digest_hour=current_app.config["QA_DIGEST_HOUR"],
    ), status


def unread_notifications() -> int | None:
    """The signed-in user's unread count for the header (one query a request, made only when a
    page's header is drawn); None when no one is signed in."""
    if not current_user.is_authenticated:
        return None
    if "unread_notifications" not in g:
        g.unread_notifications = inbox.unread_count(current_user)
    return g.unread_notifications


def init_app(app) -> None:
    app.add_template_global(unread_notifications)
