"""The provider portal: what a care provider's own staff see, under /portal."""

from flask import Blueprint, render_template
from flask_login import current_user

from qa_app.services import dashboard, registry
from qa_app.web.access import provider_required

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("/")
@provider_required
def home():
    services = dashboard.provider_summary(current_user)
    return render_template("portal/home.html", services=services, section="home")


@bp.get("/services/<int:service_id>")
@provider_required
def service_page(service_id):
    service = registry.get_service(current_user, service_id)
    return render_template("portal/service.html", service=service, section="home")
