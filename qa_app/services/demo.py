"""The demo council that `make run` loads: providers, ~30 services in 3 clusters, and a user
for every role. Everything goes through the same use cases as real data (so it is audited)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from qa_app.domain.months import last_full_month
from qa_app.extensions import db
from qa_app.models import Notice, Provider, Service, User
from qa_app.services import (
    assessment_summaries,
    assessments,
    concerns,
    notices,
    plans,
    quad_meetings,
    registry,
    standards,
    users,
)
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today, utcnow
from qa_app.services.errors import found

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (demo data only, printed by make run)

# (name, CQC provider ID, contact, postal address)
PROVIDERS = [
    (
        "Heathervale Care Ltd",
        "1-101000001",
        "Helen Ashworth",
        "Heathervale House\n14 Station Road\nMorpeth\nNE61 1AB",
    ),
    (
        "Brookside Healthcare Group",
        "1-101000002",
        "Dana Hughes",
        "2nd Floor, Quayside Chambers\n35 Bridge Street\nBlyth\nNE24 2AA",
    ),
    (
        "Northshire Home Support CIC",
        "1-101000003",
        "Gareth Pryce",
        "Unit 3, Coquet Enterprise Park\nAmble\nMorpeth\nNE65 0PE",
    ),
    (
        "Willowbank Living Ltd",
        "1-101000004",
        "Fiona McLeod",
        "8 Willow Court\nCramlington\nNE23 6XY",
    ),
    (
        "Castlegate Care Homes plc",
        "1-101000005",
        "Richard Okafor",
        "Castlegate House\n1 Castle Street\nAlnwick\nNE66 1LJ",
    ),
    (
        "Riverside Supported Living Trust",
        "1-101000006",
        "Siobhan Kelly",
        "The Old Mill\nRiverside\nMorpeth\nNE61 1QT",
    ),
    (
        "Meadowfield Domiciliary Services",
        "1-101000007",
        "Tom Hartley",
        "22 Meadow Lane\nAshington\nNE63 9AA",
    ),
    (
        "Oakridge Nursing Ltd",
        "1-101000008",
        "Anita Desai",
        "Oakridge Business Centre\n5 Oak Drive\nHexham\nNE46 3RT",
    ),
    (
        "Ashdown Day Services",
        "1-101000009",
        "Paul Whitfield",
        "Ashdown Centre\n9 Front Street\nBedlington\nNE22 5TT",
    ),
    (
        "Kingsway Extra Care Housing",
        "1-101000010",
        "Grace Mensah",
        "Kingsway House\n40 Kingsway\nBlyth\nNE24 3PS",
    ),
]

#: Each service's registered manager (the person its letters are addressed to), by service name.
REGISTERED_MANAGERS = {
    "Heathervale House": "Amira Begum",
    "Heathervale Lodge": "Chris Walker",
    "Heathervale Court": "Joanne Fletcher",
    "Brookside Manor": "Mark Robson",
    "Brookside Gardens": "Lucy Chen",
    "Brookside Mews": "Ian Douglas",
    "Northshire Home Support, North": "Karen Milburn",
    "Northshire Home Support, Central": "Neil Armstrong",
    "Northshire Home Support, South": "Sophie Turnbull",
    "Willowbank Grove": "David Nwosu",
    "Willowbank Terrace": "Rachel Hall",
    "Castlegate View": "Steven Charlton",
    "Castlegate Park": "Emma Robinson",
    "Castlegate Hall": "Hannah Patel",
    "Riverside Close": "Michael Burns",
    "Riverside Place": "Claire Dixon",
    "Riverside Walk": "Ahmed Hassan",
    "Meadowfield Care at Home": "Laura Bell",
    "Meadowfield Reablement": "James Scott",
    "Oakridge Nursing Home": "Patricia Young",
    "Oakridge House": "Daniel Reed",
    "Oakridge Court": "Nicola Wood",
    "Ashdown Centre": "Ben Thompson",
    "Ashdown Community Hub": "Zara Ali",
    "Kingsway Court": "Gillian Moore",
    "Kingsway Gardens": "Peter Lowes",
    "Kingsway Place": "Aisha Rahman",
    "Brookside at Home": "Owen Jenkins",
    "Willowbank Fields": "Megan Brown",
    # Castlegate Mill has none recorded: its letters go to "The registered manager"
}

# (name, provider index, type, cluster, beds, CQC rating, postcode)
SERVICES = [
    ("Heathervale House", 0, "care_home_residential", "North", 42, "Good", "NE61 1AB"),
    ("Heathervale Lodge", 0, "care_home_nursing", "North", 60, "Requires improvement", "NE61 2DA"),
    ("Heathervale Court", 0, "care_home_residential", "Central", 35, "Good", "NE63 8EF"),
    ("Brookside Manor", 1, "care_home_nursing", "Central", 72, "Good", "NE64 6GH"),
    ("Brookside Gardens", 1, "care_home_residential", "South", 28, "Outstanding", "NE65 0JA"),
    ("Brookside Mews", 1, "care_home_nursing", "South", 54, "Inadequate", "NE65 9LN"),
    ("Northshire Home Support, North", 2, "home_support", "North", None, "Good", "NE61 3NP"),
    ("Northshire Home Support, Central", 2, "home_support", "Central", None, "Good", "NE63 9QR"),
    (
        "Northshire Home Support, South",
        2,
        "home_support",
        "South",
        None,
        "Requires improvement",
        "NE66 1ST",
    ),
    ("Willowbank Grove", 3, "supported_living", "North", None, "Good", "NE61 4UW"),
    ("Willowbank Terrace", 3, "supported_living", "Central", None, "Good", "NE62 5WX"),
    ("Castlegate View", 4, "care_home_residential", "North", 48, "Good", "NE61 6YZ"),
    ("Castlegate Park", 4, "care_home_nursing", "Central", 88, "Requires improvement", "NE63 7AB"),
    ("Castlegate Hall", 4, "care_home_residential", "South", 31, "Good", "NE66 2BD"),
    ("Riverside Close", 5, "supported_living", "South", None, "Good", "NE66 3DE"),
    ("Riverside Place", 5, "supported_living", "Central", None, "Not rated", "NE62 1EF"),
    ("Riverside Walk", 5, "supported_living", "North", None, "Good", "NE61 7FG"),
    (
        "Meadowfield Care at Home",
        6,
        "home_support",
        "North",
        None,
        "Requires improvement",
        "NE61 8GH",
    ),
    ("Meadowfield Reablement", 6, "home_support", "Central", None, "Good", "NE63 2HJ"),
    ("Oakridge Nursing Home", 7, "care_home_nursing", "South", 64, "Good", "NE65 4JL"),
    ("Oakridge House", 7, "care_home_residential", "North", 38, "Good", "NE61 9LN"),
    ("Oakridge Court", 7, "care_home_nursing", "Central", 50, "Outstanding", "NE63 3NP"),
    ("Ashdown Centre", 8, "day_opportunities", "Central", None, "Not rated", "NE62 2PR"),
    ("Ashdown Community Hub", 8, "day_opportunities", "South", None, "Not rated", "NE66 4RS"),
    ("Kingsway Court", 9, "extra_care", "North", None, "Good", "NE61 5ST"),
    ("Kingsway Gardens", 9, "extra_care", "South", None, "Good", "NE65 6TU"),
    ("Kingsway Place", 9, "extra_care", "Central", None, "Requires improvement", "NE63 4UW"),
    ("Brookside at Home", 1, "home_support", "South", None, "Good", "NE65 7WY"),
    ("Willowbank Fields", 3, "supported_living", "South", None, "Good", "NE66 5YA"),
    ("Castlegate Mill", 4, "care_home_residential", "Central", 26, "Good", "NE63 5AD"),
]

USERS = [
    ("admin@demo.example", "Alex Morgan", "admin", None),
    ("manager@demo.example", "Priya Shah", "manager", None),
    ("officer@demo.example", "Sam Taylor", "officer", None),
    ("officer2@demo.example", "Jordan Reid", "officer", None),
    ("provider@demo.example", "Chris Walker (Heathervale Care)", "provider", 0),
    ("provider2@demo.example", "Dana Hughes (Brookside Healthcare)", "provider", 1),
]


def service(name: str):
    """A demo service by its name."""
    return db.session.scalar(select(Service).where(Service.name == name))


def has_data() -> bool:
    return bool(db.session.scalar(select(func.count(User.id))))


def seed() -> dict:
    actor = Actor.system("cli")
    providers: list[Provider] = []
    for index, (name, cqc_id, contact, address) in enumerate(PROVIDERS):
        providers.append(
            registry.create_provider(
                actor,
                {
                    "name": name,
                    "cqc_provider_id": cqc_id,
                    "contact_name": contact,
                    "contact_email": f"contact{index + 1}@provider{index + 1}.demo.example",
                    "contact_phone": f"01670 5{index:02d} 100",
                    "address": address,
                },
            )
        )
    people = {}
    for email, name, role, provider_index in USERS:
        provider_id = providers[provider_index].id if provider_index is not None else None
        people[email], _ = users.create_user(actor, email, name, role, provider_id, DEMO_PASSWORD)
    officers = [people["officer@demo.example"], people["officer2@demo.example"]]
    for index, (name, provider_index, kind, cluster, beds, rating, postcode) in enumerate(SERVICES):
        start = date(2023 + index % 3, 1 + index % 12, 1)
        registry.create_service(
            actor,
            {
                "name": name,
                "provider_id": providers[provider_index].id,
                "cqc_location_id": f"1-2{index + 1:08d}",
                "service_type": kind,
                "cluster": cluster,
                "address": f"{index + 3} {name.split()[0]} Road\nMorpeth",
                "postcode": postcode,
                "beds": beds,
                "contract_reference": f"ASC-{2023 + index % 3}-{index + 101:04d}",
                "contract_start": start,
                "contract_end": date(start.year + 4, start.month, 1),
                "contract_officer_id": officers[index % 2].id,
                "registered_manager_name": REGISTERED_MANAGERS.get(name),
                "cqc_rating": rating,
                "cqc_rating_date": date(2025, 1 + index % 12, 10)
                if rating != "Not rated"
                else None,
            },
        )
    _demo_assessments(people)
    _demo_history(people)
    _demo_concerns_and_notices(people)
    _demo_plans(people)
    _demo_meeting(people)
    return {"providers": len(PROVIDERS), "services": len(SERVICES), "users": len(USERS)}


def _demo_concerns_and_notices(people: dict) -> None:
    """Open concerns with running clocks, one escalated into a draft notice, and an issued
    notice with a placement stop that the demo provider user can respond to."""
    officer, manager = people["officer@demo.example"], people["manager@demo.example"]
    as_officer, as_manager = Actor(officer, "cli"), Actor(manager, "cli")
    now = datetime.now(UTC)

    def log(name, risk, hours_ago, source, summary):
        return concerns.log(
            as_officer,
            officer,
            {
                "service_id": service(name).id,
                "risk_level": risk,
                "source": source,
                "received_at": now - timedelta(hours=hours_ago),
                "summary": summary,
                "details": "Logged for the demo.",
            },
        )

    log("Castlegate Park", "high", 3, "safeguarding", "Unexplained bruising reported by a relative")
    log("Northshire Home Support, South", "medium", 50, "complaint", "Three late calls in a week")
    log("Meadowfield Care at Home", "low", 10, "professional", "District nurse: MAR charts unclear")
    called = log("Brookside Manor", "low", 20, "complaint", "Laundry going missing")
    concerns.respond(as_officer, officer, called.id, "call", "Spoke to the manager.")
    escalated = log("Kingsway Place", "high", 30, "whistleblower", "Night staff asleep on shift")
    concerns.escalate(as_officer, officer, escalated.id, "Not responded to in time; serious")

    grounds = log(
        "Heathervale Court", "high", 24 * 9, "cqc", "CQC: medicines not given as prescribed"
    )
    concerns.escalate(as_officer, officer, grounds.id, "Repeated medicines errors")
    notice = found(db.session.get(Notice, grounds.notice_id), "Notice not found")
    today = now.date()
    notices.update_draft(
        as_officer,
        officer,
        notice.id,
        "Medicines were not given as prescribed on several occasions, found by CQC and "
        "confirmed on our visit.",
        None,
    )
    first = notices.add_requirement(
        as_officer,
        officer,
        notice.id,
        "Audit every medicines record weekly and send us the results.",
        today + timedelta(days=14),
    )
    notices.add_requirement(
        as_officer,
        officer,
        notice.id,
        "Every staff member who gives medicines completes competency training.",
        today + timedelta(days=28),
    )
    notices.issue(as_manager, manager, notice.id, today)
    notices.respond_to_requirement(
        Actor(people["provider@demo.example"], "cli"),
        people["provider@demo.example"],
        notice.id,
        first.id,
        "Weekly audits started on Monday; we will attach each week's audit here.",
    )


DEMO_SUMMARIES = {
    "overall": "A warm, settled home where people are treated with dignity. Records and "
    "medicines checks are behind: the improvement plan must show weekly audits.\n"
    "People and relatives spoke well of the staff; the manager knows where the gaps are.",
    "D1": "People are involved in their care plans and their own words are recorded.",
}


def _demo_assessments(people: dict) -> None:
    """A published report, a draft shared with its provider, a visit in progress and a planned
    one, so that every role has something to look at."""
    standards.load_directory(Actor.system("cli"))
    officer, manager = people["officer@demo.example"], people["manager@demo.example"]
    as_officer, as_manager = Actor(officer, "cli"), Actor(manager, "cli")
    rng = random.Random(2026)

    def record(assessment, share):
        for q in assessments.questions_for(assessment)[
            : int(len(assessments.questions_for(assessment)) * share)
        ]:
            weak = q.standard_code in ("QC03", "QD03")
            score = rng.choice([1, 2, 2, 3] if weak else [2, 3, 3, 3, 4])
            note = rng.choice(EVIDENCE_NOTES)
            data = assessments.AnswerInput(
                score=score, evidence=note, sources=tuple(q.evidence_sources[:2])
            )
            assessments.save_answer(as_officer, officer, assessment.id, q.ref, data, None)

    published = assessments.plan(
        as_officer,
        officer,
        {"service_id": service("Heathervale Lodge").id, "visit_date": date(2026, 9, 15)},
    )
    record(published, 1)
    for part, text in DEMO_SUMMARIES.items():
        assessment_summaries.save_summary(as_officer, officer, published.id, part, text, None)
    assessments.submit(as_officer, officer, published.id)
    assessments.publish(as_manager, manager, published.id)
    # its follow-up, planned: recording it shows the last visit beside each question
    assessments.plan(
        as_officer,
        officer,
        {"service_id": service("Heathervale Lodge").id, "visit_date": date(2026, 12, 9)},
    )

    shared = assessments.plan(
        as_officer,
        officer,
        {"service_id": service("Brookside Mews").id, "visit_date": date(2026, 11, 10)},
    )
    record(shared, 1)
    assessments.submit(as_officer, officer, shared.id)
    assessments.share_draft(as_manager, manager, shared.id)

    in_progress = assessments.plan(
        as_officer,
        officer,
        {"service_id": service("Castlegate Park").id, "visit_date": date(2026, 11, 24)},
    )
    record(in_progress, 0.4)
    assessments.plan(
        as_officer,
        officer,
        {
            "service_id": service("Oakridge House").id,
            "visit_date": date(2026, 12, 2),
            "announced": False,
        },
    )


#: Earlier assessments, so that the visit programme has something to order: (service, months
#: since publication, scores drawn from). Below Good is due again 6 months on, Good 12.
DEMO_HISTORY = [
    ("Castlegate View", 13, (3, 3, 4)),  # Good, due a month ago: overdue
    ("Willowbank Grove", 7, (2, 2, 3)),  # Requires improvement, due a month ago: overdue
    ("Heathervale House", 11, (3, 3, 4)),  # Good: due next month
    ("Brookside Manor", 5, (2, 2, 3)),  # Requires improvement: due next month
    ("Kingsway Court", 10, (3, 4, 4)),  # due in two months
    ("Oakridge Court", 3, (3, 4, 4)),  # due in nine months
]


def _demo_history(people: dict) -> None:
    """Assessments recorded and published through the use cases, then dated back to when they
    were published (as a council's earlier records would be)."""
    officer, manager = people["officer2@demo.example"], people["manager@demo.example"]
    as_officer, as_manager = Actor(officer, "cli"), Actor(manager, "cli")
    rng = random.Random(20)
    now = utcnow()
    for name, months, scores in DEMO_HISTORY:
        when = now - timedelta(days=round(months * 30.44))
        done = assessments.plan(
            as_officer, officer, {"service_id": service(name).id, "visit_date": when.date()}
        )
        for q in assessments.questions_for(done):
            data = assessments.AnswerInput(
                score=rng.choice(scores), evidence=rng.choice(EVIDENCE_NOTES), sources=()
            )
            assessments.save_answer(as_officer, officer, done.id, q.ref, data, None)
        assessments.submit(as_officer, officer, done.id)
        assessments.publish(as_manager, manager, done.id)
        done.created_at = when - timedelta(days=30)
        done.submitted_at = when - timedelta(days=14)
        done.published_at = when
        db.session.commit()


def _demo_plans(people: dict) -> None:
    """Services below Good already have plans (they open by themselves). Heathervale Lodge's
    provider has written its actions; the council accepted the plan and work is under way."""
    provider, officer = people["provider@demo.example"], people["officer@demo.example"]
    as_provider, as_officer = Actor(provider, "cli"), Actor(officer, "cli")
    service_id = service("Heathervale Lodge").id
    plan = plans.plan_for_service(officer, service_id)
    plans.add_issue(
        as_officer,
        officer,
        plan.id,
        "Medicines: gaps in medication administration records",
        "At the September visit two people's MAR charts had unexplained gaps, and one 'when "
        "required' medicine had no protocol. CQC's report also asks for better medicines audits.",
    )
    today = london_today()
    owners = ["Chris Walker, registered manager", "Deputy manager", "Training lead"]
    actions = []
    for n, issue in enumerate(plans.view(plan).issues):
        actions.append(
            plans.add_action(
                as_provider,
                provider,
                issue.id,
                {
                    "description": f"Put right: {issue.title}. Weekly audit by the manager; "
                    "findings discussed at every staff meeting.",
                    "owner": owners[n % len(owners)],
                    "target_date": today + timedelta(days=21 + 14 * n),
                    "success_measure": "Two consecutive audits with no gaps; people and relatives "
                    "confirm the change when asked.",
                },
            )
        )
    plans.submit(as_provider, provider, plan.id)
    plans.accept(as_officer, officer, plan.id)
    if actions:
        plans.record_progress(
            as_provider,
            provider,
            actions[0].id,
            {
                "progress_evidence": "First two weekly audits done; one gap found and put right.",
                "progress_grade": 2,
                "impact_evidence": "",
            },
        )
    if len(actions) > 1:
        plans.record_progress(
            as_provider,
            provider,
            actions[1].id,
            {
                "progress_evidence": "All staff completed the refresher.",
                "progress_grade": 1,
                "impact_evidence": "Spot checks show the new practice in place.",
                "step": "complete",
                "note": "Training records and spot-check sheets kept in the office.",
            },
        )


#: Last month's QuAD meeting: (service, discussion, decisions, [(action, owner, days after
#: the meeting, grading)]).
MEETING_ITEMS = [
    (
        "Heathervale Court",
        "CQC reported medicines not given as prescribed; the council's notice of concern and "
        "placement stop are in place. The ICB's medicines optimisation team has visited once.",
        "Keep the placement stop until two clean medicines audits; review at next month's meeting.",
        [
            ("Joint medicines visit with the ICB pharmacist", "Sam Taylor, quality officer", 14, 2),
            ("Write to the provider confirming the stop's terms", "Priya Shah, manager", 7, 2),
        ],
    ),
    (
        "Brookside Mews",
        "Rated Inadequate by CQC. The provider's own action plan is thin on staffing; relatives "
        "have raised weekend cover twice.",
        "Request a staffing plan within 14 days; unannounced visit before the next meeting.",
        [("Unannounced visit, including a weekend shift", "Jordan Reid, quality officer", 28, 2)],
    ),
    (
        "Heathervale Lodge",
        "Improvement plan accepted; the first two medicines audits are done and training is "
        "complete.",
        "Progress noted; no further action beyond the plan.",
        [],
    ),
]
ATTENDEES = (
    "Priya Shah, Council (chair)\nSam Taylor, Council\nJordan Reid, Council\n"
    "Ruth Carter, North ICB\nDev Malik, North ICB medicines optimisation"
)


def _demo_meeting(people: dict) -> None:
    """Last month's QuAD meeting, held and locked: three services discussed and the council's
    actions, so the month's pack and next month's carry-forward have something in them."""
    manager = people["manager@demo.example"]
    actor = Actor(manager, "cli")
    month = last_full_month(utcnow())
    held_on = month.first_day + timedelta(days=13)  # the second week or so
    while held_on.weekday() >= 5:  # a weekday
        held_on += timedelta(days=1)
    quad_meetings.save_details(actor, manager, month, held_on, ATTENDEES)
    for name, discussion, decisions, actions in MEETING_ITEMS:
        item = quad_meetings.add_item(
            actor, manager, month, service(name).id, discussion, decisions
        )
        for description, owner, days, grade in actions:
            quad_meetings.add_action(
                actor,
                manager,
                month,
                item.id,
                {
                    "description": description,
                    "owner": owner,
                    "target_date": held_on + timedelta(days=days),
                    "grade": grade,
                },
            )
    quad_meetings.mark_held(actor, manager, month)


EVIDENCE_NOTES = [
    "Observed staff supporting two people at lunch; calm and unhurried. Care plans matched what we saw.",
    "Sampled three care files: reviews in date, people's own words recorded in two of the three.",
    "Spoke to four people and two relatives; all positive about staff, one concern about weekend cover.",
    "Audit found gaps in the last month's records; the deputy manager has an action plan dated this week.",
    "MAR charts checked for five people: two unexplained gaps and no protocol for one 'when required' medicine.",
    "Training matrix shows three staff overdue for moving and handling refreshers; dates booked for December.",
]


def sign_in_text(base_url: str = "http://127.0.0.1:5000") -> str:
    lines = [f"Open {base_url} and sign in with one of these (password for all: {DEMO_PASSWORD}):"]
    for email, name, role, _ in USERS:
        lines.append(f"  {role:<9} {email:<24} {name}")
    return "\n".join(lines)
