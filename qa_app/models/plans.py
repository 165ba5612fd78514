"""Improvement plans: issues to put right, the provider's actions, and evidence files."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.domain.plans import OPEN_STATUSES, ActionStatus, PlanStatus
from qa_app.extensions import Model
from qa_app.models.stored_files import StoredFileColumns
from qa_app.models.types import UTCDateTime, utcnow

#: status IN ('awaiting_submission', 'submitted', 'returned', 'accepted'), as migrated
_OPEN = text(f"status IN ({', '.join(repr(str(s)) for s in OPEN_STATUSES)})")


class ImprovementPlan(Model):
    __tablename__ = "improvement_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.AWAITING, index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_because: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(String(200), default="")
    submission_due_date: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_label: Mapped[str | None] = mapped_column(String(254))
    review_comments: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_below_good_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_below_good_by: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service = relationship("Service", lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Never a second open plan for the same service, whoever races to open one.
        Index(
            "uq_improvement_plans_open_service",
            "service_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
    )


class PlanIssue(Model):
    __tablename__ = "plan_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # assessment, cqc, manual
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    standard_code: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    rating: Mapped[str | None] = mapped_column(String(30))
    percentage: Mapped[int | None] = mapped_column(Integer)
    limiter: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    added_by_label: Mapped[str] = mapped_column(String(254), default="System")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        # One issue per standard per assessment, however often the plan is refreshed.
        UniqueConstraint(
            "plan_id", "assessment_id", "standard_code", name="uq_plan_issues_assessment_standard"
        ),
    )


class PlanAction(Model):
    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id"))
    issue_id: Mapped[int] = mapped_column(ForeignKey("plan_issues.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    target_date: Mapped[date] = mapped_column(Date)
    success_measure: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ActionStatus.OPEN)
    progress_evidence: Mapped[str] = mapped_column(Text, default="")
    progress_grade: Mapped[int | None] = mapped_column(Integer)
    impact_evidence: Mapped[str] = mapped_column(Text, default="")
    completion_note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_label: Mapped[str | None] = mapped_column(String(254))
    reopened_reason: Mapped[str | None] = mapped_column(Text)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_label: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_plan_actions_plan_id_status", "plan_id", "status"),
        Index("ix_plan_actions_status_target_date", "status", "target_date"),
    )


class EvidenceFile(StoredFileColumns, Model):
    """Evidence for a plan action: a file kept outside the web root, served only through a
    permission-checked route."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id"), index=True)

    action = relationship("PlanAction", lazy="joined", innerjoin=True)
