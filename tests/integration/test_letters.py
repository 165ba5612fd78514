"""Letters a provider can file (issue 13, point 5): a notice's letter opens "Dear <the service's
registered manager>," with the provider's postal address, both kept on their pages and in the
API (and a new provider's address from the CQC file when it has one); requirements are listed
by due date."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qa_app.extensions import db
from qa_app.models import AuditEvent, Notice, Provider, Service, User
from qa_app.services import cqc_import, demo, notices, users
from qa_app.services.actors import Actor
from tests.support.client import error_summary
from tests.support.spreadsheets import CQC_COLUMNS, location_rows, write_csv


def _fields_of(page) -> list[tuple[str, str]]:
    """The page's form as a browser would submit it."""
    pairs = []
    form = page.soup.select_one("main form[method=post]")
    for element in form.select("input, select, textarea"):
        name = element.get("name")
        if not name or name == "csrf_token" or element.get("type") == "submit":
            continue
        if element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            pairs.append((name, chosen.get("value", "")))
        elif element.name == "textarea":
            pairs.append((name, element.get_text().lstrip("\n")))
        else:
            pairs.append((name, element.get("value", "")))
    return pairs


def _edit(client, url: str, **changes) -> object:
    pairs = [(k, changes.pop(k) if k in changes else v) for k, v in _fields_of(client.get(url))]
    assert not changes, f"no such fields on {url}: {changes}"
    return client.post(url, data=MultiDict(pairs))


def _letter_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    return "\n".join(page.extract_text() for page in pages)


def _issued_notice(service: Service, officer, manager, due_dates: dict[str, date]) -> Notice:
    as_officer, as_manager = Actor(officer, "web"), Actor(manager, "web")
    draft, _ = notices.draft_for(as_officer, service.id)
    notices.update_draft(as_officer, officer, draft.id, "Medicines were not given safely.", None)
    for text, due in due_dates.items():
        notices.add_requirement(as_officer, officer, draft.id, text, due)
    return notices.issue(as_manager, manager, draft.id)


def test_the_letter_is_addressed_to_the_registered_manager_at_the_providers_address(client, make):
    provider = make.provider(name="Acme Care Ltd", contact_name="Registered manager 10")
    service = make.service(provider, name="Elm House", address="5 Elm Road\nMorpeth")
    officer, manager = make.user("officer"), make.user("manager", name="Maria Manager")
    make.sign_in(client, officer)

    saved = _edit(
        client, f"/services/{service.id}/edit", registered_manager_name=" Joanne Fletcher "
    )
    assert saved.status_code == 302
    page = client.get(f"/services/{service.id}")
    assert "Joanne Fletcher" in page.soup.select_one(".govuk-summary-list").get_text(" ")
    saved = _edit(
        client,
        f"/providers/{provider.id}/edit",
        address="Unit 4, Quayside\r\n35 Bridge Street\r\nBlyth\r\nNE24 2AA",
    )
    assert saved.status_code == 302
    shown = client.get(f"/providers/{provider.id}").soup.select_one(".govuk-summary-list")
    assert "Unit 4, Quayside" in shown.get_text(" ") and shown.select("br")  # line by line
    history = [
        e.changes
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "updated"))
    ]
    assert {"registered_manager_name": [None, "Joanne Fletcher"]} in history
    # a browser sends the address back with CRLF line breaks: saved unchanged, it is no change
    again = _edit(
        client,
        f"/providers/{provider.id}/edit",
        address="Unit 4, Quayside\r\n35 Bridge Street\r\nBlyth\r\nNE24 2AA",
    )
    assert again.status_code == 302
    again = _edit(client, f"/services/{service.id}/edit", address="5 Elm Road\r\nMorpeth")
    assert again.status_code == 302
    assert (
        len(list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "updated")))) == 2
    )
    assert "Registered manager" in client.get(f"/services/{service.id}").soup.select_one(
        "table.app-history"
    ).get_text(" ")

    today = date.today()
    notice = _issued_notice(
        service,
        officer,
        manager,
        {
            "Written first, due last: competency checks for every nurse": today
            + timedelta(days=28),
            "Written second, due first: a weekly medicines audit": today + timedelta(days=7),
            "Written third, due with the second: a protocol for each PRN medicine": today
            + timedelta(days=7),
        },
    )
    text = _letter_text(client.get(f"/notices/{notice.id}/letter.pdf"))
    flat = " ".join(text.split())
    assert "Dear Joanne Fletcher," in flat and "Yours sincerely," in flat
    assert "Registered manager 10" not in flat
    block = [line.strip() for line in text.splitlines()]
    start = block.index("Joanne Fletcher")
    assert block[start : start + 7] == [
        "Joanne Fletcher",
        "Registered manager, Elm House",
        "Acme Care Ltd",
        "Unit 4, Quayside",
        "35 Bridge Street",
        "Blyth",
        "NE24 2AA",
    ]
    order = [flat.index(w) for w in ("due first", "due with the second", "due last")]
    assert order == sorted(order), "requirements are listed soonest first"
    assert flat.index(f"By {(today + timedelta(days=7)).day} ") < flat.index("due first")


def test_registered_manager_and_postal_address_in_the_api(client, make):
    officer = make.user("officer")
    header = {"Authorization": f"Bearer {users.create_token(Actor.system('cli'), officer)}"}
    service = make.service(name="Elm House")
    changed = client.patch(
        f"/api/v1/services/{service.id}",
        json={"registered_manager_name": "Chris Walker"},
        headers=header,
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["registered_manager_name"] == "Chris Walker"
    read = client.get(f"/api/v1/services/{service.id}", headers=header).json
    assert read["registered_manager_name"] == "Chris Walker"
    too_long = client.patch(
        f"/api/v1/services/{service.id}",
        json={"registered_manager_name": "x" * 201},
        headers=header,
    )
    assert too_long.status_code == 422 and "registered_manager_name" in str(too_long.json)
    cleared = client.patch(
        f"/api/v1/services/{service.id}", json={"registered_manager_name": None}, headers=header
    )
    assert cleared.json["registered_manager_name"] is None

    created = client.post(
        "/api/v1/providers",
        json={"name": "Birch Care", "address": "1 Birch Road\nHexham\nNE46 3AA"},
        headers=header,
    )
    assert created.status_code == 201
    assert created.json["address"] == "1 Birch Road\nHexham\nNE46 3AA"
    document = client.get("/api/v1/openapi.json", headers=header).json
    schemas = document["components"]["schemas"]
    field = schemas["ServicePatch"]["properties"]["registered_manager_name"]
    assert {"type": "string", "maxLength": 200} in field["anyOf"]
    assert {"type": "null"} in field["anyOf"]
    assert "registered_manager_name" in schemas["ServiceOut"]["properties"]


def test_the_forms_refuse_a_name_or_address_that_does_not_fit(client, make):
    provider = make.provider()
    service = make.service(provider)
    make.sign_in(client, make.user("officer"))
    response = _edit(client, f"/services/{service.id}/edit", registered_manager_name="x" * 201)
    assert error_summary(response) == [
        "The registered manager's name must be 200 characters or fewer"
    ]
    response = _edit(client, f"/providers/{provider.id}/edit", address="x" * 501)
    assert error_summary(response) == ["The postal address must be 500 characters or fewer"]


def test_a_new_provider_from_the_cqc_file_gets_its_postal_address(ctx, make, tmp_path):
    known = make.provider(name="Known Care", cqc_provider_id="1-400000009", address=None)
    rows = []
    for location_id, name, provider_id, provider_name in (
        ("1-300000001", "Willow Bank", "1-400000001", "Willow Care Ltd"),
        ("1-300000002", "Known Court", "1-400000009", "Known Care"),
    ):
        for row in location_rows(
            location_id,
            name,
            "Northshire",
            provider_id,
            provider_name,
            {"Overall": "Good"},
            date(2026, 3, 2),
        ):
            row.update(
                {
                    "Provider Street Address": "Willow House, 2 Mill Lane",
                    "Provider Address Line 2": "",
                    "Provider City": "Hexham",
                    "Provider Post Code": "ne46 3aa",
                }
            )
            rows.append(row)
    path = write_csv(
        tmp_path / "ratings.csv",
        rows,
        columns=(
            *CQC_COLUMNS,
            "Provider Street Address",
            "Provider Address Line 2",
            "Provider City",
            "Provider Post Code",
        ),
    )
    preview = cqc_import.preview_file(path, path.name, "Northshire", today=date(2026, 11, 24))
    assert preview.plan.bad_rows == []
    types = {s.location_id: "care_home_residential" for s in preview.plan.new_services}
    cqc_import.commit_preview(Actor.system("cli"), preview, types)
    added = db.session.scalar(select(Provider).where(Provider.cqc_provider_id == "1-400000001"))
    assert added.address == "Willow House, 2 Mill Lane\nHexham\nNE46 3AA"
    db.session.refresh(known)
    assert known.address is None  # a provider the council already has keeps what it has

    # CQC's own Locations sheet has no provider address: a new provider then has none
    plain = write_csv(
        tmp_path / "plain.csv",
        [
            row
            for row in location_rows(
                "1-300000003",
                "Ash Lodge",
                "Northshire",
                "1-400000003",
                "Ash Care",
                {"Overall": "Good"},
                date(2026, 3, 2),
            )
        ],
    )
    cqc_import.commit_preview(
        Actor.system("cli"),
        cqc_import.preview_file(plain, plain.name, "Northshire", today=date(2026, 11, 24)),
        {"1-300000003": "care_home_nursing"},
    )
    ash = db.session.scalar(select(Provider).where(Provider.cqc_provider_id == "1-400000003"))
    assert ash.address is None


def test_the_demo_council_letters_name_real_people_and_addresses(client, make):
    demo.seed()
    manager = db.session.scalar(select(User).where(User.email == "manager@demo.example"))
    make.sign_in(client, manager)
    services = list(db.session.scalars(select(Service)).unique())
    named = [s for s in services if s.registered_manager_name]
    assert len(named) >= len(services) - 1
    providers = list(db.session.scalars(select(Provider)))
    assert all(p.address and "\n" in p.address for p in providers)
    assert not any((p.contact_name or "").startswith("Registered manager") for p in providers)
    issued = db.session.scalar(select(Notice).where(Notice.status == "issued"))
    flat = " ".join(_letter_text(client.get(f"/notices/{issued.id}/letter.pdf")).split())
    assert f"Dear {issued.service.registered_manager_name}," in flat
    assert issued.service.provider.address.splitlines()[-1] in flat
