"""Every figure of the QuAD report: its place in the JSON (a dotted path), the words people
read, and what it counts. One list, read by the queries (to count), the lists behind the
numbers (to list what was counted), and every format (to show it).

A counted figure has a `table` and a `where(window)`: the rows of that table it counts. A
figure about services' standing (ratings, follow-ups) is worked out per service instead
(`queries.standings`); a rate is worked out from two counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_

from qa_app.domain.codes import CQC_RATINGS
from qa_app.domain.concerns import SOURCES
from qa_app.domain.lifecycle import AssessmentStatus
from qa_app.domain.notices import NoticeStatus
from qa_app.domain.plans import GRADES, PlanStatus
from qa_app.domain.ratings import LABELS
from qa_app.models import Assessment, ClockEvent, Concern, ImprovementPlan, Notice
from qa_app.services import rules as sql_rules
from qa_app.services.quad_report import rules
from qa_app.services.quad_report.report import Window

ASSESSMENT_RATINGS = [LABELS[v] for v in (4, 3, 2, 1)]  # Excellent … Poor
GRADE_KEYS = {1: "fully_achieved", 2: "on_track", 3: "slipped", 4: "not_achieved"}


@dataclass(frozen=True)
class Figure:
    path: str
    label: str
    #: concern, clock, notice, assessment, plan, action; "service" for standing figures;
    #: "rate" for an on-time rate
    table: str
    where: Callable[[Window], object] | None = None
    #: a standing figure counts the services (or actions) whose `key` is `equals`
    key: Callable | None = None
    equals: object = None
    #: (met path, breached path) of a rate
    parts: tuple[str, str] | None = None
    #: shown under the label where the words need it
    hint: str = ""

    def matches(self, value) -> bool:
        """Whether a service's standing (or an action's grading) counts in this figure."""
        assert self.key is not None, f"{self.path} is not a standing figure"
        return self.key(value) == self.equals


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    #: the XLSX sheet's and CSV file's name (a sheet's name is at most 31 characters)
    sheet: str
    figures: list[Figure] = field(default_factory=list)
    note: str = ""
    #: "month" (events in the month) or "end" (states at the month's end): said in headings
    kind: str = "month"


def _received(w: Window):
    return rules.within(Concern.received_at, w.start, w.end)


def _received_with(column, value: str) -> Callable[[Window], object]:
    return lambda w: and_(_received(w), column == value)


def _clock(kind: str, high: bool):
    risk = Concern.risk_level == "high" if high else Concern.risk_level != "high"
    return lambda w: and_(
        ClockEvent.kind == kind, rules.within(ClockEvent.at, w.start, w.end), risk
    )


def _notice(kind: str, where):
    return lambda w: and_(Notice.kind == kind, where(w))


def _live(where):
    """A plan's (or its action's) state at the month's end, for a service still open on the
    month's last day (`services.rules.plan_service_open_on`): a closed service's plan is
    asked nothing more, as the plans list and the dashboard count it."""
    return lambda w: and_(where(w), sql_rules.plan_service_open_on(w.day))


def _closed_as(status: str):
    return lambda w: and_(Notice.status == status, rules.within(Notice.closed_at, w.start, w.end))


def _issued(w: Window):
    return rules.within(Notice.issued_at, w.start, w.end)


def _in_force(w: Window):
    return rules.notice_in_force(w.as_at)


def _first_assessment(where):
    return lambda w: and_(Assessment.revision_of_id.is_(None), where(w))


def _rating(standing):
    return standing.latest_rating


def _cqc(standing):
    return standing.cqc


def _due(standing):
    return standing.follow_up_due_in_month


def _overdue(standing):
    return standing.follow_up_overdue


def _grade(grade):
    return grade


SECTIONS: list[Section] = [
    Section(
        "ratings_assessment",
        "Services by latest assessment rating",
        "Assessment ratings",
        [
            Figure(f"ratings.assessment.{r}", r, "service", key=_rating, equals=r)
            for r in ASSESSMENT_RATINGS
        ]
        + [
            Figure(
                "ratings.assessment.None",
                "No published assessment",
                "service",
                key=_rating,
                equals=None,
            )
        ],
        note="The overall rating of each service's latest published assessment at the month's end.",
        kind="end",
    ),
    Section(
        "ratings_cqc",
        "Services by CQC rating",
        "CQC ratings",
        [Figure(f"ratings.cqc.{r}", r, "service", key=_cqc, equals=r) for r in CQC_RATINGS],
        note="Each service's CQC rating as recorded here at the month's end.",
        kind="end",
    ),
    Section(
        "assessments",
        "Assessments",
        "Assessments",
        [
            Figure(
                "assessments.planned",
                "Planned",
                "assessment",
                _first_assessment(lambda w: rules.within(Assessment.created_at, w.start, w.end)),
                hint="Added to the schedule in the month",
            ),
            Figure(
                "assessments.completed",
                "Completed",
                "assessment",
                _first_assessment(lambda w: rules.within(Assessment.submitted_at, w.start, w.end)),
                hint="Submitted by the officer in the month",
            ),
            Figure(
                "assessments.published",
                "Published",
                "assessment",
                _first_assessment(
                    lambda w: and_(
                        Assessment.status == AssessmentStatus.PUBLISHED,
                        rules.within(Assessment.published_at, w.start, w.end),
                    )
                ),
            ),
            Figure(
                "assessments.corrections_published",
                "Corrections published",
                "assessment",
                lambda w: and_(
                    Assessment.revision_of_id.is_not(None),
                    Assessment.status == AssessmentStatus.PUBLISHED,
                    rules.within(Assessment.published_at, w.start, w.end),
                ),
                hint="Corrected revisions of published reports",
            ),
            Figure(
                "assessments.follow_ups_due",
                "Follow-ups due",
                "service",
                key=_due,
                equals=True,
                hint="Falling due in the month (6 months after publication), none yet under way",
            ),
            Figure(
                "assessments.follow_ups_overdue",
                "Follow-ups overdue",
                "service",
                key=_overdue,
                equals=True,
                hint="Past their due date at the month's end, none yet under way",
            ),
        ],
    ),
    Section(
        "concerns_received",
        "Concerns received by risk level",
        "Concerns by risk",
        [
            Figure(
                f"concerns.received.{level}",
                level.capitalize(),
                "concern",
                _received_with(Concern.risk_level, level),
            )
            for level in ("high", "medium", "low")
        ]
        + [Figure("concerns.received.total", "Total", "concern", _received)],
        note="Counted by when each concern was received, which may be before it was logged.",
    ),
    Section(
        "concerns_by_source",
        "Concerns received by source",
        "Concerns by source",
        [
            Figure(
                f"concerns.by_source.{code}",
                label,
                "concern",
                _received_with(Concern.source, code),
            )
            for code, label in SOURCES.items()
        ],
    ),
    Section(
        "clocks",
        "Response clocks",
        "Response clocks",
        [
            Figure("concerns.clocks.high.met", "High risk: met", "clock", _clock("met", True)),
            Figure(
                "concerns.clocks.high.breached",
                "High risk: breached",
                "clock",
                _clock("breached", True),
            ),
            Figure(
                "concerns.clocks.high.on_time_rate",
                "High risk: on time",
                "rate",
                parts=("concerns.clocks.high.met", "concerns.clocks.high.breached"),
            ),
            Figure(
                "concerns.clocks.other.met",
                "Medium and low risk: met",
                "clock",
                _clock("met", False),
            ),
            Figure(
                "concerns.clocks.other.breached",
                "Medium and low risk: breached",
                "clock",
                _clock("breached", False),
            ),
            Figure(
                "concerns.clocks.other.on_time_rate",
                "Medium and low risk: on time",
                "rate",
                parts=("concerns.clocks.other.met", "concerns.clocks.other.breached"),
            ),
        ],
        note=(
            "A clock is met in the month its response (or closing) came in time, and breached in "
            "the month its due time fell; a clock still running at the month's end counts in "
            "neither. On time: met out of met and breached."
        ),
    ),
    Section(
        "notices",
        "Notices of concern",
        "Notices of concern",
        [
            Figure(
                "notices.notice_of_concern.issued",
                "Issued",
                "notice",
                _notice("notice_of_concern", _issued),
            ),
            Figure(
                "notices.notice_of_concern.lifted",
                "Lifted",
                "notice",
                _notice("notice_of_concern", _closed_as(NoticeStatus.LIFTED)),
            ),
            Figure(
                "notices.notice_of_concern.open",
                "In force at the month's end",
                "notice",
                _notice("notice_of_concern", _in_force),
                hint="Issued and not yet lifted (an escalated notice until its breach notice is decided)",
            ),
        ],
    ),
    Section(
        "breach_notices",
        "Contract breach notices",
        "Contract breach notices",
        [
            Figure(
                "notices.contract_breach.issued",
                "Issued",
                "notice",
                _notice("contract_breach", _issued),
            ),
            Figure(
                "notices.contract_breach.remedied",
                "Remedied",
                "notice",
                _notice("contract_breach", _closed_as(NoticeStatus.REMEDIED)),
            ),
            Figure(
                "notices.contract_breach.termination_recommended",
                "Termination recommended",
                "notice",
                _notice("contract_breach", _closed_as(NoticeStatus.TERMINATION_RECOMMENDED)),
            ),
            Figure(
                "notices.contract_breach.open",
                "In force at the month's end",
                "notice",
                _notice("contract_breach", _in_force),
                hint="Issued and not remedied (termination recommended goes on counting)",
            ),
        ],
    ),
    Section(
        "placement_stops",
        "Placement stops",
        "Placement stops",
        [
            Figure(
                "placement_stops.started",
                "Started",
                "notice",
                lambda w: and_(
                    rules.stop_on_issued_notice(),
                    Notice.placement_stop_start >= w.month.first_day,
                    Notice.placement_stop_start <= w.day,  # begun (by now, in this month)
                ),
            ),
            Figure(
                "placement_stops.lifted",
                "Lifted",
                "notice",
                lambda w: and_(
                    rules.stop_on_issued_notice(),
                    rules.within(Notice.placement_stop_lifted_at, w.start, w.end),
                ),
            ),
            Figure(
                "placement_stops.active",
                "In force at the month's end",
                "notice",
                lambda w: rules.stop_active(w.as_at, w.day),
                hint="Services closed to new placements by these stops",
            ),
        ],
    ),
    Section(
        "plans",
        "Improvement plans",
        "Improvement plans",
        [
            Figure(
                "plans.opened",
                "Opened",
                "plan",
                lambda w: rules.within(ImprovementPlan.opened_at, w.start, w.end),
            ),
            Figure(
                "plans.awaiting_submission",
                "Awaiting submission at the month's end",
                "plan",
                _live(lambda w: rules.plan_with_provider(w.as_at)),
                hint="Not yet sent to the council, or returned to the provider",
            ),
            Figure(
                "plans.overdue",
                "Overdue at the month's end",
                "plan",
                _live(lambda w: rules.plan_overdue(w.as_at, w.day)),
                hint="Awaiting submission after the submission date",
            ),
            Figure(
                "plans.awaiting_review",
                "Waiting for the council's review at the month's end",
                "plan",
                _live(lambda w: rules.plan_status(w.as_at) == PlanStatus.SUBMITTED),
            ),
            Figure(
                "plans.open_actions",
                "Open actions at the month's end",
                "action",
                _live(lambda w: rules.action_open(w.as_at)),
                hint="Not yet completed, in plans still open",
            ),
            Figure(
                "plans.overdue_actions",
                "Overdue actions at the month's end",
                "action",
                _live(lambda w: rules.action_overdue(w.as_at, w.day)),
                hint="Open after their target date",
            ),
        ],
    ),
    Section(
        "action_gradings",
        "Actions by progress grading",
        "Action gradings",
        [
            Figure(
                f"plans.actions_by_grade.{GRADE_KEYS[grade]}",
                label,
                "grade",
                key=_grade,
                equals=grade,
            )
            for grade, label in GRADES.items()
        ]
        + [
            Figure(
                "plans.actions_by_grade.not_graded",
                "Not graded yet",
                "grade",
                key=_grade,
                equals=None,
            )
        ],
        note="Every action in the plans open at the month's end, by its grading then.",
        kind="end",
    ),
]

FIGURES: dict[str, Figure] = {f.path: f for s in SECTIONS for f in s.figures}
SECTION_OF: dict[str, Section] = {f.path: s for s in SECTIONS for f in s.figures}
