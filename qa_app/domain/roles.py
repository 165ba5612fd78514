"""Who a user is, and what each kind of user may do."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    OFFICER = "officer"
    PROVIDER = "provider"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.MANAGER: "Manager",
    Role.OFFICER: "Quality officer",
    Role.PROVIDER: "Provider user",
}

#: Council staff: they use the staff pages and see every service.
STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.OFFICER})


def is_staff(role: str) -> bool:
    return role in STAFF_ROLES


def can_edit_registry(role: str) -> bool:
    """Adding and editing providers and services: any council staff member."""
    return role in STAFF_ROLES


#: Who takes the council's decisions: reviews, shares, publishes and corrects assessments;
#: issues, withdraws, lifts and escalates notices and their placement stops. Officers prepare
#: them (record an assessment, draft a notice); a manager decides.
DECIDERS = frozenset({Role.MANAGER, Role.ADMIN})


def can_decide(role: str) -> bool:
    return role in DECIDERS


def can_administer(role: str) -> bool:
    """Users, roles, API tokens and audit standard sets."""
    return role == Role.ADMIN
