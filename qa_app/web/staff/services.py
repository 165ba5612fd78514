"""Staff pages for services: the list, the service page (the hub), adding and editing."""

from datetime import datetime

from flask import render_template, request, url_for
from flask_login import current_user

from qa_app.domain.lifecycle import EDITABLE, STATUS_LABELS
from qa_app.domain.roles import can_decide
from qa_app.services import (
    assessments,
    audit,
    concerns,
    cqc_import,
    notices,
    plans,
    programme,
    registry,
    service_export,
    standards,
)
from qa_app.web.access import staff_required, web_actor
from qa_app.web.downloads import CSV, XLSX, attachment
from qa_app.web.filters import LONDON
from qa_app.web.forms import (
    add_page,
    apply_errors,
    edit_form,
    edit_page,
    options,
    page_number,
    posted_id,
)
from qa_app.web.staff import bp
from qa_app.web.staff.forms import ServiceFilterForm, ServiceForm


def _filters_from(form: ServiceFilterForm) -> registry.ServiceFilters:
    return registry.ServiceFilters(
        q=(form.q.data or "").strip()[:100],
        service_type=form.service_type.data or "",
        cluster=form.cluster.data or "",
        officer_id=form.officer_id.data,
        cqc_rating=form.cqc_rating.data or "",
        risk=form.risk.data or "",
        sort=form.sort.data or "name",
        page=page_number(request.args.get("page")),
        include_closed=bool(form.include_closed.data),
    )


def filters_from_request(form: ServiceFilterForm) -> registry.ServiceFilters:
    """The list's filters from the address (the list page and its CSV/XLSX export)."""
    form.cluster.choices = options(
        [("", "All clusters")] + [(c, c) for c in registry.cluster_names()]
    )
    form.officer_id.choices = options([("", "Anyone"), *registry.staff_users()])
    if not form.validate():
        # An unknown choice in the address is ignored rather than shown as an error.
        for field in (
            form.service_type,
            form.cluster,
            form.officer_id,
            form.cqc_rating,
            form.risk,
            form.sort,
        ):
            if field.errors:
                field.data = None if field.name == "officer_id" else ""
                field.errors = []
    return _filters_from(form)


@bp.get("/services")
@staff_required
def service_list():
    form = ServiceFilterForm(request.args)
    filters = filters_from_request(form)
    services, page = registry.list_services(current_user, filters)
    return render_template(
        "staff/services/list.html",
        filter_form=form,
        filters=filters,
        services=services,
        page=page,
        section="services",
    )


@bp.get("/services/export.<any(csv, xlsx):fmt>", endpoint="service_export")
@staff_required
def service_export_file(fmt):
    filters = filters_from_request(ServiceFilterForm(request.args))
    data = service_export.export(current_user, filters, fmt)
    stamp = datetime.now(LONDON).strftime("%Y-%m-%d")
    return attachment(data, CSV if fmt == "csv" else XLSX, f"services-{stamp}.{fmt}")


@bp.get("/services/<int:service_id>")
@staff_required
def service_page(service_id):
    service = registry.get_service(current_user, service_id)
    history = audit.service_history(service.id)
    service_assessments, _ = assessments.list_assessments(
        assessments.AssessmentFilters(service_id=service.id), page_size=10
    )
    ratings_history = assessments.published_history(service.id)
    latest = ratings_history[0] if ratings_history else None
    service_concerns, concern_page = concerns.list_concerns(
        current_user, concerns.ConcernFilters(service_id=service.id), page_size=10
    )
    plan = plans.latest_plan_or_none(current_user, service.id)
    return render_template(
        "staff/services/show.html",
        service=service,
        concerns=service_concerns,
        concern_page=concern_page,
        concern_state=concerns.state,
        service_notices=notices.notices_for_services(current_user, [service.id]).get(
            service.id, []
        ),
        cqc_domains=cqc_import.service_domain_ratings(service.id),
        cqc_groups=cqc_import.service_group_ratings(service),
        latest=latest,
        ratings_history=ratings_history,
        standing=programme.service_standing(service),
        today=datetime.now(LONDON).date(),
        assessments=service_assessments,
        statuses=STATUS_LABELS,
        editable_statuses=list(EDITABLE),
        history=history,
        names=audit.names_for(history),
        plan_view=plans.view(plan) if plan else None,
        can_plan=standards.has_set_for(service.service_type) and not service.closed_on,
        can_close=can_decide(current_user.role),
        section="services",
    )


def _add_service_problems(form: ServiceForm, service_id: int | None) -> None:
    """Show the record-level problems too (duplicates, date order…), so that one submit lists
    everything that needs correcting, not one thing at a time."""
    if "csrf_token" in form.errors:
        return
    problems = registry.service_problems(form.values(), service_id)
    apply_errors(form, {k: v for k, v in problems.items() if not getattr(form, k).errors})


def _service_form(**kwargs) -> ServiceForm:
    form = ServiceForm(**kwargs)
    form.set_choices(registry.provider_choices(), registry.staff_users())
    return form


@bp.route("/services/new", methods=["GET", "POST"])
@staff_required
def service_new():
    form = _service_form()
    if request.method == "GET":
        form.contract_officer_id.data = current_user.id  # most often the officer adding it
        provider_id = posted_id(request.args.get("provider_id"))
        if provider_id is not None:
            form.provider_id.data = provider_id
    invalid = form.is_submitted() and not form.validate()
    if invalid:
        _add_service_problems(form, None)
    return add_page(
        form,
        form.is_submitted() and not invalid,
        lambda: registry.create_service(web_actor(), form.values()),
        lambda service: url_for("staff.service_page", service_id=service.id),
        "staff/services/form.html",
        service=None,
        section="services",
    )


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@staff_required
def service_edit(service_id):
    service = registry.get_service(current_user, service_id)
    form = edit_form(_service_form, service)
    invalid = form.is_submitted() and not form.validate()
    if invalid:
        _add_service_problems(form, service.id)
    return edit_page(
        form,
        form.is_submitted() and not invalid,
        lambda version: registry.update_service(
            web_actor(), current_user, service.id, form.values(), version
        ),
        url_for("staff.service_page", service_id=service.id),
        "staff/services/form.html",
        lambda: registry.service_values(service),
        service=service,
        section="services",
    )
