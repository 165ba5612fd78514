"""Reading the QuAD meeting's own record for a month's pack: the meeting held in the month
(its date, attendees, the services discussed, decisions and the council's actions), the
actions carried forward from earlier meetings with their grading and history, and addenda.

The rules (what is carried, the grading at a day) are `domain.meetings`'; this gathers the
facts in a fixed number of statements. The filters (cluster, type of service) choose the
services discussed, and so their actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select

from qa_app.domain import meetings as rules
from qa_app.domain.months import Month, day_as_at
from qa_app.extensions import db
from qa_app.models import (
    Provider,
    QuadAction,
    QuadActionUpdate,
    QuadMeeting,
    QuadMeetingAddendum,
    QuadMeetingAttendee,
    QuadMeetingItem,
    Service,
)


@dataclass
class UpdateView:
    on: date
    grade: int
    grade_label: str
    note: str
    month: str  # the meeting at which it was given (YYYY-MM)


@dataclass
class ActionView:
    id: int
    service_id: int
    service: str
    description: str
    owner: str
    target_date: date
    opened_on: date
    opened_in: str  # the month of the meeting that agreed it (YYYY-MM)
    grade: int | None  # as at the pack's day
    history: list[UpdateView]
    carried_forward: bool
    #: the grading given at this month's meeting, if any (a carried action reviewed)
    reviewed_here: bool = False

    @property
    def grade_label(self) -> str:
        return rules.grade_label(self.grade)

    @property
    def complete(self) -> bool:
        return rules.is_complete(self.grade)

    @property
    def state(self) -> str:
        if not self.carried_forward:
            return "Agreed at this meeting"
        return "Carried forward, completed" if self.complete else "Carried forward"


@dataclass
class ItemView:
    id: int
    service_id: int
    service: str
    provider: str
    discussion: str
    decisions: str
    actions: list[ActionView] = field(default_factory=list)


@dataclass
class AddendumView:
    id: int
    text: str
    by: str
    at: datetime


@dataclass
class MeetingRecord:
    """The record as a month's pack shows it. `meeting_id` is None when no meeting has been
    recorded for the month (there may still be actions carried forward into it)."""

    month: Month
    as_at: date
    meeting_id: int | None = None
    status: str | None = None  # draft or held
    held_on: date | None = None
    held_at: datetime | None = None
    held_by: str | None = None
    attendees: list[rules.Attendee] = field(default_factory=list)
    items: list[ItemView] = field(default_factory=list)
    carried: list[ActionView] = field(default_factory=list)
    addenda: list[AddendumView] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.status == rules.HELD

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status] if self.status else "No meeting recorded"

    @property
    def actions(self) -> list[ActionView]:
        return [a for item in self.items for a in item.actions]


def _services_query(cluster: str, service_type: str):
    query = select(Service.id, Service.name, Provider.name).join(
        Provider, Service.provider_id == Provider.id
    )
    if cluster:
        query = query.where(Service.cluster == cluster)
    if service_type:
        query = query.where(Service.service_type == service_type)
    return query


def _filtered(query, column, cluster: str, service_type: str):
    if cluster or service_type:
        chosen = _services_query(cluster, service_type).with_only_columns(Service.id)
        query = query.where(column.in_(chosen))
    return query


def read(month: Month, as_at: datetime, cluster: str = "", service_type: str = "") -> MeetingRecord:
    """The record for `month`'s pack as at `as_at` (the month's end, or now), for the services
    the filters choose. Six statements at most, however long the history."""
    day = day_as_at(as_at)
    record = MeetingRecord(month=month, as_at=day)
    meeting = db.session.scalar(select(QuadMeeting).where(QuadMeeting.month == str(month)))
    if meeting is not None:
        record.meeting_id = meeting.id
        record.status = meeting.status
        record.held_on = meeting.held_on
        record.held_at = meeting.held_at
        record.held_by = meeting.held_by_label
        record.attendees = [
            rules.Attendee(a.name, a.organisation)
            for a in db.session.scalars(
                select(QuadMeetingAttendee)
                .where(QuadMeetingAttendee.meeting_id == meeting.id)
                .order_by(QuadMeetingAttendee.position)
            )
        ]
        record.addenda = [
            AddendumView(a.id, a.text, a.by_label, a.created_at)
            for a in db.session.scalars(
                select(QuadMeetingAddendum)
                .where(QuadMeetingAddendum.meeting_id == meeting.id)
                .order_by(QuadMeetingAddendum.created_at, QuadMeetingAddendum.id)
            )
        ]
        rows = db.session.execute(
            _filtered(
                select(QuadMeetingItem, Service.name, Provider.name)
                .join(Service, QuadMeetingItem.service_id == Service.id)
                .join(Provider, Service.provider_id == Provider.id)
                .where(QuadMeetingItem.meeting_id == meeting.id)
                .order_by(QuadMeetingItem.created_at, QuadMeetingItem.id),
                QuadMeetingItem.service_id,
                cluster,
                service_type,
            )
        )
        record.items = [
            ItemView(item.id, item.service_id, name, provider, item.discussion, item.decisions)
            for item, name, provider in rows
        ]

    # the actions agreed at this meeting, and those opened before the month began (candidates
    # to carry forward): one statement, then their updates in one more
    conditions = [QuadAction.opened_on < month.first_day]
    if meeting is not None:
        conditions.append(QuadAction.meeting_id == meeting.id)
    action_rows = list(
        db.session.execute(
            _filtered(
                select(QuadAction, Service.name, QuadMeeting.month)
                .join(Service, QuadAction.service_id == Service.id)
                .join(QuadMeeting, QuadAction.meeting_id == QuadMeeting.id)
                .where(or_(*conditions))
                .order_by(QuadAction.opened_on, QuadAction.id),
                QuadAction.service_id,
                cluster,
                service_type,
            )
        )
    )
    updates: dict[int, list[tuple[QuadActionUpdate, str]]] = {}
    if action_rows:
        ids = select(QuadAction.id).where(or_(*conditions))
        for update, update_month in db.session.execute(
            select(QuadActionUpdate, QuadMeeting.month)
            .join(QuadMeeting, QuadActionUpdate.meeting_id == QuadMeeting.id)
            .where(QuadActionUpdate.action_id.in_(ids))
            .order_by(QuadActionUpdate.recorded_on, QuadActionUpdate.id)
        ):
            updates.setdefault(update.action_id, []).append((update, update_month))

    by_item = {item.id: item for item in record.items}
    for action, service_name, opened_in in action_rows:
        facts = rules.ActionFacts(
            action.opened_on,
            tuple(
                rules.Update(u.recorded_on, u.grade, u.note, m)
                for u, m in updates.get(action.id, [])
            ),
        )
        carried = rules.carried_into(facts, month)
        if not carried and action.meeting_id != record.meeting_id:
            continue  # completed before the month began
        history = rules.history_until(facts, day)
        view = ActionView(
            id=action.id,
            service_id=action.service_id,
            service=service_name,
            description=action.description,
            owner=action.owner,
            target_date=action.target_date,
            opened_on=action.opened_on,
            opened_in=opened_in,
            grade=rules.grade_on(facts, day),
            history=[
                UpdateView(u.on, u.grade, rules.grade_label(u.grade), u.note, u.month)
                for u in history
            ],
            carried_forward=carried,
            reviewed_here=any(u.month == str(month) for u in history) and carried,
        )
        if carried:
            record.carried.append(view)
        elif action.item_id in by_item:
            by_item[action.item_id].actions.append(view)
    return record
