"""The API's request and response shapes: one definition, used to validate requests, to
serialise responses, and to write the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from qa_app.domain.codes import CQC_RATINGS, MAX_ID, SERVICE_TYPES
from qa_app.domain.registry_rules import MAX_ADDRESS, MAX_PERSON_NAME


def words(values: Iterable[str]) -> tuple[str, ...]:
    """The codes for a `Literal[...]`, as plain strings (a status is a StrEnum member in the
    domain): the document and the messages of a refused request name the words."""
    return tuple(str(value) for value in values)


# A Literal built from the codes at run time (one list of codes): to a type checker, text.
if TYPE_CHECKING:
    ServiceType = str
else:
    ServiceType = Literal[tuple(SERVICE_TYPES)]
CqcRating = Literal[CQC_RATINGS]  # type: ignore[valid-type]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
# no longer than the columns that keep them (PostgreSQL refuses what does not fit)
CqcId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Cluster = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_PERSON_NAME)]
Address = Annotated[str, StringConstraints(max_length=MAX_ADDRESS)]


class Request(BaseModel):
    """Requests refuse fields they do not know (a 422), so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Error(Response):
    error: str = Field(description="What went wrong, in words a person can act on")
    details: Any = Field(None, description="Field errors or other specifics, when there are any")


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    page: int = Field(1, ge=1, le=MAX_ID, description="Page number, from 1")
    per_page: int = Field(50, ge=1, le=200, description="Items per page")


T = TypeVar("T")


class Page(Response, Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int


# ---------------------------------------------------------------- providers


class ProviderCreate(Request):
    name: Name
    cqc_provider_id: CqcId | None = None
    contact_name: ShortText | None = None
    contact_email: ShortText | None = None
    contact_phone: Phone | None = None
    address: Address | None = Field(
        None, description="Postal address for the council's letters, one line per line"
    )


class ProviderOut(Response):
    id: int
    name: str
    cqc_provider_id: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    address: str | None
    version: int


class ProviderQuery(ListQuery):
    q: str = Field("", max_length=100, description="Search in name and CQC provider ID")


# ---------------------------------------------------------------- services


class ServiceFields(Request):
    cqc_location_id: CqcId | None = None
    address: Address | None = None
    postcode: Annotated[str, StringConstraints(max_length=10)] | None = None
    beds: int | None = Field(None, ge=1, le=2000)
    contract_reference: Annotated[str, StringConstraints(max_length=50)] | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    contract_officer_id: Id | None = None
    registered_manager_name: PersonName | None = Field(
        None, description="The manager registered with CQC for the service; letters name them"
    )
    cqc_rating: CqcRating | None = None
    cqc_rating_date: date | None = None


class ServiceCreate(ServiceFields):
    name: Name
    provider_id: Id
    service_type: ServiceType
    cluster: Cluster


class ServicePatch(ServiceFields):
    """Any editable field. Send `version` (from the last read) to be told, with a 409, if
    someone else has changed the service since."""

    name: Name | None = None
    provider_id: Id | None = None
    service_type: ServiceType | None = None
    cluster: Cluster | None = None
    version: Id | None = Field(None, description="The version you last read; a stale one is a 409")


class PlacementStop(Response):
    start_date: date
    lifted_at: datetime | None


class ServiceOut(Response):
    id: int
    name: str
    provider_id: Id
    provider_name: str
    cqc_location_id: str | None
    service_type: ServiceType
    cluster: str
    address: str | None
    postcode: str | None
    beds: int | None
    contract_reference: str | None
    contract_start: date | None
    contract_end: date | None
    contract_officer_id: int | None
    registered_manager_name: str | None = Field(
        description="The manager registered with CQC for the service (entered by hand: CQC's "
        "ratings file does not carry it)"
    )
    cqc_rating: CqcRating
    cqc_rating_date: date | None
    risk: Literal["red", "amber", "green"] | None = Field(
        description="The risk RAG (SPEC section 7). Null for provider users: it counts concerns, "
        "which a provider never learns of"
    )
    risk_reasons: list[str] | None = Field(
        description="Why the RAG is what it is. Null for provider users"
    )
    placement_stop: PlacementStop | None = None
    latest_assessment: dict | None = None
    version: int
    updated_at: datetime


class ServiceQuery(ListQuery):
    q: str = Field(
        "", max_length=100, description="Search in name, provider, CQC location ID, postcode"
    )
    service_type: ServiceType | None = None
    cluster: str | None = None
    cqc_rating: CqcRating | None = None
    risk: Literal["red", "amber", "green"] | None = Field(
        None, description="Ignored for provider users (they are not shown the risk RAG)"
    )
    provider_id: Id | None = None
    contract_officer_id: Id | None = None
    sort: Literal["name", "provider", "type", "cluster", "cqc", "risk"] = Field(
        "name", description="`risk` sorts by name for provider users"
    )


class ProviderPage(Page[ProviderOut]):
    pass


class ServicePage(Page[ServiceOut]):
    pass
