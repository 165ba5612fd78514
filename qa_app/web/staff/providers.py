"""Staff pages for providers (the registered organisations)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from qa_app.services import audit, registry
from qa_app.services.errors import ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import apply_errors, save_versioned
from qa_app.web.staff import bp
from qa_app.web.staff.forms import ProviderForm


@bp.get("/providers")
@staff_required
def provider_list():
    q = (request.args.get("q") or "").strip()[:100]
    page_arg = request.args.get("page", "1")
    rows, page = registry.list_providers(q, int(page_arg) if page_arg.isdigit() else 1)
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
    if form.validate_on_submit():
        try:
            provider = registry.create_provider(web_actor(), form.values())
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        else:
            flash(f"{provider.name} has been added", "success")
            return redirect(url_for("staff.provider_page", provider_id=provider.id))
    return render_template(
        "staff/providers/form.html", form=form, provider=None, section="providers"
    )


@bp.route("/providers/<int:provider_id>/edit", methods=["GET", "POST"])
@staff_required
def provider_edit(provider_id):
    provider = registry.get_provider(current_user, provider_id)
    form = ProviderForm(obj=provider if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = provider.version
    conflict = None
    if form.validate_on_submit():
        saved, conflict = save_versioned(
            form,
            lambda version: registry.update_provider(
                web_actor(), provider.id, form.values(), version
            ),
        )
        if saved:
            flash("Your changes have been saved", "success")
            return redirect(url_for("staff.provider_page", provider_id=provider.id))
    return render_template(
        "staff/providers/form.html",
        form=form,
        provider=provider,
        conflict=conflict,
        current=registry.provider_values(provider) if conflict else None,
        section="providers",
    )
