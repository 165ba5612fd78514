"""Applying a CQC ratings file's preview (SPEC section 9), inside the caller's transaction:
each rating change through `registry.apply_service_changes` (the same step as a hand edit),
never an older rating over a newer one, and the new services and providers added."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from qa_app.domain import service_closing as closing_rules
from qa_app.domain.changes import diff
from qa_app.domain.cqc_groups import OVERALL, group_for
from qa_app.domain.cqc_successors import SAME
from qa_app.extensions import db
from qa_app.models import Provider, Service, ServiceCqcRating
from qa_app.services import audit, registry, service_closing
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.services.follow_on import service_changed
from qa_app.services.risk import refresh_risk

CLUSTER_FOR_NEW = "Not yet assigned"
AUDIT_ACTION = "updated_from_cqc_file"


def domain_field(domain: str) -> str:
    """The audit trail's field name for a key question's CQC rating (cqc_well_led…)."""
    return "cqc_" + domain.lower().replace("-", "_")


def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def group_names(groups: dict | None) -> str | None:
    """The service groups rated, for the audit trail ("Care Homes, Homecare")."""
    return ", ".join(sorted(groups)) if groups else None


def _ratings_of(item: dict) -> tuple[str | None, date | None, dict]:
    """A new service's overall rating, its date and its key questions: the location's own, or,
    when it has no overall rating, those of the service group matching the type chosen."""
    groups = item.get("groups") or {}
    group = group_for(item["service_type"])
    if item["overall"] is None and group and OVERALL in groups.get(group, {}):
        found = groups[group]
        rating, published = found[OVERALL]
        domains = {d: tuple(r) for d, r in found.items() if d != OVERALL}
        return rating, _date(published), domains
    return item["overall"], _date(item["overall_date"]), item["domains"]


def apply_preview(actor: Actor, stored: dict, source: str) -> dict:
    """Write what the stored preview says, checked against the services as they are now.
    Runs inside the caller's transaction. Returns what was actually done."""
    changes = stored.get("changes", [])
    ids = [c["service_id"] for c in changes]
    services = (
        {s.id: s for s in db.session.scalars(select(Service).where(Service.id.in_(ids))).unique()}
        if ids
        else {}
    )
    ratings: dict[int, dict[str, ServiceCqcRating]] = {}
    if ids:
        for recorded in db.session.scalars(
            select(ServiceCqcRating).where(ServiceCqcRating.service_id.in_(ids))
        ):
            ratings.setdefault(recorded.service_id, {})[recorded.domain] = recorded
    changed_services = overall_changes = domain_changes = 0
    kept_newer: set[str] = set()
    for change in changes:
        service = services.get(change["service_id"])
        if service is None or service.cqc_location_id != change["location_id"]:
            continue  # removed or re-identified since the preview: not this file's service
        values: dict = {}
        if change["overall"]:
            to_rating, to_date = change["overall"][1], _date(change["overall_date"][1])
            if service.cqc_rating_date and to_date and to_date < service.cqc_rating_date:
                kept_newer.add(change["location_id"])  # rated again since the preview
            else:
                values = {"cqc_rating": to_rating, "cqc_rating_date": to_date}
        extra: dict = {}
        current = ratings.get(service.id, {})
        for domain, _old, rating, published in change["domains"]:
            published = _date(published)
            row = current.get(domain)
            if row is not None and (row.rating, row.publication_date) == (rating, published):
                continue
            if (
                row is not None
                and row.publication_date
                and published
                and published < row.publication_date
            ):
                kept_newer.add(change["location_id"])  # never an older rating over a newer
                continue
            if row is None or row.rating != rating:
                domain_changes += 1
            extra[domain_field(domain)] = [row.rating if row else None, rating]
            if row is None:
                db.session.add(
                    ServiceCqcRating(
                        service_id=service.id,
                        domain=domain,
                        rating=rating,
                        publication_date=published,
                    )
                )
            else:
                row.rating, row.publication_date = rating, published
        if change.get("groups") is not None and change["groups"] != service.cqc_service_groups:
            extra["cqc_service_groups"] = [
                group_names(service.cqc_service_groups),
                group_names(change["groups"]),
            ]
            service.cqc_service_groups = change["groups"]
        before = registry.service_values(service)
        changed = diff(before, {**before, **values})
        if not changed and not extra:
            continue
        changed_services += 1
        overall_changes += 1 if "cqc_rating" in changed else 0
        registry.apply_service_changes(
            actor,
            service,
            changed,
            {**before, **values},
            action=AUDIT_ACTION,
            extra={**extra, "source": [None, source]},
        )
    moves = {
        p["new_location_id"]: p["service_id"]
        for p in stored.get("successors", [])
        if p.get("decision") == SAME
    }
    new_services = _add_new(actor, stored.get("new_services", []), source, moves)
    closed = _close_chosen(actor, stored.get("closings", []), set(moves.values()), source)
    return {
        "changed_services": changed_services,
        "overall_changes": overall_changes,
        "domain_changes": domain_changes,
        "new_services": new_services["services"],
        "new_providers": new_services["providers"],
        "registered_again": new_services["moved"],
        "closed": closed,
        #: locations where a rating in the preview was older than one recorded since
        "kept_newer": sorted(kept_newer),
    }


def _close_chosen(actor: Actor, service_ids: list[int], moved: set[int], source: str) -> int:
    """Mark closed, from today, the known services the officer chose (not those whose record
    moved to a new registration, nor one closed since). One that cannot close now (work still
    open on it) stops the whole import, with the reason."""
    ids = sorted(set(service_ids) - moved)
    if not ids:
        return 0
    closed = 0
    today = london_today()
    for service in db.session.scalars(select(Service).where(Service.id.in_(ids))).unique():
        if service.closed_on is not None:
            continue
        try:
            service_closing.close_in_transaction(
                actor, service, today, closing_rules.CQC_FILE_REASON, source
            )
        except (Conflict, ValidationFailed) as refused:
            detail = (
                "; ".join(refused.errors.values())
                if isinstance(refused, ValidationFailed)
                else str(refused)
            )
            raise Conflict(f"Nothing was imported. {detail}") from None
        closed += 1
    return closed


def _add_key_questions(service_id: int, domains: dict) -> None:
    for domain, (rating, published) in domains.items():
        db.session.add(
            ServiceCqcRating(
                service_id=service_id,
                domain=domain,
                rating=rating,
                publication_date=_date(published),
            )
        )


def _move(actor: Actor, service: Service, item: dict, provider: Provider, source: str) -> None:
    """A known service registered again (a new owner): its record moves to the new location
    ID and provider, with the new registration's ratings; its history stays with it."""
    overall, overall_date, domains = _ratings_of({**item, "service_type": service.service_type})
    before = registry.service_values(service)
    after = {**before, "cqc_location_id": item["location_id"], "provider_id": provider.id}
    if overall:
        after.update(cqc_rating=overall, cqc_rating_date=overall_date)
    service.cqc_service_groups = item.get("groups") or None
    for row in db.session.scalars(
        select(ServiceCqcRating).where(ServiceCqcRating.service_id == service.id)
    ):
        db.session.delete(row)  # the old registration's key questions are not the new one's
    db.session.flush()
    _add_key_questions(service.id, domains)
    registry.apply_service_changes(
        actor,
        service,
        diff(before, after),
        after,
        action=AUDIT_ACTION,
        extra={"source": [None, source]},
    )


def _add_new(actor: Actor, new: list[dict], source: str, moves: dict[str, int]) -> dict:
    if not new:
        return {"services": 0, "providers": 0, "moved": 0}
    moving = (
        {s.id: s for s in db.session.scalars(select(Service).where(Service.id.in_(moves.values())))}
        if moves
        else {}
    )
    location_ids = [s["location_id"] for s in new]
    taken = set(
        db.session.scalars(
            select(Service.cqc_location_id).where(Service.cqc_location_id.in_(location_ids))
        )
    )
    wanted_providers = {s["provider_id"] for s in new}
    providers = {
        p.cqc_provider_id: p
        for p in db.session.scalars(
            select(Provider).where(Provider.cqc_provider_id.in_(wanted_providers))
        )
    }
    added_providers = added_services = moved = 0
    for item in new:
        if item["location_id"] in taken:
            continue
        service_moving = moving.get(moves.get(item["location_id"], 0))
        provider = providers.get(item["provider_id"])
        if provider is None:
            provider = Provider(
                name=(item["provider_name"] or item["provider_id"])[:200],
                cqc_provider_id=item["provider_id"],
                # a preview stored before provider addresses were read has none
                address=item.get("provider_address") or None,
            )
            audit.record_new(
                actor,
                "provider",
                provider,
                "created",
                {**diff({}, registry.provider_values(provider)), "source": [None, source]},
            )
            providers[item["provider_id"]] = provider
            added_providers += 1
        if service_moving is not None:
            _move(actor, service_moving, item, provider, source)
            moved += 1
            continue
        overall, overall_date, domains = _ratings_of(item)
        service = Service(
            name=item["name"],
            provider_id=provider.id,
            cqc_location_id=item["location_id"],
            service_type=item["service_type"],
            cluster=CLUSTER_FOR_NEW,
            address=item["address"] or None,
            postcode=item["postcode"],
            cqc_rating=overall or "Not rated",
            cqc_rating_date=overall_date if overall else None,
            cqc_service_groups=item.get("groups") or None,
        )
        refresh_risk(service)
        db.session.add(service)
        db.session.flush()
        _add_key_questions(service.id, domains)
        service_changed(actor, service)
        audit.record(
            actor,
            "service",
            service.id,
            "created",
            {
                **diff({}, registry.service_values(service)),
                **{domain_field(d): [None, r[0]] for d, r in item["domains"].items()},
                "source": [None, source],
            },
            service.id,
        )
        added_services += 1
    return {"services": added_services, "providers": added_providers, "moved": moved}
