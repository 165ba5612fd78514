"""Rules for provider and service records that hold whichever way the data arrives
(web form, API or import). Each returns {field: message} for what is wrong."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from qa_app.domain.codes import BEDDED_SERVICE_TYPES, CQC_RATINGS, SERVICE_TYPES
from qa_app.domain.limits import (
    CLUSTER,
    CONTACT_NAME,
    CONTACT_PHONE,
    CONTRACT_REFERENCE,
    CQC_LOCATION_ID,
    CQC_PROVIDER_ID,
    EMAIL,
    POSTAL_ADDRESS,
    PROVIDER_NAME,
    REGISTERED_MANAGER,
    SERVICE_ADDRESS,
    SERVICE_NAME,
    Limit,
)
from qa_app.domain.postcode import normalise_postcode

#: field → its limit, for a service and for a provider
SERVICE_LIMITS = {
    "name": SERVICE_NAME,
    "cluster": CLUSTER,
    "cqc_location_id": CQC_LOCATION_ID,
    "address": SERVICE_ADDRESS,
    "contract_reference": CONTRACT_REFERENCE,
    "registered_manager_name": REGISTERED_MANAGER,
}
PROVIDER_LIMITS = {
    "name": PROVIDER_NAME,
    "cqc_provider_id": CQC_PROVIDER_ID,
    "contact_name": CONTACT_NAME,
    "contact_email": EMAIL,
    "contact_phone": CONTACT_PHONE,
    "address": POSTAL_ADDRESS,
}


def check_service(fields: Mapping[str, Any], today: date) -> dict[str, str]:
    """`fields` holds the service's values after the change (whole record, not just the edit)."""
    errors: dict[str, str] = {}
    if not (fields.get("name") or "").strip():
        errors["name"] = "Enter the service name"
    if fields.get("service_type") not in SERVICE_TYPES:
        errors["service_type"] = "Select the type of service"
    if not (fields.get("cluster") or "").strip():
        errors["cluster"] = "Enter the cluster or area"
    postcode = fields.get("postcode")
    if postcode and normalise_postcode(postcode) is None:
        errors["postcode"] = "Enter a real UK postcode, like SW1A 1AA"
    beds = fields.get("beds")
    if beds is not None:
        if beds < 1 or beds > 2000:
            errors["beds"] = "Registered beds must be between 1 and 2000"
        elif fields.get("service_type") not in BEDDED_SERVICE_TYPES:
            errors["beds"] = "Registered beds only apply to care homes"
    start, end = fields.get("contract_start"), fields.get("contract_end")
    if start and end and end < start:
        errors["contract_end"] = "The contract end date must be the same as or after the start date"
    rating = fields.get("cqc_rating")
    if rating is not None and rating not in CQC_RATINGS:
        errors["cqc_rating"] = "Select a CQC rating"
    rating_date = fields.get("cqc_rating_date")
    if rating_date and rating_date > today:
        errors["cqc_rating_date"] = "The CQC rating date must be today or in the past"
    if rating_date and rating in (None, "Not rated"):
        errors["cqc_rating"] = "Select the CQC rating that was published on that date"
    location_id = fields.get("cqc_location_id")
    if location_id and not _looks_like_cqc_id(location_id):
        errors["cqc_location_id"] = "Enter a CQC location ID in the format 1-123456789"
    return _lengths(fields, SERVICE_LIMITS, errors)


def check_provider(fields: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (fields.get("name") or "").strip():
        errors["name"] = "Enter the provider's name"
    provider_id = fields.get("cqc_provider_id")
    if provider_id and not _looks_like_cqc_id(provider_id):
        errors["cqc_provider_id"] = "Enter a CQC provider ID in the format 1-123456789"
    return _lengths(fields, PROVIDER_LIMITS, errors)


def _lengths(
    fields: Mapping[str, Any], limits: Mapping[str, Limit], errors: dict[str, str]
) -> dict[str, str]:
    """`errors` with each field that is longer than its limit (a field already wrong keeps its
    first message)."""
    for name, limit in limits.items():
        value = fields.get(name)
        if isinstance(value, str) and (problem := limit.problem(value)):
            errors.setdefault(name, problem)
    return errors


def _looks_like_cqc_id(text: str) -> bool:
    """CQC IDs are "1-" followed by digits (e.g. 1-101641521)."""
    prefix, _, digits = text.partition("-")
    return prefix == "1" and digits.isascii() and digits.isdigit() and 5 <= len(digits) <= 12
