"""Assessments (visits or desk reviews) and their answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from qa_app.domain.lifecycle import AssessmentStatus
from qa_app.extensions import Model, db
from qa_app.models.stored_files import StoredFileColumns
from qa_app.models.types import UTCDateTime, utcnow

assessment_officers = Table(
    "assessment_officers",
    db.metadata,
    Column("assessment_id", ForeignKey("assessments.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class EditedColumns:
    """Who last saved a row written a piece at a time (an answer, a summary), when, and its
    version (a save from an older version is refused)."""

    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by_label: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Assessment(Model):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    standard_set_id: Mapped[int] = mapped_column(ForeignKey("standard_sets.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=AssessmentStatus.PLANNED, index=True)
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(10), default="visit")  # visit, desk
    announced: Mapped[bool] = mapped_column(Boolean, default=True)
    lead_officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overall_rating: Mapped[str | None] = mapped_column(String(30))  # kept when published
    overall_percentage: Mapped[int | None] = mapped_column(Integer)
    # A correction of a published assessment is a new revision; the old one stays as it was.
    revision_of_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    revision_number: Mapped[int] = mapped_column(Integer, default=1)
    revision_reason: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    service = relationship("Service", lazy="joined", innerjoin=True)
    standard_set = relationship("StandardSetVersion", lazy="joined", innerjoin=True)
    lead_officer = relationship("User", lazy="joined", innerjoin=True)
    officers = relationship("User", secondary=assessment_officers, order_by="User.name")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_assessments_service_id_visit_date", "service_id", "visit_date"),
        # each service's latest publication (follow-ups, the QuAD report's history), read from
        # the index alone
        Index(
            "ix_assessments_status_service_id_published_at", "status", "service_id", "published_at"
        ),
        # a newer assessment under way (created after the latest publication, not published)
        Index("ix_assessments_service_id_created_at_status", "service_id", "created_at", "status"),
        # each service's assessment history in order (the QuAD report's standings), read from
        # the index alone
        Index(
            "ix_assessments_service_history",
            "service_id",
            "id",
            "status",
            "published_at",
            "created_at",
            "overall_rating",
        ),
    )


class Answer(EditedColumns, Model):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    question_ref: Mapped[str] = mapped_column(String(20))
    score: Mapped[int | None] = mapped_column(Integer)  # 1..4; None with na = N/A
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    na_reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list] = mapped_column(JSON, default=list)
    __table_args__ = (
        UniqueConstraint(
            "assessment_id", "question_ref", name="uq_answers_assessment_id_question_ref"
        ),
    )

    @property
    def complete(self) -> bool:
        return self.score is not None or (self.na and bool((self.na_reason or "").strip()))


class AssessmentComment(Model):
    """A manager's comments when returning an assessment, or a provider's on a shared draft."""

    __tablename__ = "assessment_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # returned, provider, no_comments
    question_ref: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_label: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    answer = relationship("CommentAnswer", uselist=False, lazy="selectin", back_populates="comment")


class CommentAnswer(Model):
    """The council's answer to a provider's comment: accepted (with the change made) or not
    accepted (with the reason). It can change until the report is published; every version is
    in the audit trail."""

    __tablename__ = "comment_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("assessment_comments.id"), unique=True)
    decision: Mapped[str] = mapped_column(String(20))  # accepted, not_accepted
    text: Mapped[str] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_by_label: Mapped[str] = mapped_column(String(254))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    comment = relationship("AssessmentComment", back_populates="answer")

    __mapper_args__ = {"version_id_col": version}


class AnswerPhoto(StoredFileColumns, Model):
    """A photo or file kept as evidence for one question of an assessment. Images are kept as
    re-encoded JPEGs (no location or other metadata), with a small copy for thumbnails.
    `client_id` is made by the device that sent it, so a resend is the same photo."""

    __tablename__ = "answer_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    question_ref: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: the small copy in the evidence folder (images only)
    thumb_name: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)

    @property
    def is_image(self) -> bool:
        return self.thumb_name is not None


class AssessmentSummary(EditedColumns, Model):
    """The officer's written summary of one domain (`part` is its code) or of the whole
    assessment (`part` is "overall"): see `qa_app.domain.summaries`."""

    __tablename__ = "assessment_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    part: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        UniqueConstraint(
            "assessment_id", "part", name="uq_assessment_summaries_assessment_id_part"
        ),
    )
