"""The durable outbox: emails written in the same transaction as the event that causes them,
then sent by the worker (`send_pending`, each cycle), at most once per event and recipient.

- `enqueue` joins the caller's unit of work, so an event rolled back sends nothing; a second
  row for the same event and recipient is never written (the unique constraint, and an insert
  that does nothing on conflict).
- `send_pending` claims one due email at a time (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so two
  workers never claim the same row; on SQLite the claim is a conditional UPDATE, and SQLite
  runs one writer at a time), sends it through the backend `QA_MAIL_BACKEND` names, and marks
  it sent. A failed send is tried again after a growing wait, then marked failed, which the
  administrators' Emails sent page shows. An email claimed by a worker that stopped before it
  said how the send went (killed mid-send) is marked failed after `SENDING_LEASE`, never sent
  again: it may have gone, and an email is sent at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from qa_app.domain import emails, notification_rules
from qa_app.domain.emails import FAILED, HELD, KINDS, PENDING, SENDING, SENDING_LEASE, SENT
from qa_app.domain.notification_rules import DAILY
from qa_app.domain.pagination import Page
from qa_app.extensions import db
from qa_app.models import OutboxEmail, User
from qa_app.models.types import utcnow
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.errors import Conflict, found
from qa_app.services.listing import page_of
from qa_app.services.mail_backends import Backend, backend_for
from qa_app.services.transaction import unit_of_work

log = logging.getLogger(__name__)

PAGE_SIZE = 25
AUDIT_ENTITY = "outbox_email"
LOST_IN_SENDING = "The worker stopped while sending this email: it may or may not have gone"


def link(endpoint: str, **values) -> str:
    """The address of one of the app's pages as the recipient reaches it: QA_BASE_URL and the
    page's path (built without a request, as the worker has none)."""
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    return current_app.config["QA_BASE_URL"] + adapter.build(endpoint, values)


def enqueue(
    kind: str,
    event_key: str,
    recipients: Iterable[User],
    personalisation: Mapping[str, str],
) -> int:
    """Write one email of `kind` per recipient for the event `event_key`, in the caller's
    transaction. Each recipient's `name` and the council's name join `personalisation`.
    Inactive users and recipients already written for this event are left out. An email to a
    user who chose one email a day is held for their digest (services/digest.py) unless its
    kind is immediate. Each row is also the recipient's in-app notification (services/inbox.py).
    Returns how many rows were written."""
    spec = KINDS[kind]
    rows = []
    for user in recipients:
        if not user.active:
            continue
        values = {
            "name": user.name,
            "council_name": current_app.config["QA_COUNCIL_NAME"],
            **personalisation,
        }
        emails.render(spec, values)  # every placeholder filled, or the event fails here
        rows.append(
            {
                "event_key": event_key[:200],
                "kind": kind,
                "recipient_email": user.email,
                "user_id": user.id,
                "personalisation": {key: str(value) for key, value in values.items()},
                "status": HELD
                if notification_rules.is_held(spec, user.email_frequency == DAILY)
                else PENDING,
                "attempts": 0,
                "next_attempt_at": utcnow(),
                "created_at": utcnow(),
            }
        )
    if not rows:
        return 0
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OutboxEmail).on_conflict_do_nothing(
        index_elements=["event_key", "recipient_email"]
    )
    # the ids of the rows written (a row left out by the conflict returns none): the rowcount
    # of a many-row insert is not reliable on every driver
    return len(db.session.execute(statement.returning(OutboxEmail.id), rows).all())


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    to: str
    personalisation: dict
    attempts: int


def _give_up_on_lost_sends(now: datetime) -> None:
    with unit_of_work():
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.status == SENDING, OutboxEmail.claimed_at < now - SENDING_LEASE)
            .values(status=FAILED, last_error=LOST_IN_SENDING)
            .execution_options(synchronize_session=False)
        )


def _claim_one(now: datetime) -> _Claimed | None:
    due = and_(OutboxEmail.status == PENDING, OutboxEmail.next_attempt_at <= now)
    candidate = (
        select(OutboxEmail.id)
        .where(due)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    with unit_of_work(writes_after_reading=True):
        claimed = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == candidate, due)  # conditional: still pending and due
            .values(status=SENDING, claimed_at=now, attempts=OutboxEmail.attempts + 1)
            .returning(
                OutboxEmail.id,
                OutboxEmail.kind,
                OutboxEmail.recipient_email,
                OutboxEmail.personalisation,
                OutboxEmail.attempts,
            )
            .execution_options(synchronize_session=False)
        ).first()
    return None if claimed is None else _Claimed(*claimed)


def _record(claimed: _Claimed, **values) -> None:
    with unit_of_work():
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == claimed.id, OutboxEmail.status == SENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _send(backend: Backend, claimed: _Claimed) -> bool:
    kind = KINDS[claimed.kind]
    try:
        backend.send(kind, claimed.to, claimed.personalisation, f"qa-email-{claimed.id}")
    except Exception as error:
        now = utcnow()
        status, next_at = emails.after_failure(claimed.attempts, now)
        problem = f"{type(error).__name__}: {error}"[:2000]
        _record(claimed, status=status, next_attempt_at=next_at or now, last_error=problem)
        if status == FAILED:
            with unit_of_work():
                audit.record(
                    Actor.system("worker", "Email sender"),
                    AUDIT_ENTITY,
                    claimed.id,
                    "email_failed",
                    {"kind": [None, claimed.kind], "attempts": [None, claimed.attempts]},
                )
        log.warning("Email %s (%s) not sent: %s", claimed.id, claimed.kind, problem)
        return False
    kept = claimed.personalisation
    if not backend.keeps_secrets:
        kept = emails.forget_secrets(kind, kept)
    _record(claimed, status=SENT, sent_at=utcnow(), last_error=None, personalisation=kept)
    return True


def send_pending(limit: int = 100) -> int:
    """Send up to `limit` due emails (the worker calls this each cycle). Returns how many were
    sent. Runs in an app context; what the session had begun is committed first."""
    db.session.commit()
    now = utcnow()
    _give_up_on_lost_sends(now)
    backend = backend_for(current_app.config)
    sent = 0
    for _ in range(limit):
        claimed = _claim_one(now)
        if claimed is None:
            break
        sent += _send(backend, claimed)
    return sent


# ---------------------------------------------------------------- sending a failed email again


def _recipient_active(row: OutboxEmail) -> bool:
    if row.user_id is None:
        return True
    return bool(db.session.scalar(select(User.active).where(User.id == row.user_id)))


def send_again(actor: Actor, email_id: int, now: datetime | None = None) -> OutboxEmail:
    """An administrator sends a failed email again: waiting, due now, with all its tries (the
    worker's next `send_pending` sends it). Refused (Conflict) when it is no longer failed, is a
    set-password link, or its recipient's account is deactivated
    (domain/emails.py send_again_refusal)."""
    row = found(db.session.get(OutboxEmail, email_id), "Email not found")
    refusal = emails.send_again_refusal(KINDS.get(row.kind), row.status, _recipient_active(row))
    if refusal:
        raise Conflict(refusal)
    attempts = row.attempts
    with unit_of_work():
        result = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, OutboxEmail.status == FAILED)
            .values(
                status=PENDING,
                attempts=0,
                next_attempt_at=now or utcnow(),
                claimed_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise Conflict(emails.NO_LONGER_FAILED)
        audit.record(
            actor,
            AUDIT_ENTITY,
            email_id,
            "sent_again",
            {"status": [FAILED, PENDING], "attempts": [attempts, 0]},
        )
    db.session.refresh(row)
    return row


# ---------------------------------------------------------------- the Emails sent page


@dataclass(frozen=True)
class EmailView:
    row: OutboxEmail
    subject: str
    body: str
    #: why it may not be sent again (None: it may, and the page offers "Send again")
    send_again_refusal: str | None = None

    @property
    def status_label(self) -> str:
        return emails.STATUS_LABELS.get(self.row.status, self.row.status)

    @property
    def is_failed(self) -> bool:
        """Failed for good: the page says why it may not be sent again, or offers Send again."""
        return self.row.status == FAILED

    @property
    def tries_to_show(self) -> int:
        """The tries so far, worth showing while the email is not sent (0: nothing to show)."""
        return 0 if self.row.status == emails.SENT else self.row.attempts


def _view(row: OutboxEmail, recipient_active: bool) -> EmailView:
    try:
        subject, body = emails.render(KINDS[row.kind], row.personalisation)
    except KeyError:
        subject, body = row.kind, "(this email's text cannot be shown)"
    refusal = None
    if row.status == FAILED:
        refusal = emails.send_again_refusal(KINDS.get(row.kind), row.status, recipient_active)
    return EmailView(row, subject, body, refusal)


def emails_page(requested: int | None, status: str | None = None) -> tuple[Page, list[EmailView]]:
    """A page of the outbox, newest first, with each email's text (only the emails in `status`,
    when given: the failed ones)."""
    query = select(OutboxEmail)
    if status is not None:
        query = query.where(OutboxEmail.status == status)
    page = page_of(query, requested, PAGE_SIZE)
    rows = db.session.execute(
        query.add_columns(User.active)
        .outerjoin(User, User.id == OutboxEmail.user_id)
        .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        .offset(page.offset)
        .limit(page.size)
    ).all()
    return page, [_view(row, active is not False) for row, active in rows]


def counts() -> dict[str, int]:
    """How many emails there are in each status."""
    found = db.session.execute(
        select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
    ).all()
    return {status: 0 for status in emails.STATUSES} | dict(found)
