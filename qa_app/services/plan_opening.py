"""When an improvement plan opens (SPEC section 5), called from `follow_on.service_changed`
whenever an input of a service's standing changes. Imports nothing that leads back to
`follow_on`, so that it can be imported at the top of it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qa_app.domain import plans as rules
from qa_app.domain.changes import created
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import Assessment, ImprovementPlan, PlanIssue, Service
from qa_app.models.types import utcnow
from qa_app.services import audit, notifications
from qa_app.services.actors import Actor
from qa_app.services.assessment_facts import issues_from, latest_published
from qa_app.services.calendar import london_today


def _open_plan(service_id: int) -> ImprovementPlan | None:
    return db.session.scalar(
        select(ImprovementPlan).where(
            ImprovementPlan.service_id == service_id,
            ImprovementPlan.status.in_(rules.OPEN_STATUSES),
        )
    )


def open_if_below_good(actor: Actor | None, service: Service) -> ImprovementPlan | None:
    """Called from follow_on.service_changed whenever an input of a service's standing changes.

    Opens a plan the moment the service becomes below Good (once per set of below-Good facts,
    and never a second open plan: a partial unique index guards that too), adds the issues of a
    newer published assessment to the open plan, and notes on the plan when the service stops
    being below Good, and why.
    """
    if service.id is None or service.closed_on is not None:
        return None  # (a closed service gets no new plan: nobody would act on it)
    actor = actor or Actor.system()
    latest = latest_published(service.id)
    now = utcnow()
    standing = rules.standing(
        latest.id if latest else None,
        latest.overall_rating if latest else None,
        service.cqc_rating,
        service.cqc_rating_date,
    )
    plan = _open_plan(service.id)
    if not standing.below_good:
        target = plan or db.session.scalar(
            select(ImprovementPlan)
            .where(ImprovementPlan.service_id == service.id)
            .order_by(ImprovementPlan.opened_at.desc(), ImprovementPlan.id.desc())
            .limit(1)
        )
        if target is not None and target.left_below_good_at is None:
            target.left_below_good_at = now
            target.left_below_good_by = _why_good(latest, service)
            audit.record(
                actor,
                "improvement_plan",
                target.id,
                "service_no_longer_below_good",
                {"because": [None, target.left_below_good_by]},
                service.id,
            )
        return plan
    if plan is not None:
        if plan.basis != standing.basis:
            plan.basis = standing.basis
            plan.left_below_good_at = plan.left_below_good_by = None
        _add_standing_issues(actor, plan, latest, service)
        return plan
    already = db.session.scalar(
        select(ImprovementPlan.id).where(
            ImprovementPlan.service_id == service.id,
            ImprovementPlan.basis == standing.basis,
        )
    )
    if already:
        return None  # this very state of affairs had its plan; it has been followed through
    plan = ImprovementPlan(
        service_id=service.id,
        status=rules.AWAITING,
        opened_at=now,
        opened_because=_sentence("; ".join(standing.reasons)),
        basis=standing.basis,
        submission_due_date=rules.submission_due(london_today(now)),
    )
    try:
        with db.session.begin_nested():
            db.session.add(plan)
            db.session.flush()
    except IntegrityError:
        # Another request opened it a moment ago (the partial unique index said so).
        return _open_plan(service.id)
    _add_standing_issues(actor, plan, latest, service)
    audit.record(
        actor,
        "improvement_plan",
        plan.id,
        "opened",
        created(
            {
                "status": plan.status,
                "submission_due_date": plan.submission_due_date,
                "because": plan.opened_because,
            }
        ),
        service.id,
    )
    notifications.plan_opened(plan, service)
    return plan


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _why_good(latest: Assessment | None, service: Service) -> str:
    parts = []
    if latest is not None:
        parts.append(
            f"published assessment of {long_date(latest.visit_date)} rated {latest.overall_rating}"
        )
    parts.append(
        f"CQC rating {service.cqc_rating}"
        + (f" published {long_date(service.cqc_rating_date)}" if service.cqc_rating_date else "")
    )
    return "No longer below Good: " + " and ".join(parts)


def _add_standing_issues(
    actor: Actor, plan: ImprovementPlan, latest: Assessment | None, service: Service
) -> None:
    existing = db.session.execute(
        select(PlanIssue.source, PlanIssue.assessment_id, PlanIssue.standard_code).where(
            PlanIssue.plan_id == plan.id
        )
    ).all()
    position = len(existing)
    if (
        latest is not None
        and latest.overall_rating in rules.BELOW_GOOD_RATINGS
        and not any(row.assessment_id == latest.id for row in existing)
    ):
        # A correction of a published assessment replaces its issues rather than repeating
        # them: a standard still below Good keeps its issue (and the provider's actions on it)
        # with the corrected rating and evidence; one no longer below Good is withdrawn.
        earlier = _issues_of_corrected(plan, latest)
        for issue in issues_from(latest):
            kept = earlier.pop(issue.standard_code, None)
            if kept is not None:
                for name in ("assessment_id", "rating", "percentage", "limiter", "evidence"):
                    setattr(kept, name, getattr(issue, name))
                continue
            position += 1
            issue.plan_id, issue.position = plan.id, position
            db.session.add(issue)
        published = latest.published_at or utcnow()  # (the latest published: it is set)
        for gone in earlier.values():
            gone.withdrawn_at = utcnow()
            gone.withdrawn_reason = (
                f"Revision {latest.revision_number} of the assessment, published "
                f"{long_date(published)}, no longer rates this standard below Good"
            )
            audit.record(
                actor,
                "plan_issue",
                gone.id,
                "withdrawn",
                {"reason": [None, gone.withdrawn_reason]},
                service.id,
            )
    if service.cqc_rating in rules.BELOW_GOOD_CQC:
        code = f"CQC {service.cqc_rating_date.isoformat() if service.cqc_rating_date else ''}"
        if not any(row.source == "cqc" and row.standard_code == code[:20] for row in existing):
            position += 1
            db.session.add(
                PlanIssue(
                    plan_id=plan.id,
                    source="cqc",
                    standard_code=code[:20],
                    title=f"CQC rated the service {service.cqc_rating}",
                    rating=service.cqc_rating,
                    evidence=(
                        f"CQC rating {service.cqc_rating}"
                        + (
                            f" published {long_date(service.cqc_rating_date)}"
                            if service.cqc_rating_date
                            else ""
                        )
                        + ". Address the areas CQC's report says need improving."
                    ),
                    added_by_label=actor.label,
                    position=position,
                )
            )
    db.session.flush()


def _issues_of_corrected(plan: ImprovementPlan, latest: Assessment) -> dict[str | None, PlanIssue]:
    """The plan's standing issues from the assessments `latest` corrects, by standard."""
    corrected: list[int] = []
    step = latest.revision_of_id
    while step is not None and len(corrected) < 100:
        corrected.append(step)
        step = db.session.scalar(select(Assessment.revision_of_id).where(Assessment.id == step))
    if not corrected:
        return {}
    issues = db.session.scalars(
        select(PlanIssue)
        .where(
            PlanIssue.plan_id == plan.id,
            PlanIssue.assessment_id.in_(corrected),
            PlanIssue.withdrawn_at.is_(None),
        )
        .order_by(PlanIssue.position)
    )
    return {issue.standard_code: issue for issue in issues}
