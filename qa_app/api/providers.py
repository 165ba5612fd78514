"""/api/v1/providers"""

from qa_app.api.auth import api_actor, api_user
from qa_app.api.openapi import endpoint
from qa_app.api.schemas import ProviderCreate, ProviderOut, ProviderPage, ProviderQuery
from qa_app.services import registry
from qa_app.services.errors import NotFound


def provider_out(provider) -> ProviderOut:
    return ProviderOut.model_validate(provider)


@endpoint(
    "/providers",
    summary="List providers",
    tag="providers",
    query=ProviderQuery,
    response=ProviderPage,
)
def list_providers(query: ProviderQuery):
    user = api_user()
    if not user.is_staff:
        # A provider user sees only its own organisation.
        provider = registry.get_provider(user, user.provider_id)
        return ProviderPage(items=[provider_out(provider)], page=1, pages=1, total=1)
    rows, page = registry.list_providers(query.q, query.page, query.per_page, clamp=False)
    return ProviderPage(
        items=[provider_out(p) for p, _ in rows],
        page=page.number,
        pages=page.pages,
        total=page.total,
    )


@endpoint(
    "/providers",
    "POST",
    summary="Add a provider",
    tag="providers",
    body=ProviderCreate,
    response=ProviderOut,
    status=201,
    errors=(400, 422),
)
def create_provider(body: ProviderCreate):
    if not api_user().is_staff:
        raise NotFound("Provider not found")  # a provider may not learn the operation exists
    provider = registry.create_provider(api_actor(), body.model_dump())
    return provider_out(provider)


@endpoint(
    "/providers/<int:provider_id>", summary="One provider", tag="providers", response=ProviderOut
)
def get_provider(provider_id: int):
    return provider_out(registry.get_provider(api_user(), provider_id))
