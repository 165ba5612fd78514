"""Signing in and out, changing a password, and setting one from an invitation link."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo

from qa_app.domain import passwords
from qa_app.domain.throttle import ThrottlePolicy, minutes_to_wait
from qa_app.services import password_reset, sessions, users
from qa_app.services.errors import NotFound, ValidationFailed
from qa_app.web.access import signed_in
from qa_app.web.forms import apply_errors

bp = Blueprint("auth", __name__)


def _password(label: str, required: str, *validators, **kwargs) -> PasswordField:
    """A GOV.UK password input that must be filled in (`required` says so)."""
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        validators=[DataRequired(required), *validators],
        **kwargs,
    )


def _confirmation(label: str, required: str, of: str) -> PasswordField:
    """The new password typed again, which must match the field `of`."""
    return _password(label, required, EqualTo(of, "The passwords do not match"))


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address")],
    )
    password = _password("Password", "Enter your password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address")],
    )


class ChangePasswordForm(FlaskForm):
    current_password = _password("Current password", "Enter your current password")
    new_password = _password("New password", "Enter a new password", description=passwords.HINT)
    confirm_password = _confirmation(
        "Confirm new password", "Enter the new password again", "new_password"
    )


class SetPasswordForm(FlaskForm):
    password = _password("Create a password", "Enter a password", description=passwords.HINT)
    confirm_password = _confirmation("Confirm password", "Enter the password again", "password")


def _policy() -> ThrottlePolicy:
    from flask import current_app

    return ThrottlePolicy(
        max_failures_account=current_app.config["QA_LOGIN_MAX_FAILURES_ACCOUNT"],
        max_failures_address=current_app.config["QA_LOGIN_MAX_FAILURES_ADDRESS"],
        window_minutes=current_app.config["QA_LOGIN_WINDOW_MINUTES"],
        account_ceiling=current_app.config["QA_LOGIN_ACCOUNT_CEILING"],
    )


def _safe_next(target: str | None) -> str:
    """Only follow a `next` address on this site (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = SignInForm()
    if form.validate_on_submit():
        result = users.sign_in(
            form.email.data, form.password.data, request.remote_addr or "unknown", _policy()
        )
        if result.outcome == "success":
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.outcome == "throttled":
            minutes = minutes_to_wait(result.wait)
            form.form_errors.append(
                "Too many failed attempts to sign in. Wait "
                f"{minutes} {'minute' if minutes == 1 else 'minutes'} and try again, "
                "or ask an administrator to check your account."
            )
        else:
            form.email.errors = ["Enter a correct email address and password"]
        return render_template("auth/sign_in.html", form=form), 200
    return render_template("auth/sign_in.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a set-password link by email. The same answer whether or not the address has an
    account (qa_app.services.password_reset); throttled like signing in."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        from flask import current_app

        wait = password_reset.request_reset(
            form.email.data,
            request.remote_addr or "unknown",
            timedelta(minutes=current_app.config["QA_LOGIN_WINDOW_MINUTES"]),
            current_app.config["QA_LOGIN_MAX_FAILURES_ADDRESS"],
        )
        if wait <= timedelta(0):
            return redirect(url_for("auth.forgot_password_sent"))
        minutes = minutes_to_wait(wait)
        form.form_errors.append(
            "Too many requests for a new password. Wait "
            f"{minutes} {'minute' if minutes == 1 else 'minutes'} and try again."
        )
    return render_template("auth/forgot_password.html", form=form)


@bp.get("/forgot-password/sent")
def forgot_password_sent():
    return render_template("auth/forgot_password_sent.html")


@bp.post("/sign-out")
@signed_in
def sign_out():
    sessions.end(current_user.session_secret, sessions.SIGNED_OUT)
    logout_user()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


@bp.get("/account/session")
def session_in_use():
    """Typing counts as using the session. While someone types into a form, the page's script
    calls this now and then (app.js), so a long piece of writing does not outlast an idle
    session. No sign-in redirect and no message: 204 while the session lasts, 401 after."""
    return Response(status=204 if current_user.is_authenticated else 401, mimetype="text/plain")


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            users.change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                keep_session=current_user.session_secret,
            )
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        else:
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token):
    user = users.user_for_invite(token)
    if user is None:
        return render_template(
            "errors/error.html",
            title="This link has expired or has already been used",
            message="Ask for a new link from the sign-in page (Forgot your password?) or ask "
            "your administrator to send you a new invitation.",
            code=404,
        ), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = users.accept_invite(token, form.password.data)
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        except NotFound:
            return redirect(url_for("auth.sign_in"))
        else:
            if current_user.is_authenticated and current_user.id != user.id:
                sessions.end(current_user.session_secret, sessions.SIGNED_OUT)  # someone else's
            login_user(user)
            flash("Your password has been set", "success")
            return redirect(url_for("index"))
    return render_template("auth/set_password.html", form=form, user=user)
