"""An audit event in words: statuses by their labels, fields as words, people by name, dates
as '8 December 2026' (domain.history, issue 13 point 6)."""

from qa_app.domain.history import Change, action_words, describe, field_label, value_words

NAMES = {
    "user": {3: "Sam Taylor", 4: "Jordan Reid"},
    "provider": {7: "Heathervale Care"},
    "standard_set": {"care_homes v1": "Care homes, version 1"},
    "assessment": {12: "the assessment of 15 September 2026"},
}


def test_the_example_in_the_issue_reads_as_words():
    published = describe("assessment", "published", {"status": ["draft_shared", "published"]})
    assert published.title == "Assessment published"
    assert published.changes == (Change("Status", "Draft shared", "Published"),)
    planned = describe(
        "assessment",
        "planned",
        {
            "visit_date": [None, "2026-12-08"],
            "standard_set": [None, "care_homes v1"],
            "lead_officer_id": [None, 3],
        },
        NAMES,
    )
    assert planned.changes == (
        Change("Visit date", None, "8 December 2026"),
        Change("Standard set", None, "Care homes, version 1"),
        Change("Lead officer", None, "Sam Taylor"),
    )


def test_each_kind_of_record_has_its_own_status_words():
    def status(entity, old, new):
        return describe(entity, "x", {"status": [old, new]}).changes[0]

    assert status("notice", "draft", "issued") == Change("Status", "Draft", "Issued")
    assert status("concern", "open", "escalated") == Change("Status", "Open", "Escalated")
    assert status("improvement_plan", "awaiting_submission", "submitted") == Change(
        "Status", "Awaiting submission", "Submitted for review"
    )
    assert status("plan_action", "in_progress", "completed") == Change(
        "Status", "In progress", "Completed"
    )
    assert status("something_new", None, "on_hold") == Change("Status", None, "On hold")


def test_codes_people_and_moments_in_words():
    assert value_words("concern", "logged", "risk_level", "high") == "High"
    assert value_words("concern", "logged", "source", "provider_notification") == (
        "Provider notification"
    )
    assert value_words("concern", "responded", "response_action", "call") == "Call"
    assert value_words("user", "role_changed", "role", "officer") == "Quality officer"
    assert value_words("user", "deactivated", "active", False) == "No"
    assert value_words("plan_action", "x", "progress_grade", 3) == "3 Slipped"
    assert value_words("service", "x", "service_type", "home_support") == "Home support"
    assert value_words("service", "x", "provider_id", 7, NAMES) == "Heathervale Care"
    assert value_words("assessment", "x", "officer_ids", [3, 4], NAMES) == (
        "Sam Taylor, Jordan Reid"
    )
    assert value_words("api_token", "created", "user_id", 99, NAMES) == (
        "a user no longer on record"  # never a bare number
    )
    assert value_words("concern", "logged", "response_due_at", "2026-11-19T15:23:26+00:00") == (
        "19 November 2026 at 3:23pm"
    )
    assert value_words("concern", "logged", "response_due_at", "2026-07-01T08:05:00+00:00") == (
        "1 July 2026 at 9:05am"  # British Summer Time
    )
    assert value_words("notice", "requirement added", "requirement", "Fix it (due 2026-12-11)") == (
        "Fix it (due 11 December 2026)"
    )
    assert value_words("notice", "requirement assessed", "requirement 2", "not_met") == "Not met"
    # the provider's response under the same field name is their own words
    assert value_words("notice", "provider responded", "requirement 2", "not_met yet") == (
        "not_met yet"
    )
    assert value_words("notice", "drafted", "parent_id", 5) == "Notice of concern 5"
    assert value_words("assessment", "x", "revision_of", 12, NAMES) == (
        "the assessment of 15 September 2026"
    )
    assert value_words("service", "x", "beds", None) == "(blank)"


def test_fields_and_actions_as_words():
    assert field_label("lead_officer_id") == "Lead officer"
    assert field_label("placement_stop_start") == "Placement stop from"
    assert field_label("requirement 2") == "Requirement 2"
    assert field_label("some_new_id") == "Some new"
    assert action_words("assessment", "draft_shared") == "draft shared with the provider"
    assert action_words("notice", "issue") == "issued"
    assert action_words("service", "updated_from_cqc_file") == "updated from CQC file"
    assert action_words("notice", "placement stop added") == "placement stop added"
    created = describe("service", "created", {"name": [None, "Elm House"]})
    assert created.recorded and created.changes == (Change("Name", None, "Elm House"),)
