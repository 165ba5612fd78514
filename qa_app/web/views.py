"""What a page may offer, asked of the domain: templates ask `view.can_publish`, and never
compare a status.

Each `can_…` here is the domain's rule for that step: the absence of the refusal the service
raises when the step is taken (`domain.plans.can_review` is `review_refusal(...) is None`), so a
button is shown exactly when pressing it would be accepted. The other answers (`is_published`,
`shows_review_comments`…) are the domain's names for a state, for the words a page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qa_app.domain import (
    concerns,
    cqc_import,
    draft_comments,
    lifecycle,
    notices,
    periodic_tasks,
    plans,
    roles,
)
from qa_app.domain.cqc_successors import SAME
from qa_app.domain.lifecycle import AssessmentStatus
from qa_app.domain.notices import NoticeStatus, RequirementStatus, StopState
from qa_app.domain.plans import ActionStatus, PlanStatus

#: The GOV.UK tag colour of each status, by kind of record (the words come from the domain).
TAG_CLASSES: dict[str, dict[str, str]] = {
    "assessment": {
        AssessmentStatus.PLANNED: "govuk-tag--grey",
        AssessmentStatus.IN_PROGRESS: "govuk-tag--blue",
        AssessmentStatus.SUBMITTED: "govuk-tag--purple",
        AssessmentStatus.DRAFT_SHARED: "govuk-tag--yellow",
        AssessmentStatus.PUBLISHED: "govuk-tag--green",
    },
    "plan": {
        PlanStatus.AWAITING: "govuk-tag--yellow",
        PlanStatus.SUBMITTED: "govuk-tag--blue",
        PlanStatus.RETURNED: "govuk-tag--orange",
        PlanStatus.ACCEPTED: "govuk-tag--turquoise",
        PlanStatus.COMPLETED: "govuk-tag--green",
    },
    "action": {
        ActionStatus.OPEN: "govuk-tag--grey",
        ActionStatus.IN_PROGRESS: "govuk-tag--blue",
        ActionStatus.COMPLETED: "govuk-tag--turquoise",
        ActionStatus.VERIFIED: "govuk-tag--green",
    },
    "notice": {
        NoticeStatus.DRAFT: "govuk-tag--grey",
        NoticeStatus.ISSUED: "govuk-tag--red",
        NoticeStatus.ESCALATED: "govuk-tag--purple",
        NoticeStatus.LIFTED: "govuk-tag--green",
        NoticeStatus.REMEDIED: "govuk-tag--green",
        NoticeStatus.TERMINATION_RECOMMENDED: "govuk-tag--red",
        NoticeStatus.WITHDRAWN: "govuk-tag--grey",
    },
    "requirement": {
        RequirementStatus.OPEN: "govuk-tag--yellow",
        RequirementStatus.MET: "govuk-tag--green",
        RequirementStatus.NOT_MET: "govuk-tag--red",
    },
    # the council's answer to a provider's comment on a draft (not a status, but a tag)
    "decision": {
        draft_comments.ACCEPTED: "govuk-tag--green",
        draft_comments.NOT_ACCEPTED: "govuk-tag--grey",
    },
    "cqc_import": {
        cqc_import.ImportStatus.READING: "govuk-tag--blue",
        cqc_import.ImportStatus.PREVIEWED: "govuk-tag--yellow",
        cqc_import.ImportStatus.REFUSED: "govuk-tag--red",
        cqc_import.ImportStatus.COMMITTED: "govuk-tag--green",
        cqc_import.ImportStatus.DISCARDED: "govuk-tag--grey",
    },
    # a periodic task of the worker, on Background jobs
    "periodic_task": {
        periodic_tasks.WORKING: "govuk-tag--green",
        periodic_tasks.FAILING: "govuk-tag--red",
        periodic_tasks.LATE: "govuk-tag--yellow",
        periodic_tasks.NOT_RUN: "govuk-tag--grey",
    },
}


def tag_class(kind: str, status: str) -> str:
    """The tag colour for a status of a kind of record (grey for one the page does not know)."""
    return TAG_CLASSES[kind].get(status, "govuk-tag--grey")


# ---------------------------------------------------------------- assessments


@dataclass(frozen=True)
class AssessmentView:
    """An assessment, as its overview, report and the portal's list ask of it."""

    assessment: Any
    is_decider: bool = False

    @property
    def status(self) -> str:
        return self.assessment.status

    @property
    def can_record(self) -> bool:
        """Answers may be recorded (and the overview shows progress rather than ratings)."""
        return lifecycle.can_record(self.status)

    @property
    def can_submit(self) -> bool:
        return lifecycle.can_submit(self.status)

    @property
    def has_report(self) -> bool:
        return lifecycle.has_report(self.status)

    @property
    def is_published(self) -> bool:
        return lifecycle.is_published(self.status)

    @property
    def is_shared(self) -> bool:
        """The draft is with the provider for their comments."""
        return lifecycle.is_shared(self.status)

    @property
    def can_correct(self) -> bool:
        return self.is_decider and lifecycle.can_correct(
            self.status, self.assessment.superseded_at is not None
        )

    @property
    def review(self) -> draft_comments.ReviewOptions:
        """Share, publish, return: the review steps offered to a manager."""
        return draft_comments.review_options(
            self.status, self.assessment.shared_at is not None, self.is_decider
        )


def assessment_view(assessment: Any, role: str | None = None) -> AssessmentView:
    return AssessmentView(assessment, is_decider=roles.can_decide(role or ""))


# ---------------------------------------------------------------- improvement plans


@dataclass(frozen=True)
class PlanState:
    """A plan on a list: what its status means for the words beside it."""

    plan: Any

    @property
    def with_provider(self) -> bool:
        """Awaiting submission, or returned: the provider still has to send it (by its due
        date), and may."""
        return plans.can_submit(self.plan.status)


@dataclass(frozen=True)
class PlanPage(PlanState):
    """A plan's page (the council's and the provider's): which steps it offers."""

    pv: Any = None  # services.plans.PlanView: its issues, actions and files

    @classmethod
    def of(cls, pv: Any) -> PlanPage:
        return cls(pv.plan, pv)

    @property
    def status(self) -> str:
        return self.plan.status

    # the council's steps
    @property
    def can_review(self) -> bool:
        """Accept the plan, or return it with comments."""
        return plans.can_review(self.status)

    @property
    def can_add_issues(self) -> bool:
        return plans.can_change_issues(self.status)

    def can_withdraw_issue(self, issue: Any) -> bool:
        return issue.withdrawn_at is None and plans.can_change_issues(self.status)

    def can_check(self, action: Any) -> bool:
        """Verify a completed action, or send it back."""
        return plans.can_check_action(self.status, action.status)

    # the provider's steps
    @property
    def can_submit(self) -> bool:
        return plans.can_submit(self.status)

    def can_add_action(self, issue: Any) -> bool:
        return issue.withdrawn_at is None and plans.can_add_actions(self.status)

    def can_edit_action(self, action: Any) -> bool:
        return plans.can_edit_action(self.status, action.status)

    def can_record_progress(self, action: Any) -> bool:
        return plans.can_record_progress(self.status, action.status)

    # what the page says
    @property
    def with_council(self) -> bool:
        """Submitted: the council is reviewing it."""
        return plans.can_review(self.status)

    @property
    def is_accepted(self) -> bool:
        return plans.is_accepted(self.status)

    @property
    def shows_review_comments(self) -> bool:
        return plans.is_returned(self.status) and bool(self.plan.review_comments)

    @staticmethod
    def sent_back(action: Any) -> bool:
        return plans.was_sent_back(action.status, action.reopened_reason)


def plan_context(pv) -> dict:
    """What a plan's page needs, on the staff pages and the portal alike."""
    return {
        "pv": pv,
        "view": PlanPage.of(pv),
        "labels": plans.STATUS_LABELS,
        "action_labels": plans.ACTION_LABELS,
        "grades": plans.GRADES,
    }


# ---------------------------------------------------------------- concerns


@dataclass(frozen=True)
class ConcernView:
    """A concern's page: which steps it offers."""

    concern: Any
    #: services.concerns.closable: the domain's rule, with the status of the notice that an
    #: escalated concern went into (closed once that notice is decided)
    can_close: bool = False

    @property
    def can_respond(self) -> bool:
        return concerns.can_take(self.concern.status, "respond")

    @property
    def can_escalate(self) -> bool:
        return concerns.can_take(self.concern.status, "escalate")


# ---------------------------------------------------------------- notices


@dataclass(frozen=True)
class NoticeView:
    """A notice of concern or contract breach notice, as its page and the lists ask of it."""

    notice: Any
    today: date
    is_decider: bool = False

    @property
    def status(self) -> str:
        return self.notice.status

    @property
    def is_draft(self) -> bool:
        return notices.is_draft(self.status)

    @property
    def has_been_issued(self) -> bool:
        """Sent to the provider (a placement stop on a draft is only proposed)."""
        return notices.has_been_issued(self.status)

    @property
    def has_letter(self) -> bool:
        return notices.has_letter(self.status)

    @property
    def in_force(self) -> bool:
        return notices.in_force(self.status, self.notice.closed_at is not None)

    # requirements
    @property
    def can_assess(self) -> bool:
        """Council staff record whether each requirement is met."""
        return notices.can_assess(self.status)

    def can_respond(self, requirement: Any) -> bool:
        """The provider responds to the requirement (or updates its response)."""
        return notices.can_respond(self.status, requirement.status)

    @property
    def takes_responses(self) -> bool:
        """Issued: the provider responds to each requirement not yet met."""
        return notices.is_issued(self.status)

    @property
    def to_respond(self) -> list[Any]:
        """The requirements the provider has still to respond to."""
        return [
            r for r in self.notice.requirements if self.can_respond(r) and not r.provider_response
        ]

    def past_due(self, requirement: Any) -> bool:
        return notices.is_issued(self.status) and notices.requirement_past_due(
            requirement.status, requirement.due_date, self.today
        )

    @staticmethod
    def assessed(requirement: Any) -> bool:
        """The council has recorded whether it is met (its note is shown to the provider)."""
        return notices.requirement_assessed(requirement.status)

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.notice.requirements if notices.requirement_met(r.status))

    # the placement stop
    @property
    def stop_state(self) -> StopState:
        return notices.placement_stop_state(
            self.notice.placement_stop_start,
            self.notice.placement_stop_lifted_at is not None,
            self.today,
        )

    @property
    def stop_planned(self) -> bool:
        return self.stop_state == StopState.PLANNED

    @property
    def stop_in_force(self) -> bool:
        return self.stop_state == StopState.IN_FORCE

    @property
    def takes_placement_stop(self) -> bool:
        """A notice of concern (a breach notice has none)."""
        return notices.takes_placement_stop(self.notice.kind)

    @property
    def shows_stop_section(self) -> bool:
        """A notice of concern in force: its stop can be added, moved or lifted."""
        return notices.takes_placement_stop(self.notice.kind) and self.in_force

    @property
    def can_set_stop(self) -> bool:
        return notices.can_set_stop(
            self.notice.kind, self.in_force, self.notice.placement_stop_start, self.stop_state
        )

    @property
    def can_lift_stop(self) -> bool:
        return notices.can_lift_stop(
            self.status,
            self.notice.placement_stop_start,
            self.notice.placement_stop_lifted_at is not None,
        )

    # decisions (a manager's)
    @property
    def awaiting_decision(self) -> bool:
        return notices.awaiting_decision(self.status)

    def can(self, step: str) -> bool:
        """issue, withdraw, lift, escalate, remedy, recommend_termination."""
        return notices.can_take(self.notice.kind, self.status, step)

    @property
    def can_lift(self) -> bool:
        return self.can("lift")

    @property
    def can_escalate(self) -> bool:
        return self.can("escalate")

    @property
    def can_remedy(self) -> bool:
        return self.can("remedy")

    @property
    def can_recommend_termination(self) -> bool:
        return self.can("recommend_termination")


def notice_view(notice: Any, today: date, role: str | None = None) -> NoticeView:
    return NoticeView(notice, today, is_decider=roles.can_decide(role or ""))


# ---------------------------------------------------------------- CQC imports


@dataclass(frozen=True)
class ImportView:
    """An uploaded CQC ratings file, as its page and the imports list ask of it."""

    record: Any
    counts: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", self.record.counts or {})

    @property
    def status(self) -> str:
        return self.record.status

    @property
    def bad_rows(self) -> int:
        return int(self.counts.get("bad_rows") or 0)

    @property
    def label(self) -> str:
        return cqc_import.import_label(self.status, self.bad_rows)

    @property
    def tag_class(self) -> str:
        if self.needs_correcting:
            return "govuk-tag--red"
        return tag_class("cqc_import", self.status)

    @property
    def is_reading(self) -> bool:
        return self.status == cqc_import.ImportStatus.READING

    @property
    def is_refused(self) -> bool:
        return self.status == cqc_import.ImportStatus.REFUSED

    @property
    def is_committed(self) -> bool:
        return self.status == cqc_import.ImportStatus.COMMITTED

    @property
    def awaiting_confirmation(self) -> bool:
        """Read and previewed: what it would change is shown, to confirm or discard."""
        return self.status == cqc_import.ImportStatus.PREVIEWED

    @property
    def needs_correcting(self) -> bool:
        return cqc_import.needs_correcting(self.status, self.bad_rows)

    @property
    def has_preview(self) -> bool:
        return cqc_import.has_preview(self.status)

    @property
    def types_to_choose(self) -> int:
        return int(self.counts.get("types_to_choose") or 0)

    @property
    def can_choose_types(self) -> bool:
        """New services whose type the file cannot tell can be given one until it is decided."""
        return self.status == cqc_import.ImportStatus.PREVIEWED and not self.bad_rows

    @property
    def types_can_be_chosen(self) -> bool:
        """Some new service's type is the officer's to choose, and it can still be chosen: a
        new location said to be a known service registered again is not added, so it has no
        type to choose (its row says so, with no list, and no Save button shows for it)."""
        preview = self.record.preview or {}
        moving = {
            p["new_location_id"] for p in preview.get("successors", []) if p.get("decision") == SAME
        }
        return self.can_choose_types and any(
            len(s.get("type_choices") or ()) > 1 and s["location_id"] not in moving
            for s in preview.get("new_services", [])
        )

    @property
    def successors_to_decide(self) -> int:
        return int(self.counts.get("successors_to_decide") or 0)

    @property
    def can_commit(self) -> bool:
        return cqc_import.can_commit(
            self.status, self.bad_rows, self.types_to_choose, self.successors_to_decide
        )

    @property
    def can_discard(self) -> bool:
        return cqc_import.can_discard(self.status)
