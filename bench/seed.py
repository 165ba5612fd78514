"""A regional-size dataset written with bulk inserts: providers, staff, services, history."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from qa_app.domain.codes import BEDDED_SERVICE_TYPES, CQC_RATINGS, SERVICE_TYPES
from qa_app.domain.risk import RiskInputs, assess_risk
from qa_app.extensions import db
from qa_app.models import AuditEvent, Provider, Service, User
from qa_app.services.passwords import hash_password

CLUSTERS = [
    f"{area} {part}"
    for area in ("North", "South", "East", "West")
    for part in ("Coast", "Rural", "Town")
]
SERVICES_PER_PROVIDER = 10 / 3  # 5,000 services across 1,500 providers
STAFF = 200
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def seed_region(services: int, previous: dict | None = None) -> dict:
    """Grow the database to `services` services (and their providers and staff)."""
    rng = random.Random(services)
    now = datetime.now(UTC)
    have_services = db.session.scalar(select(func.count(Service.id)))
    have_providers = db.session.scalar(select(func.count(Provider.id)))
    want_providers = round(services / SERVICES_PER_PROVIDER)
    if have_providers < want_providers:
        db.session.execute(
            insert(Provider.__table__),
            [
                {
                    "name": f"Provider {n:05d} Care Ltd",
                    "cqc_provider_id": f"1-7{n:08d}",
                    "contact_name": f"Manager {n}",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for n in range(have_providers, want_providers)
            ],
        )
    if not db.session.scalar(select(func.count(User.id))):
        password = hash_password("bench-password-123")
        db.session.execute(
            insert(User.__table__),
            [
                {
                    "email": f"staff{n}@bench.example",
                    "name": f"Staff Member {n:03d}",
                    "role": ("officer", "officer", "officer", "manager", "admin")[n % 5],
                    "password_hash": password,
                    "active": True,
                    "session_version": 1,
                    "created_at": now,
                    "version": 1,
                }
                for n in range(STAFF)
            ],
        )
    provider_ids = list(db.session.scalars(select(Provider.id).order_by(Provider.id)))
    staff_ids = list(
        db.session.scalars(select(User.id).where(User.role != "provider").order_by(User.id))
    )
    types = list(SERVICE_TYPES)
    rows = []
    for n in range(have_services, services):
        kind = types[n % len(types)]
        rating = rng.choices(CQC_RATINGS, weights=(5, 60, 20, 5, 10))[0]
        risk = assess_risk(RiskInputs(cqc_rating=rating))
        start = date(2020 + n % 6, 1 + n % 12, 1)
        rows.append(
            {
                "name": f"{rng.choice(('Oak', 'Elm', 'Ash', 'Birch', 'Rowan', 'Hazel'))} {('House', 'Court', 'Lodge', 'Care', 'Living')[n % 5]} {n:05d}",
                "provider_id": provider_ids[n % len(provider_ids)],
                "cqc_location_id": f"1-3{n:08d}",
                "service_type": kind,
                "cluster": CLUSTERS[n % len(CLUSTERS)],
                "address": f"{n % 200 + 1} High Street",
                "postcode": f"NE{1 + n % 99} {n % 10}{LETTERS[n % 20]}{LETTERS[(n // 20) % 20]}",
                "beds": 20 + n % 60 if kind in BEDDED_SERVICE_TYPES else None,
                "contract_reference": f"ASC-{n:06d}",
                "contract_start": start,
                "contract_end": start + timedelta(days=4 * 365),
                "contract_officer_id": staff_ids[n % len(staff_ids)],
                "cqc_rating": rating,
                "cqc_rating_date": date(2025, 1 + n % 12, 1) if rating != "Not rated" else None,
                "risk": risk.rag,
                "risk_reasons": "; ".join(risk.reasons),
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    if rows:
        db.session.execute(insert(Service.__table__), rows)
        new_ids = list(
            db.session.scalars(select(Service.id).where(Service.id > 0).order_by(Service.id))
        )[have_services:]
        events = []
        for service_id in new_ids:
            for k in range(4):
                events.append(
                    {
                        "occurred_at": now - timedelta(days=30 * k),
                        "actor_label": "Bench Seeder",
                        "channel": "cli",
                        "entity_type": "service",
                        "entity_id": service_id,
                        "action": "created" if k == 3 else "updated",
                        "changes": {"cluster": ["Old", "New"]} if k < 3 else {"name": [None, "x"]},
                        "service_id": service_id,
                    }
                )
        db.session.execute(insert(AuditEvent.__table__), events)
    db.session.commit()
    officer = db.session.scalar(select(User).where(User.role == "officer").order_by(User.id))
    return {
        "service_ids": list(db.session.scalars(select(Service.id).order_by(Service.id))),
        "clusters": CLUSTERS,
        "officer_session_id": officer.get_id(),
    }
