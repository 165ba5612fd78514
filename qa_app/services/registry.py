"""Providers and services: finding, reading, adding and changing them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from qa_app.domain.changes import diff
from qa_app.domain.codes import CQC_RATINGS, MAX_ID, SERVICE_TYPES
from qa_app.domain.pagination import Page
from qa_app.domain.postcode import normalise_postcode
from qa_app.domain.registry_rules import check_provider, check_service
from qa_app.domain.roles import STAFF_ROLES
from qa_app.extensions import db
from qa_app.models import Provider, Service, User
from qa_app.services import audit, rules
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, NotFound, ValidationFailed, found
from qa_app.services.follow_on import service_changed
from qa_app.services.listing import page_of
from qa_app.services.risk import refresh_risk
from qa_app.services.transaction import unit_of_work

SERVICE_FIELDS = (
    "name",
    "provider_id",
    "cqc_location_id",
    "service_type",
    "cluster",
    "address",
    "postcode",
    "beds",
    "contract_reference",
    "contract_start",
    "contract_end",
    "contract_officer_id",
    "registered_manager_name",
    "cqc_rating",
    "cqc_rating_date",
)
PROVIDER_FIELDS = (
    "name",
    "cqc_provider_id",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
)

SERVICE_SORTS = {
    "name": (Service.name, Service.id),
    "type": (Service.service_type, Service.name, Service.id),
    "cluster": (Service.cluster, Service.name, Service.id),
    "cqc": (Service.cqc_rating, Service.name, Service.id),
    "risk": (Service.risk, Service.name, Service.id),
    "provider": (Provider.name, Service.name, Service.id),
}
PAGE_SIZE = 25


# ---------------------------------------------------------------- visibility


def visible_services(viewer: User):
    """The services a user may see: all for staff, their own organisation's for providers."""
    query = select(Service).join(Service.provider)
    if viewer.role not in STAFF_ROLES:
        query = query.where(Service.provider_id == (viewer.provider_id or -1))
    return query


def get_service(viewer: User, service_id: int) -> Service:
    return found(
        db.session.scalar(visible_services(viewer).where(Service.id == service_id)),
        "Service not found",
    )


def get_provider(viewer: User, provider_id: int) -> Provider:
    if viewer.role not in STAFF_ROLES and viewer.provider_id != provider_id:
        raise NotFound("Provider not found")
    return found(db.session.get(Provider, provider_id), "Provider not found")


# ---------------------------------------------------------------- lists


@dataclass
class ServiceFilters:
    q: str = ""
    service_type: str = ""
    cluster: str = ""
    officer_id: int | None = None
    cqc_rating: str = ""
    risk: str = ""
    provider_id: int | None = None
    sort: str = "name"
    page: int = 1
    #: closed services too (`rules.service_open_on`): without it, only the live market
    include_closed: bool = False

    def active(self) -> bool:
        return any(
            (
                self.q,
                self.service_type,
                self.cluster,
                self.officer_id,
                self.cqc_rating,
                self.risk,
                self.include_closed,
            )
        )


def _filtered(query, filters: ServiceFilters):
    if not filters.include_closed:
        query = query.where(rules.service_open_on(london_today()))
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Service.name).like(like),
                func.lower(Provider.name).like(like),
                func.lower(Service.cqc_location_id).like(like),
                func.lower(Service.postcode).like(like),
            )
        )
    for column, wanted in (
        (Service.service_type, filters.service_type),
        (Service.cluster, filters.cluster),
        (Service.contract_officer_id, filters.officer_id),
        (Service.cqc_rating, filters.cqc_rating),
        (Service.risk, filters.risk),
        (Service.provider_id, filters.provider_id),
    ):
        if wanted:
            query = query.where(column == wanted)
    return query


def _as_seen_by(viewer: User, filters: ServiceFilters) -> ServiceFilters:
    """A provider is shown no risk RAG (it counts concerns, which a provider never learns of),
    so it cannot filter or sort by it either: the filter is ignored, the sort is by name."""
    if viewer.role in STAFF_ROLES:
        return filters
    return replace(filters, risk="", sort="name" if filters.sort == "risk" else filters.sort)


def list_services(
    viewer: User, filters: ServiceFilters, page_size: int = PAGE_SIZE, clamp: bool = True
) -> tuple[list[Service], Page]:
    """One page of services (two statements, whatever the number of services)."""
    filters = _as_seen_by(viewer, filters)
    query = _filtered(visible_services(viewer), filters)
    page = page_of(query, filters.page, page_size, clamp)
    order = SERVICE_SORTS.get(filters.sort, SERVICE_SORTS["name"])
    items = db.session.scalars(query.order_by(*order).offset(page.offset).limit(page.size)).unique()
    return list(items), page


def all_services(viewer: User, filters: ServiceFilters) -> list[Service]:
    """Every service the filters select, in the list's order: for exports (one statement)."""
    filters = _as_seen_by(viewer, filters)
    order = SERVICE_SORTS.get(filters.sort, SERVICE_SORTS["name"])
    query = _filtered(visible_services(viewer), filters).order_by(*order)
    return list(db.session.scalars(query).unique())


def list_providers(
    q: str = "", page_number: int = 1, page_size: int = PAGE_SIZE, clamp: bool = True
):
    """Providers with how many services each has (two statements)."""
    counts = (
        select(Service.provider_id, func.count(Service.id).label("n"))
        .group_by(Service.provider_id)
        .subquery()
    )
    query = select(Provider, func.coalesce(counts.c.n, 0)).outerjoin(
        counts, counts.c.provider_id == Provider.id
    )
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Provider.name).like(like),
                func.lower(Provider.cqc_provider_id).like(like),
            )
        )
    page = page_of(query, page_number, page_size, clamp)
    rows = db.session.execute(
        query.order_by(Provider.name, Provider.id).offset(page.offset).limit(page.size)
    ).all()
    return [(provider, count) for provider, count in rows], page


def provider_services(provider_id: int) -> list[Service]:
    return list(
        db.session.scalars(
            select(Service).where(Service.provider_id == provider_id).order_by(Service.name)
        ).unique()
    )


def cluster_names() -> list[str]:
    return list(db.session.scalars(select(Service.cluster).distinct().order_by(Service.cluster)))


def staff_users() -> list[tuple[int, str]]:
    """(id, name) of every active council staff member, for choosing an officer."""
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.role.in_([r.value for r in STAFF_ROLES]), User.active.is_(True))
        .order_by(User.name)
    )
    return [(user_id, name) for user_id, name in rows]


def staff_member(user_id) -> User | None:
    """The active council staff member with this id, or None (no such user, a provider user, or
    deactivated): who may be named as an officer on a service, a concern or an assessment."""
    if not isinstance(user_id, int) or not 1 <= user_id <= MAX_ID:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.role in STAFF_ROLES and user.active else None


def provider_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Provider.id, Provider.name).order_by(Provider.name))
    return [(provider_id, name) for provider_id, name in rows]


# ---------------------------------------------------------------- changes


def service_values(service: Service) -> dict:
    return {name: getattr(service, name) for name in SERVICE_FIELDS}


def provider_values(provider: Provider) -> dict:
    return {name: getattr(provider, name) for name in PROVIDER_FIELDS}


def _clean_service(values: dict) -> dict:
    cleaned = dict(values)
    if "cqc_rating" in cleaned and not cleaned["cqc_rating"]:
        cleaned["cqc_rating"] = "Not rated"
    for name in (
        "name",
        "cluster",
        "cqc_location_id",
        "contract_reference",
        "address",
        "registered_manager_name",
    ):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = _one_newline(cleaned[name]).strip() or None
    if cleaned.get("postcode"):
        cleaned["postcode"] = normalise_postcode(cleaned["postcode"]) or cleaned["postcode"].strip()
    elif "postcode" in cleaned:
        cleaned["postcode"] = None
    return cleaned


def service_problems(values: dict, service_id: int | None = None) -> dict[str, str]:
    """Every problem with a service's values, without saving anything (for forms that want to
    show all errors at once)."""
    try:
        _check_service(_clean_service(values), service_id)
    except ValidationFailed as failed:
        return failed.errors
    return {}


def _check_service(values: dict, service_id: int | None) -> None:
    errors = check_service(values, today=date.today())
    if "provider_id" not in errors and (
        not 1 <= (values.get("provider_id") or 0) <= MAX_ID
        or db.session.get(Provider, values["provider_id"]) is None
    ):
        errors["provider_id"] = "Select the provider that runs this service"
    officer_id = values.get("contract_officer_id")
    if officer_id is not None and staff_member(officer_id) is None:
        errors["contract_officer_id"] = "Select a council officer who can sign in"
    _check_unique(errors, values, Service, "cqc_location_id", "CQC location ID", service_id)
    if errors:
        raise ValidationFailed(errors)


def create_service(actor: Actor, values: dict) -> Service:
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationFailed({name: "This field cannot be set" for name in sorted(unknown)})
    values = _clean_service(values)
    values["cqc_rating"] = values.get("cqc_rating") or "Not rated"
    _check_service(values, None)
    with unit_of_work():
        service = Service(**values)
        refresh_risk(service)
        db.session.add(service)
        _flush_unique(service, "cqc_location_id", values.get("cqc_location_id"))
        service_changed(actor, service)
        audit.record(
            actor, "service", service.id, "created", diff({}, service_values(service)), service.id
        )
    return service


def update_service(
    actor: Actor, viewer: User, service_id: int, changes: dict, expected_version: int | None
) -> Service:
    """Apply `changes` (only the fields being edited). A stale `expected_version` is a Conflict."""
    service = get_service(viewer, service_id)
    unknown = set(changes) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationFailed({name: "This field cannot be changed" for name in sorted(unknown)})
    _refuse_if_stale(service, "service", expected_version, service_values)
    before = service_values(service)
    after = _clean_service({**before, **changes})
    if after.get("cqc_rating") is None:
        after["cqc_rating"] = "Not rated"
    _check_service(after, service.id)
    changed = diff(before, after)
    if not changed:
        return service
    with unit_of_work():
        apply_service_changes(actor, service, changed, after)
    return service


def apply_service_changes(
    actor: Actor,
    service: Service,
    changed: dict,
    after: dict,
    action: str = "updated",
    extra: dict | None = None,
) -> None:
    """Write checked changes to a service inside the caller's transaction: the fields, its risk
    RAG, what follows from the change (`service_changed`) and one audit event. A hand edit and
    the CQC ratings import both change a service's CQC rating through here. `extra` adds
    {field: [old, new]} pairs to the audit event for things stored beside the service."""
    for name in changed:
        setattr(service, name, after[name])
    risk_before = service.risk
    with db.session.no_autoflush:  # set before the flush below, so the row is written once
        refresh_risk(service)  # and a concurrent change is caught there as a Conflict
    _flush_unique(service, "cqc_location_id", after.get("cqc_location_id"), conflict_on_stale=True)
    service_changed(actor, service)
    # a change of RAG is recorded with the change that made it (the dashboard's "turned red")
    risk = {"risk": [risk_before, service.risk]} if service.risk != risk_before else {}
    audit.record(
        actor, "service", service.id, action, {**changed, **risk, **(extra or {})}, service.id
    )


def create_provider(actor: Actor, values: dict) -> Provider:
    values = _clean_provider(values)
    _check_provider(values, None)
    with unit_of_work():
        provider = Provider(**values)
        db.session.add(provider)
        _flush_unique(provider, "cqc_provider_id", values.get("cqc_provider_id"))
        audit.record(actor, "provider", provider.id, "created", diff({}, provider_values(provider)))
    return provider


def update_provider(
    actor: Actor, provider_id: int, changes: dict, expected_version: int | None
) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None:
        raise NotFound("Provider not found")
    _refuse_if_stale(provider, "provider", expected_version, provider_values)
    before = provider_values(provider)
    after = _clean_provider({**before, **changes})
    _check_provider(after, provider.id)
    changed = diff(before, after)
    if not changed:
        return provider
    with unit_of_work():
        for name in changed:
            setattr(provider, name, after[name])
        _flush_unique(
            provider, "cqc_provider_id", after.get("cqc_provider_id"), conflict_on_stale=True
        )
        audit.record(actor, "provider", provider.id, "updated", changed)
    return provider


def _clean_provider(values: dict) -> dict:
    unknown = set(values) - set(PROVIDER_FIELDS)
    if unknown:
        raise ValidationFailed({name: "This field cannot be set" for name in sorted(unknown)})
    cleaned = {}
    for name, value in values.items():
        cleaned[name] = (_one_newline(value).strip() or None) if isinstance(value, str) else value
    return cleaned


def _one_newline(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF: kept as LF, an address saved again
    unchanged is not recorded as a change."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_provider(values: dict, provider_id: int | None) -> None:
    errors = check_provider(values)
    _check_unique(errors, values, Provider, "cqc_provider_id", "CQC provider ID", provider_id)
    if errors:
        raise ValidationFailed(errors)


def _check_unique(
    errors: dict,
    values: dict,
    model: type[Service] | type[Provider],
    field: str,
    label: str,
    own_id: int | None,
) -> None:
    """An error on `field` if its value (when given and not already refused) is held by
    another row of `model` than `own_id`, naming the row that holds it."""
    value = values.get(field)
    if not value or field in errors:
        return
    holder = db.session.scalar(
        select(model.name).where(getattr(model, field) == value, model.id != (own_id or -1))
    )
    if holder is not None:
        errors[field] = f"{label} {value} is already used by {holder}"


def refuse_if_stale(service: Service, expected_version: int | None) -> None:
    """A Conflict if the service has changed since the caller read `expected_version`."""
    _refuse_if_stale(service, "service", expected_version, service_values)


def _refuse_if_stale(record, kind: str, expected_version: int | None, values) -> None:
    if expected_version is not None and expected_version != record.version:
        raise Conflict(
            f"This {kind} was changed by someone else while you were editing it. "
            "Your changes have not been saved.",
            current={k: _plain(v) for k, v in values(record).items()},
            current_version=record.version,
        )


def _flush_unique(record, field: str, value, conflict_on_stale: bool = False) -> None:
    """Flush, turning a lost race on a unique value or version into a clear refusal."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed({field: f"{value} is already in use by another record"}) from None
    except StaleDataError:
        db.session.rollback()
        raise Conflict(
            "This record was changed by someone else at the same moment. Your changes have not been saved."
        ) from None


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


__all__ = [
    "CQC_RATINGS",
    "SERVICE_TYPES",
    "ServiceFilters",
    "create_provider",
    "create_service",
    "get_provider",
    "get_service",
    "list_providers",
    "list_services",
    "update_provider",
    "update_service",
]
