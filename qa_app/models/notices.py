"""Notices of concern and contract breach notices, with their requirements."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, and_, or_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.domain.notices import IN_FORCE, IN_FORCE_UNTIL_CLOSED, NoticeStatus, RequirementStatus
from qa_app.extensions import Model
from qa_app.models.stored_files import StoredFileColumns
from qa_app.models.types import UTCDateTime, utcnow

#: status = 'draft' AND kind = 'notice_of_concern', as migrated
_ONE_DRAFT = text(f"status = '{NoticeStatus.DRAFT}' AND kind = 'notice_of_concern'")
#: status <> 'withdrawn', as migrated
_NOT_WITHDRAWN = text(f"status <> '{NoticeStatus.WITHDRAWN}'")


class Notice(Model):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # notice_of_concern | contract_breach
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    status: Mapped[str] = mapped_column(String(30), default=NoticeStatus.DRAFT, index=True)
    #: A contract breach notice names the notice of concern it was raised from (one each that
    #: is not withdrawn).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), index=True)
    grounds: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_label: Mapped[str] = mapped_column(String(254))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by_label: Mapped[str | None] = mapped_column(String(254))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_label: Mapped[str | None] = mapped_column(String(254))
    close_note: Mapped[str | None] = mapped_column(Text)
    placement_stop_start: Mapped[date | None] = mapped_column(Date)
    placement_stop_lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    service = relationship("Service", lazy="joined", innerjoin=True)
    requirements = relationship(
        "NoticeRequirement",
        order_by="NoticeRequirement.position",
        back_populates="notice",
        lazy="selectin",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # One draft notice of concern per service gathers every escalated concern: the sweep
        # relies on this, not on luck, when several run at once.
        Index(
            "uq_notices_one_draft_per_service",
            "service_id",
            unique=True,
            sqlite_where=_ONE_DRAFT,
            postgresql_where=_ONE_DRAFT,
        ),
        Index(
            "uq_notices_one_breach_per_notice",
            "parent_id",
            unique=True,
            sqlite_where=_NOT_WITHDRAWN,
            postgresql_where=_NOT_WITHDRAWN,
        ),
    )

    @classmethod
    def in_force(cls):
        """domain.notices.in_force, asked of the rows: counts against its service (SPEC
        section 7, red)."""
        return or_(
            cls.status.in_(IN_FORCE),
            and_(cls.status.in_(IN_FORCE_UNTIL_CLOSED), cls.closed_at.is_(None)),
        )


class NoticeRequirement(Model):
    """A rectification requirement (notice of concern) or remedial action (breach notice)."""

    __tablename__ = "notice_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default=RequirementStatus.OPEN)
    provider_response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_by_label: Mapped[str | None] = mapped_column(String(254))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assessed_by_label: Mapped[str | None] = mapped_column(String(254))
    assessment_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    notice = relationship("Notice", back_populates="requirements")

    __mapper_args__ = {"version_id_col": version}


class NoticeResponseFile(StoredFileColumns, Model):
    """Evidence the provider attached to its response to a requirement."""

    __tablename__ = "notice_response_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("notice_requirements.id"), index=True)

    requirement = relationship("NoticeRequirement", lazy="joined", innerjoin=True)
