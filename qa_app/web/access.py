"""Who may open which page. Every view carries exactly one of these decorators."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from qa_app.services.actors import Actor


def _requires(check, refuse_with: int):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(refuse_with)
            return view(*args, **kwargs)

        return wrapped

    return decorator


#: Council staff (officer, manager, admin). A provider user gets a 404: the staff side does not
#: exist for them.
staff_required = _requires(lambda user: user.is_staff, 404)


#: Administrators only; other staff are told they lack permission, providers see a 404.
def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.is_provider:
            abort(404)
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


#: Provider users; staff who open a portal address are sent a 404 too.
provider_required = _requires(lambda user: user.is_provider, 404)

#: Any signed-in user (their own account pages).
signed_in = login_required


def web_actor() -> Actor:
    return Actor(current_user._get_current_object(), "web")
