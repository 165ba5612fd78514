from datetime import date

from qa_app.services.calendar import clock_settings


def test_clock_settings_come_from_the_configuration_and_the_holiday_list(app, ctx):
    settings = clock_settings()
    assert (settings.mode, settings.high_hours, settings.other_hours) == ("elapsed", 24, 72)
    assert date(2026, 12, 28) in settings.bank_holidays  # Boxing Day (observed)
    app.config["QA_CLOCK_MODE"] = "working_days"
    try:
        assert clock_settings().mode == "working_days"
    finally:
        app.config["QA_CLOCK_MODE"] = "elapsed"
