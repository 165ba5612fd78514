"""The lists' filter panels: the market overview's counts by risk count what the other filters
choose (whatever risk is chosen) and each opens its risk with the other filters kept; every
list's "Apply filters" is the same visible button; a date filter is GOV.UK's date input, and a
date that is not one is explained, never a server error."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from qa_app.extensions import db
from qa_app.services import assessments, standards
from qa_app.services.actors import Actor
from tests.support.client import error_summary

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _counts(page) -> dict[str, tuple[int, dict[str, list[str]]]]:
    """Each risk's count on the market overview, with the query its link opens."""
    counts = {}
    for item in page.soup.select(".app-rag-counts li"):
        link = item.select_one("a")
        risk = item.select_one(".govuk-tag").get_text(strip=True).lower()
        number = int(item.select_one(".govuk-\\!-font-weight-bold").get_text())
        counts[risk] = (number, parse_qs(urlsplit(link["href"]).query))
    return counts


def test_the_market_counts_ignore_the_risk_filter_and_keep_the_others(client, make):
    for risk, how_many in (("red", 2), ("amber", 3), ("green", 1)):
        for _ in range(how_many):
            make.service(cluster="North", risk=risk)
    make.service(cluster="South", risk="amber")  # another cluster: not counted
    make.sign_in(client, make.user("manager"))

    red = client.get("/market?risk=red&cluster=North&page=1")
    counts = _counts(red)
    assert {risk: number for risk, (number, _) in counts.items()} == {
        "red": 2,
        "amber": 3,
        "green": 1,
    }
    assert len(red.soup.select("tbody tr")) == 2  # the list itself is still only red
    assert "Showing 1 to 2 of 2 services" in red.soup.select_one("[role=status]").get_text()
    for risk, (_, query) in counts.items():  # each opens its risk, other filters kept
        assert query == {"risk": [risk], "cluster": ["North"]}

    unfiltered = _counts(client.get("/market?cluster=North"))
    assert {risk: number for risk, (number, _) in unfiltered.items()} == {
        "red": 2,
        "amber": 3,
        "green": 1,
    }
    amber = client.get("/market?risk=amber&cluster=North")
    assert "Showing 1 to 3 of 3 services" in amber.soup.select_one("[role=status]").get_text()


def test_the_market_counts_cost_no_more_statements(client, make):
    """The counts by risk and the number of rows are still one statement: a page filtered by
    risk costs what an unfiltered one does, however many services there are."""
    make.sign_in(client, make.user("manager"))
    make.service(risk="red")
    client.get("/market")  # warm

    def statements(path: str) -> int:
        seen = []
        engine = db.session.get_bind()
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    few = {path: statements(path) for path in ("/market", "/market?risk=red")}
    for risk in ("red", "amber", "green") * 5:
        make.service(risk=risk)
    assert {path: statements(path) for path in few} == few
    assert few["/market?risk=red"] == few["/market"]


LISTS = ["/services", "/market", "/assessments", "/concerns", "/notices", "/plans", "/programme"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_has_the_same_visible_apply_button(client, make, path):
    make.sign_in(client, make.user("manager"))
    page = client.get(path)
    assert page.status_code == 200
    buttons = [b for b in page.soup.select(".app-filters button") if "Apply filters" in b.text]
    assert len(buttons) == 1
    assert buttons[0]["class"] == ["govuk-button", "app-filters__apply"]  # primary, not grey


#: grey panels that choose what a page shows, with their button's words
PANELS = [
    ("/programme/calendar", "Show"),
    ("/reports/quad", "Show report"),
    ("/concerns/clock-record", "Show period"),
]


@pytest.mark.parametrize(("path", "text"), PANELS)
def test_every_grey_panel_has_the_same_visible_button(client, make, path, text):
    make.sign_in(client, make.user("manager"))
    page = client.get(path)
    assert page.status_code == 200
    buttons = page.soup.select(".app-filters button")
    assert [b.get_text(strip=True) for b in buttons] == [text]
    assert buttons[0]["class"] == ["govuk-button", "app-filters__apply"]  # primary, not grey


def test_apply_filters_is_written_only_by_its_macro():
    """A list added later gets the same button by using the macro (macros/forms.html)."""
    writers = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "Apply filters" in path.read_text()
    )
    assert writers == ["macros/forms.html"]


@pytest.fixture
def visits(client, make):
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer", name="Sam Officer")
    make.sign_in(client, officer)
    for name, day in (
        ("Early Court", date(2027, 1, 10)),
        ("Middle House", date(2027, 3, 27)),
        ("Late Lodge", date(2027, 6, 1)),
    ):
        service = make.service(service_type="supported_living", name=name)
        assessments.plan(
            Actor(officer, "web"), officer, {"service_id": service.id, "visit_date": day}
        )


def _services(page) -> list[str]:
    return [
        row.select("td")[1].get_text(" ", strip=True).split(" ")[0]
        for row in page.soup.select("tbody tr")
    ]


def test_the_assessment_dates_are_govuk_date_inputs(client, visits):
    page = client.get("/assessments?from=27&from=3&from=2027&to=1&to=6&to=2027")
    assert page.status_code == 200
    assert _services(page) == ["Late", "Middle"]
    assert page.soup.select("input[type=date]") == []
    legends = [" ".join(x.get_text().split()) for x in page.soup.select(".app-filters legend")]
    assert legends == ["Visit from", "Visit to"]
    boxes = {i["id"]: i.get("value") for i in page.soup.select(".govuk-date-input__input")}
    assert boxes == {
        "from-day": "27",
        "from-month": "3",
        "from-year": "2027",
        "to-day": "1",
        "to-month": "6",
        "to-year": "2027",
    }
    # an address from the browser's date picker (an ISO date) still chooses the same visits
    old = client.get("/assessments?from=2027-03-27&to=2027-06-01")
    assert _services(old) == ["Late", "Middle"] and error_summary(old) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=31&from=2&from=2027", "Visit from must be a real date"),
        ("to=1&to=&to=2027", "Visit to must include a day, month and year"),
        ("from=x&from=y&from=z", "Visit from must be a real date"),
        ("from=nonsense", "Visit from must include a day, month and year"),
        ("to=99999999&to=99999999&to=99999999", "Visit to must be a real date"),
    ],
)
def test_a_bad_date_is_explained_and_nothing_else_changes(client, visits, query, message):
    page = client.get(f"/assessments?status=planned&{query}")
    assert page.status_code == 200
    assert error_summary(page) == [message]
    name = "from" if message.startswith("Visit from") else "to"
    assert page.soup.select_one(".govuk-error-summary a")["href"] == f"#{name}-day"
    assert message in page.soup.select_one(f"#{name}-error").get_text()
    assert page.soup.title.get_text().startswith("Error: Assessments")
    # the bad date chooses nothing; the other filters still do
    assert _services(page) == ["Late", "Middle", "Early"]
    assert page.soup.select_one("#status option[selected]")["value"] == "planned"


def test_a_range_that_ends_before_it_starts_is_explained(client, visits):
    page = client.get("/assessments?from=27&from=3&from=2027&to=1&to=1&to=2027")
    assert page.status_code == 200
    assert error_summary(page) == ["Visit to must be the same as or after visit from"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#to-day"
    # the end that cannot be chosen chooses nothing; the start still does
    assert _services(page) == ["Late", "Middle"]


def test_the_pages_of_a_list_keep_the_date_boxes(app, client):
    from flask import request

    from qa_app.web.filters import url_with

    with app.test_request_context("/assessments?from=1&from=3&from=2027&status=planned&page=1"):
        assert request.endpoint == "staff.assessment_list"
        next_page = parse_qs(urlsplit(url_with(page=2)).query)
    assert next_page == {"from": ["1", "3", "2027"], "status": ["planned"], "page": ["2"]}
