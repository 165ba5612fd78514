"""Laptops, tablets and phones (issue 15, point 7): the recording page, the assessment's overview,
the notices and the provider portal's home at 1280, 1024, 768 and 375 px wide.

At each width, on each page: the page does not scroll sideways, and no two things a person can
click or type into lie over each other anywhere on the page (looked at one screenful at a time
from top to bottom, as someone scrolling sees it). On the recording page every field reached
with the Tab key is wholly on the screen and not under the save bar (WCAG 2.2, 2.4.11 Focus Not
Obscured). Screenshots of every page at every width go to test-artifacts/screenshots/layout-*.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.test_recording import _plan

#: width, height: a laptop, a small laptop or a tablet held sideways, a tablet held upright, a phone
SCREENS = [(1280, 800), (1024, 768), (768, 1024), (375, 667)]

#: Everything a person can click, tick or type into that is shown. A radio or checkbox is the
#: GOV.UK item (the drawn box and its label), since its input is an invisible square over it.
_INTERACTIVE = """
() => {
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  const shown = [];
  for (const element of document.querySelectorAll(selector)) {
    const box = element.closest(".govuk-radios__item, .govuk-checkboxes__item") || element;
    if (!box.checkVisibility({ visibilityProperty: true })) continue;
    const rect = box.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) continue; // visually hidden (the skip link)
    shown.push({ element, box, rect });
  }
  return shown;
}
"""

OVERLAPS = (
    """
() => {
  const interactive = ("""
    + _INTERACTIVE
    + """)();
  const saveBar = document.querySelector(".app-sticky-actions");
  const barSticks = saveBar && getComputedStyle(saveBar).position !== "static";
  const name = (e) => (e.id ? "#" + e.id : e.tagName.toLowerCase()) + " “" +
    (e.innerText || e.value || e.getAttribute("aria-label") || "").trim().slice(0, 40) + "”";
  const found = new Set();
  const step = Math.floor(window.innerHeight * 0.8);
  const height = document.documentElement.scrollHeight;
  for (let y = 0; ; y += step) {
    window.scrollTo(0, y);
    const inView = [];
    for (const item of interactive) {
      const rect = item.box.getBoundingClientRect();
      if (rect.bottom <= 0 || rect.top >= window.innerHeight) continue;
      // the save bar may pass over the page as it scrolls (focus is kept clear of it: below)
      if (barSticks && saveBar.contains(item.element)) continue;
      inView.push({ ...item, rect });
    }
    for (let i = 0; i < inView.length; i++) {
      for (let j = i + 1; j < inView.length; j++) {
        const a = inView[i], b = inView[j];
        if (a.box.contains(b.box) || b.box.contains(a.box)) continue;
        const across = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
        const down = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
        if (across > 1 && down > 1) found.add(name(a.element) + " over " + name(b.element));
      }
    }
    if (y + window.innerHeight >= height) break;
  }
  window.scrollTo(0, 0);
  return [...found];
}
"""
)

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

#: Where the focused element is, and whether the save bar hides any of it.
FOCUSED = """
() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const rect = element.getBoundingClientRect();
  const saveBar = document.querySelector(".app-sticky-actions");
  let under = false;
  if (saveBar && !saveBar.contains(element) && getComputedStyle(saveBar).position !== "static") {
    const bar = saveBar.getBoundingClientRect();
    under = rect.bottom > bar.top + 1 && rect.top < bar.bottom - 1 &&
      rect.right > bar.left + 1 && rect.left < bar.right - 1;
  }
  return {
    name: element.name || element.id || element.tagName + " " + (element.innerText || "").trim().slice(0, 30),
    kind: element.tagName.toLowerCase(),
    top: rect.top, bottom: rect.bottom, left: rect.left, right: rect.right,
    height: window.innerHeight, width: window.innerWidth, under,
  };
}
"""
#: The same, two frames later: the page's own scrolling, if any, is done by then.
FOCUSED_SETTLED = (
    "async () => { await new Promise(done => requestAnimationFrame(() => "
    f"requestAnimationFrame(done))); return ({FOCUSED})(); }}"
)


def _looks_right(site, name: str, width: int) -> None:
    page = site.page
    sideways = page.evaluate(SIDEWAYS)
    assert sideways <= 0, f"{name} at {width} px: the page scrolls {sideways} px sideways"
    overlaps = page.evaluate(OVERLAPS)
    assert not overlaps, f"{name} at {width} px: " + "; ".join(overlaps[:10])
    site.screenshot(f"layout-{name}-{width}")


def _tab_through_the_answers(page: Page, width: int) -> int:
    """Tab from the top of the page to the save button; every stop must be in full view and
    clear of the save bar. Returns how many evidence boxes were checked."""
    page.evaluate("window.scrollTo(0, 0); document.activeElement?.blur()")
    evidence_boxes = page.locator("textarea[name$='-evidence']").count()
    checked = 0
    for _ in range(2000):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_SETTLED)
        assert focused is not None
        where = f"{focused['name']} at {width} px"
        assert not focused["under"], f"{where}: under the save bar ({focused})"
        assert focused["top"] >= 0 and focused["bottom"] <= focused["height"], (
            f"{where}: not wholly on the screen ({focused})"
        )
        assert focused["left"] >= 0 and focused["right"] <= focused["width"], where
        if focused["kind"] == "textarea" and focused["name"].endswith("-evidence"):
            checked += 1
        if focused["name"] == "save":
            break
    assert checked == evidence_boxes
    return checked


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[str(w) for w, _ in SCREENS])
def test_recording_and_overview_at_each_width(site, live_server, width, height):
    assessment_id = _plan(live_server, "Willowbank Grove")
    site.page.set_viewport_size({"width": width, "height": height})
    site.sign_in("officer@demo.example")

    site.visit(f"/assessments/{assessment_id}", "Assessment of Willowbank Grove")
    _looks_right(site, "overview", width)

    site.visit(
        f"/assessments/{assessment_id}/record/D1", "Involvement and information: Willowbank Grove"
    )
    _looks_right(site, "recording", width)
    assert _tab_through_the_answers(site.page, width) == 10
    # as the officer sees it, typing evidence for a question halfway down the page
    box = site.page.locator("textarea[name$='-evidence']").nth(4)
    box.focus()
    box.type("Staff knocked and waited before going in.")
    site.screenshot(f"layout-recording-typing-{width}", full_page=False)
    if width <= 768:  # the domains are listed above the questions, not over them
        domains = site.page.get_by_role("navigation", name="Domains")
        assert domains.evaluate("e => getComputedStyle(e).position") == "static"


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[str(w) for w, _ in SCREENS])
def test_notices_at_each_width(site, live_server, width, height):
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import Notice

    with live_server.app.app_context():
        notices = db.session.execute(select(Notice.id, Notice.status).order_by(Notice.id)).all()
    assert {status for _, status in notices} >= {"draft", "issued"}
    site.page.set_viewport_size({"width": width, "height": height})
    site.sign_in("manager@demo.example")
    site.visit("/notices", "Notices")
    _looks_right(site, "notices", width)
    for notice_id, status in notices:
        site.visit(f"/notices/{notice_id}")
        _looks_right(site, f"notice-{status}", width)


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=[str(w) for w, _ in SCREENS])
def test_portal_home_at_each_width(site, width, height):
    site.page.set_viewport_size({"width": width, "height": height})
    site.sign_in("provider@demo.example", lands_on="Your services")
    _looks_right(site, "portal-home", width)
