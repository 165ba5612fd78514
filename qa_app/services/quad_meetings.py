"""Writing the QuAD meeting's own record (issue 16, item 4). Managers write it; officers read
it (the report and the record's page); a provider never learns it exists (404).

Every step is audited. Once the meeting is marked held its record is locked
(`domain.meetings.edit_refusal`): later changes are addenda, new entries of their own."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

from sqlalchemy import func, select

from qa_app.domain import meetings as rules
from qa_app.domain.changes import created
from qa_app.domain.months import Month
from qa_app.domain.roles import STAFF_ROLES, can_decide
from qa_app.domain.service_closing import is_open_on
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
    User,
)
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services import rules as sql_rules
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from qa_app.services.quad_report.meeting import MeetingRecord, read
from qa_app.services.transaction import unit_of_work

ENTITY = "quad_meeting"


def readers_only(viewer: User) -> None:
    """Council staff read the record; for a provider it does not exist."""
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Page not found")


def writers_only(viewer: User) -> None:
    """Managers (and administrators) write the record; officers may only read it."""
    readers_only(viewer)
    if not can_decide(viewer.role):
        raise Forbidden("Only a manager can change the meeting's record")


def can_write(viewer: User) -> bool:
    return viewer.role in STAFF_ROLES and can_decide(viewer.role)


def record_of(viewer: User, month: Month, now) -> MeetingRecord:
    """The record as the month's pack shows it (every service: no filters)."""
    readers_only(viewer)
    return read(month, min(month.end, now))


def services_to_choose(month: Month) -> list[tuple[int, str]]:
    """Every service open on the month's first day (`rules.service_open_on`: one that closed
    during the month may still be discussed, one closed before it may not) as
    "Name (Provider)", by name: the services the month's meeting may discuss."""
    rows = db.session.execute(
        select(Service.id, Service.name, Provider.name)
        .join(Provider, Service.provider_id == Provider.id)
        .where(sql_rules.service_open_on(month.first_day))
        .order_by(Service.name, Service.id)
    )
    return [(sid, f"{name} ({provider})") for sid, name, provider in rows]


def _meeting(month: Month) -> QuadMeeting | None:
    return db.session.scalar(select(QuadMeeting).where(QuadMeeting.month == str(month)))


@contextmanager
def _writing():
    """Write after the checks made on what was read: the reading transaction ends first, so
    that the write's own transaction takes SQLite's write lock from its start (and sees what
    was committed meanwhile); its re-read of the meeting (`_draft(for_update=True)`) locks the
    row on PostgreSQL."""
    db.session.commit()
    with unit_of_work(writes_after_reading=True) as session:
        yield session


def _draft(month: Month, for_update: bool = False) -> QuadMeeting:
    """The month's meeting, refused if it has not been started or is locked. `for_update`:
    inside a unit of work that writes, the row is locked (PostgreSQL; on SQLite the unit of
    work holds the write lock), so the meeting cannot be marked held between this check and
    the write."""
    query = select(QuadMeeting).where(QuadMeeting.month == str(month))
    if for_update:
        query = query.with_for_update()
    meeting = db.session.scalar(query)
    if meeting is None:
        raise Conflict("Enter the meeting's date and attendees first")
    if refusal := rules.edit_refusal(meeting.status):
        raise Conflict(refusal)
    return meeting


def save_details(
    actor: Actor, viewer: User, month: Month, held_on: date | None, attendees_text: str
) -> QuadMeeting:
    """Start the month's record, or change its date and attendees while it is a draft."""
    writers_only(viewer)
    meeting = _meeting(month)
    if meeting is not None and (refusal := rules.edit_refusal(meeting.status)):
        raise Conflict(refusal)
    if errors := rules.check_details(month, held_on, attendees_text):
        raise ValidationFailed(errors)
    assert held_on is not None
    people, _ = rules.parse_attendees(attendees_text)
    with _writing():
        if meeting is not None:
            meeting = _draft(month, for_update=True)
        if meeting is None:
            meeting = QuadMeeting(month=str(month), held_on=held_on, created_by_label=actor.label)
            db.session.add(meeting)
            db.session.flush()
            before: dict = {"held_on": None, "attendees": None}
            action = "created"
        else:
            before = {
                "held_on": meeting.held_on,
                "attendees": rules.attendees_text(read(month, month.end).attendees),
            }
            meeting.held_on = held_on
            db.session.query(QuadMeetingAttendee).filter_by(meeting_id=meeting.id).delete()
            action = "details_changed"
        for n, person in enumerate(people):
            db.session.add(
                QuadMeetingAttendee(
                    meeting_id=meeting.id,
                    position=n,
                    name=person.name,
                    organisation=person.organisation,
                )
            )
        # moving the meeting's date moves the date its actions and gradings were given
        db.session.query(QuadAction).filter_by(meeting_id=meeting.id).update({"opened_on": held_on})
        db.session.query(QuadActionUpdate).filter_by(meeting_id=meeting.id).update(
            {"recorded_on": held_on}
        )
        changes = {
            "month": [None, str(month)] if action == "created" else None,
            "held_on": [before["held_on"], held_on],
            "attendees": [before["attendees"], rules.attendees_text(people)],
        }
        audit.record(actor, ENTITY, meeting.id, action, {k: v for k, v in changes.items() if v})
    return meeting


def add_item(
    actor: Actor,
    viewer: User,
    month: Month,
    service_id: int | None,
    discussion: str,
    decisions: str,
) -> QuadMeetingItem:
    writers_only(viewer)
    meeting = _draft(month)
    service = db.session.get(Service, service_id) if service_id else None
    if service is not None and not is_open_on(service.closed_on, month.first_day):
        service = None  # closed before the month: not one to choose
    discussed = service is not None and bool(
        db.session.scalar(
            select(func.count(QuadMeetingItem.id)).where(
                QuadMeetingItem.meeting_id == meeting.id,
                QuadMeetingItem.service_id == service.id,
            )
        )
    )
    values = {
        "service_id": service.id if service else None,
        "discussion": discussion,
        "decisions": decisions,
    }
    if errors := rules.check_item(values, discussed):
        raise ValidationFailed(errors)
    assert service is not None
    with _writing():
        meeting = _draft(month, for_update=True)
        item = QuadMeetingItem(
            meeting_id=meeting.id,
            service_id=service.id,
            discussion=discussion.strip(),
            decisions=(decisions or "").strip(),
        )
        db.session.add(item)
        db.session.flush()
        audit.record(
            actor,
            ENTITY,
            meeting.id,
            "service_discussed",
            created({"service": service.name, "discussion": item.discussion}),
            service.id,
        )
    return item


def get_item(viewer: User, month: Month, item_id: int) -> QuadMeetingItem:
    readers_only(viewer)
    meeting = _meeting(month)
    item = db.session.get(QuadMeetingItem, item_id)
    if meeting is None or item is None or item.meeting_id != meeting.id:
        raise NotFound("Page not found")
    return item


def add_action(actor: Actor, viewer: User, month: Month, item_id: int, values: dict) -> QuadAction:
    """A council-side action agreed about a service discussed, with its first grading."""
    writers_only(viewer)
    item = get_item(viewer, month, item_id)
    meeting = _draft(month)
    if errors := rules.check_action(values, meeting.held_on):
        raise ValidationFailed(errors)
    with _writing():
        meeting = _draft(month, for_update=True)
        action = QuadAction(
            meeting_id=meeting.id,
            item_id=item.id,
            service_id=item.service_id,
            description=values["description"].strip(),
            owner=values["owner"].strip(),
            target_date=values["target_date"],
            opened_on=meeting.held_on,
        )
        db.session.add(action)
        db.session.flush()
        db.session.add(
            QuadActionUpdate(
                action_id=action.id,
                meeting_id=meeting.id,
                recorded_on=meeting.held_on,
                grade=values["grade"],
                by_label=actor.label,
            )
        )
        audit.record(
            actor,
            "quad_action",
            action.id,
            "agreed",
            created(
                {
                    "description": action.description,
                    "owner": action.owner,
                    "target_date": action.target_date,
                    "progress_grade": values["grade"],
                }
            ),
            item.service_id,
        )
    return action


def record_progress(
    actor: Actor, viewer: User, month: Month, action_id: int, grade, note: str
) -> QuadActionUpdate:
    """This month's meeting grades an action carried forward into its pack."""
    writers_only(viewer)
    meeting = _draft(month)
    record = read(month, month.end)
    carried = {a.id: a for a in record.carried}
    if action_id not in carried:
        raise NotFound("Page not found")
    if errors := rules.check_progress({"grade": grade, "note": note}):
        raise ValidationFailed(errors)
    with _writing():
        meeting = _draft(month, for_update=True)
        update = QuadActionUpdate(
            action_id=action_id,
            meeting_id=meeting.id,
            recorded_on=meeting.held_on,
            grade=grade,
            note=(note or "").strip(),
            by_label=actor.label,
        )
        db.session.add(update)
        db.session.flush()
        audit.record(
            actor,
            "quad_action",
            action_id,
            "progress_recorded",
            {"progress_grade": [carried[action_id].grade, grade], "note": [None, update.note]},
            carried[action_id].service_id,
        )
    return update


def mark_held(actor: Actor, viewer: User, month: Month) -> QuadMeeting:
    """Lock the record: from now on changes are addenda."""
    writers_only(viewer)
    meeting = _meeting(month)
    if meeting is None:
        raise Conflict("Enter the meeting's date and attendees first")
    items = db.session.scalar(
        select(func.count(QuadMeetingItem.id)).where(QuadMeetingItem.meeting_id == meeting.id)
    )
    if refusal := rules.held_refusal(meeting.status, meeting.held_on, london_today(), items or 0):
        raise Conflict(refusal)
    with _writing():
        meeting = _draft(month, for_update=True)
        if refusal := rules.held_refusal(
            meeting.status, meeting.held_on, london_today(), items or 0
        ):
            raise Conflict(refusal)
        meeting.status = rules.HELD
        meeting.held_at = utcnow()
        meeting.held_by_label = actor.label
        audit.record(
            actor, ENTITY, meeting.id, "marked_held", {"status": [rules.DRAFT, rules.HELD]}
        )
    return meeting


def add_addendum(actor: Actor, viewer: User, month: Month, text: str) -> QuadMeetingAddendum:
    writers_only(viewer)
    meeting = _meeting(month)
    if meeting is None:
        raise Conflict("No meeting has been recorded for this month")
    if refusal := rules.addendum_refusal(meeting.status):
        raise Conflict(refusal)
    if errors := rules.check_addendum(text):
        raise ValidationFailed(errors)
    with unit_of_work():
        addendum = QuadMeetingAddendum(
            meeting_id=meeting.id, text=text.strip(), by_label=actor.label
        )
        db.session.add(addendum)
        db.session.flush()
        audit.record(
            actor, ENTITY, meeting.id, "addendum_added", {"addendum": [None, addendum.text]}
        )
    return addendum


def meeting_history(viewer: User, month: Month):
    """The audit trail of the month's record (its steps, addenda, actions and gradings)."""
    readers_only(viewer)
    meeting = _meeting(month)
    if meeting is None:
        return []
    action_ids = list(
        db.session.scalars(select(QuadAction.id).where(QuadAction.meeting_id == meeting.id))
    )
    graded = list(
        db.session.scalars(
            select(QuadActionUpdate.action_id).where(QuadActionUpdate.meeting_id == meeting.id)
        )
    )
    return audit.history_of({ENTITY: [meeting.id], "quad_action": sorted({*action_ids, *graded})})
