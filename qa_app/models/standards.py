"""Audit standard sets as loaded: one row per set version, with its questions alongside."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class StandardSetVersion(Model):
    """A set version is immutable once loaded: a change needs a new version."""

    __tablename__ = "standard_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    service_types: Mapped[list] = mapped_column(JSON)
    document: Mapped[dict] = mapped_column(JSON)  # the validated set, as the API returns it
    content_hash: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(255))
    question_count: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(254))

    questions = relationship(
        "StandardQuestion", order_by="StandardQuestion.position", back_populates="standard_set"
    )

    __table_args__ = (UniqueConstraint("key", "version", name="uq_standard_sets_key_version"),)


class StandardQuestion(Model):
    __tablename__ = "standard_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_set_id: Mapped[int] = mapped_column(ForeignKey("standard_sets.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    ref: Mapped[str] = mapped_column(String(20))
    domain_code: Mapped[str] = mapped_column(String(10))
    standard_code: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text)
    evidence_sources: Mapped[list] = mapped_column(JSON)
    weight: Mapped[float] = mapped_column(Float)
    applies_to: Mapped[list | None] = mapped_column(JSON)

    standard_set = relationship("StandardSetVersion", back_populates="questions")

    __table_args__ = (
        UniqueConstraint("standard_set_id", "ref", name="uq_standard_questions_set_ref"),
    )
