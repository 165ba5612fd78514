"""Who is emailed when a step happens, and with what: each function joins the step's unit of
work (`qa_app.services.outbox.enqueue`), so the email goes only if the step is kept.

- providers (every active user of the service's provider): the draft report shared (with the
  comment deadline), the assessment published, an improvement plan opened (with its deadline);
- officers (the assessment's lead officer and its other officers): a plan submitted for review
  (the officers of the service's latest published assessment; none when the plan came from a CQC rating alone);
- managers (every active manager): an assessment submitted for review.
- providers also: a plan returned with comments or accepted, a notice of concern or a contract
  breach notice issued; officers (the assessment's): the provider's comments on a shared draft
  (once per sharing); managers: a draft notice of concern made by the sweep, a contract breach
  notice drafted (every manager but the one who drafted it).

An email names the service and a date, and links to the page; never more than the recipient
may see in the app.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from qa_app.domain.draft_comments import comment_deadline
from qa_app.domain.notices import NoticeStatus
from qa_app.domain.roles import Role
from qa_app.domain.wording import long_date
from qa_app.extensions import db
from qa_app.models import Assessment, ImprovementPlan, Notice, Service, User
from qa_app.services import outbox
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


def _to_provider(kind: str, key: str, service: Service, link: str, **more: str) -> None:
    """An email to every active user of the service's provider, naming the service and
    linking to its page in the portal."""
    _send(kind, key, _provider_users(service), service_name=service.name, link=link, **more)


def assessment_submitted(assessment: Assessment) -> None:
    _send(
        "assessment_submitted",
        f"assessment_submitted:{assessment.id}:{_stamp(assessment.submitted_at)}",
        _managers(),
        service_name=assessment.service.name,
        link=outbox.link("staff.assessment_page", assessment_id=assessment.id),
    )


def draft_report_shared(assessment: Assessment) -> None:
    deadline = comment_deadline(assessment.shared_at)
    _to_provider(
        "draft_report_shared",
        f"draft_report_shared:{assessment.id}:{_stamp(assessment.shared_at)}",
        assessment.service,
        outbox.link("portal.assessment_report", assessment_id=assessment.id),
        deadline=long_date(deadline) if deadline else "",
    )


def assessment_published(assessment: Assessment) -> None:
    _to_provider(
        "assessment_published",
        f"assessment_published:{assessment.id}",
        assessment.service,
        outbox.link("portal.assessment_report", assessment_id=assessment.id),
    )


def plan_opened(plan: ImprovementPlan, service: Service) -> None:
    _to_provider(
        "plan_opened",
        f"plan_opened:{plan.id}",
        service,
        outbox.link("portal.plan_page", plan_id=plan.id),
        deadline=long_date(plan.submission_due_date),
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


# ---------------------------------------------------------------- more steps (issue 19 part C)


def _without(users: Iterable[User], actor_user: User | None) -> list[User]:
    """The recipients, less the person who took the step (they know already)."""
    return [u for u in users if actor_user is None or u.id != actor_user.id]


def assessment_officers(assessment: Assessment) -> list[User]:
    """The assessment's lead officer and its other officers, each once."""
    people = {u.id: u for u in [assessment.lead_officer, *assessment.officers] if u is not None}
    return list(people.values())


def plan_reviewed(plan: ImprovementPlan, accepted: bool) -> None:
    """The plan returned with comments, or accepted: the provider's users (the comments stay
    on the plan's page)."""
    kind = "plan_accepted" if accepted else "plan_returned"
    _to_provider(
        kind,
        f"{kind}:{plan.id}:{_stamp(plan.reviewed_at)}",
        plan.service,
        outbox.link("portal.plan_page", plan_id=plan.id),
    )


def notice_issued(notice: Notice) -> None:
    """A notice of concern or a contract breach notice issued: the provider's users (it is
    theirs to read once issued; the concerns behind it are never named)."""
    kind = "breach_notice_issued" if notice.kind == "contract_breach" else "notice_issued"
    _to_provider(
        kind,
        f"{kind}:{notice.id}:{_stamp(notice.issued_at)}",
        notice.service,
        outbox.link("portal.notice_page", notice_id=notice.id),
    )


def provider_comments_received(assessment: Assessment) -> None:
    """The provider's first comment on a shared draft: the assessment's officers, once per
    sharing (the page lists every comment; a comment per email would flood them)."""
    _send(
        "provider_comments_received",
        f"provider_comments_received:{assessment.id}:{_stamp(assessment.shared_at)}",
        assessment_officers(assessment),
        service_name=assessment.service.name,
        link=outbox.link("staff.assessment_page", assessment_id=assessment.id),
    )


def notices_drafted(created: Iterable[tuple[int, int]]) -> None:
    """The sweep drafted these (notice id, service id) notices of concern from concerns past
    their response time: every manager (who decides whether to issue each)."""
    _drafted_by_the_sweep(created, "notice_drafted", "notices_drafted", "notice_of_concern")


def breaches_drafted(created: Iterable[tuple[int, int]]) -> None:
    """The sweep drafted these (breach notice id, service id) contract breach notices from
    notices of concern whose requirements were not met: every manager."""
    _drafted_by_the_sweep(
        created, "breach_notice_drafted", "breach_notices_drafted", "contract_breach"
    )


def _drafted_by_the_sweep(created, one_kind: str, many_kind: str, notice_kind: str) -> None:
    """One draft: an email naming its service and opening it. Several (a sweep after an outage
    can draft hundreds): one email per manager for the sweep's batch, opening the list of
    drafts, rather than an email per notice per manager."""
    created = sorted(created)
    if not created:
        return
    if len(created) == 1:
        [(notice_id, service_id)] = created
        _send(
            one_kind,
            f"{one_kind}:{notice_id}",
            _managers(),
            service_name=db.session.execute(
                select(Service.name).where(Service.id == service_id)
            ).scalar_one(),
            link=outbox.link("staff.notice_page", notice_id=notice_id),
        )
        return
    _send(
        many_kind,
        f"{many_kind}:{created[0][0]}-{created[-1][0]}:{len(created)}",
        _managers(),
        count=str(len(created)),
        link=outbox.link("staff.notice_list", kind=notice_kind, status=NoticeStatus.DRAFT),
    )


def breach_notice_drafted(breach: Notice, service: Service, actor_user: User | None) -> None:
    """A contract breach notice drafted by a manager's hand: every manager but the one who
    drafted it (the sweep's go by `breaches_drafted`)."""
    _send(
        "breach_notice_drafted",
        f"breach_notice_drafted:{breach.id}",
        _without(_managers(), actor_user),
        service_name=service.name,
        link=outbox.link("staff.notice_page", notice_id=breach.id),
    )
