"""A service's CQC ratings as recorded from CQC's file: by key question, and by service group."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from qa_app.domain import cqc_import as rules
from qa_app.extensions import db
from qa_app.models import Service, ServiceCqcRating


def service_group_ratings(service: Service) -> list[tuple[str, list[tuple[str, str, date]]]]:
    """(group, [(domain, rating, publication date)…]) for each of CQC's service groups rated,
    domains in CQC's order (Overall first)."""
    groups = service.cqc_service_groups or {}
    return [
        (
            group,
            [
                (domain, groups[group][domain][0], date.fromisoformat(groups[group][domain][1]))
                for domain in rules.DOMAINS
                if domain in groups[group]
            ],
        )
        for group in sorted(groups)
    ]


def service_domain_ratings(service_id: int) -> list[tuple[str, str, date | None]]:
    """(domain, rating, publication date) for each key question recorded, in CQC's order."""
    rows = {
        r.domain: r
        for r in db.session.scalars(
            select(ServiceCqcRating).where(ServiceCqcRating.service_id == service_id)
        )
    }
    return [(d, rows[d].rating, rows[d].publication_date) for d in rules.KEY_QUESTIONS if d in rows]
