"""CQC's service groups: ratings under the single assessment framework.

A location that provides more than one type of service may show `Not rated` (sometimes with no
date) at `Service / Population Group` = `Overall`, with its real ratings under service groups
(`Care Homes`, `Homecare`, `Supported living`). A service takes the ratings of the group that
matches its type when the location-level `Overall` rating is not there; every group's ratings
are kept for the service's page. (Population groups, such as `Older people`, are NHS services'
and are not service groups: they are passed over as before.)
"""

from __future__ import annotations

from datetime import date

from qa_app.domain.cqc_columns import key

#: CQC's name of each service group, and the product's service types it is the rating of.
SERVICE_GROUPS: dict[str, tuple[str, ...]] = {
    "Care Homes": ("care_home_residential", "care_home_nursing"),
    "Homecare": ("home_support", "extra_care"),
    "Supported living": ("supported_living",),
}
_BY_KEY = {key(name): name for name in SERVICE_GROUPS}
_BY_KEY.update({"care home": "Care Homes", "home care": "Homecare"})

OVERALL = "Overall"

#: {group: {domain: (rating, publication date, row number)}}
GroupRatings = dict[str, dict[str, tuple[str, date, int]]]
#: {group: {domain: [rating, "YYYY-MM-DD"]}}, as recorded on a service and stored in a preview
StoredGroups = dict[str, dict[str, list[str]]]


def service_group(text: object) -> str | None:
    """CQC's service group a `Service / Population Group` cell names, or None."""
    return _BY_KEY.get(key(text))


def group_for(service_type: str) -> str | None:
    for group, types in SERVICE_GROUPS.items():
        if service_type in types:
            return group
    return None


def effective_ratings(
    location_ratings: dict[str, tuple[str, date, int]], groups: GroupRatings, service_type: str
) -> tuple[dict[str, tuple[str, date, int]], str | None]:
    """The ratings a service of `service_type` takes: the location's own (`Overall` group) when
    it has an overall rating; otherwise those of the service group matching its type, when that
    group has one. Returns (ratings by domain, the group they came from or None)."""
    if OVERALL in location_ratings or not service_type:
        return location_ratings, None
    group = group_for(service_type)
    if group and OVERALL in groups.get(group, {}):
        return groups[group], group
    return location_ratings, None


def stored_groups(groups: GroupRatings) -> StoredGroups:
    """Service-group ratings as recorded on a service (and stored in a preview)."""
    return {
        group: {domain: [r[0], r[1].isoformat()] for domain, r in ratings.items()}
        for group, ratings in sorted(groups.items())
    }
