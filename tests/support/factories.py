"""Test data, written straight to the database (fast) where the test is not about creating it."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from flask.testing import FlaskClient

from qa_app.extensions import db
from qa_app.models import Concern, Notice, NoticeRequirement, Provider, Service, User
from qa_app.services import sessions
from qa_app.services.passwords import hash_password

_seq = itertools.count(1)
PASSWORD = "correct horse battery"
_HASH = None


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def provider(**fields) -> Provider:
    n = next(_seq)
    record = Provider(
        name=fields.pop("name", f"Provider {n}"),
        cqc_provider_id=fields.pop("cqc_provider_id", f"1-9{n:08d}"),
        **fields,
    )
    db.session.add(record)
    db.session.commit()
    return record


def service(provider_record: Provider | None = None, **fields) -> Service:
    n = next(_seq)
    provider_record = provider_record or provider()
    values = {
        "name": f"Service {n}",
        "service_type": "care_home_residential",
        "cluster": "North",
        "cqc_location_id": f"1-8{n:08d}",
        "cqc_rating": "Good",
        "risk": "green",
        "risk_reasons": "",
        "postcode": "NE61 1AB",
        "contract_start": date(2024, 4, 1),
        "contract_end": date(2028, 3, 31),
    }
    values.update(fields)
    record = Service(provider_id=provider_record.id, **values)
    db.session.add(record)
    db.session.commit()
    return record


def user(role: str = "officer", provider_record: Provider | None = None, **fields) -> User:
    n = next(_seq)
    record = User(
        email=fields.pop("email", f"{role}{n}@council.test"),
        name=fields.pop("name", f"{role.title()} {n}"),
        role=role,
        provider_id=provider_record.id if provider_record else None,
        password_hash=fields.pop("password_hash", _password_hash()),
        active=fields.pop("active", True),
        **fields,
    )
    db.session.add(record)
    db.session.commit()
    return record


def breached_notice(service_record: Service, issued_at: datetime, due: date, **fields) -> Notice:
    """An issued notice of concern on the service whose one requirement, due on `due`, is not
    met (so the sweep escalates it once `due` has passed). Flushed, not committed."""
    notice = Notice(
        kind="notice_of_concern",
        service_id=service_record.id,
        status="issued",
        created_by_label="Test",
        issued_at=issued_at,
        **fields,
    )
    db.session.add(notice)
    db.session.flush()
    db.session.add(NoticeRequirement(notice_id=notice.id, position=1, text="Fix it", due_date=due))
    db.session.flush()
    return notice


def high_risk_concern(
    service_record: Service, received: datetime, summary: str, source: str = "complaint"
) -> Concern:
    """A high-risk concern on a 24-hour elapsed clock, received at `received` (due 24 hours
    later), written straight to the database as the sweep's and the QuAD report's tests need
    many. Added, not flushed."""
    concern = Concern(
        service_id=service_record.id,
        risk_level="high",
        source=source,
        summary=summary,
        received_at=received,
        logged_by_label="Test",
        clock="24-hour",
        clock_mode="elapsed",
        response_due_at=received + timedelta(hours=24),
    )
    db.session.add(concern)
    return concern


def sign_in(client: FlaskClient, user_record: User) -> FlaskClient:
    """Begin a session for the user, as signing in does (without the password round trip)."""
    secret = sessions.begin(user_record)
    with client.session_transaction() as session:
        session["_user_id"] = secret
        session["_fresh"] = True
    client.csrf = None
    return client
