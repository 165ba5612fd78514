"""What follows, inside the same transaction, when something about a service changes.

Every change to an input of a service's standing (its CQC rating, a published assessment, a
concern, a notice, a plan) calls `service_changed` once it has flushed, so the consequences
are worked out in one place: the risk RAG is recomputed (SPEC section 7), and later features
hang their own consequences here (an improvement plan opened when a service falls below Good).
"""

from __future__ import annotations

from qa_app.models import Service
from qa_app.services.actors import Actor
from qa_app.services.plan_opening import open_if_below_good
from qa_app.services.risk import refresh_risk_many


def service_changed(actor: Actor | None, service: Service) -> None:
    """Bring everything derived from `service`'s inputs up to date (call after a flush)."""
    # An improvement plan opens (once) when the service falls below Good; its overdue state
    # is then one of the risk facts.
    open_if_below_good(actor, service)
    # Not the service's own edit: the RAG is written without moving its version or updated_at,
    # which a provider reads (a concern logged must not show as a change to its service).
    refresh_risk_many([service.id])


def services_changed(actor: Actor | None, service_ids: list[int]) -> None:
    """`service_changed` for many services at once, in a fixed number of statements (the sweep)."""
    refresh_risk_many(service_ids)
