"""The rules of CQC's ratings file: header, rating words, domains, dates, conflicting Overall
rows, and what an import changes."""

from datetime import date, datetime

import pytest

from qa_app.domain import cqc_import as rules

TODAY = date(2026, 11, 24)
HEADER = [
    "Brand Name",
    "location id",
    "Location Name",
    "Care Home?",
    "Location Primary Inspection Category",
    "Location Post Code",
    "Location Local Authority",
    "Service / Population Group",
    "  Domain ",
    "Latest Rating",
    "Publication Date",
    "Provider ID",
    "Provider Name",
]


def row(
    location="1-100000001", group="Overall", domain="Overall", rating="Good", when="01/10/2026"
):
    return ["-", location, "Elm House", "Y", "Residential social care", "NE61 1AB", "Northshire",
            group, domain, rating, when, "1-200000001", "Elm Care"]  # fmt: skip


def collect(*rows):
    collector = rules.Collector(rules.map_header(HEADER), TODAY)
    for number, cells in enumerate(rows, start=2):
        collector.add(number, cells)
    return collector.finish()


def test_header_matches_names_in_any_order_case_and_spacing():
    columns = rules.map_header(HEADER)
    assert columns["Location ID"] == 1 and columns["Domain"] == 8
    with pytest.raises(rules.HeaderProblem, match="Missing: Latest Rating, Publication Date"):
        rules.map_header(HEADER[:9] + HEADER[11:])


def test_rating_words_and_domains_in_any_capitalisation():
    assert rules.parse_rating("REQUIRES improvement") == "Requires improvement"
    assert rules.parse_rating(" outstanding ") == "Outstanding"
    assert rules.parse_rating("Excellent") is None and rules.parse_rating("") is None
    assert rules.parse_rating("Not rated") is None  # not a rating CQC's file gives a location
    assert rules.parse_domain("well led") == "Well-led" and rules.parse_domain("SAFE") == "Safe"
    assert rules.parse_domain("Kind") is None


def test_dates_from_cells_and_text():
    assert rules.parse_date(date(2026, 1, 31), TODAY) == (date(2026, 1, 31), None)
    assert rules.parse_date(datetime(2026, 1, 31, 0, 0), TODAY) == (date(2026, 1, 31), None)
    assert rules.parse_date("31/01/2026", TODAY) == (date(2026, 1, 31), None)
    assert rules.parse_date("1/2/2026", TODAY) == (date(2026, 2, 1), None)
    assert rules.parse_date("2026-01-31", TODAY) == (date(2026, 1, 31), None)
    assert (
        rules.parse_date("31/02/2026", TODAY)[1]
        == "Publication Date '31/02/2026' is not a real date"
    )
    assert "is not a date like" in rules.parse_date("Jan 2026", TODAY)[1]
    assert rules.parse_date("", TODAY)[1] == "Publication Date is empty"
    assert "in the future" in rules.parse_date("25/11/2026", TODAY)[1]
    assert rules.parse_date("24/11/2026", TODAY)[0] == TODAY


def test_every_problem_of_a_row_is_named_once_with_its_row_number():
    parsed = collect(row(), row(location="", domain="Kind", rating="Brilliant", when="x"))
    assert [(b.row, b.reason) for b in parsed.bad_rows] == [
        (
            3,
            "Location ID is missing; Domain 'Kind' is not one of Overall, Safe, Effective, "
            "Caring, Responsive, Well-led; Latest Rating 'Brilliant' is not one of Outstanding, "
            "Good, Requires improvement, Inadequate (or 'Not rated', 'Insufficient evidence to "
            "rate', 'No published rating'); Publication Date 'x' is not a date like 31/01/2026",
        )
    ]


def test_location_ids_must_have_cqc_shape():
    parsed = collect(row(location="123456"))
    assert parsed.bad_rows[0].reason.startswith("Location ID '123456' is not a CQC location ID")


def test_a_date_cell_where_text_belongs_is_a_bad_row_not_a_crash():
    # a spreadsheet may hold a date in any column; only Publication Date reads it as a date
    parsed = collect(row(location=datetime(2020, 1, 2)))
    assert parsed.bad_rows[0].reason.startswith("Location ID '02/01/2020' is not a CQC location ID")


def test_blank_rows_are_skipped_and_population_groups_do_not_set_location_ratings():
    parsed = collect(row(), ["", None, ""], row(group="Older people", rating="Inadequate"))
    assert parsed.rows == 2 and parsed.bad_rows == []
    assert parsed.locations["1-100000001"].ratings == {"Overall": ("Good", date(2026, 10, 1), 2)}


def test_not_rated_rows_add_the_location_but_no_rating_and_are_not_errors():
    parsed = collect(
        row(rating="Good"),
        row(domain="Safe", rating="insufficient evidence to rate", when=""),
        row(location="1-100000002", rating="Not Rated", when=""),
        row(location="1-100000003", rating="Not rated", when="31/02/2026"),
        row(location="1-100000004", rating="Unrated"),
    )
    assert parsed.not_rated == 2
    assert parsed.locations["1-100000001"].ratings == {"Overall": ("Good", date(2026, 10, 1), 2)}
    assert parsed.locations["1-100000002"].ratings == {}
    # a date that is there must still be a real one; other words are still errors
    assert [(b.row, b.reason.split(";")[0]) for b in parsed.bad_rows] == [
        (5, "Publication Date '31/02/2026' is not a real date"),
        (6, "Latest Rating 'Unrated' is not one of Outstanding, Good, Requires improvement, "
            "Inadequate (or 'Not rated', 'Insufficient evidence to rate', 'No published rating')"),
    ]  # fmt: skip
    plan = rules.plan_changes(parsed, known(when=date(2026, 10, 1)), set(), "Northshire")
    assert plan.not_rated == 2 and plan.unchanged == 1
    assert [(n.location_id, n.overall) for n in plan.new_services] == [("1-100000002", None)]


def test_two_different_overall_ratings_for_one_location_is_a_bad_row():
    parsed = collect(row(), row(rating="good"), row(rating="Inadequate"))
    assert [(b.row, b.reason) for b in parsed.bad_rows] == [
        (
            4,
            "Location 1-100000001 has two different Overall ratings for Overall: Good on row 2 "
            "and Inadequate on this row",
        )
    ]


def known(rating="Good", when=date(2025, 1, 1), domains=None):
    return {
        "1-100000001": rules.KnownService(
            id=7,
            name="Elm House",
            location_id="1-100000001",
            cqc_rating=rating,
            cqc_rating_date=when,
            domains=domains or {},
        )
    }


def test_plan_lists_rating_changes_and_unchanged_services():
    parsed = collect(row(rating="Inadequate"), row(domain="Safe", rating="Inadequate"))
    plan = rules.plan_changes(parsed, known(), set(), None)
    [change] = plan.changes
    assert change.overall == ("Good", "Inadequate")
    assert change.overall_date == (date(2025, 1, 1), date(2026, 10, 1))
    assert change.domains == [("Safe", None, "Inadequate", date(2026, 10, 1))]
    same = known("Inadequate", date(2026, 10, 1), {"Safe": ("Inadequate", date(2026, 10, 1))})
    assert rules.plan_changes(parsed, same, set(), None).unchanged == 1


def test_a_newer_recorded_rating_is_kept():
    plan = rules.plan_changes(collect(row()), known("Inadequate", date(2026, 11, 1)), set(), None)
    assert plan.changes == [] and plan.kept_newer == 1


def test_new_services_only_in_the_chosen_authority_and_only_social_care():
    gp = row(location="1-100000002")
    gp[3], gp[4] = "N", "GP Practices"
    community = row(location="1-100000003")
    community[3], community[4] = "N", "Community based adult social care services"
    elsewhere = row(location="1-100000004")
    elsewhere[6] = "Otherton"
    parsed = collect(row(), gp, community, elsewhere)
    plan = rules.plan_changes(parsed, {}, {"1-200000001"}, "northshire")
    assert [(s.location_id, s.service_type, s.provider_is_new) for s in plan.new_services] == [
        ("1-100000001", "care_home_residential", False),
        ("1-100000003", "home_support", False),
    ]
    assert (plan.not_social_care, plan.other_authorities, plan.new_providers) == (1, 1, [])
    assert rules.plan_changes(parsed, {}, set(), None).new_services == []
    assert rules.plan_changes(parsed, {}, set(), "Northshire").new_providers == [
        ("1-200000001", "Elm Care")
    ]


def test_service_types_for_new_locations():
    assert rules.service_type_for("Y", "Residential social care") == "care_home_residential"
    assert rules.service_type_for("Yes", "Nursing homes") == "care_home_nursing"
    assert (
        rules.service_type_for("N", "Community based adult social care services") == "home_support"
    )
    assert rules.service_type_for("N", "Dentists") is None
