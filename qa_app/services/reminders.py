"""The worker's "reminders" task (services/worker.py PERIODIC, every 15 minutes): each reminder
that is due now, found with the rules the pages use, written to the outbox once.

Providers (every active user of the service's provider):
- a draft report's comment period closes within 3 days (`domain.draft_comments`), unless the
  provider has said it has no comments;
- a plan is due within 3 days, and once it is overdue (`rules.plan_overdue`);
- an action has passed its target date (`rules.action_overdue`);
- a requirement of an issued notice (or a remedial action of a breach notice) is due within
  3 days and not met.
Officers (the concern's officer; otherwise the service's contract officer; otherwise every
active officer): a concern's response due within 2 hours (`rules.clock_due_soon`), and its
response time passed (`rules.clock_breached`). The service's contract officer (otherwise the
lead officer of its latest published assessment): a follow-up assessment due
(`assessment_facts.follow_ups_due`).

Each reminder's event key names its kind, its record and its due date or instant
(`domain.reminders.event_key`), and the outbox writes one email per (event key, recipient):
running the task again, or on two workers at once, sends nothing twice, while a due date moved
later makes a new reminder. Closed services get none. Nothing here names a concern to a
provider: provider reminders are about reports, plans and issued notices only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from qa_app.domain import plans as plan_rules
from qa_app.domain import reminders as due
from qa_app.domain.draft_comments import COMMENT_DAYS, comment_deadline
from qa_app.domain.lifecycle import DRAFT_SHARED
from qa_app.domain.notices import NoticeStatus, RequirementStatus
from qa_app.domain.roles import Role
from qa_app.domain.wording import long_date, long_datetime
from qa_app.extensions import db
from qa_app.models import (
    Assessment,
    AssessmentComment,
    Concern,
    ImprovementPlan,
    Notice,
    NoticeRequirement,
    OutboxEmail,
    PlanAction,
    Service,
    User,
)
from qa_app.models.types import utcnow
from qa_app.services import outbox, rules
from qa_app.services.assessment_facts import follow_ups_due
from qa_app.services.calendar import london_today
from qa_app.services.transaction import unit_of_work

NOTICE_NAMES = {
    "notice_of_concern": "notice of concern",
    "contract_breach": "contract breach notice",
}
#: follow-ups asked for in one run (every one due is found; this only bounds the statement)
FOLLOW_UP_LIMIT = 10_000
#: reminders whose outbox rows are looked up in one statement
CHUNK = 500


def run(now: datetime | None = None) -> dict[str, int]:
    """Write every reminder due at `now` (default: the present). Returns how many emails each
    kind of reminder wrote this time (0 for one already written)."""
    db.session.commit()  # what the session had begun is not ours to keep in a transaction
    now = now or utcnow()
    today = london_today(now)
    written: dict[str, int] = {}
    for kind, find in (
        ("comments_closing", _comments_closing),
        ("plan_due_soon", _plans_due_soon),
        ("plan_overdue", _plans_overdue),
        ("action_overdue", _actions_overdue),
        ("requirement_due_soon", _requirements_due_soon),
        ("concern_due_soon", _concerns_due_soon),
        ("concern_breached", _concerns_breached),
        ("follow_up_due", _follow_ups_due),
    ):
        # reads, then writes, beside other workers: on SQLite the write lock is taken first
        with unit_of_work(writes_after_reading=True):
            written[kind] = _write(find(now, today))
    return written


# ---------------------------------------------------------------- recipients


def _provider_users(provider_ids: Iterable[int | None]) -> dict[int, list[User]]:
    """Each provider's active users (one statement)."""
    ids = sorted({i for i in provider_ids if i is not None})
    users: dict[int, list[User]] = defaultdict(list)
    if ids:
        for user in db.session.scalars(
            select(User).where(
                User.provider_id.in_(ids), User.role == Role.PROVIDER, User.active.is_(True)
            )
        ).unique():
            users[user.provider_id].append(user)  # type: ignore[index]
    return users


def _staff(user: User | None) -> User | None:
    return user if user is not None and user.active and user.role != Role.PROVIDER else None


def _active_officers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.OFFICER, User.active.is_(True)).order_by(User.id)
        ).unique()
    )


@dataclass(frozen=True)
class Reminder:
    kind: str
    key: str
    recipients: list[User]
    personalisation: dict[str, str]


def _reminder(
    kind: str, key: str, recipients: list[User], **personalisation: str
) -> list[Reminder]:
    """One reminder to write (to its active recipients)."""
    active = [r for r in recipients if r.active]
    return [Reminder(kind, key[:200], active, personalisation)] if active else []


def _write(found: list[Reminder]) -> int:
    """Write each reminder to those of its recipients it has not been written to yet; how many
    emails that was. The outbox's unique (event key, recipient) is what guarantees once, even
    for two workers at once; reading what is already there first (one statement per
    `CHUNK` reminders) keeps the count honest and a run with nothing new writing nothing."""
    written = 0
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        already = {
            (key, email)
            for key, email in db.session.execute(
                select(OutboxEmail.event_key, OutboxEmail.recipient_email).where(
                    OutboxEmail.event_key.in_([r.key for r in chunk])
                )
            )
        }
        for reminder in chunk:
            new = [u for u in reminder.recipients if (reminder.key, u.email) not in already]
            if new:
                outbox.enqueue(reminder.kind, reminder.key, new, reminder.personalisation)
                written += len(new)
    return written


# ---------------------------------------------------------------- providers


@dataclass(frozen=True)
class _Due:
    """A record of a service's that falls due (`when`), which a provider reminder is about:
    its page (`link`), and any more the email says (`more`)."""

    record_id: int
    when: date | datetime
    service: Service
    link: str
    more: dict[str, str] = field(default_factory=dict)


def _to_providers(kind: str, date_name: str, found: list[_Due]) -> list[Reminder]:
    """A reminder of `kind` for each record found, to every active user of its service's
    provider: the service's name, the due date (as `date_name`) and the link. Its event key
    names the record and its due date."""
    people = _provider_users(f.service.provider_id for f in found)
    written: list[Reminder] = []
    for f in found:
        written += _reminder(
            kind,
            due.event_key(kind, f.record_id, f.when),
            people[f.service.provider_id],
            service_name=f.service.name,
            **{date_name: long_date(f.when)},
            link=f.link,
            **f.more,
        )
    return written


def _said_no_comments():
    """The provider said it has no comments on the draft as shared last: nothing to remind."""
    return (
        select(AssessmentComment.id)
        .where(
            AssessmentComment.assessment_id == Assessment.id,
            AssessmentComment.kind == "no_comments",
            AssessmentComment.created_at >= Assessment.shared_at,
        )
        .exists()
    )


def _comments_closing(now: datetime, today) -> list[Reminder]:
    shared = db.session.scalars(
        select(Assessment)
        .join(Service, Service.id == Assessment.service_id)
        .where(
            Assessment.status == DRAFT_SHARED,
            Assessment.shared_at >= now - timedelta(days=COMMENT_DAYS),
            rules.service_open_on(today),
            ~_said_no_comments(),
        )
        .order_by(Assessment.id)
    ).unique()
    chosen = [a for a in shared if due.closes_soon(comment_deadline(a.shared_at), now)]
    found: list[_Due] = []
    for assessment in chosen:
        deadline = comment_deadline(assessment.shared_at)
        assert deadline is not None  # shared
        link = outbox.link("portal.assessment_report", assessment_id=assessment.id)
        found.append(_Due(assessment.id, deadline, assessment.service, link))
    return _to_providers("comments_closing", "deadline", found)


def _plan_reminders(kind: str, plans: list[ImprovementPlan]) -> list[Reminder]:
    found = [
        _Due(p.id, p.submission_due_date, p.service, outbox.link("portal.plan_page", plan_id=p.id))
        for p in plans
    ]
    return _to_providers(kind, "deadline", found)


def _plans_due_soon(now: datetime, today) -> list[Reminder]:
    first, last = due.window(today)
    plans = db.session.scalars(
        select(ImprovementPlan)
        .where(
            ImprovementPlan.status.in_(plan_rules.WITH_PROVIDER),
            ImprovementPlan.submission_due_date >= first,
            ImprovementPlan.submission_due_date <= last,
            rules.plan_service_open_on(today),
        )
        .order_by(ImprovementPlan.id)
    ).unique()
    return _plan_reminders("plan_due_soon", list(plans))


def _plans_overdue(now: datetime, today) -> list[Reminder]:
    plans = db.session.scalars(
        select(ImprovementPlan)
        .where(rules.plan_overdue(today), rules.plan_service_open_on(today))
        .order_by(ImprovementPlan.id)
    ).unique()
    return _plan_reminders("plan_overdue", list(plans))


def _actions_overdue(now: datetime, today) -> list[Reminder]:
    rows = db.session.execute(
        select(PlanAction.id, PlanAction.target_date, ImprovementPlan)
        .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
        .where(
            ImprovementPlan.status.in_(plan_rules.OPEN_STATUSES),
            rules.action_overdue(today),
            rules.plan_service_open_on(today),
        )
        .order_by(PlanAction.id)
    ).all()
    found = [
        _Due(action_id, target_date, plan.service, outbox.link("portal.plan_page", plan_id=plan.id))
        for action_id, target_date, plan in rows
    ]
    return _to_providers("action_overdue", "target_date", found)


def _requirements_due_soon(now: datetime, today) -> list[Reminder]:
    first, last = due.window(today)
    rows = db.session.execute(
        select(NoticeRequirement.id, NoticeRequirement.due_date, Notice)
        .join(Notice, NoticeRequirement.notice_id == Notice.id)
        .join(Service, Service.id == Notice.service_id)
        .where(
            Notice.status == NoticeStatus.ISSUED,
            NoticeRequirement.status != RequirementStatus.MET,
            NoticeRequirement.due_date >= first,
            NoticeRequirement.due_date <= last,
            rules.service_open_on(today),
        )
        .order_by(NoticeRequirement.id)
    ).all()
    found = [
        _Due(
            requirement_id,
            due_date,
            notice.service,
            outbox.link("portal.notice_page", notice_id=notice.id),
            {"notice_name": NOTICE_NAMES.get(notice.kind, "notice")},
        )
        for requirement_id, due_date, notice in rows
    ]
    return _to_providers("requirement_due_soon", "due_date", found)


# ---------------------------------------------------------------- officers


def concern_officers(concern: Concern, everyone: list[User]) -> list[User]:
    """Who is told about a concern's clock: its officer; otherwise the service's contract
    officer; otherwise every active officer (`everyone`), as any of them may respond."""
    for person in (concern.officer, concern.service.contract_officer):
        if (officer := _staff(person)) is not None:
            return [officer]
    return everyone


def _concern_reminders(kind: str, concerns: list[Concern]) -> list[Reminder]:
    everyone = _active_officers() if concerns else []
    written: list[Reminder] = []
    for concern in concerns:
        written += _reminder(
            kind,
            due.event_key(kind, concern.id, concern.response_due_at),
            concern_officers(concern, everyone),
            service_name=concern.service.name,
            risk_level=concern.risk_level,
            due_at=long_datetime(concern.response_due_at),
            link=outbox.link("staff.concern_page", concern_id=concern.id),
        )
    return written


def _concerns_due_soon(now: datetime, today) -> list[Reminder]:
    concerns = db.session.scalars(
        select(Concern)
        .where(rules.clock_due_soon(now, hours=due.CLOCK_WARNING_HOURS))
        .order_by(Concern.response_due_at, Concern.id)
    ).unique()
    return _concern_reminders("concern_due_soon", list(concerns))


def _concerns_breached(now: datetime, today) -> list[Reminder]:
    concerns = db.session.scalars(
        select(Concern).where(rules.clock_breached(now)).order_by(Concern.id)
    ).unique()
    return _concern_reminders("concern_breached", list(concerns))


def _follow_ups_due(now: datetime, today) -> list[Reminder]:
    found = follow_ups_due(today=today, within_days=0, limit=FOLLOW_UP_LIMIT)
    if not found:
        return []
    services = {
        s.id: s
        for s in db.session.scalars(
            select(Service).where(Service.id.in_([f.service_id for f in found]))
        ).unique()
    }
    latest = rules.latest_published_by_service(services)
    written: list[Reminder] = []
    for follow_up in found:
        service = services[follow_up.service_id]
        assessment = latest.get(service.id)
        officer = _staff(service.contract_officer) or _staff(
            assessment.lead_officer if assessment else None
        )
        written += _reminder(
            "follow_up_due",
            due.event_key("follow_up_due", service.id, follow_up.due),
            [officer] if officer else [],
            service_name=service.name,
            due_date=long_date(follow_up.due),
            link=outbox.link("staff.service_page", service_id=service.id),
        )
    return written
