"""/api/v1/services"""

from qa_app.api.auth import api_actor, api_user
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import (
    LatestAssessment,
    PlacementStop,
    ServiceCreate,
    ServiceOut,
    ServicePage,
    ServicePatch,
    ServiceQuery,
)
from qa_app.services import programme, registry, rules, service_closing
from qa_app.services.errors import NotFound


def service_out(service) -> ServiceOut:
    return _service_out(service, rules.latest_published_of(service.id))


def _service_out(service, latest) -> ServiceOut:
    """`latest`: the service's latest published assessment, or None."""
    # The risk RAG counts concerns, so a provider is shown none of it (SPEC section 11).
    shows_risk = api_user().is_staff
    return ServiceOut(
        id=service.id,
        name=service.name,
        provider_id=service.provider_id,
        provider_name=service.provider.name,
        cqc_location_id=service.cqc_location_id,
        service_type=service.service_type,
        cluster=service.cluster,
        address=service.address,
        postcode=service.postcode,
        beds=service.beds,
        contract_reference=service.contract_reference,
        contract_start=service.contract_start,
        contract_end=service.contract_end,
        contract_officer_id=service.contract_officer_id,
        registered_manager_name=service.registered_manager_name,
        cqc_rating=service.cqc_rating,
        cqc_rating_date=service.cqc_rating_date,
        risk=service.risk if shows_risk else None,
        risk_reasons=[r for r in (service.risk_reasons or "").split("; ") if r]
        if shows_risk
        else None,
        closed_on=service.closed_on,
        closed_reason=service.closed_reason,
        placement_stop=PlacementStop(start_date=service.placement_stop_since, lifted_at=None)
        if service.placement_stop_since
        else None,
        latest_assessment=LatestAssessment(
            id=latest.id,
            overall_rating=latest.overall_rating,
            overall_percentage=latest.overall_percentage,
            published_at=latest.published_at,
        )
        if latest
        else None,
        next_assessment_due=programme.due_from(service, latest),
        version=service.version,
        updated_at=service.updated_at,
    )


@endpoint(
    "/services",
    summary="List services (filters named like the fields)",
    tag="services",
    query=ServiceQuery,
    response=ServicePage,
)
def list_services(query: ServiceQuery):
    filters = registry.ServiceFilters(
        q=query.q,
        service_type=query.service_type or "",
        cluster=query.cluster or "",
        officer_id=query.contract_officer_id,
        cqc_rating=query.cqc_rating or "",
        risk=query.risk or "",
        provider_id=query.provider_id,
        sort=query.sort,
        page=query.page,
        include_closed=query.include_closed,
    )
    services, page = registry.list_services(
        api_user(), filters, page_size=query.per_page, clamp=False
    )
    latest = rules.latest_published_by_service(s.id for s in services)
    return ServicePage(
        items=[_service_out(s, latest.get(s.id)) for s in services],
        page=page.number,
        pages=page.pages,
        total=page.total,
    )


@endpoint(
    "/services",
    "POST",
    summary="Add a service",
    tag="services",
    body=ServiceCreate,
    response=ServiceOut,
    status=201,
    errors=(400, 422),
)
def create_service(body: ServiceCreate):
    if not api_user().is_staff:
        raise NotFound("Service not found")  # a provider may not learn the operation exists
    return service_out(registry.create_service(api_actor(), body.model_dump()))


@endpoint("/services/<int:service_id>", summary="One service", tag="services", response=ServiceOut)
def get_service(service_id: int):
    return service_out(registry.get_service(api_user(), service_id))


@endpoint(
    "/services/<int:service_id>",
    "PATCH",
    summary="Change a service",
    tag="services",
    body=ServicePatch,
    response=ServiceOut,
    errors=(400, 409, 422),
)
def patch_service(service_id: int, body: ServicePatch):
    user = api_user()
    if not user.is_staff:  # its own service or another's: the same 404 as a missing one
        raise NotFound("Service not found")
    service = registry.get_service(user, service_id)
    changes = body.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    if set(changes) & set(service_closing.CLOSING_FIELDS):
        return service_out(
            service_closing.change_by_api(api_actor(), user, service.id, changes, version)
        )
    return service_out(registry.update_service(api_actor(), user, service.id, changes, version))
