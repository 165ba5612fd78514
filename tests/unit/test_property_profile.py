"""Issue 18, point 7: property tests never depend on the machine's speed."""

from hypothesis import HealthCheck, settings


def test_the_loaded_profile_has_no_deadline_and_no_slow_input_health_check():
    assert settings.default.deadline is None
    assert settings.default.derandomize is True
    for check in (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example):
        assert check in settings.default.suppress_health_check
