"""The QuAD meeting's own record: the meeting of a month, who attended, the services discussed,
the council's actions and their gradings over time, and addenda once the meeting is held."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qa_app.domain import limits
from qa_app.domain.meetings import MeetingStatus
from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class QuadMeeting(Model):
    __tablename__ = "quad_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM: one meeting a month
    held_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_label: Mapped[str] = mapped_column(String(254))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    held_by_label: Mapped[str | None] = mapped_column(String(254))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class QuadMeetingAttendee(Model):
    __tablename__ = "quad_meeting_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("quad_meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME.chars))
    organisation: Mapped[str] = mapped_column(String(limits.ORGANISATION.chars))


class QuadMeetingItem(Model):
    """A service discussed at the meeting."""

    __tablename__ = "quad_meeting_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("quad_meetings.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    discussion: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuadAction(Model):
    """A council-side action agreed at a meeting about a service discussed."""

    __tablename__ = "quad_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("quad_meetings.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("quad_meeting_items.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(limits.ACTION_OWNER.chars))
    target_date: Mapped[date] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuadActionUpdate(Model):
    """A grading given to an action at a meeting (the first when the action was agreed)."""

    __tablename__ = "quad_action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("quad_actions.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("quad_meetings.id"), index=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    grade: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    by_label: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QuadMeetingAddendum(Model):
    """A later entry on a held meeting's record (its record itself never changes)."""

    __tablename__ = "quad_meeting_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("quad_meetings.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    by_label: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
