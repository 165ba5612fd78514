"""The rules of CQC's ratings file: header, rating words, domains, dates, conflicting Overall
rows, and what an import changes."""

from datetime import date, datetime

import pytest

from qa_app.domain import cqc_import as rules
from qa_app.domain.cqc_groups import effective_ratings

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
            "Caring, Responsive, Well-led; Publication Date 'x' is not a date like 31/01/2026",
        )
    ]
    # a rating word the import does not know is a note, not a reason to refuse the row
    assert [(w.row, w.reason) for w in parsed.warnings] == [
        (3, "Latest Rating 'Brilliant' is not a rating this import knows (on row 3): such rows "
            "add no rating"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "location_id",
    ["1-100000001", "1-12345", "RXQ02", "RAL26", "RW1J2", "RXQ", "R1HKH", "TAJ"],
)
def test_cqc_ids_and_nhs_site_codes_are_locations(location_id):
    """NHS trusts' locations are known to CQC by their ODS codes, not `1-` IDs."""
    parsed = collect(row(location=location_id))
    assert parsed.bad_rows == []
    assert parsed.locations[location_id].ratings["Overall"][0] == "Good"


@pytest.mark.parametrize(
    "location_id",
    ["123456", "1-1234", "1-ABC", "rxq02", "RX Q02", "RXQ02-1", "12345", "R", "RXQ0212345", "-"],
)
def test_malformed_location_ids_are_bad_rows(location_id):
    parsed = collect(row(location=location_id))
    assert parsed.bad_rows[0].reason == (
        f"Location ID {location_id!r} is not a CQC ID like 1-123456789 or an NHS code like RXQ02"
    )


def test_a_date_cell_where_text_belongs_is_a_bad_row_not_a_crash():
    # a spreadsheet may hold a date in any column; only Publication Date reads it as a date
    parsed = collect(row(location=datetime(2020, 1, 2)))
    assert parsed.bad_rows[0].reason.startswith("Location ID '02/01/2020' is not a CQC ID")


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
    # a date that is there must still be a real one; a word the import does not know is a note
    assert [(b.row, b.reason.split(";")[0]) for b in parsed.bad_rows] == [
        (5, "Publication Date '31/02/2026' is not a real date"),
    ]
    assert [(w.row, w.reason) for w in parsed.warnings] == [
        (6, "Latest Rating 'Unrated' is not a rating this import knows (on row 6): such rows add "
            "no rating"),
    ]  # fmt: skip
    plan = rules.plan_changes(parsed, known(when=date(2026, 10, 1)), set(), "Northshire")
    assert plan.not_rated == 2 and plan.unchanged == 1
    assert [(n.location_id, n.overall) for n in plan.new_services] == [
        ("1-100000002", None),
        ("1-100000004", None),
    ]
    assert plan.warnings == parsed.warnings


def test_unknown_rating_words_are_one_note_each_with_their_count_and_first_row():
    parsed = collect(
        row(rating="Not applicable"),
        row(location="1-100000002", rating="Not applicable"),
        row(location="1-100000003", rating=""),
        row(location="1-100000004", rating="Not applicable", domain="Safe"),
    )
    assert parsed.bad_rows == []
    assert [(w.row, w.reason) for w in parsed.warnings] == [
        (2, "Latest Rating 'Not applicable' is not a rating this import knows (on 3 rows, the "
            "first row 2): such rows add no rating"),
        (4, "Latest Rating is empty (on row 4): such rows add no rating"),
    ]  # fmt: skip
    assert all(location.ratings == {} for location in parsed.locations.values())


def test_two_ratings_on_one_day_take_the_lower_and_say_so():
    """CQC: a location can have two ratings with one publication date, and both are shown in
    the file. Not an error: the lower is taken (the council never reads a location as better
    than CQC found it), and the preview says which."""
    parsed = collect(row(), row(rating="good"), row(rating="Inadequate"), row(rating="Good"))
    assert parsed.bad_rows == []
    assert parsed.locations["1-100000001"].ratings["Overall"] == (
        "Inadequate",
        date(2026, 10, 1),
        4,
    )
    assert [(w.row, w.reason) for w in parsed.warnings] == [
        (4, "Location 1-100000001 has two Overall ratings for Overall published on 01/10/2026 "
            "(Good on row 2, Inadequate on row 4): the import takes the lower, Inadequate"),
        (5, "Location 1-100000001 has two Overall ratings for Overall published on 01/10/2026 "
            "(Inadequate on row 4, Good on row 5): the import takes the lower, Inadequate"),
    ]  # fmt: skip


def test_of_two_ratings_on_different_days_the_later_is_taken_without_a_note():
    parsed = collect(
        row(rating="Good", when="01/10/2026"),
        row(rating="Requires improvement", when="01/03/2025"),
        row(domain="Safe", rating="Inadequate", when="01/03/2025"),
        row(domain="Safe", rating="Outstanding", when="02/03/2025"),
    )
    ratings = parsed.locations["1-100000001"].ratings
    assert ratings["Overall"][:2] == ("Good", date(2026, 10, 1))
    assert ratings["Safe"][:2] == ("Outstanding", date(2025, 3, 2))
    assert parsed.bad_rows == [] and parsed.warnings == []


@pytest.mark.parametrize(
    ("a", "b", "taken"),
    [
        (("Good", date(2026, 1, 1), 2), ("Inadequate", date(2026, 1, 1), 3), "Inadequate"),
        (("Outstanding", date(2026, 1, 1), 2), ("Good", date(2026, 1, 1), 3), "Good"),
        (("Inadequate", date(2025, 1, 1), 2), ("Good", date(2026, 1, 1), 3), "Good"),
        (("Good", date(2026, 1, 2), 2), ("Inadequate", date(2026, 1, 1), 3), "Good"),
    ],
)
def test_latest_rating_rule(a, b, taken):
    assert rules.latest_rating(a, b)[0] == taken
    assert rules.latest_rating(b, a)[0] == taken


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
        ("1-100000001", "", False),  # a care home: with nursing or without, the officer says
        ("1-100000003", "", False),
    ]
    assert [s.type_choices for s in plan.new_services] == [
        ("care_home_residential", "care_home_nursing"),
        ("home_support", "supported_living", "extra_care"),
    ]
    assert (plan.not_social_care, plan.other_authorities, plan.new_providers) == (1, 1, [])
    assert rules.plan_changes(parsed, {}, set(), None).new_services == []
    assert rules.plan_changes(parsed, {}, set(), "Northshire").new_providers == [
        ("1-200000001", "Elm Care")
    ]


def test_service_types_for_new_locations_are_decided_only_where_the_file_tells():
    # CQC's category is "Residential social care" for every care home, nursing homes included
    assert rules.type_choices("Y", "Residential social care") == (
        "care_home_residential",
        "care_home_nursing",
    )
    assert rules.type_choices("Yes", "Nursing homes") == ("care_home_nursing",)
    assert rules.type_choices("N", "Community based adult social care services") == (
        "home_support",
        "supported_living",
        "extra_care",
    )
    assert rules.type_choices("N", "Dentists") == ()
    assert rules.type_choices("N", "Residential social care") == ()


def test_chosen_types_must_be_among_the_locations_choices():
    choices = {"1-1": ("care_home_residential", "care_home_nursing"), "RW1J2": ("extra_care",)}
    assert rules.type_problems(choices, {"1-1": "care_home_nursing", "RW1J2": ""}) == {}
    assert rules.type_problems(choices, {"1-1": "home_support", "1-9": "extra_care"}) == {
        "1-1": "Choose one of the types offered for 1-1",
        "1-9": "1-9 is not a new service in this import",
    }


@pytest.mark.parametrize(
    ("status", "bad_rows", "types", "refusal"),
    [
        ("previewed", 0, 0, None),
        ("previewed", 0, 1, "Choose the type of each new service before importing: 1 is still "
                            "to choose"),
        ("previewed", 0, 1200, "Choose the type of each new service before importing: 1,200 are "
                               "still to choose"),
        ("previewed", 2, 3, "A file with bad rows cannot be imported: correct them and upload "
                            "it again"),
    ],
)  # fmt: skip
def test_an_import_waits_for_the_types_to_choose(status, bad_rows, types, refusal):
    assert rules.commit_refusal(status, bad_rows, types) == refusal


def test_service_group_ratings_are_kept_and_taken_when_the_location_is_not_rated():
    """Single assessment framework: `Not rated` at Overall, the real ratings under service
    groups. A care home takes `Care Homes`; home support takes `Homecare`."""
    parsed = collect(
        row(rating="Not rated", when=""),
        row(group="Care Homes", rating="Good", when="05/06/2026"),
        row(group="Care Homes", domain="Safe", rating="Requires improvement", when="05/06/2026"),
        row(group="Homecare", rating="Inadequate", when="07/06/2026"),
        row(group="Older people", rating="Outstanding", when="07/06/2026"),  # not a service group
    )
    location = parsed.locations["1-100000001"]
    assert location.ratings == {}
    assert sorted(location.groups) == ["Care Homes", "Homecare"]
    care_home = {**known(when=date(2025, 1, 1))["1-100000001"].__dict__}
    care_home["service_type"] = "care_home_nursing"
    plan = rules.plan_changes(parsed, {"1-100000001": rules.KnownService(**care_home)}, set(), None)
    [change] = plan.changes
    assert (change.overall, change.source_group) == (("Good", "Good"), "Care Homes")
    assert change.overall_date == (date(2025, 1, 1), date(2026, 6, 5))
    assert change.domains == [("Safe", None, "Requires improvement", date(2026, 6, 5))]
    assert change.groups == {
        "Care Homes": {
            "Overall": ["Good", "2026-06-05"],
            "Safe": ["Requires improvement", "2026-06-05"],
        },
        "Homecare": {"Overall": ["Inadequate", "2026-06-07"]},
    }
    # the same groups recorded already: nothing to change
    care_home.update(cqc_rating_date=date(2026, 6, 5), groups=change.groups)
    care_home["domains"] = {"Safe": ("Requires improvement", date(2026, 6, 5))}
    again = rules.plan_changes(
        parsed, {"1-100000001": rules.KnownService(**care_home)}, set(), None
    )
    assert (again.changes, again.unchanged) == ([], 1)


def test_the_location_s_own_overall_rating_comes_before_a_group_s():
    ratings = {"Overall": ("Good", date(2026, 1, 1), 2)}
    groups = {"Care Homes": {"Overall": ("Inadequate", date(2026, 2, 1), 3)}}
    assert effective_ratings(ratings, groups, "care_home_residential") == (ratings, None)
    assert effective_ratings({}, groups, "care_home_residential") == (
        groups["Care Homes"],
        "Care Homes",
    )
    assert effective_ratings({}, groups, "supported_living") == ({}, None)  # no such group
    assert effective_ratings({}, groups, "") == ({}, None)  # the type is still to choose
