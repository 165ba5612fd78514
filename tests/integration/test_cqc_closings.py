"""CQC's file no longer holds a known service (deregistered, or registered again under a new
owner as a different service): the officer may mark it closed when the file is imported, on
the page or with `--close-service`; nothing closes without being asked, and a service with
work still open on it cannot be closed by the import either (nothing is imported)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from qa_app.domain.service_closing import CQC_FILE_REASON
from qa_app.extensions import db
from qa_app.models import AuditEvent, Service
from qa_app.services import concerns
from qa_app.services.actors import Actor
from qa_app.services.calendar import london_today
from tests.integration.test_cqc_import import table
from tests.support.client import soup
from tests.support.spreadsheets import location_rows, ratings, upload_cqc_file, write_csv


@pytest.fixture
def council(make):
    """As test_cqc_import's: Heathervale House and Lodge, known by their location IDs."""
    provider = make.provider(name="Heathervale Care Ltd", cqc_provider_id="1-101000001")
    house = make.service(
        provider, name="Heathervale House", cqc_location_id="1-200000001", cqc_rating="Good"
    )
    lodge = make.service(
        provider, name="Heathervale Lodge", cqc_location_id="1-200000002", cqc_rating="Good"
    )
    return {"provider": provider, "house": house, "lodge": lodge}


def _without_house(tmp_path):
    rows = [r for r in table() if r["Location ID"] != "1-200000001"]
    return write_csv(tmp_path / "deregistered.csv", rows)


def _text(response) -> str:
    return " ".join(soup(response).get_text(" ").split())


@pytest.fixture
def officer_on_page(client, make, app, tmp_path):
    app.config["QA_CQC_UPLOAD_DIR"] = str(tmp_path / "uploads")
    officer = make.user("officer")
    make.sign_in(client, officer)
    return officer


def _uploaded(client, path) -> int:
    response = upload_cqc_file(client, path)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _service(service_id) -> Service:
    db.session.expire_all()
    return db.session.get(Service, service_id)


def test_an_officer_marks_a_service_missing_from_the_file_closed(
    client, council, officer_on_page, tmp_path
):
    house = council["house"]
    import_id = _uploaded(client, _without_house(tmp_path))
    page = client.get(f"/cqc-imports/{import_id}")
    boxes = soup(page).select("#missing input[type=checkbox][name=close]")
    assert [(b["value"], b.has_attr("checked")) for b in boxes] == [(str(house.id), False)]
    saved = client.post(f"/cqc-imports/{import_id}/closings", data={"close": str(house.id)})
    assert saved.status_code == 302
    page = client.get(f"/cqc-imports/{import_id}")
    assert "1 known service not in the file to mark closed" in _text(page)
    assert soup(page).select_one(f"#missing input[value='{house.id}']").has_attr("checked")
    assert _service(house.id).closed_on is None  # not until the file is imported
    client.post(
        f"/cqc-imports/{import_id}/service-types", data={"type_1_300000001": "home_support"}
    )
    done = client.post(f"/cqc-imports/{import_id}/commit", follow_redirects=True)
    assert "1 closed" in _text(done)
    closed = _service(house.id)
    assert (closed.closed_on, closed.closed_reason) == (london_today(), CQC_FILE_REASON)
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.service_id == house.id, AuditEvent.action == "closed")
    ).all()
    assert event.actor_id == officer_on_page.id
    assert event.changes["source"][1].startswith("deregistered.csv (import ")
    # next month's file: a closed service is not listed as missing again
    again = _uploaded(client, _without_house(tmp_path))
    assert soup(client.get(f"/cqc-imports/{again}")).select_one("#missing") is None


def test_nothing_closes_without_being_asked(client, council, officer_on_page, tmp_path):
    import_id = _uploaded(client, _without_house(tmp_path))
    client.post(
        f"/cqc-imports/{import_id}/service-types", data={"type_1_300000001": "home_support"}
    )
    client.post(f"/cqc-imports/{import_id}/commit")
    assert _service(council["house"].id).closed_on is None


def test_a_service_with_open_work_cannot_be_closed_by_the_import(
    client, council, officer_on_page, tmp_path
):
    house, lodge = council["house"], council["lodge"]
    import_id = _uploaded(client, _without_house(tmp_path))
    wrong = client.post(f"/cqc-imports/{import_id}/closings", data={"close": str(lodge.id)})
    assert wrong.status_code == 422 and "Only a known service this file does not hold" in _text(
        wrong
    )
    assert client.post(f"/cqc-imports/{import_id}/closings", data={"close": "x"}).status_code == 422
    client.post(f"/cqc-imports/{import_id}/closings", data={"close": str(house.id)})
    client.post(
        f"/cqc-imports/{import_id}/service-types", data={"type_1_300000001": "home_support"}
    )
    # a concern logged after the choice: the import is refused whole
    concerns.log(
        Actor(officer_on_page, "web"),
        officer_on_page,
        {
            "service_id": house.id,
            "risk_level": "medium",
            "source": "complaint",
            "received_at": datetime.now(UTC) - timedelta(hours=1),
            "summary": "Medication errors",
        },
    )
    refused = client.post(f"/cqc-imports/{import_id}/commit")
    assert refused.status_code == 409
    assert "Nothing was imported" in _text(refused) and "Medication errors" in _text(refused)
    assert _service(house.id).closed_on is None
    assert (
        db.session.scalar(select(Service).where(Service.cqc_location_id == "1-300000001")) is None
    )
    # choosing it again now is refused at once, naming what is open
    again = client.post(f"/cqc-imports/{import_id}/closings", data={"close": str(house.id)})
    assert again.status_code == 422 and "Medication errors" in _text(again)


def _sold(council, tmp_path):
    council["lodge"].postcode = "NE61 1AB"
    db.session.commit()
    rows = [r for r in table() if r["Location ID"] != "1-200000002"]
    rows += location_rows(
        "1-500000001",
        "Heathervale Lodge Care Home",
        "Northshire",
        "1-600000001",
        "Moorland Care Ltd",
        ratings("Requires improvement", "Good", "Good", "Good", "Good", "Good"),
        date(2026, 11, 2),
    )
    return write_csv(tmp_path / "sold.csv", rows)


def test_a_different_service_at_a_known_ones_address_may_close_the_old_one(
    client, council, officer_on_page, tmp_path
):
    lodge = council["lodge"]
    import_id = _uploaded(client, _sold(council, tmp_path))
    page = client.get(f"/cqc-imports/{import_id}")
    assert [b["value"] for b in soup(page).select("#missing input[name=close]")] == [str(lodge.id)]
    # said to be the same service: its record moves, so it cannot also be closed
    client.post(f"/cqc-imports/{import_id}/successors", data={"same_1_500000001": "same"})
    moving = client.post(f"/cqc-imports/{import_id}/closings", data={"close": str(lodge.id)})
    assert moving.status_code == 422 and "registered again" in _text(moving)
    client.post(f"/cqc-imports/{import_id}/successors", data={"same_1_500000001": "different"})
    client.post(f"/cqc-imports/{import_id}/closings", data={"close": str(lodge.id)})
    # saying "same" after ticking it drops the closing
    client.post(f"/cqc-imports/{import_id}/successors", data={"same_1_500000001": "same"})
    assert "to mark closed" not in _text(client.get(f"/cqc-imports/{import_id}"))
    client.post(f"/cqc-imports/{import_id}/successors", data={"same_1_500000001": "different"})
    client.post(f"/cqc-imports/{import_id}/closings", data={"close": str(lodge.id)})
    client.post(
        f"/cqc-imports/{import_id}/service-types",
        data={"type_1_300000001": "home_support", "type_1_500000001": "care_home_residential"},
    )
    done = client.post(f"/cqc-imports/{import_id}/commit", follow_redirects=True)
    assert done.status_code == 200, _text(done)[:1500]
    assert _service(lodge.id).closed_on == london_today()
    new = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-500000001"))
    assert new is not None and new.closed_on is None


def test_no_save_button_under_the_types_when_no_type_is_left_to_choose(
    client, council, officer_on_page, tmp_path
):
    """The new location said to be the Lodge registered again is not added: it has no type to
    choose; with Willow Bank's type given by a single-choice file, no list and no button."""
    rows = [r for r in table() if r["Location ID"] not in ("1-200000002", "1-300000001")]
    rows += location_rows(
        "1-500000001",
        "Heathervale Lodge Care Home",
        "Northshire",
        "1-600000001",
        "Moorland Care Ltd",
        ratings("Good", "Good", "Good", "Good", "Good", "Good"),
        date(2026, 11, 2),
    )
    council["lodge"].postcode = "NE61 1AB"
    db.session.commit()
    import_id = _uploaded(client, write_csv(tmp_path / "sold.csv", rows))
    before = client.get(f"/cqc-imports/{import_id}")
    assert any(b.get_text(strip=True) == "Save the types" for b in soup(before).select("button"))
    client.post(f"/cqc-imports/{import_id}/successors", data={"same_1_500000001": "same"})
    after = client.get(f"/cqc-imports/{import_id}")
    assert not any(b.get_text(strip=True) == "Save the types" for b in soup(after).select("button"))
    assert soup(after).select("#new-services select") == []


def test_the_command_line_closes_only_what_it_is_told(app, ctx, council, tmp_path):
    house = council["house"]
    path = _without_house(tmp_path)
    runner = app.test_cli_runner()
    base = ["qa", "import-cqc", str(path), "--local-authority", "Northshire", "--commit"]
    base += ["--service-type", "1-300000001=home_support"]
    unknown = runner.invoke(args=[*base, "--close-service", "1-200000002"])
    assert unknown.exit_code == 1 and "not a known service missing from this file" in (
        unknown.output
    )
    assert _service(house.id).closed_on is None
    assert (
        db.session.scalar(select(Service).where(Service.cqc_location_id == "1-300000001")) is None
    )
    done = runner.invoke(args=[*base, "--close-service", "1-200000001"])
    assert done.exit_code == 0, done.output
    assert "Marked closed: 1 service." in done.output
    closed = _service(house.id)
    assert (closed.closed_on, closed.closed_reason) == (london_today(), CQC_FILE_REASON)
