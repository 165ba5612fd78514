"""The QuAD meeting's record: carry-forward, the lock and the grading, on worked examples."""

from datetime import date

from qa_app.domain import meetings as rules
from qa_app.domain.meetings import ActionFacts, Update
from qa_app.domain.months import Month
from qa_app.domain.plans import GRADES

SEPT, OCT, NOV, DEC = Month(2026, 9), Month(2026, 10), Month(2026, 11), Month(2026, 12)


def action(opened_on, *updates):
    return ActionFacts(opened_on, tuple(Update(on, grade) for on, grade in updates))


# ---------------------------------------------------------------- carrying forward


def test_an_action_agreed_in_october_is_carried_into_november_while_open():
    a = action(date(2026, 10, 14), (date(2026, 10, 14), 2))
    assert not rules.carried_into(a, OCT)  # it is in October's own record, not carried
    assert rules.carried_into(a, NOV)
    assert rules.carried_into(a, DEC)


def test_an_action_completed_in_the_month_is_not_carried_beyond_it():
    # agreed in September, completed (graded 1) at October's meeting
    a = action(date(2026, 9, 16), (date(2026, 9, 16), 2), (date(2026, 10, 21), 1))
    assert rules.carried_into(a, OCT)  # October's pack shows it, completed
    assert rules.completed_in(a, OCT, date(2026, 10, 31))
    assert rules.grade_on(a, date(2026, 10, 31)) == 1
    assert not rules.carried_into(a, NOV)


def test_completed_on_the_last_day_of_the_month_is_not_carried_next_month():
    a = action(date(2026, 9, 1), (date(2026, 9, 1), 3), (date(2026, 10, 31), 1))
    assert not rules.carried_into(a, NOV)


def test_completed_on_the_first_day_of_a_month_is_still_carried_into_it():
    a = action(date(2026, 9, 1), (date(2026, 9, 1), 3), (date(2026, 11, 1), 1))
    assert rules.carried_into(a, NOV)
    assert not rules.carried_into(a, DEC)


def test_an_action_opened_after_the_months_end_is_not_in_its_pack():
    a = action(date(2026, 11, 3), (date(2026, 11, 3), 2))
    assert not rules.carried_into(a, OCT)
    assert not rules.carried_into(a, NOV)  # November's own record holds it
    assert rules.carried_into(a, DEC)


def test_an_action_agreed_already_achieved_is_never_carried():
    a = action(date(2026, 10, 5), (date(2026, 10, 5), 1))
    assert not rules.carried_into(a, NOV)


def test_a_completed_action_graded_back_down_is_carried_again():
    a = action(
        date(2026, 9, 2), (date(2026, 9, 2), 2), (date(2026, 9, 30), 1), (date(2026, 10, 8), 3)
    )
    assert not rules.carried_into(a, OCT)
    assert rules.carried_into(a, NOV)


def test_the_grading_and_history_are_as_at_the_day():
    a = action(date(2026, 9, 16), (date(2026, 9, 16), 2), (date(2026, 10, 21), 3))
    assert rules.grade_on(a, date(2026, 9, 15)) is None
    assert rules.grade_on(a, date(2026, 10, 20)) == 2
    assert rules.grade_on(a, date(2026, 10, 21)) == 3
    assert [u.grade for u in rules.history_until(a, date(2026, 10, 20))] == [2]


# ---------------------------------------------------------------- the grading is the plans'


def test_the_grading_is_the_improvement_plans_grading():
    assert rules.grade_label(2) == GRADES[2] == "2 On track"
    assert rules.grade_label(rules.COMPLETE) == "1 Fully achieved"
    assert rules.grade_label(None) == "Not graded"
    assert rules.check_grade(5) == {
        "grade": "Choose a grading from 1 Fully achieved to 4 Not achieved"
    }
    assert rules.check_grade(4) == {}


# ---------------------------------------------------------------- the lock


def test_a_held_record_is_locked_and_takes_addenda():
    assert rules.edit_refusal(rules.DRAFT) is None
    assert rules.edit_refusal(rules.HELD) == rules.LOCKED_MESSAGE
    assert rules.addendum_refusal(rules.HELD) is None
    assert "not marked held" in rules.addendum_refusal(rules.DRAFT)


def test_marking_held():
    today = date(2026, 10, 20)
    assert rules.held_refusal(rules.DRAFT, date(2026, 10, 14), today, 2) is None
    assert "already" in rules.held_refusal(rules.HELD, date(2026, 10, 14), today, 2)
    assert "before its date" in rules.held_refusal(rules.DRAFT, date(2026, 10, 21), today, 2)
    assert "at least one service" in rules.held_refusal(rules.DRAFT, date(2026, 10, 14), today, 0)


# ---------------------------------------------------------------- what is entered


def test_attendees_one_a_line_name_comma_organisation():
    people, problem = rules.parse_attendees(
        "Jo Bloggs, Council\n\n  Sam Patel, NHS North ICB \nDr A. Smith, Jr, GP practice"
    )
    assert problem is None
    assert people == [
        rules.Attendee("Jo Bloggs", "Council"),
        rules.Attendee("Sam Patel", "NHS North ICB"),
        rules.Attendee("Dr A. Smith, Jr", "GP practice"),
    ]
    assert rules.attendees_text(people).splitlines()[1] == "Sam Patel, NHS North ICB"
    _, problem = rules.parse_attendees("Jo Bloggs\nSam Patel, ICB")
    assert problem.startswith("Attendee 1 (Jo Bloggs): write the name, a comma")
    _, problem = rules.parse_attendees("Jo, " + "x" * 201)
    assert problem == "Attendee 1: the organisation must be 200 characters or fewer"
    _, problem = rules.parse_attendees("\n".join(f"P{n}, Org" for n in range(61)))
    assert problem == "List at most 60 attendees"


def test_the_meetings_date_falls_in_its_month():
    ok = rules.check_details(OCT, date(2026, 10, 1), "Jo, Council")
    assert ok == {}
    errors = rules.check_details(OCT, date(2026, 11, 1), "")
    assert errors["held_on"] == "The meeting's date must be in October 2026"
    assert errors["attendees"].startswith("List who attended")
    assert rules.check_details(OCT, None, "Jo, Council") == {
        "held_on": "Enter the date of the meeting"
    }


def test_an_action_needs_what_who_when_and_a_grading():
    held = date(2026, 10, 14)
    good = {"description": "Visit", "owner": "Jo", "target_date": date(2026, 11, 1), "grade": 2}
    assert rules.check_action(good, held) == {}
    errors = rules.check_action({"target_date": date(2026, 10, 13)}, held)
    assert set(errors) == {"description", "owner", "target_date", "grade"}
    assert errors["target_date"] == "The target date cannot be before the meeting"
    far = rules.check_action({**good, "target_date": date(2030, 1, 1)}, held)
    assert far == {"target_date": "The target date must be within 3 years of the meeting"}
    long = rules.check_action({**good, "owner": "x" * 201}, held)
    assert long == {"owner": "The owner must be 200 characters or fewer"}


def test_a_service_discussed_once_and_with_a_discussion():
    assert rules.check_item({"service_id": 3, "discussion": "Staffing"}, False) == {}
    errors = rules.check_item({"service_id": 3, "discussion": " "}, True)
    assert set(errors) == {"service_id", "discussion"}
    assert rules.check_addendum("  ") == {"text": "Write the addendum"}
