"""The API's request and response shapes: one definition, used to validate requests, to
serialise responses, and to write the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from qa_app.domain import limits
from qa_app.domain.codes import CQC_RATINGS, MAX_ID, SERVICE_TYPES
from qa_app.domain.limits import Limit


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
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Limited:
    """Text of at most `limit.chars` characters (the OpenAPI document's maxLength), refused in
    the limit's own words: the message the web forms and the use cases give for the same text.
    `required`: at least one character (after stripping, when `strip`). Used as
    `Annotated[str, Limited(limits.COMMENT)]`."""

    def __init__(self, limit: Limit, *, required: bool = False, strip: bool = True):
        self.limit, self.required, self.strip = limit, required, strip

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        constraints = StringConstraints(
            strip_whitespace=self.strip,
            min_length=1 if self.required else None,
            max_length=self.limit.chars,
        )
        return handler.generate_schema(
            Annotated[str, constraints, WrapValidator(partial(_within, self.limit))]
        )


def _within(limit: Limit, value: Any, handler: Any) -> Any:
    try:
        return handler(value)
    except ValidationError as error:
        if any(item["type"] == "string_too_long" for item in error.errors()):
            raise PydanticCustomError("string_too_long", limit.message) from None
        raise


class Request(BaseModel):
    """Requests refuse fields they do not know (a 422), so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, row: Any, **given: Any) -> Self:
        """The response for `row`: each field is the row's attribute of the same name, but for
        those `given` here (a field the row names otherwise, or one worked out)."""
        values = {
            name: given[name] if name in given else getattr(row, name) for name in cls.model_fields
        }
        return cls.model_validate(values, by_name=True)


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
    name: Annotated[str, Limited(limits.PROVIDER_NAME, required=True)]
    cqc_provider_id: Annotated[str, Limited(limits.CQC_PROVIDER_ID)] | None = None
    contact_name: Annotated[str, Limited(limits.CONTACT_NAME)] | None = None
    contact_email: Annotated[str, Limited(limits.EMAIL)] | None = None
    contact_phone: Annotated[str, Limited(limits.CONTACT_PHONE)] | None = None
    address: Annotated[str, Limited(limits.POSTAL_ADDRESS, strip=False)] | None = Field(
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
    cqc_location_id: Annotated[str, Limited(limits.CQC_LOCATION_ID)] | None = None
    address: Annotated[str, Limited(limits.SERVICE_ADDRESS, strip=False)] | None = None
    postcode: Annotated[str, StringConstraints(max_length=10)] | None = None
    beds: int | None = Field(None, ge=1, le=2000)
    contract_reference: Annotated[str, Limited(limits.CONTRACT_REFERENCE, strip=False)] | None = (
        None
    )
    contract_start: date | None = None
    contract_end: date | None = None
    contract_officer_id: Id | None = None
    registered_manager_name: Annotated[str, Limited(limits.REGISTERED_MANAGER)] | None = Field(
        None, description="The manager registered with CQC for the service; letters name them"
    )
    cqc_rating: CqcRating | None = None
    cqc_rating_date: date | None = None


class ServiceCreate(ServiceFields):
    name: Annotated[str, Limited(limits.SERVICE_NAME, required=True)]
    provider_id: Id
    service_type: ServiceType
    cluster: Annotated[str, Limited(limits.CLUSTER, required=True)]


class ServicePatch(ServiceFields):
    """Any editable field. Send `version` (from the last read) to be told, with a 409, if
    someone else has changed the service since."""

    name: Annotated[str, Limited(limits.SERVICE_NAME, required=True)] | None = None
    provider_id: Id | None = None
    service_type: ServiceType | None = None
    cluster: Annotated[str, Limited(limits.CLUSTER, required=True)] | None = None
    closed_on: date | None = Field(
        None,
        description="Managers and administrators: a date (today or earlier, not before its last "
        "visit) closes the service, with `closed_reason`; null reopens it. Sent on their own, "
        "not with other fields. Refused (409, naming each) while an assessment is started and "
        "not published, a concern is not closed or a notice is not decided; visits planned and "
        "not started are cancelled",
    )
    closed_reason: Annotated[str, Limited(limits.CLOSED_REASON)] | None = Field(
        None, description="Why it closed (with `closed_on`)"
    )
    version: Id | None = Field(None, description="The version you last read; a stale one is a 409")


class PlacementStop(Response):
    start_date: date
    lifted_at: datetime | None


class LatestAssessment(Response):
    """The service's latest published assessment: the one published last and, of two published
    at the same instant, the one recorded later (the higher id). Pages, the risk RAG and the
    improvement plans all take the same one."""

    id: int
    overall_rating: str | None
    overall_percentage: int | None
    published_at: datetime


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
    closed_on: date | None = Field(
        None, description="The first day the service no longer ran; null while it is open"
    )
    closed_reason: str | None = None
    latest_assessment: LatestAssessment | None = Field(
        None, description="Null until an assessment of the service is published"
    )
    next_assessment_due: date | None = Field(
        None,
        description="When the next assessment is due (SPEC section 10): 6 months after the "
        "publication of the latest published assessment if it is rated below Good, otherwise "
        "the council's regular interval after it (QA_ASSESSMENT_INTERVAL_MONTHS, 12 months by "
        "default); today's date if the service was never assessed; null for a closed service",
    )
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
    include_closed: bool = Field(
        False, description="`1` lists closed services too (by default only those open today)"
    )


class ProviderPage(Page[ProviderOut]):
    pass


class ServicePage(Page[ServiceOut]):
    pass
