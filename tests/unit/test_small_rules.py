from datetime import date

import pytest

from qa_app.domain.changes import diff
from qa_app.domain.codes import whole_number
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


@pytest.mark.parametrize(
    ("text", "max_digits", "expected"),
    [
        ("42", 10, 42),
        (" 7 ", 10, 7),
        (0, 10, 0),
        ("0", 10, 0),
        ("12345678", 8, 12345678),
        ("123456789", 8, None),  # longer than asked for
        ("", 10, None),
        (None, 10, None),
        ("-1", 10, None),
        ("+1", 10, None),
        ("1.0", 10, None),
        ("²", 10, None),  # str.isdigit says yes; int() refuses
        ("①", 10, None),
        ("٣", 10, None),  # an Arabic-Indic three: int() takes it, but it is no page number
        ("1_000", 10, None),
    ],
)
def test_a_whole_number_is_ascii_digits_of_a_sensible_length(text, max_digits, expected):
    assert whole_number(text, max_digits=max_digits) == expected
