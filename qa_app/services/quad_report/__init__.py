"""The monthly QuAD report (SPEC section 8, issue 16): one query layer computes every figure
once (`build`), and the page, the PDF, the CSV and XLSX tables, the JSON API and the command
line each render that one result.

- `rules`: the counting rules as at an instant, one place each;
- `catalogue`: every figure (JSON path, words, what it counts);
- `queries`: the queries (`build` makes the report), a fixed number of statements however large the data;
- `lists`: the records behind each number;
- `tables` and `pdf`: the downloadable formats.
"""

from qa_app.services.quad_report.catalogue import FIGURES, SECTIONS
from qa_app.services.quad_report.queries import (
    COMMAND_LINE,
    build,
    check_filters,
    section_rows,
    staff_only,
)
from qa_app.services.quad_report.report import (
    Filters,
    QuadReport,
    RatingChange,
    ServiceOfConcern,
    Trend,
    Window,
)

__all__ = [
    "COMMAND_LINE",
    "FIGURES",
    "SECTIONS",
    "Filters",
    "QuadReport",
    "RatingChange",
    "ServiceOfConcern",
    "Trend",
    "Window",
    "build",
    "check_filters",
    "section_rows",
    "staff_only",
]
