from datetime import date

from qa_app.domain.codes import canonical_cqc_rating, service_type_label
from qa_app.domain.registry_rules import check_provider, check_service

TODAY = date(2026, 11, 24)
VALID = {"name": "Elm House", "service_type": "care_home_nursing", "cluster": "North", "beds": 40}


def test_a_complete_service_has_no_problems():
    assert check_service(VALID, TODAY) == {}


def test_contract_dates_may_be_equal_but_not_reversed():
    same = {**VALID, "contract_start": date(2026, 4, 1), "contract_end": date(2026, 4, 1)}
    assert check_service(same, TODAY) == {}
    reversed_ = {**VALID, "contract_start": date(2026, 4, 2), "contract_end": date(2026, 4, 1)}
    assert check_service(reversed_, TODAY) == {
        "contract_end": "The contract end date must be the same as or after the start date"
    }


def test_beds_only_for_care_homes_and_within_reason():
    assert check_service({**VALID, "service_type": "home_support"}, TODAY) == {
        "beds": "Registered beds only apply to care homes"
    }
    assert "beds" in check_service({**VALID, "beds": 0}, TODAY)
    assert check_service({**VALID, "beds": 2000}, TODAY) == {}


def test_cqc_rating_date_rules():
    tomorrow = {**VALID, "cqc_rating": "Good", "cqc_rating_date": date(2026, 11, 25)}
    assert check_service(tomorrow, TODAY) == {
        "cqc_rating_date": "The CQC rating date must be today or in the past"
    }
    dated_but_unrated = {**VALID, "cqc_rating": "Not rated", "cqc_rating_date": date(2026, 1, 1)}
    assert set(check_service(dated_but_unrated, TODAY)) == {"cqc_rating"}


def test_cqc_ids_have_the_cqc_shape():
    assert check_service({**VALID, "cqc_location_id": "1-123456789"}, TODAY) == {}
    assert set(check_service({**VALID, "cqc_location_id": "123456789"}, TODAY)) == {
        "cqc_location_id"
    }
    assert set(check_provider({"name": "P", "cqc_provider_id": "1-12"})) == {"cqc_provider_id"}
    assert check_provider({"name": " "}) == {"name": "Enter the provider's name"}


def test_missing_required_fields():
    assert set(check_service({}, TODAY)) == {"name", "service_type", "cluster"}


def test_cqc_ratings_in_any_capitalisation():
    assert canonical_cqc_rating("requires  IMPROVEMENT") == "Requires improvement"
    assert canonical_cqc_rating("outstanding") == "Outstanding"
    assert canonical_cqc_rating("Excellent") is None
    assert service_type_label("care_home_residential") == "Care home without nursing"
