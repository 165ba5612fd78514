"""Lists that fit a phone and tables that fit a laptop: the staff lists of services, assessments,
concerns and improvement plans and the market overview at 375 and 1280 px wide, with a service
whose name is 60 characters long (and a longer provider name) in every one of them.

On each page at each width: the page does not scroll sideways; every table's right edge is on
the screen and inside its column, and none of these tables hides a column in a sideways-scrolling
region (so the status tags and the market overview's last column are in sight); no two things a
person can click lie over each other. At 1280 px the administrator's header navigation (twelve
sections, the most anyone has) is on one row. Screenshots go to
test-artifacts/screenshots/lists-*.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.browser.test_layouts import OVERLAPS

ADMIN = "admin@demo.example"
#: 60 characters, and first in the services list and the market overview's red services
LONG_NAME = "Aaronsfield St Bartholomew-the-Great Residential Care Centre"
LONG_PROVIDER = "Northumberland and Tyneside Independent Residential Care Partnership Limited"
LONG_SUMMARY = (
    "Relatives report that medicines were repeatedly given late at night and that the "
    "records were incomplete"
)
#: (address, heading, screenshot name, the long text that must be on its first page)
PAGES = [
    ("/services", "Services", "services", LONG_NAME),
    ("/assessments", "Assessments", "assessments", LONG_NAME),
    ("/concerns", "Concerns", "concerns", LONG_NAME),
    ("/plans", "Improvement plans", "plans", LONG_NAME),
    ("/market", "Market overview", "market", LONG_NAME),
    ("/admin/users", "Users", "users", LONG_PROVIDER),  # its registered manager's account
]
#: first in the users list, with a long email address, at the long-named provider
LONG_USER = (
    "Aaronsfield Registered Manager",
    "registered.manager@northumberland-tyneside-care.example",
)
SCREENS = [(375, 667), (1280, 800)]

#: What does not fit: the page scrolling sideways, a table whose right edge is off the screen
#: (or, outside a scrolling region, past its column), a scrolling region a keyboard cannot reach
#: or that has no name, and anything a scrolling region keeps out of sight.
MISFITS = """
() => {
  const viewport = document.documentElement.clientWidth;
  const found = [];
  const sideways = document.documentElement.scrollWidth - viewport;
  if (sideways > 0) found.push(`the page scrolls ${sideways} px sideways`);
  for (const table of document.querySelectorAll("main table")) {
    const name = `table "${(table.caption?.textContent || table.id || "").trim()}"`;
    const region = table.closest(".app-table-scroll");
    const right = (region || table).getBoundingClientRect().right;
    if (right > viewport + 0.5) found.push(`${name} ends at ${Math.round(right)} px`);
    if (region) {
      if (region.tabIndex !== 0 || region.getAttribute("role") !== "region" ||
          !region.getAttribute("aria-label")) {
        found.push(`${name} scrolls in a region without tabindex=0, role=region and a name`);
      }
      const hidden = region.scrollWidth - region.clientWidth;
      if (hidden > 0) found.push(`${name}: ${hidden} px out of sight until scrolled sideways`);
    } else {
      const column = table.parentElement;
      const inner = column.getBoundingClientRect().right -
        parseFloat(getComputedStyle(column).paddingRight);
      const spill = table.getBoundingClientRect().right - inner;
      if (spill > 0.5) found.push(`${name} spills ${Math.round(spill)} px past its column`);
    }
  }
  return found;
}
"""

#: The rows the header's navigation links lie on, and whether the account links are in sight.
HEADER = """
() => {
  const items = [...document.querySelectorAll(".govuk-service-navigation__item:not(.app-account)")];
  const rows = new Set(items.map((item) => Math.round(item.getBoundingClientRect().top)));
  const account = document.querySelector(".app-account").getBoundingClientRect();
  return { items: items.length, rows: rows.size,
           accountInSight: account.right <= document.documentElement.clientWidth };
}
"""


@pytest.fixture(scope="module")
def long_rows(live_server) -> str:
    """A service with a 60-character name and a long provider name, red (rated Inadequate by
    CQC), with an assessment planned, an open high-risk concern with a long summary, a second
    one escalated into a draft notice, and its improvement plan overdue, so that it comes first
    or near it in each list; and its registered manager's account, first in the users list.
    Written once for this module in this test process."""
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import ImprovementPlan, Service, User
    from qa_app.services import assessments, concerns, registry, users
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        if db.session.scalar(select(Service.id).where(Service.name == LONG_NAME)):
            return LONG_NAME
        officer = db.session.scalar(select(User).where(User.email == "officer@demo.example"))
        system, as_officer = Actor.system("cli"), Actor(officer, "web")
        provider = registry.create_provider(
            system, {"name": LONG_PROVIDER, "cqc_provider_id": "1-987650001"}
        )
        users.create_user(system, LONG_USER[1], LONG_USER[0], "provider", provider.id)
        service = registry.create_service(
            system,
            {
                "name": LONG_NAME,
                "provider_id": provider.id,
                "cqc_location_id": "1-987650002",
                "service_type": "care_home_nursing",
                "cluster": "Central Coastal and Rural",
                "postcode": "NE61 1AB",
                "contract_start": date(2024, 4, 1),
                "contract_end": date(2028, 3, 31),
                "contract_officer_id": officer.id,
                "cqc_rating": "Inadequate",
            },
        )
        assessments.plan(
            as_officer, officer, {"service_id": service.id, "visit_date": date(2030, 1, 7)}
        )
        now = datetime.now(UTC)
        for hours_ago, summary in ((23, LONG_SUMMARY), (30, LONG_SUMMARY + " (escalated)")):
            concern = concerns.log(
                as_officer,
                officer,
                {
                    "service_id": service.id,
                    "risk_level": "high",
                    "source": "safeguarding",
                    "received_at": now - timedelta(hours=hours_ago),
                    "summary": summary,
                    "details": "Logged for the layout test.",
                },
            )
        concerns.escalate(as_officer, officer, concern.id, "Serious; not responded to in time")
        plan = db.session.scalar(
            select(ImprovementPlan).where(ImprovementPlan.service_id == service.id)
        )
        assert plan is not None, "a service below Good has a plan"
        plan.submission_due_date = date(2020, 1, 6)  # overdue: first in the plans list
        db.session.commit()
    return LONG_NAME


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[str(w) for w, _ in SCREENS])
def test_staff_lists_fit_the_screen(site, long_rows, width, height):
    page = site.page
    page.set_viewport_size({"width": width, "height": height})
    site.sign_in(ADMIN)
    problems = []  # every page's, so that one run names them all
    if width >= 1280:
        header = page.evaluate(HEADER)
        assert header["items"] == 12, header  # the twelve sections, the account links apart
        if header["rows"] != 1:
            problems.append(f"the header navigation wraps onto {header['rows']} rows")
        if not header["accountInSight"]:
            problems.append("the account links are off the screen")
    for path, h1, name, long_text in PAGES:
        site.visit(path, h1)
        site.screenshot(f"lists-{name}-{width}")
        assert page.locator("main tbody").get_by_text(long_text).count() >= 1, (
            f"{path}: the row with the long name is not on the first page"
        )
        problems += [f"{path}: {misfit}" for misfit in page.evaluate(MISFITS)]
        problems += [f"{path}: {overlap}" for overlap in page.evaluate(OVERLAPS)[:5]]
    assert not problems, f"at {width} px:\n  " + "\n  ".join(problems)
