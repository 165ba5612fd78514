"""Staff pages for providers (the registered organisations)."""

from flask import render_template, request, url_for
from flask_login import current_user

from qa_app.services import audit, registry
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import add_page, edit_form, edit_page, page_number
from qa_app.web.staff import bp
from qa_app.web.staff.forms import ProviderForm


@bp.get("/providers")
@staff_required
def provider_list():
    q = (request.args.get("q") or "").strip()[:100]
    rows, page = registry.list_providers(q, page_number(request.args.get("page")))
    return render_template(
        "staff/providers/list.html", rows=rows, page=page, q=q, section="providers"
    )


@bp.get("/providers/<int:provider_id>")
@staff_required
def provider_page(provider_id):
    provider = registry.get_provider(current_user, provider_id)
    history = audit.entity_history("provider", provider.id)
    return render_template(
        "staff/providers/show.html",
        provider=provider,
        services=registry.provider_services(provider.id),
        history=history,
        names=audit.names_for(history),
        section="providers",
    )


@bp.route("/providers/new", methods=["GET", "POST"])
@staff_required
def provider_new():
    form = ProviderForm()
    return add_page(
        form,
        form.validate_on_submit(),
        lambda: registry.create_provider(web_actor(), form.values()),
        lambda provider: url_for("staff.provider_page", provider_id=provider.id),
        "staff/providers/form.html",
        provider=None,
        section="providers",
    )


@bp.route("/providers/<int:provider_id>/edit", methods=["GET", "POST"])
@staff_required
def provider_edit(provider_id):
    provider = registry.get_provider(current_user, provider_id)
    form = edit_form(ProviderForm, provider)
    return edit_page(
        form,
        form.validate_on_submit(),
        lambda version: registry.update_provider(web_actor(), provider.id, form.values(), version),
        url_for("staff.provider_page", provider_id=provider.id),
        "staff/providers/form.html",
        lambda: registry.provider_values(provider),
        provider=provider,
        section="providers",
    )
