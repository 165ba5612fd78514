"""Inviting users, changing roles, deactivating, and API tokens."""

from flask import flash, redirect, render_template, request, url_for

from qa_app.services import audit, registry, users
from qa_app.services.errors import ValidationFailed
from qa_app.web.access import admin_required, web_actor
from qa_app.web.admin import bp
from qa_app.web.admin.forms import ChangeRoleForm, ConfirmForm, InviteUserForm, TokenForm
from qa_app.web.forms import apply_errors, options, refusal_problems


def _with_providers(form):
    form.provider_id.choices = options([("", "Not a provider user"), *registry.provider_choices()])
    return form


@bp.get("/users")
@admin_required
def user_list():
    return render_template("admin/users.html", users=users.list_users(), section="admin")


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    form = _with_providers(InviteUserForm())
    if form.is_submitted() and not form.validate():
        # Show every problem at once: the account rules as well as the missing fields.
        problems = users.account_problems(
            form.email.data, form.name.data, form.role.data, form.provider_id.data
        )
        apply_errors(form, {k: v for k, v in problems.items() if not getattr(form, k).errors})
    elif form.is_submitted():
        try:
            user, _invite = users.create_user(
                web_actor(),
                form.email.data,
                form.name.data,
                form.role.data,
                form.provider_id.data,
                email_invitation=True,
            )
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        else:
            # post, redirect, get: refreshing the page that follows sends nothing again
            flash(f"We have sent an invitation to {user.email}", "success")
            return redirect(url_for("admin.user_page", user_id=user.id))
    return render_template("admin/user_new.html", form=form, section="admin")


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_page(user_id):
    user = users.get_user(user_id)
    role_form = _with_providers(ChangeRoleForm(obj=user if request.method == "GET" else None))
    if role_form.validate_on_submit():
        try:
            users.change_role(web_actor(), user.id, role_form.role.data, role_form.provider_id.data)
        except ValidationFailed as failed:
            apply_errors(role_form, failed.errors)
        else:
            flash(f"{user.name} is now: {user.role_label}", "success")
            return redirect(url_for("admin.user_page", user_id=user.id))
    return _user_page(user, role_form=role_form)


def _user_page(user, role_form=None, token_form=None, problems=None, status=200):
    """The user's page. The form that was sent (role or token) is the page's `form`, so that
    its errors lead the error summary; `problems` says why a button's step was refused."""
    role_form = role_form or _with_providers(ChangeRoleForm(obj=user))
    token_form = token_form or TokenForm(formdata=None)
    return render_template(
        "admin/user.html",
        user=user,
        form=token_form if token_form.errors else role_form,
        role_form=role_form,
        confirm=ConfirmForm(),
        token_form=token_form,
        tokens=(tokens := users.tokens_for(user.id)),
        history=(
            events := audit.history_of({"user": [user.id], "api_token": [t.id for t in tokens]})
        ),
        names=audit.names_for(events),
        problems=problems,
        section="admin",
    ), status


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def user_deactivate(user_id):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def user_reactivate(user_id):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.user_page", user_id=user_id))
    try:
        user = users.set_active(web_actor(), user_id, active)
    except ValidationFailed as failed:
        return _user_page(
            users.get_user(user_id), problems=refusal_problems(failed, {}), status=failed.status
        )
    else:
        flash(f"{user.name} has been {'reactivated' if active else 'deactivated'}", "success")
    return redirect(url_for("admin.user_page", user_id=user_id))


@bp.post("/users/<int:user_id>/invite")
@admin_required
def user_reinvite(user_id):
    user = users.get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.user_page", user_id=user_id))
    try:
        users.reissue_invite(web_actor(), user.id)
    except ValidationFailed as failed:
        return _user_page(user, problems=refusal_problems(failed, {}), status=failed.status)
    flash(f"We have sent a new set-password link to {user.email}", "success")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.post("/users/<int:user_id>/tokens")
@admin_required
def token_create(user_id):
    user = users.get_user(user_id)
    form = TokenForm()
    if form.validate_on_submit():
        try:
            secret = users.create_token(web_actor(), user, form.name.data)
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        else:
            return render_template(
                "admin/token_created.html", user=user, secret=secret, section="admin"
            )
    return _user_page(user, token_form=form, status=422)


@bp.post("/tokens/<int:token_id>/revoke")
@admin_required
def token_revoke(token_id):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.user_list"))
    token = users.revoke_token(web_actor(), token_id)
    flash(f"The token “{token.name}” has been revoked", "success")
    return redirect(url_for("admin.user_page", user_id=token.user_id))
