"""The service list as CSV or XLSX: every service the list's filters select, in the list's
order, written by `tables_out` like every spreadsheet we write."""

from __future__ import annotations

from qa_app.models import User
from qa_app.services import programme, registry, rules, tables_out

COLUMNS = (
    "Service",
    "Provider",
    "CQC location ID",
    "Type",
    "Cluster",
    "Postcode",
    "Registered beds",
    "Contract officer",
    "CQC rating",
    "CQC rating date",
    "Risk",
    "Next assessment due",
)


def table(viewer: User, filters: registry.ServiceFilters) -> tables_out.Table:
    services = registry.all_services(viewer, filters)
    latest = rules.latest_published_by_service(s.id for s in services)
    return tables_out.Table(
        title="Services",
        columns=COLUMNS,
        rows=[
            [
                s.name,
                s.provider.name,
                s.cqc_location_id or "",
                s.service_type_label,
                s.cluster,
                s.postcode or "",
                s.beds,
                s.contract_officer.name if s.contract_officer else "",
                s.cqc_rating,
                s.cqc_rating_date,
                s.risk.title(),
                programme.due_from(s, latest.get(s.id)),
            ]
            for s in services
        ],
    )


def export(viewer: User, filters: registry.ServiceFilters, fmt: str) -> bytes:
    """`fmt` is "csv" or "xlsx"."""
    return tables_out.write(table(viewer, filters), fmt)
