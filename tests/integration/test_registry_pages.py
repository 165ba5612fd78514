"""The provider and service registry as staff use it: lists, filters, adding, editing."""

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from qa_app.extensions import db
from qa_app.models import AuditEvent, Service
from tests.support.client import error_summary

GOOD_SERVICE = {
    "name": "Larch House",
    "service_type": "care_home_residential",
    "cluster": "North",
    "cqc_location_id": "1-555000111",
    "postcode": "ne61 1ab",
    "beds": "30",
    "contract_reference": "ASC-1",
    "contract_start": ["1", "4", "2025"],
    "contract_end": ["31", "3", "2029"],
    "cqc_rating": "Good",
}


def _form(provider, **changes):
    data = {**GOOD_SERVICE, "provider_id": str(provider.id), **changes}
    # GOV.UK date inputs post three values under one name
    flat = []
    for key, value in data.items():
        for part in value if isinstance(value, list) else [value]:
            flat.append((key, part))
    return flat


def _post(client, url, pairs):
    return client.post(url, data=MultiDict(pairs))


def test_officer_adds_a_service_and_it_is_audited(client, make):
    officer = make.user("officer")
    provider = make.provider(name="Larch Care")
    make.sign_in(client, officer)
    response = _post(client, "/services/new", _form(provider))
    assert response.status_code == 302
    service = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-555000111"))
    assert service.postcode == "NE61 1AB"  # normalised
    assert service.contract_end.isoformat() == "2029-03-31"
    page = client.get(response.headers["Location"])
    assert page.soup.h1.get_text(strip=True) == "Larch House"
    history = page.soup.select_one("table.app-history").get_text(" ")
    assert "Service created" in history and officer.name in history
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "service"))
    assert (event.action, event.channel, event.actor_id) == ("created", "web", officer.id)
    assert event.changes["name"] == [None, "Larch House"]


def test_bad_service_details_are_all_explained_and_nothing_is_saved(client, make):
    make.sign_in(client, make.user("officer"))
    provider = make.provider()
    existing = make.service(provider, cqc_location_id="1-555000999")
    response = _post(
        client,
        "/services/new",
        _form(
            provider,
            cqc_location_id=existing.cqc_location_id,
            postcode="NOT A POSTCODE",
            contract_start=["1", "4", "2026"],
            contract_end=["1", "4", "2025"],
        ),
    )
    assert response.status_code == 200
    assert response.soup.title.get_text().startswith("Error: Add a service")
    assert error_summary(response) == [
        f"CQC location ID 1-555000999 is already used by {existing.name}",
        "Enter a real UK postcode, like SW1A 1AA",
        "The contract end date must be the same as or after the start date",
    ]
    # each summary link lands on its field (the day box for a date)
    links = [a["href"] for a in response.soup.select(".govuk-error-summary a")]
    assert links == ["#cqc_location_id", "#postcode", "#contract_end-day"]
    for target in links:
        assert response.soup.select_one(target) is not None
    # what was typed is still there
    assert response.soup.select_one("#postcode")["value"] == "NOT A POSTCODE"
    assert db.session.scalar(select(Service).where(Service.name == "Larch House")) is None


def test_half_a_date_and_an_impossible_date_are_errors(client, make):
    make.sign_in(client, make.user("officer"))
    provider = make.provider()
    response = _post(
        client,
        "/services/new",
        _form(provider, contract_start=["", "4", "2025"], contract_end=["31", "2", "2029"]),
    )
    assert error_summary(response) == [
        "Contract start date must include a day, month and year",
        "Contract end date must be a real date",
    ]


def test_required_fields(client, make):
    make.sign_in(client, make.user("officer"))
    response = _post(client, "/services/new", [("name", "")])
    assert error_summary(response) == [
        "Enter the service name",
        "Select the provider that runs this service",
        "Select the type of service",
        "Enter the cluster or area",
    ]


def test_edit_saves_only_the_changes_and_records_before_and_after(client, make):
    make.sign_in(client, make.user("manager"))
    service = make.service(name="Old Name", cluster="North")
    page = client.get(f"/services/{service.id}/edit")
    fields = _fields_of(page)
    fields = [(k, "New Name" if k == "name" else v) for k, v in fields]
    response = _post(client, f"/services/{service.id}/edit", fields)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, service.id).name == "New Name"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_id == service.id, AuditEvent.action == "updated")
    )
    assert event.changes == {"name": ["Old Name", "New Name"]}


def test_a_stale_edit_is_refused_with_both_versions_shown_and_nothing_lost(client, app, make):
    make.sign_in(client, make.user("officer"))
    service = make.service(name="Shared Home", cluster="North")
    mine = _fields_of(client.get(f"/services/{service.id}/edit"))
    # Someone else saves first.
    other = app.test_client()
    make.sign_in(other, make.user("officer"))
    theirs = [
        (k, "Central" if k == "cluster" else v)
        for k, v in _fields_of(other.get(f"/services/{service.id}/edit"))
    ]
    assert _post(other, f"/services/{service.id}/edit", theirs).status_code == 302
    # My save, made from the old version, is refused...
    mine = [(k, "My New Name" if k == "name" else v) for k, v in mine]
    response = _post(client, f"/services/{service.id}/edit", mine)
    assert response.status_code == 200
    assert "changed by someone else" in error_summary(response)[0]
    conflict = response.soup.select_one(".app-conflict").get_text(" ")
    assert "Saved: Central" in conflict and "Yours: North" in conflict
    assert response.soup.select_one("#name")["value"] == "My New Name"  # nothing typed is lost
    db.session.expire_all()
    assert (
        db.session.get(Service, service.id).name,
        db.session.get(Service, service.id).cluster,
    ) == (
        "Shared Home",
        "Central",
    )
    # ...and saving again, knowingly, goes through.
    again = _fields_of(response)
    assert _post(client, f"/services/{service.id}/edit", again).status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, service.id).name == "My New Name"


def _fields_of(page):
    """The form's fields as a browser would submit them."""
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
            pairs.append((name, element.get_text()))
        elif element.get("type") in ("radio", "checkbox"):
            if element.has_attr("checked"):
                pairs.append((name, element.get("value", "")))
        else:
            pairs.append((name, element.get("value", "")))
    return pairs


def test_service_list_searches_filters_sorts_and_pages(client, make):
    make.sign_in(client, make.user("officer"))
    acme = make.provider(name="Acme Care")
    for n in range(30):
        make.service(
            acme,
            name=f"Home {n:02d}",
            cluster="North" if n % 2 else "South",
            cqc_rating="Good" if n % 3 else "Requires improvement",
        )
    make.service(
        make.provider(name="Zed Ltd"), name="Zed Court", cluster="East", postcode="NE65 9LN"
    )
    page = client.get("/services")
    assert (
        page.soup.select_one("[role=status]").get_text(strip=True)
        == "Showing 1 to 25 of 31 services"
    )
    assert len(page.soup.select("tbody tr")) == 25
    page2 = client.get("/services?page=2")
    assert len(page2.soup.select("tbody tr")) == 6
    filtered = client.get("/services?cluster=North&cqc_rating=Requires+improvement")
    names = [a.get_text(strip=True) for a in filtered.soup.select("tbody tr td:first-child a")]
    assert names == ["Home 03", "Home 09", "Home 15", "Home 21", "Home 27"]
    # search by provider name, by postcode
    assert [a.get_text() for a in client.get("/services?q=zed").soup.select("tbody a")] == [
        "Zed Court"
    ]
    assert [a.get_text() for a in client.get("/services?q=ne65+9ln").soup.select("tbody a")] == [
        "Zed Court"
    ]
    # sorted by cluster: East first
    by_cluster = client.get("/services?sort=cluster").soup.select("tbody tr td:first-child a")
    assert by_cluster[0].get_text() == "Zed Court"
    # nonsense in the address is ignored, not a 500
    assert client.get("/services?page=abc&sort=nope&risk=purple").status_code == 200
    assert client.get("/services?page=999").soup.select_one("[role=status]").get_text(
        strip=True
    ) == ("Showing 26 to 31 of 31 services")


def test_provider_pages(client, make):
    make.sign_in(client, make.user("officer"))
    provider = make.provider(name="Birch Care Group", cqc_provider_id="1-100200300")
    make.service(provider, name="Birch House")
    listing = client.get("/providers?q=birch")
    assert [a.get_text() for a in listing.soup.select("tbody a")] == ["Birch Care Group"]
    page = client.get(f"/providers/{provider.id}")
    assert "Birch House" in page.soup.select_one("main").get_text()
    response = client.post(
        "/providers/new", data={"name": "Birch Two", "cqc_provider_id": "1-100200300"}
    )
    assert error_summary(response) == [
        "CQC provider ID 1-100200300 is already used by Birch Care Group"
    ]
    response = client.post(
        "/providers/new", data={"name": "Cedar Care", "contact_email": "not-an-email"}
    )
    assert error_summary(response) == [
        "Enter an email address in the correct format, like name@example.org"
    ]
    response = client.post(
        "/providers/new", data={"name": "Cedar Care", "cqc_provider_id": "1-777888999"}
    )
    assert response.status_code == 302


def test_unknown_service_is_a_404_page(client, make):
    make.sign_in(client, make.user("officer"))
    response = client.get("/services/999999")
    assert response.status_code == 404
    assert response.soup.h1.get_text(strip=True) == "Page not found"
