"""The concern list's order across its two parts (open by due time, then the rest newest first),
page by page, with filters."""

from datetime import UTC, datetime, timedelta

from qa_app.services import concerns
from qa_app.services.actors import Actor

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_open_by_due_time_then_the_rest_newest_first_across_pages(make):
    officer = make.user("officer")
    service = make.service()

    def log(name, hours_ago, risk="high"):
        return concerns.log(
            Actor(officer, "web"),
            officer,
            {
                "service_id": service.id,
                "risk_level": risk,
                "source": "complaint",
                "received_at": NOW - timedelta(hours=hours_ago),
                "summary": name,
            },
            now=NOW,
        )

    due_later, due_soon = log("open due later", 1), log("open due soon", 20)
    low = log("open low, due in 71 h", 1, "low")
    old, older, oldest = log("closed 2", 30), log("closed 5", 50), log("closed 9", 90)
    for done in (old, older, oldest):
        concerns.close(Actor(officer, "web"), officer, done.id, "resolved", "", now=NOW)

    def names(page, size=4, **filters):
        rows, paging = concerns.list_concerns(
            officer, concerns.ConcernFilters(page=page, **filters), page_size=size
        )
        return [c.summary for c in rows], paging.total

    assert names(1) == (["open due soon", "open due later", "open low, due in 71 h", "closed 2"], 6)
    assert names(2) == (["closed 5", "closed 9"], 6)
    assert names(1, size=2) == (["open due soon", "open due later"], 6)
    assert names(2, size=2) == (["open low, due in 71 h", "closed 2"], 6)
    assert names(1, status="closed") == (["closed 2", "closed 5", "closed 9"], 3)
    assert names(1, risk_level="low") == (["open low, due in 71 h"], 1)
    assert names(1, status="open", risk_level="high") == (["open due soon", "open due later"], 2)
    assert names(9) == (["closed 5", "closed 9"], 6)  # past the end: the last page
    assert due_later and due_soon and low


def test_filter_by_part_of_the_service_name_on_the_page(client, make):
    officer = make.user("officer")
    for name in ("Birch Court", "Birchwood Lodge", "Ash House"):
        service = make.service(name=name)
        concerns.log(
            Actor(officer, "web"),
            officer,
            {
                "service_id": service.id,
                "risk_level": "medium",
                "source": "complaint",
                "received_at": NOW,
                "summary": f"About {name}",
            },
            now=NOW,
        )
    make.sign_in(client, officer)
    page = client.get("/concerns?service=birch")
    rows = [a.get_text(strip=True) for a in page.soup.select("tbody tr td:first-child a")]
    assert sorted(rows) == ["About Birch Court", "About Birchwood Lodge"]
    assert page.soup.select_one("#service")["value"] == "birch"
    assert "No concerns match" in client.get("/concerns?service=zzz").get_data(as_text=True)
