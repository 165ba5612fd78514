"""Where the header of CQC's ratings file is: row 1, or below a notice CQC sometimes ships."""

import pytest

from qa_app.domain.cqc_columns import HEADER_SEARCH_ROWS, HeaderFinder, HeaderProblem
from tests.unit.test_cqc_import_rules import HEADER

NOTICE = [
    "Please note: from 1 September 2026 some locations show ratings for service groups; see "
    "the notes sheet for details of ratings under the single assessment framework.",
    None,
    None,
]


def find(rows):
    """Offer the rows in order; (header row, columns, skipped) once found."""
    finder = HeaderFinder()
    for number, cells in enumerate(rows, start=1):
        columns = finder.offer(number, cells)
        if columns is not None:
            return number, columns, finder.skipped
    finder.give_up()
    raise AssertionError("give_up must raise")


def test_the_header_on_row_1_is_found_with_nothing_skipped():
    number, columns, skipped = find([HEADER, ["x"] * len(HEADER)])
    assert (number, columns["Location ID"], skipped) == (1, 1, [])


def test_a_notice_above_the_header_is_skipped_and_said():
    number, columns, skipped = find([NOTICE, [None, "", None], HEADER])
    assert number == 3 and columns["Domain"] == 8
    assert skipped == [(1, NOTICE[0][:120] + "…")]


def test_no_header_in_the_first_rows_names_what_the_nearest_lacks():
    rows = [NOTICE] * 3 + [HEADER[:9] + HEADER[11:]] + [["a", "b"]] * 20
    with pytest.raises(HeaderProblem) as refused:
        find(rows)
    assert str(refused.value) == (
        f"No row among the first {HEADER_SEARCH_ROWS} names the columns of CQC's ratings file. "
        "Missing: Latest Rating, Publication Date (row 4 came nearest)"
    )


def test_a_header_below_the_first_rows_is_not_looked_for():
    rows = [NOTICE] * HEADER_SEARCH_ROWS + [HEADER]
    with pytest.raises(HeaderProblem, match="No row among the first 10"):
        find(rows)


def test_a_short_file_with_no_header_says_so():
    with pytest.raises(HeaderProblem, match=r"Missing: Location ID, .* \(row 1 came nearest\)"):
        find([["Name", "Rating"], ["Elm House", "Good"]])
