"""Improvement plans (SPEC section 5): opened when a service falls below Good, written by the
provider, reviewed by the council, and followed to completion."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from qa_app.domain import evidence_files, limits
from qa_app.domain import plans as rules
from qa_app.domain.clocks import LONDON
from qa_app.domain.evidence_files import (  # noqa: F401 (the pages use these names from here)
    ALLOWED_WORDS,
    EVIDENCE_TYPES,
    MAX_EVIDENCE_BYTES,
    sniff,
)
from qa_app.domain.pagination import Page, clamp_page
from qa_app.domain.ratings import SCORE_LABELS, rounded
from qa_app.domain.roles import STAFF_ROLES
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import (
    Assessment,
    EvidenceFile,
    ImprovementPlan,
    PlanAction,
    PlanIssue,
    Service,
    User,
)
from qa_app.models.types import utcnow
from qa_app.services import audit, evidence_store
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from qa_app.services.evidence_store import (  # noqa: F401 (kept for their callers)
    check_evidence,
    evidence_dir,
)
from qa_app.services.transaction import unit_of_work

# ---------------------------------------------------------------- opening (from follow_on)


def _latest_published(service_id: int) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .where(Assessment.service_id == service_id, Assessment.status == "published")
        .order_by(Assessment.published_at.desc(), Assessment.id.desc())
        .limit(1)
    )


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
    if service.id is None:
        return None
    actor = actor or Actor.system()
    latest = _latest_published(service.id)
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
        {
            "status": [None, plan.status],
            "submission_due_date": [None, plan.submission_due_date],
            "because": [None, plan.opened_because],
        },
        service.id,
    )
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
        for issue in _issues_from(latest):
            kept = earlier.pop(issue.standard_code, None)
            if kept is not None:
                for name in ("assessment_id", "rating", "percentage", "limiter", "evidence"):
                    setattr(kept, name, getattr(issue, name))
                continue
            position += 1
            issue.plan_id, issue.position = plan.id, position
            db.session.add(issue)
        for gone in earlier.values():
            gone.withdrawn_at = utcnow()
            gone.withdrawn_reason = (
                f"Revision {latest.revision_number} of the assessment, published "
                f"{long_date(latest.published_at)}, no longer rates this standard below Good"
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


def _issues_of_corrected(plan: ImprovementPlan, latest: Assessment) -> dict[str, PlanIssue]:
    """The plan's standing issues from the assessments `latest` corrects, by standard."""
    corrected, step = [], latest.revision_of_id
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


def _issues_from(assessment: Assessment) -> list[PlanIssue]:
    """One issue per standard rated below Good, with its rating, reason and the evidence."""
    from qa_app.services import assessments

    questions = assessments.questions_for(assessment)
    answers = assessments.answers_for(assessment)
    ratings = assessments.ratings_for(assessment, questions, answers)
    by_standard: dict[str, list] = {}
    for q in questions:
        by_standard.setdefault(q.standard_code, []).append(q)
    issues = []
    for _domain, rating in ratings.standards:
        if not rating.below_good:
            continue
        lines = []
        for q in by_standard.get(rating.code, []):
            answer = answers.get(q.ref)
            if answer is None or answer.score is None:
                continue
            if answer.score <= 2 or (answer.evidence or "").strip():
                lines.append(
                    f"{q.ref} ({SCORE_LABELS[answer.score]}): {q.text}"
                    + (f"\nEvidence: {answer.evidence.strip()}" if answer.evidence.strip() else "")
                )
        issues.append(
            PlanIssue(
                source="assessment",
                assessment_id=assessment.id,
                standard_code=rating.code,
                title=f"{rating.code} {rating.title}"[:300],
                rating=rating.rating,
                percentage=rounded(rating.percentage),
                limiter=rating.limiter,
                evidence="\n\n".join(lines)[: limits.DETAILS.chars],
                added_by_label="System",
            )
        )
    return issues


# ---------------------------------------------------------------- reading


def _visible(
    viewer: User, plan: ImprovementPlan | None, not_found: str = "Improvement plan not found"
) -> ImprovementPlan:
    if plan is None or (
        viewer.role not in STAFF_ROLES and plan.service.provider_id != viewer.provider_id
    ):
        raise NotFound(not_found)
    return plan


def get_plan(viewer: User, plan_id: int) -> ImprovementPlan:
    return _visible(viewer, db.session.get(ImprovementPlan, plan_id))


def _plan_of(viewer: User, record, not_found: str) -> ImprovementPlan:
    """The plan of an issue, action or file the viewer asked for by id. Another provider's
    record gets the same 404 as one that does not exist, word for word (SPEC section 10)."""
    if record is None:
        raise NotFound(not_found)
    return _visible(viewer, db.session.get(ImprovementPlan, record.plan_id), not_found)


def plan_for_service(viewer: User, service_id: int) -> ImprovementPlan:
    """The service's open plan, or else its latest one."""
    from qa_app.services.registry import get_service

    service = get_service(viewer, service_id)
    plan = db.session.scalar(
        select(ImprovementPlan)
        .where(ImprovementPlan.service_id == service.id)
        .order_by(
            case((ImprovementPlan.status.in_(rules.OPEN_STATUSES), 0), else_=1),
            ImprovementPlan.opened_at.desc(),
            ImprovementPlan.id.desc(),
        )
        .limit(1)
    )
    if plan is None:
        raise NotFound("This service has no improvement plan")
    return plan


def latest_plan_or_none(viewer: User, service_id: int) -> ImprovementPlan | None:
    try:
        return plan_for_service(viewer, service_id)
    except NotFound:
        return None


@dataclass
class PlanView:
    """A plan with its issues, their actions and the actions' files (four statements)."""

    plan: ImprovementPlan
    issues: list[PlanIssue]
    actions: dict[int, list[PlanAction]]  # issue id → actions
    files: dict[int, list[EvidenceFile]]  # action id → files
    today: date
    overdue_actions: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def plan_overdue(self) -> bool:
        return rules.plan_overdue(self.plan.status, self.plan.submission_due_date, self.today)

    def action_overdue(self, action: PlanAction) -> bool:
        return rules.action_overdue(action.status, action.target_date, self.today)

    @property
    def open_issues(self) -> list[PlanIssue]:
        return [i for i in self.issues if i.withdrawn_at is None]

    @property
    def issues_without_actions(self) -> list[PlanIssue]:
        """Open issues with no action yet: the plan cannot be sent to the council."""
        return [i for i in self.open_issues if not self.actions.get(i.id)]

    def can_record_progress(self, action: PlanAction) -> bool:
        """Whether the provider may record progress (and add evidence) on the action now."""
        return rules.progress_refusal(self.plan.status, action.status) is None

    @property
    def all_actions(self) -> list[PlanAction]:
        return [a for issue in self.issues for a in self.actions.get(issue.id, [])]


def view(plan: ImprovementPlan, today: date | None = None) -> PlanView:
    today = today or london_today()
    issues = list(
        db.session.scalars(
            select(PlanIssue)
            .where(PlanIssue.plan_id == plan.id)
            .order_by(PlanIssue.position, PlanIssue.id)
        )
    )
    actions: dict[int, list[PlanAction]] = {}
    for action in db.session.scalars(
        select(PlanAction).where(PlanAction.plan_id == plan.id).order_by(PlanAction.id)
    ):
        actions.setdefault(action.issue_id, []).append(action)
    files: dict[int, list[EvidenceFile]] = {}
    for f in db.session.scalars(
        select(EvidenceFile)
        .join(PlanAction, EvidenceFile.action_id == PlanAction.id)
        .where(PlanAction.plan_id == plan.id)
        .order_by(EvidenceFile.id)
    ).unique():
        files.setdefault(f.action_id, []).append(f)
    result = PlanView(plan, issues, actions, files, today)
    result.overdue_actions = sum(1 for a in result.all_actions if result.action_overdue(a))
    counts: dict[str, int] = {}
    for a in result.all_actions:
        counts[a.status] = counts.get(a.status, 0) + 1
    result.counts = counts
    return result


# ---------------------------------------------------------------- issues (council)


def _staff(viewer: User) -> None:
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Improvement plan not found")


def add_issue(actor: Actor, viewer: User, plan_id: int, title: str, details: str) -> PlanIssue:
    _staff(viewer)
    plan = get_plan(viewer, plan_id)
    if plan.status not in rules.OPEN_STATUSES:
        raise Conflict("Issues can be added only to an open plan")
    title, details = (title or "").strip(), (details or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Say what needs to improve"
    elif problem := limits.ISSUE_TITLE.problem(title):
        errors["title"] = problem
    if problem := limits.DETAILS.problem(details):
        errors["details"] = problem
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        position = (
            db.session.scalar(
                select(func.max(PlanIssue.position)).where(PlanIssue.plan_id == plan.id)
            )
            or 0
        )
        issue = PlanIssue(
            plan_id=plan.id,
            source="manual",
            title=title,
            evidence=details,
            added_by_label=actor.label,
            position=position + 1,
        )
        db.session.add(issue)
        db.session.flush()
        audit.record(
            actor, "plan_issue", issue.id, "added", {"title": [None, title]}, plan.service_id
        )
    return issue


def withdraw_issue(actor: Actor, viewer: User, issue_id: int, reason: str) -> PlanIssue:
    _staff(viewer)
    issue = db.session.get(PlanIssue, issue_id)
    plan = _plan_of(viewer, issue, "Issue not found")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the issue is being withdrawn"})
    if problem := limits.REASON.problem(reason):
        raise ValidationFailed({"reason": problem})
    if issue.withdrawn_at is not None:
        raise Conflict("The issue has already been withdrawn")
    if plan.status not in rules.OPEN_STATUSES:
        raise Conflict("Issues can be withdrawn only from an open plan")
    with unit_of_work():
        issue.withdrawn_at, issue.withdrawn_reason = utcnow(), reason
        db.session.flush()
        _complete_if_done(actor, plan)
        audit.record(
            actor,
            "plan_issue",
            issue.id,
            "withdrawn",
            {"reason": [None, reason[:500]]},
            plan.service_id,
        )
    return issue


# ---------------------------------------------------------------- actions (provider)


def _provider(viewer: User, what: str = "write the plan's actions") -> None:
    if viewer.role != "provider":
        raise Forbidden(f"Only the provider can {what}")


ACTION_FIELDS = ("description", "owner", "target_date", "success_measure")


def _clean(values: dict) -> dict:
    clean = {}
    for name in ACTION_FIELDS:
        value = values.get(name)
        clean[name] = value.strip() if isinstance(value, str) else value
    return clean


def add_action(
    actor: Actor, viewer: User, issue_id: int, values: dict, today: date | None = None
) -> PlanAction:
    issue = db.session.get(PlanIssue, issue_id)
    plan = _plan_of(viewer, issue, "Issue not found")
    _provider(viewer)
    if issue.withdrawn_at is not None:
        raise Conflict("This issue has been withdrawn by the council")
    if plan.status not in (*rules.WITH_PROVIDER, rules.ACCEPTED):
        raise Conflict("Actions can be added while the plan is with you, or once it is accepted")
    values = _clean(values)
    errors = rules.check_action(values, today or london_today())
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work():
        action = PlanAction(
            plan_id=plan.id,
            issue_id=issue.id,
            status=rules.OPEN,
            created_by_label=actor.label,
            **values,
        )
        db.session.add(action)
        db.session.flush()
        audit.record(
            actor,
            "plan_action",
            action.id,
            "added",
            {k: [None, v] for k, v in values.items() if k != "success_measure"},
            plan.service_id,
        )
    return action


def _action(viewer: User, action_id: int) -> tuple[PlanAction, ImprovementPlan]:
    action = db.session.get(PlanAction, action_id)
    return action, _plan_of(viewer, action, "Action not found")


def edit_action(
    actor: Actor,
    viewer: User,
    action_id: int,
    values: dict,
    expected_version: int | None = None,
    today: date | None = None,
) -> PlanAction:
    action, plan = _action(viewer, action_id)
    _provider(viewer)
    if action.status in (rules.DONE, rules.VERIFIED):
        raise Conflict("A completed action cannot be changed")
    if plan.status not in (*rules.WITH_PROVIDER, rules.ACCEPTED):
        raise Conflict("The plan is with the council for review: it cannot be changed now")
    if expected_version is not None and expected_version != action.version:
        raise Conflict(
            "Someone else changed this action since you opened it",
            current={k: getattr(action, k) for k in ACTION_FIELDS},
            current_version=action.version,
        )
    values = _clean({**{k: getattr(action, k) for k in ACTION_FIELDS}, **values})
    today = today or london_today()
    errors = rules.check_action(values, today)
    if errors.get("target_date") and values.get("target_date") == action.target_date:
        errors.pop("target_date")  # an unchanged past date is not a new mistake
    if errors:
        raise ValidationFailed(errors)
    changes = {k: [getattr(action, k), v] for k, v in values.items() if getattr(action, k) != v}
    if not changes:
        return action
    with unit_of_work():
        for name, (_old, new) in changes.items():
            setattr(action, name, new)
        if "target_date" in changes and not rules.action_overdue(
            action.status, action.target_date, today
        ):
            action.overdue_at = None
        db.session.flush()
        from qa_app.services.follow_on import service_changed

        service_changed(actor, plan.service)
        audit.record(actor, "plan_action", action.id, "changed", changes, plan.service_id)
    return action


def submit(actor: Actor, viewer: User, plan_id: int) -> ImprovementPlan:
    plan = get_plan(viewer, plan_id)
    _provider(viewer, "submit the plan")
    counts = db.session.execute(
        select(PlanIssue.title, func.count(PlanAction.id))
        .outerjoin(PlanAction, PlanAction.issue_id == PlanIssue.id)
        .where(PlanIssue.plan_id == plan.id, PlanIssue.withdrawn_at.is_(None))
        .group_by(PlanIssue.id, PlanIssue.title, PlanIssue.position)
        .order_by(PlanIssue.position)
    ).all()
    refusal = rules.submit_refusal(plan.status, [(t, n) for t, n in counts])
    if refusal:
        raise Conflict(refusal)
    return _plan_step(
        actor,
        plan,
        "submitted",
        lambda p: (
            setattr(p, "status", rules.SUBMITTED),
            setattr(p, "submitted_at", utcnow()),
            setattr(p, "overdue_at", None),
        ),
    )


def accept(actor: Actor, viewer: User, plan_id: int) -> ImprovementPlan:
    _staff(viewer)
    plan = get_plan(viewer, plan_id)
    refusal = rules.review_refusal(plan.status)
    if refusal:
        raise Conflict(refusal)

    def change(p):
        p.status, p.accepted_at = rules.ACCEPTED, utcnow()
        p.reviewed_at, p.reviewed_by_label = p.accepted_at, actor.label

    return _plan_step(actor, plan, "accepted", change)


def return_plan(actor: Actor, viewer: User, plan_id: int, comments: str) -> ImprovementPlan:
    _staff(viewer)
    plan = get_plan(viewer, plan_id)
    comments = (comments or "").strip()
    if not comments:
        raise ValidationFailed({"comments": "Tell the provider what to change"})
    if problem := limits.PLAN_COMMENTS.problem(comments):
        raise ValidationFailed({"comments": problem})
    refusal = rules.review_refusal(plan.status)
    if refusal:
        raise Conflict(refusal)

    def change(p):
        p.status, p.reviewed_at, p.reviewed_by_label = rules.RETURNED, utcnow(), actor.label
        p.review_comments = comments

    return _plan_step(actor, plan, "returned", change, {"comments": [None, comments[:500]]})


def _plan_step(actor, plan, action_name, change, extra=None) -> ImprovementPlan:
    from qa_app.services.follow_on import service_changed

    with unit_of_work():
        before = plan.status
        change(plan)
        db.session.flush()
        service_changed(actor, plan.service)
        audit.record(
            actor,
            "improvement_plan",
            plan.id,
            action_name,
            {"status": [before, plan.status], **(extra or {})},
            plan.service_id,
        )
    return plan


GRADE_VALUES = tuple(rules.GRADES)


def record_progress(
    actor: Actor,
    viewer: User,
    action_id: int,
    values: dict,
    expected_version: int | None = None,
    evidence: tuple[str, bytes] | None = None,
) -> PlanAction:
    """The provider's update: evidence of progress, grading, evidence of impact, optionally a
    step (`start` or `complete`; completing needs a progress note) and optionally an evidence
    file (`evidence`: its name and content). All of it is kept, or none of it: a file is never
    dropped while the rest is saved, nor kept when the update is refused."""
    action, plan = _action(viewer, action_id)
    _provider(viewer, "record progress")
    refusal = rules.progress_refusal(plan.status, action.status)
    if refusal:
        if evidence is not None:
            refusal = (
                f"{evidence_files.safe_name(evidence[0])} was not uploaded and nothing was "
                f"saved. {refusal}"
            )
        raise Conflict(refusal)
    step = values.get("step") or ""
    errors = {}
    grade = values.get("progress_grade")
    if grade in ("", None):
        grade = action.progress_grade
    else:
        try:
            grade = int(grade)
        except (TypeError, ValueError):
            grade = 0
        if grade not in GRADE_VALUES:
            errors["progress_grade"] = "Choose a grading from 1 Fully achieved to 4 Not achieved"
    progress = (values.get("progress_evidence") or "").strip()
    impact = (values.get("impact_evidence") or "").strip()
    note = (values.get("note") or "").strip()
    for name, text in (
        ("progress_evidence", progress),
        ("impact_evidence", impact),
        ("note", note),
    ):
        if problem := limits.PROGRESS.problem(text):
            errors[name] = problem
    if step not in ("", "start", "complete"):
        errors["step"] = "The step is start or complete"
    if step == "complete" and not note:
        errors["note"] = "Say what was done to complete the action"
    file = None
    if evidence is not None:
        try:
            file = evidence_store.check(*evidence)
        except ValidationFailed as refused:
            errors.update(refused.errors)
    if errors:
        raise ValidationFailed(errors)
    if expected_version is not None and expected_version != action.version:
        raise Conflict(
            "Someone else updated this action since you opened it",
            current_version=action.version,
        )
    from qa_app.services.follow_on import service_changed

    with ExitStack() as kept:
        stored = kept.enter_context(evidence_store.store(file, actor.label)) if file else None
        with unit_of_work():
            changes = {}
            for name, value in (
                ("progress_evidence", progress or action.progress_evidence),
                ("impact_evidence", impact or action.impact_evidence),
                ("progress_grade", grade),
            ):
                if getattr(action, name) != value:
                    changes[name] = [getattr(action, name), value]
                    setattr(action, name, value)
            before = action.status
            if step == "start" and action.status == rules.OPEN:
                action.status = rules.IN_PROGRESS
            elif step == "complete":
                action.status, action.completed_at = rules.DONE, utcnow()
                action.completion_note = note
                if not action.progress_grade:
                    action.progress_grade = 1
            elif (changes or file) and action.status == rules.OPEN:
                action.status = rules.IN_PROGRESS
            if action.status != before:
                changes["status"] = [before, action.status]
            if stored:
                _add_evidence_record(actor, action, plan, stored)
            if not changes:
                return action
            db.session.flush()
            service_changed(actor, plan.service)
            audit.record(
                actor,
                "plan_action",
                action.id,
                "completed" if step == "complete" else "progress_recorded",
                {
                    k: v
                    for k, v in changes.items()
                    if k not in ("progress_evidence", "impact_evidence")
                }
                | ({"note": [None, note[:500]]} if note else {}),
                plan.service_id,
            )
    return action


def verify(actor: Actor, viewer: User, action_id: int) -> PlanAction:
    _staff(viewer)
    action, plan = _action(viewer, action_id)
    refusal = rules.action_step_refusal(plan.status, action.status, "verify")
    if refusal:
        raise Conflict(refusal)
    from qa_app.services.follow_on import service_changed

    with unit_of_work():
        action.status, action.verified_at, action.verified_by_label = (
            rules.VERIFIED,
            utcnow(),
            actor.label,
        )
        db.session.flush()
        _complete_if_done(actor, plan)
        service_changed(actor, plan.service)
        audit.record(
            actor,
            "plan_action",
            action.id,
            "verified",
            {"status": [rules.DONE, rules.VERIFIED]},
            plan.service_id,
        )
    return action


def reopen(actor: Actor, viewer: User, action_id: int, reason: str) -> PlanAction:
    _staff(viewer)
    action, plan = _action(viewer, action_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Say why the action is not yet complete"})
    if problem := limits.REASON.problem(reason):
        raise ValidationFailed({"reason": problem})
    refusal = rules.action_step_refusal(plan.status, action.status, "reopen")
    if refusal:
        raise Conflict(refusal)
    from qa_app.services.follow_on import service_changed

    with unit_of_work():
        action.status, action.reopened_reason, action.completed_at = (
            rules.IN_PROGRESS,
            reason,
            None,
        )
        db.session.flush()
        service_changed(actor, plan.service)
        audit.record(
            actor,
            "plan_action",
            action.id,
            "sent_back",
            {"status": [rules.DONE, rules.IN_PROGRESS], "reason": [None, reason[:500]]},
            plan.service_id,
        )
    return action


def _complete_if_done(actor: Actor, plan: ImprovementPlan) -> None:
    if plan.status != rules.ACCEPTED:
        return
    statuses = list(
        db.session.scalars(
            select(PlanAction.status)
            .join(PlanIssue, PlanAction.issue_id == PlanIssue.id)
            .where(PlanAction.plan_id == plan.id, PlanIssue.withdrawn_at.is_(None))
        )
    )
    if rules.plan_complete(statuses):
        plan.status, plan.completed_at = rules.COMPLETED, utcnow()
        audit.record(
            actor,
            "improvement_plan",
            plan.id,
            "completed",
            {"status": [rules.ACCEPTED, rules.COMPLETED]},
            plan.service_id,
        )


# ---------------------------------------------------------------- overdue


def mark_overdue(now: datetime | None = None, actor: Actor | None = None) -> dict:
    """Record each plan and action that has become overdue (once each) and refresh the risk
    of their services; open the plan of any below-Good service that has never had one. Safe to
    run anywhere, any number of times."""
    from qa_app.services.follow_on import services_changed

    now = now or utcnow()
    today = london_today(now)
    actor = actor or Actor.system("sweep", "Escalation sweep")
    counts = {"plans_overdue": 0, "actions_overdue": 0, "plans_opened": 0}
    with unit_of_work(writes_after_reading=True):
        counts["plans_opened"] = _open_missing(actor)
        plans_due = db.session.execute(
            select(
                ImprovementPlan.id,
                ImprovementPlan.service_id,
                ImprovementPlan.submission_due_date,
            )
            .where(
                ImprovementPlan.status.in_(rules.WITH_PROVIDER),
                ImprovementPlan.submission_due_date < today,
                ImprovementPlan.overdue_at.is_(None),
            )
            .with_for_update(skip_locked=True)
        ).all()
        actions_due = db.session.execute(
            select(PlanAction.id, ImprovementPlan.service_id, PlanAction.target_date)
            .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
            .where(
                ImprovementPlan.status.in_(rules.OPEN_STATUSES),
                PlanAction.status.in_((rules.OPEN, rules.IN_PROGRESS)),
                PlanAction.target_date < today,
                PlanAction.overdue_at.is_(None),
            )
            .with_for_update(of=PlanAction, skip_locked=True)
        ).all()
        _record_overdue(
            actor, now, ImprovementPlan, "improvement_plan", "submission_due_date", plans_due
        )
        _record_overdue(actor, now, PlanAction, "plan_action", "target_date", actions_due)
        counts["plans_overdue"], counts["actions_overdue"] = len(plans_due), len(actions_due)
        services = {service_id for _id, service_id, _due in plans_due + actions_due}
        db.session.flush()
        services_changed(actor, list(services))  # the risk RAG turns amber
    return counts


def _record_overdue(actor: Actor, now: datetime, model, entity: str, field: str, rows) -> None:
    """Mark these (id, service_id, due date) rows overdue at `now`, with one audit event each,
    in two statements however many there are."""
    if not rows:
        return
    db.session.execute(
        update(model)
        .where(model.id.in_([row_id for row_id, _service, _due in rows]))
        .values(overdue_at=now, version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    audit.record_many(
        actor,
        [
            (entity, row_id, "overdue", {field: [None, due]}, service_id)
            for row_id, service_id, due in rows
        ],
    )


def _open_missing(actor: Actor) -> int:
    """Services below Good that have never had a plan (for example, below Good already when
    plans were introduced): open theirs now. Two statements when there are none."""
    latest = (
        select(
            Assessment.service_id.label("service_id"),
            func.max(Assessment.published_at).label("published_at"),
        )
        .where(Assessment.status == "published")
        .group_by(Assessment.service_id)
        .subquery()
    )
    below_by_assessment = (
        select(Assessment.service_id)
        .join(
            latest,
            and_(
                latest.c.service_id == Assessment.service_id,
                latest.c.published_at == Assessment.published_at,
            ),
        )
        .where(Assessment.overall_rating.in_(rules.BELOW_GOOD_RATINGS))
    )
    candidates = db.session.scalars(
        select(Service)
        .where(
            or_(
                Service.cqc_rating.in_(rules.BELOW_GOOD_CQC),
                Service.id.in_(below_by_assessment),
            ),
            ~select(ImprovementPlan.id).where(ImprovementPlan.service_id == Service.id).exists(),
        )
        .order_by(Service.id)
    ).unique()
    opened = 0
    for service in list(candidates):
        if open_if_below_good(actor, service) is not None:
            opened += 1
    return opened


# ---------------------------------------------------------------- lists and summaries


@dataclass
class PlanRow:
    plan: ImprovementPlan
    actions: int
    open_actions: int
    overdue_actions: int
    verified: int
    issues: int


@dataclass
class PlanFilters:
    status: str = ""  # a status, or "open" for every open one (the default)
    overdue: bool = False
    officer_id: int | None = None
    service_id: int | None = None
    page: int = 1


def _action_counts(today: date, plan_ids=None):
    """Per plan: actions, open ones, overdue ones, verified ones; only for `plan_ids` (a list
    or a subquery of ids) when given, so that a page never aggregates every action there is."""
    open_ = PlanAction.status.in_((rules.OPEN, rules.IN_PROGRESS))
    query = select(
        PlanAction.plan_id.label("plan_id"),
        func.count(PlanAction.id).label("actions"),
        func.count(PlanAction.id).filter(open_).label("open_actions"),
        func.count(PlanAction.id)
        .filter(and_(open_, PlanAction.target_date < today))
        .label("overdue_actions"),
        func.count(PlanAction.id).filter(PlanAction.status == rules.VERIFIED).label("verified"),
    ).group_by(PlanAction.plan_id)
    if plan_ids is not None:
        query = query.where(PlanAction.plan_id.in_(plan_ids))
    return query.subquery()


def _has_overdue_actions(today: date):
    """The plan has an action past its target date (the overdue actions are few; the
    database lists them once, from the status and target date index)."""
    return ImprovementPlan.id.in_(
        select(PlanAction.plan_id).where(
            PlanAction.status.in_((rules.OPEN, rules.IN_PROGRESS)),
            PlanAction.target_date < today,
        )
    )


def list_plans(
    filters: PlanFilters, today: date | None = None, page_size: int = 50, clamp: bool = True
) -> tuple[list[PlanRow], Page]:
    """Plans, overdue and waiting-for-review first (four statements, whatever the numbers of
    plans and actions: the page's plans, then the counts for just those plans)."""
    today = today or london_today()
    plan_late = and_(
        ImprovementPlan.status.in_(rules.WITH_PROVIDER),
        ImprovementPlan.submission_due_date < today,
    )
    late_actions = _has_overdue_actions(today)
    query = select(ImprovementPlan).join(ImprovementPlan.service)
    if filters.status == "open" or not filters.status:
        query = query.where(ImprovementPlan.status.in_(rules.OPEN_STATUSES))
    elif filters.status != "all":
        query = query.where(ImprovementPlan.status == filters.status)
    if filters.overdue:
        query = query.where(
            or_(plan_late, and_(ImprovementPlan.status.in_(rules.OPEN_STATUSES), late_actions))
        )
    if filters.officer_id:
        query = query.where(Service.contract_officer_id == filters.officer_id)
    if filters.service_id:
        query = query.where(ImprovementPlan.service_id == filters.service_id)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = (
        clamp_page(filters.page, total, page_size)
        if clamp
        else Page(max(1, filters.page), page_size, total)
    )
    urgent = case(
        (plan_late, 0),
        (ImprovementPlan.status == rules.SUBMITTED, 1),
        (and_(ImprovementPlan.status.in_(rules.OPEN_STATUSES), late_actions), 2),
        (ImprovementPlan.status.in_(rules.OPEN_STATUSES), 3),
        else_=4,
    )
    plans_ = list(
        db.session.scalars(
            query.order_by(urgent, ImprovementPlan.submission_due_date, ImprovementPlan.id)
            .offset(page.offset)
            .limit(page.size)
        ).unique()
    )
    ids = [p.id for p in plans_]
    counts, issues_only = {}, {}
    if ids:
        sub = _action_counts(today, ids)
        counts = {row.plan_id: row for row in db.session.execute(select(sub))}
        issues_only = dict(
            db.session.execute(
                select(PlanIssue.plan_id, func.count(PlanIssue.id))
                .where(PlanIssue.plan_id.in_(ids), PlanIssue.withdrawn_at.is_(None))
                .group_by(PlanIssue.plan_id)
            ).all()
        )
    rows = []
    for plan in plans_:
        c = counts.get(plan.id)
        rows.append(
            PlanRow(
                plan,
                c.actions if c else 0,
                c.open_actions if c else 0,
                c.overdue_actions if c else 0,
                c.verified if c else 0,
                issues_only.get(plan.id, 0),
            )
        )
    return rows, page


@dataclass
class PlanCounts:
    overdue_plans: int
    awaiting_review: int
    overdue_actions: int
    open_plans: int


def staff_counts(user: User | None = None, today: date | None = None) -> PlanCounts:
    """For the officer's and manager's home pages (two statements). With `user`, only the
    services they are contract officer for."""
    today = today or london_today()
    plan_q = select(
        func.count(ImprovementPlan.id).filter(
            ImprovementPlan.status.in_(rules.WITH_PROVIDER),
            ImprovementPlan.submission_due_date < today,
        ),
        func.count(ImprovementPlan.id).filter(ImprovementPlan.status == rules.SUBMITTED),
        func.count(ImprovementPlan.id).filter(ImprovementPlan.status.in_(rules.OPEN_STATUSES)),
    ).join(ImprovementPlan.service)
    action_q = (
        select(func.count(PlanAction.id))
        .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
        .join(Service, ImprovementPlan.service_id == Service.id)
        .where(
            ImprovementPlan.status.in_(rules.OPEN_STATUSES),
            PlanAction.status.in_((rules.OPEN, rules.IN_PROGRESS)),
            PlanAction.target_date < today,
        )
    )
    if user is not None:
        plan_q = plan_q.where(Service.contract_officer_id == user.id)
        action_q = action_q.where(Service.contract_officer_id == user.id)
    overdue, review, open_plans = db.session.execute(plan_q).one()
    return PlanCounts(overdue, review, db.session.scalar(action_q) or 0, open_plans)


@dataclass
class PortalService:
    service: Service
    latest: Assessment | None
    plan: ImprovementPlan | None
    actions: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    drafts: int = 0
    plan_overdue: bool = False


def portal_summary(user: User, today: date | None = None) -> list[PortalService]:
    """A provider's services with latest rating, open plan and what is overdue (four
    statements, whatever the number of services and actions)."""
    today = today or london_today()
    provider_id = user.provider_id or -1
    services = list(
        db.session.scalars(
            select(Service).where(Service.provider_id == provider_id).order_by(Service.name)
        ).unique()
    )
    ranked = (
        select(
            Assessment.id,
            func.row_number()
            .over(
                partition_by=Assessment.service_id,
                order_by=(Assessment.published_at.desc(), Assessment.id.desc()),
            )
            .label("n"),
        )
        .join(Service, Assessment.service_id == Service.id)
        .where(Service.provider_id == provider_id, Assessment.status == "published")
        .subquery()
    )
    latest = {
        a.service_id: a
        for a in db.session.scalars(
            select(Assessment).join(ranked, ranked.c.id == Assessment.id).where(ranked.c.n == 1)
        ).unique()
    }
    drafts = dict(
        db.session.execute(
            select(Assessment.service_id, func.count(Assessment.id))
            .join(Service, Assessment.service_id == Service.id)
            .where(Service.provider_id == provider_id, Assessment.status == "draft_shared")
            .group_by(Assessment.service_id)
        ).all()
    )
    counts = _action_counts(
        today,
        select(ImprovementPlan.id)
        .join(Service, ImprovementPlan.service_id == Service.id)
        .where(
            Service.provider_id == provider_id,
            ImprovementPlan.status.in_(rules.OPEN_STATUSES),
        ),
    )
    plans = {}
    for plan, actions, open_actions, overdue_actions in db.session.execute(
        select(
            ImprovementPlan,
            func.coalesce(counts.c.actions, 0),
            func.coalesce(counts.c.open_actions, 0),
            func.coalesce(counts.c.overdue_actions, 0),
        )
        .join(Service, ImprovementPlan.service_id == Service.id)
        .outerjoin(counts, counts.c.plan_id == ImprovementPlan.id)
        .where(
            Service.provider_id == provider_id,
            ImprovementPlan.status.in_(rules.OPEN_STATUSES),
        )
    ).unique():
        plans[plan.service_id] = (plan, actions, open_actions, overdue_actions)
    rows = []
    for service in services:
        plan, actions, open_actions, overdue_actions = plans.get(service.id, (None, 0, 0, 0))
        rows.append(
            PortalService(
                service=service,
                latest=latest.get(service.id),
                plan=plan,
                actions=actions,
                open_actions=open_actions,
                overdue_actions=overdue_actions,
                drafts=drafts.get(service.id, 0),
                plan_overdue=bool(
                    plan and rules.plan_overdue(plan.status, plan.submission_due_date, today)
                ),
            )
        )
    return rows


# ---------------------------------------------------------------- evidence files


def upload_evidence(
    actor: Actor, viewer: User, action_id: int, filename: str, data: bytes
) -> EvidenceFile:
    """An evidence file on its own, for test and demo data only: the same checks and storage as
    the portal's, but a looser state check. The portal adds a file only with the progress it
    evidences, through `record_progress`, under `rules.progress_refusal`."""
    action, plan = _action(viewer, action_id)
    _provider(viewer, "upload evidence")
    checked = evidence_store.check(filename, data)
    if action.status == rules.VERIFIED or plan.status not in rules.OPEN_STATUSES:
        raise Conflict("Evidence can no longer be added to this action")
    with evidence_store.store(checked, actor.label) as columns, unit_of_work():
        record = _add_evidence_record(actor, action, plan, columns)
    return record


def _add_evidence_record(actor, action, plan, columns: dict) -> EvidenceFile:
    """The record of a file `evidence_store.store` has kept, with its audit event."""
    record = EvidenceFile(action_id=action.id, **columns)
    db.session.add(record)
    db.session.flush()
    audit.record(
        actor,
        "evidence_file",
        record.id,
        "uploaded",
        {"filename": [None, record.filename], "action": [None, action.id]},
        plan.service_id,
    )
    return record


def evidence_file(viewer: User, file_id: int) -> tuple[EvidenceFile, Path]:
    record = db.session.get(EvidenceFile, file_id)
    _plan_of(viewer, record and record.action, "File not found")
    return record, evidence_store.path_of(record)


# ---------------------------------------------------------------- follow-up assessments


@dataclass
class FollowUp:
    service_id: int
    service_name: str
    published_on: date
    rating: str
    due: date
    overdue: bool


def follow_ups_due(
    user: User | None = None, today: date | None = None, within_days: int = 31, limit: int = 15
) -> list[FollowUp]:
    """Services whose follow-up assessment (6 months after the latest publication) is due within
    `within_days` or overdue, most overdue first; none if a newer assessment is under way
    (two statements)."""
    from datetime import timedelta

    from qa_app.domain.lifecycle import follow_up_due

    today = today or london_today()
    horizon = today + timedelta(days=within_days)
    cutoff = follow_up_due(horizon, months=-6) + timedelta(days=1)
    cutoff_at = datetime.combine(cutoff, datetime.min.time(), tzinfo=LONDON)
    latest = (
        select(
            Assessment.service_id.label("service_id"),
            func.max(Assessment.published_at).label("published_at"),
        )
        .where(Assessment.status == "published")
        .group_by(Assessment.service_id)
        .subquery()
    )
    later = aliased(Assessment)
    newer = (
        select(later.id)
        .where(
            later.service_id == latest.c.service_id,
            later.status != "published",
            later.created_at > latest.c.published_at,
        )
        .exists()
    )
    query = (
        select(Service.id, Service.name, latest.c.published_at, Assessment.overall_rating)
        .join(latest, latest.c.service_id == Service.id)
        .join(
            Assessment,
            and_(
                Assessment.service_id == Service.id,
                Assessment.published_at == latest.c.published_at,
            ),
        )
        .where(latest.c.published_at < cutoff_at, ~newer)
        .order_by(latest.c.published_at, Service.id)
        .limit(limit)
    )
    if user is not None:
        query = query.where(Service.contract_officer_id == user.id)
    rows = []
    for service_id, name, published_at, rating in db.session.execute(query):
        published_on = published_at.astimezone(LONDON).date()
        due = follow_up_due(published_on)
        if due <= horizon:
            rows.append(FollowUp(service_id, name, published_on, rating, due, due < today))
    return rows


def issue_for(viewer: User, issue_id: int) -> tuple[PlanIssue, ImprovementPlan]:
    issue = db.session.get(PlanIssue, issue_id)
    return issue, _plan_of(viewer, issue, "Issue not found")


def action_for(viewer: User, action_id: int) -> tuple[PlanAction, PlanIssue, ImprovementPlan]:
    action, plan = _action(viewer, action_id)
    return action, db.session.get(PlanIssue, action.issue_id), plan
