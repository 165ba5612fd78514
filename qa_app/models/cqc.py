"""CQC ratings per key question, and the imports of CQC's monthly ratings file."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class ServiceCqcRating(Model):
    """A service's CQC rating for one key question (Safe, Effective, Caring, Responsive,
    Well-led). The overall rating stays on the service (`Service.cqc_rating`)."""

    __tablename__ = "service_cqc_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    domain: Mapped[str] = mapped_column(String(20))
    rating: Mapped[str] = mapped_column(String(30))
    publication_date: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("service_id", "domain"),)


class CqcImport(Model):
    """One upload of CQC's ratings file: read in the background, previewed, then committed or
    discarded. Its state lives here (not in a process) so any app process can show it."""

    __tablename__ = "cqc_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    local_authority: Mapped[str | None] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_by_label: Mapped[str] = mapped_column(String(254))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    percent_read: Mapped[int] = mapped_column(Integer, default=0)
    progress_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: counts shown in the history (rows, bad rows, changes, new services…)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the preview: what will change and every bad row (lists, JSON-ready)
    preview: Mapped[dict] = mapped_column(JSON, default=dict)
    problem: Mapped[str | None] = mapped_column(Text)
    decided_by_label: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    uploaded_by = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}
