"""A regional-size dataset written with bulk inserts: providers, staff, services and history.

`grow_to(n)` brings the database up to n services (and the providers they need), so the
harness can measure at 500 services, then add 4,500 more and measure again. The data is
deterministic (seeded random numbers) and shaped like a real region: clusters of different
sizes, a few large providers among many small ones, mostly Good ratings, risk worked out by
the app's own rule, a contract officer on most services, and a few audit events per service.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from qa_app.domain.changes import jsonable
from qa_app.domain.codes import BEDDED_SERVICE_TYPES, CQC_RATINGS, SERVICE_TYPES
from qa_app.domain.postcode import normalise_postcode
from qa_app.domain.risk import RiskInputs, assess_risk
from qa_app.extensions import db
from qa_app.models import AuditEvent, Provider, Service, User
from qa_app.services import sessions
from qa_app.services.passwords import hash_password
from qa_app.services.registry import PAGE_SIZE

#: 5,000 services across 1,500 providers (the issue's regional size).
SERVICES_PER_PROVIDER = 5000 / 1500
STAFF_USERS = 200

#: (cluster, relative size, first NE postcode district): a town-heavy, rural-light region.
CLUSTERS = (
    ("Ashington", 14, 63),
    ("Blyth", 12, 24),
    ("Cramlington", 11, 23),
    ("Morpeth", 10, 61),
    ("Bedlington", 9, 22),
    ("Hexham", 9, 46),
    ("Alnwick", 8, 66),
    ("Ponteland", 7, 20),
    ("Prudhoe", 6, 42),
    ("Berwick", 5, 71),
    ("Haltwhistle", 5, 49),
    ("Rothbury", 4, 65),
)
CLUSTER_NAMES = [name for name, _, _ in CLUSTERS]
CLUSTER_WEIGHTS = [weight for _, weight, _ in CLUSTERS]
#: Outstanding, Good, Requires improvement, Inadequate, Not rated.
RATING_WEIGHTS = (4, 66, 18, 2, 10)
TYPE_WEIGHTS = {
    "care_home_nursing": 10,
    "care_home_residential": 20,
    "home_support": 35,
    "supported_living": 20,
    "extra_care": 5,
    "day_opportunities": 10,
}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward code may use
STREETS = ("High Street", "Station Road", "Front Street", "Church Lane", "Park View", "Mill Road")
FIRST = ("Alex", "Sam", "Jo", "Chris", "Pat", "Morgan", "Jamie", "Robin", "Lee", "Kim")
LAST = ("Armstrong", "Charlton", "Dodd", "Elliott", "Forster", "Hall", "Milburn", "Robson")
PROVIDER_WORDS = (
    ("Northern", "Coastal", "Riverside", "Abbey", "Castle", "Meadow", "Heritage", "Willow"),
    ("Care", "Healthcare", "Support Services", "Homes", "Living", "Community Care"),
    ("Ltd", "Limited", "CIC", "LLP"),
)
SERVICE_WORDS = (
    ("Oak", "Elm", "Ash", "Birch", "Rowan", "Hazel", "Cedar", "Holly", "Larch", "Aspen"),
    ("House", "Court", "Lodge", "Grange", "View", "Gardens"),
)
STAFF_ROLES = ("officer",) * 7 + ("manager",) * 2 + ("admin",)  # 70% / 20% / 10%


@dataclass
class Dataset:
    """What the scenarios need to know about the data to build their addresses."""

    services: int
    providers: int
    staff: int
    audit_events: int
    service_ids: list[int]
    #: (cluster, number of Good services in it), for clusters with at least two pages of them.
    filter_clusters: list[tuple[str, int]]
    #: role -> (user id, the id Flask-Login keeps in the session)
    users: dict[str, tuple[int, str]] = field(default_factory=dict)


def grow_to(services: int, now: datetime | None = None) -> dict[str, int]:
    """Add rows until there are `services` services. Returns how many rows of each were added."""
    now = now or datetime.now(UTC)
    rng = random.Random(f"qa-bench-{services}")
    added = {"providers": 0, "users": 0, "services": 0, "audit_events": 0}

    have_providers = db.session.scalar(select(func.count(Provider.id)))
    want_providers = round(services / SERVICES_PER_PROVIDER)
    if have_providers < want_providers:
        rows = [_provider(n, rng, now) for n in range(have_providers, want_providers)]
        db.session.execute(insert(Provider.__table__), rows)
        added["providers"] = len(rows)
        events = []
        for provider_id, name, created_at in db.session.execute(
            select(Provider.id, Provider.name, Provider.created_at)
            .order_by(Provider.id)
            .offset(have_providers)
        ):
            change = {"name": [None, name]}
            events.append(
                _event(created_at, None, "provider", provider_id, "created", change, None)
            )
        db.session.execute(insert(AuditEvent.__table__), events)
        added["audit_events"] += len(events)

    if not db.session.scalar(select(func.count(User.id))):
        # Nobody signs in with it (the harness sets the session), so a throwaway secret.
        password_hash = hash_password(secrets.token_urlsafe(16))
        rows = [
            {
                "email": f"staff{n:03d}@council.bench.example",
                "name": f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n:03d}",
                "role": STAFF_ROLES[n % len(STAFF_ROLES)],
                "provider_id": None,
                "password_hash": password_hash,
                "active": True,
                "created_at": now - timedelta(days=400),
                "version": 1,
            }
            for n in range(STAFF_USERS)
        ]
        db.session.execute(insert(User.__table__), rows)
        added["users"] = len(rows)

    provider_ids = list(db.session.scalars(select(Provider.id).order_by(Provider.id)))
    staff = list(
        db.session.execute(
            select(User.id, User.name, User.role)
            .where(User.role.in_(["officer", "manager", "admin"]))
            .order_by(User.id)
        )
    )
    officers = [(uid, name) for uid, name, role in staff if role in ("officer", "manager")]
    have_services = db.session.scalar(select(func.count(Service.id)))
    last_id = db.session.scalar(select(func.max(Service.id))) or 0
    new_providers = provider_ids[have_providers:]

    rows, stories = [], []
    for n in range(have_services, services):
        # Every new provider runs at least one service; the rest go mostly to the larger
        # providers (a few run dozens of services, most run one or two).
        k = n - have_services
        if k < len(new_providers):
            provider_id = new_providers[k]
        else:
            provider_id = provider_ids[int(len(provider_ids) * rng.random() ** 2.5)]
        row, story = _service(n, provider_id, officers, rng, now)
        rows.append(row)
        stories.append(story)
    if rows:
        db.session.execute(insert(Service.__table__), rows)
        ids = dict(
            db.session.execute(
                select(Service.cqc_location_id, Service.id).where(Service.id > last_id)
            ).all()
        )
        events = []
        for row, story in zip(rows, stories, strict=True):
            events += _history(ids[row["cqc_location_id"]], row, story, staff, officers, rng)
        db.session.execute(insert(AuditEvent.__table__), events)
        added["services"] = len(rows)
        added["audit_events"] += len(events)
    db.session.commit()
    return added


def analyse() -> None:
    """Refresh the planner's statistics, as autovacuum would soon after a real bulk load."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def describe() -> Dataset:
    """The facts about the seeded data that the scenarios build their requests from."""
    good_by_cluster = db.session.execute(
        select(Service.cluster, func.count())
        .where(Service.cqc_rating == "Good")
        .group_by(Service.cluster)
        .having(func.count() > PAGE_SIZE)  # page 2 must exist
        .order_by(func.count().desc(), Service.cluster)
    ).all()
    service_ids = list(db.session.scalars(select(Service.id).order_by(Service.id)))
    random.Random(len(service_ids)).shuffle(service_ids)  # visit services in no useful order
    users = {}
    for role in ("officer", "manager", "admin"):
        user = db.session.scalar(select(User).where(User.role == role).order_by(User.id))
        if user is not None:
            users[role] = (user.id, sessions.begin(user))
    data = Dataset(
        services=db.session.scalar(select(func.count(Service.id))),
        providers=db.session.scalar(select(func.count(Provider.id))),
        staff=db.session.scalar(select(func.count(User.id))),
        audit_events=db.session.scalar(select(func.count(AuditEvent.id))),
        service_ids=service_ids,
        filter_clusters=[(cluster, count) for cluster, count in good_by_cluster],
        users=users,
    )
    db.session.rollback()
    return data


# ---------------------------------------------------------------- rows


def _provider(n: int, rng: random.Random, now: datetime) -> dict:
    first, kind, suffix = PROVIDER_WORDS
    area = CLUSTER_NAMES[(n // (len(first) * len(kind))) % len(CLUSTER_NAMES)]
    name = f"{first[n % len(first)]} {kind[(n // len(first)) % len(kind)]} {area}"
    created = now - timedelta(days=500 + rng.randrange(1500))
    return {
        "name": f"{name} {suffix[n % len(suffix)]}" + (f" ({n // 2880 + 1})" if n >= 2880 else ""),
        "cqc_provider_id": f"1-1{n:08d}",
        "contact_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "contact_email": f"contracts@provider{n}.bench.example",
        "contact_phone": f"01670 {500000 + n:06d}",
        "address": f"{1 + n % 180} {rng.choice(STREETS)}\n{area}",
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }


def _service(n, provider_id, officers, rng, now) -> tuple[dict, dict]:
    kind = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
    assert kind in SERVICE_TYPES
    cluster_index = rng.choices(range(len(CLUSTERS)), weights=CLUSTER_WEIGHTS)[0]
    cluster, _, district = CLUSTERS[cluster_index]
    rating = rng.choices(CQC_RATINGS, weights=RATING_WEIGHTS)[0]
    earlier_rating = rng.choices(CQC_RATINGS[:4], weights=RATING_WEIGHTS[:4])[0]
    risk = assess_risk(RiskInputs(cqc_rating=rating))
    postcode = normalise_postcode(
        f"NE{district + n % 3}{n % 10}{INWARD_LETTERS[n % 20]}{INWARD_LETTERS[(n // 20) % 20]}"
    )
    assert postcode, "the seed must only write valid postcodes"
    start = date(2019 + rng.randrange(7), 1 + rng.randrange(12), 1)
    created = now - timedelta(days=100 + rng.randrange(900), minutes=rng.randrange(1440))
    officer = rng.choice(officers) if rng.random() < 0.92 else None
    first, second = SERVICE_WORDS
    row = {
        "name": f"{first[n % len(first)]} {second[(n // len(first)) % len(second)]} {n + 1}",
        "provider_id": provider_id,
        "cqc_location_id": f"1-3{n:08d}",
        "service_type": kind,
        "cluster": cluster,
        "address": f"{1 + n % 240} {STREETS[n % len(STREETS)]}\n{cluster}",
        "postcode": postcode,
        "beds": 15 + rng.randrange(75) if kind in BEDDED_SERVICE_TYPES else None,
        "contract_reference": f"ASC-{2019 + n % 7}-{n:05d}",
        "contract_start": start,
        "contract_end": start + timedelta(days=365 * rng.choice((3, 4, 5)) - 1),
        "contract_officer_id": officer[0] if officer else None,
        "cqc_rating": rating,
        "cqc_rating_date": (now - timedelta(days=30 + rng.randrange(1000))).date()
        if rating != "Not rated"
        else None,
        "risk": risk.rag,
        "risk_reasons": "; ".join(risk.reasons),
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }
    return row, {"earlier_rating": earlier_rating, "created": created, "now": now}


def _history(service_id, row, story, staff, officers, rng) -> list[dict]:
    """Two to five events per service: created, then rating, officer and detail changes."""
    created = story["created"]
    actor = rng.choice(staff)
    recorded = {
        name: [None, jsonable(row[name])]
        for name in (
            "name",
            "provider_id",
            "cqc_location_id",
            "service_type",
            "cluster",
            "postcode",
            "beds",
            "contract_reference",
            "contract_start",
            "contract_end",
            "contract_officer_id",
            "cqc_rating",
        )
        if row[name] is not None
    }
    if row["cqc_rating"] != "Not rated":
        recorded["cqc_rating"] = [None, story["earlier_rating"]]
    events = [_event(created, actor, "service", service_id, "created", recorded, service_id)]
    when = created
    if row["cqc_rating"] != "Not rated":
        when = min(story["now"], when + timedelta(days=1 + rng.randrange(60)))
        change = {"cqc_rating": [story["earlier_rating"], row["cqc_rating"]]}
        events.append(_event(when, None, "service", service_id, "updated", change, service_id))
    for _ in range(rng.randrange(4)):
        when = min(story["now"], when + timedelta(days=1 + rng.randrange(60), minutes=99))
        actor = rng.choice(staff)
        if row["contract_officer_id"] and rng.random() < 0.5:
            other = rng.choice(officers)[0]
            change = {"contract_officer_id": [other, row["contract_officer_id"]]}
        else:
            change = {"contract_reference": [f"ASC-OLD-{service_id}", row["contract_reference"]]}
        events.append(_event(when, actor, "service", service_id, "updated", change, service_id))
    return events


def _event(when, actor, entity_type, entity_id, action, changes, service_id) -> dict:
    return {
        "occurred_at": when,
        "actor_id": actor[0] if actor else None,
        "actor_label": actor[1] if actor else "System",
        "channel": "web" if actor else "system",
        "entity_type": entity_type,
        "entity_id": entity_id,
        "action": action,
        "changes": changes,
        "service_id": service_id,
    }
