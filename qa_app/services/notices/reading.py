"""Reading notices: what each person may see (a provider sees its own services' notices once
issued, never a draft), the lists, and the facts the pages show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from qa_app.domain.notices import (
    FINAL,
    SENT_TO_PROVIDER,
    NoticeStatus,
    RequirementFacts,
    StopState,
    placement_stop_state,
)
from qa_app.domain.notices import in_force as rules_in_force
from qa_app.domain.pagination import Page
from qa_app.domain.roles import STAFF_ROLES, can_decide
from qa_app.extensions import db
from qa_app.models import Concern, Notice, Service, User
from qa_app.services.calendar import london_today
from qa_app.services.errors import Forbidden, NotFound, found
from qa_app.services.listing import page_of, where_given

#: What a provider may see: a notice once it has been issued, never a draft.
PROVIDER_VISIBLE = SENT_TO_PROVIDER


def _visible(viewer: User):
    query = select(Notice).join(Notice.service)
    if viewer.role not in STAFF_ROLES:
        query = query.where(
            Service.provider_id == (viewer.provider_id or -1), Notice.status.in_(PROVIDER_VISIBLE)
        )
    return query


def get_notice(viewer: User, notice_id: int) -> Notice:
    return found(
        db.session.scalar(_visible(viewer).where(Notice.id == notice_id)), "Notice not found"
    )


def concerns_of(notice: Notice) -> list[Concern]:
    return list(
        db.session.scalars(
            select(Concern).where(Concern.notice_id == notice.id).order_by(Concern.received_at)
        )
    )


def concern_ids_for(notice_ids: list[int]) -> dict[int, list[int]]:
    """Each notice's concern ids (one query for a page of notices)."""
    by_notice: dict[int, list[int]] = {}
    if notice_ids:
        for concern_id, notice_id in db.session.execute(
            select(Concern.id, Concern.notice_id)
            .where(Concern.notice_id.in_(notice_ids))
            .order_by(Concern.id)
        ):
            if notice_id is not None:  # the query asked for these notices' concerns only
                by_notice.setdefault(notice_id, []).append(concern_id)
    return by_notice


def parent_and_child(notice: Notice) -> tuple[Notice | None, Notice | None]:
    parent = db.session.get(Notice, notice.parent_id) if notice.parent_id else None
    # the breach notice raised from it: the one not withdrawn, else the latest
    child = db.session.scalar(
        select(Notice)
        .where(Notice.parent_id == notice.id)
        .order_by((Notice.status == NoticeStatus.WITHDRAWN).asc(), Notice.id.desc())
        .limit(1)
    )
    return parent, child


@dataclass
class NoticeFilters:
    kind: str = ""
    status: str = ""
    service_id: int | None = None
    page: int = 1


def list_notices(
    viewer: User, filters: NoticeFilters, page_size: int = 50, clamp: bool = True
) -> tuple[list[Notice], Page]:
    """Drafts first (they need a decision), then in force, then closed; newest first within."""
    query = where_given(
        _visible(viewer),
        (Notice.kind, filters.kind),
        (Notice.status, filters.status),
        (Notice.service_id, filters.service_id),
    )
    page = page_of(query, filters.page, page_size, clamp)
    order = func.coalesce(Notice.issued_at, Notice.created_at)
    stage = db.case(
        (Notice.status == NoticeStatus.DRAFT, 0), (Notice.status.in_(FINAL), 2), else_=1
    )
    rows = db.session.scalars(
        query.order_by(stage, order.desc(), Notice.id.desc()).offset(page.offset).limit(page.size)
    ).unique()
    return list(rows), page


def notices_for_services(viewer: User, service_ids: list[int]) -> dict[int, list[Notice]]:
    """The notices a viewer may see for these services, newest first (one query)."""
    if not service_ids:
        return {}
    found: dict[int, list[Notice]] = {}
    rows = db.session.scalars(
        _visible(viewer)
        .where(Notice.service_id.in_(service_ids), Notice.status != NoticeStatus.WITHDRAWN)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
    ).unique()
    for notice in rows:
        found.setdefault(notice.service_id, []).append(notice)
    return found


def requirement_facts(notice: Notice) -> list[RequirementFacts]:
    return [RequirementFacts(r.text, r.due_date, r.status) for r in notice.requirements]


def staff_notice(viewer: User, notice_id: int) -> Notice:
    if viewer.role not in STAFF_ROLES:
        raise NotFound("Notice not found")
    return get_notice(viewer, notice_id)


def decider_notice(viewer: User, notice_id: int) -> Notice:
    notice = staff_notice(viewer, notice_id)
    if not can_decide(viewer.role):
        raise Forbidden("Only a manager can issue, lift, escalate or withdraw a notice")
    return notice


def in_force(notice: Notice) -> bool:
    """As models.Notice.in_force, for one notice already read."""
    return rules_in_force(notice.status, notice.closed_at is not None)


def stop_state(notice: Notice, today: date | None = None) -> StopState:
    """none, planned, in_force or lifted (domain.notices.placement_stop_state)."""
    return placement_stop_state(
        notice.placement_stop_start,
        notice.placement_stop_lifted_at is not None,
        today or london_today(),
    )
