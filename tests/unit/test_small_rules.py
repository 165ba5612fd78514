from datetime import date

from qa_app.domain.changes import diff
from qa_app.domain.pagination import Page, clamp_page
from qa_app.domain.roles import Role, can_administer, can_edit_registry, is_staff


def test_diff_lists_only_what_changed_as_json_values():
    before = {"name": "A", "beds": 10, "start": date(2026, 1, 1), "gone": "x"}
    after = {"name": "A", "beds": 12, "start": date(2026, 2, 1), "new": None}
    assert diff(before, after) == {
        "beds": [10, 12],
        "start": ["2026-01-01", "2026-02-01"],
        "gone": ["x", None],
    }


def test_pages():
    assert clamp_page(None, 0, 25) == Page(1, 25, 0)
    assert clamp_page(0, 60, 25).number == 1
    assert clamp_page(99, 60, 25).number == 3
    page = Page(3, 25, 60)
    assert (page.pages, page.offset, page.first_item, page.last_item) == (3, 50, 51, 60)
    assert Page(1, 25, 0).first_item == 0 and Page(1, 25, 0).pages == 1
    assert Page(1, 25, 25).pages == 1 and Page(1, 25, 26).pages == 2


def test_roles():
    assert is_staff(Role.OFFICER) and not is_staff(Role.PROVIDER)
    assert can_edit_registry("manager") and not can_edit_registry("provider")
    assert can_administer("admin") and not can_administer("manager")
