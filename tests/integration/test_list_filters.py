"""The lists' filter panels: the market overview's counts by risk count what the other filters
choose (whatever risk is chosen) and each opens its risk with the other filters kept; every
list's "Apply filters" is the same visible button; a date filter is GOV.UK's date input, and a
date that is not one is explained, never a server error."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from qa_app.extensions import db

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


def test_apply_filters_is_written_only_by_its_macro():
    """A list added later gets the same button by using the macro (macros/forms.html)."""
    writers = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "Apply filters" in path.read_text()
    )
    assert writers == ["macros/forms.html"]
