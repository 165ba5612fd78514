"""Who is emailed when a step happens, and with what: each function joins the step's unit of
work (`qa_app.services.outbox.enqueue`), so the email goes only if the step is kept.

- providers (every active user of the service's provider): the draft report shared (with the
  comment deadline), the assessment published, an improvement plan opened (with its deadline);
- officers (the assessment's lead officer and its other officers): a plan submitted for review
  (the officers of the service's latest published assessment; none when the plan came from a CQC rating alone);
- managers (every active manager): an assessment submitted for review.

An email names the service and a date, and links to the page; never more than the recipient
may see in the app.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from qa_app.domain.roles import Role
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import Assessment, ImprovementPlan, Service, User
from qa_app.services import outbox
from qa_app.services.assessment_comments import comment_deadline
from qa_app.services.rules import latest_published_of


def _provider_users(service: Service) -> list[User]:
    if service.provider_id is None:
        return []
    return list(
        db.session.scalars(
            select(User).where(
                User.provider_id == service.provider_id,
                User.role == Role.PROVIDER,
                User.active.is_(True),
            )
        ).unique()
    )


def _managers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.MANAGER, User.active.is_(True))
        ).unique()
    )


def _stamp(moment) -> str:
    """A step's moment in an event key, so that a step taken again is a new event."""
    return moment.isoformat(timespec="seconds") if moment else "-"


def _send(kind: str, key: str, recipients: Iterable[User], **personalisation: str) -> None:
    outbox.enqueue(kind, key, recipients, personalisation)


def assessment_submitted(assessment: Assessment) -> None:
    _send(
        "assessment_submitted",
        f"assessment_submitted:{assessment.id}:{_stamp(assessment.submitted_at)}",
        _managers(),
        service_name=assessment.service.name,
        link=outbox.link("staff.assessment_page", assessment_id=assessment.id),
    )


def draft_report_shared(assessment: Assessment) -> None:
    deadline = comment_deadline(assessment)
    _send(
        "draft_report_shared",
        f"draft_report_shared:{assessment.id}:{_stamp(assessment.shared_at)}",
        _provider_users(assessment.service),
        service_name=assessment.service.name,
        deadline=long_date(deadline) if deadline else "",
        link=outbox.link("portal.assessment_report", assessment_id=assessment.id),
    )


def assessment_published(assessment: Assessment) -> None:
    _send(
        "assessment_published",
        f"assessment_published:{assessment.id}",
        _provider_users(assessment.service),
        service_name=assessment.service.name,
        link=outbox.link("portal.assessment_report", assessment_id=assessment.id),
    )


def plan_opened(plan: ImprovementPlan, service: Service) -> None:
    _send(
        "plan_opened",
        f"plan_opened:{plan.id}",
        _provider_users(service),
        service_name=service.name,
        deadline=long_date(plan.submission_due_date),
        link=outbox.link("portal.plan_page", plan_id=plan.id),
    )


def plan_submitted(plan: ImprovementPlan) -> None:
    latest = latest_published_of(plan.service_id)
    _send(
        "plan_submitted",
        f"plan_submitted:{plan.id}:{_stamp(plan.submitted_at)}",
        [latest.lead_officer, *latest.officers] if latest else [],
        service_name=plan.service.name,
        link=outbox.link("staff.plan_page", plan_id=plan.id),
    )
