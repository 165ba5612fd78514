from qa_app.domain.wording import count


def test_count_says_one_thing_or_many():
    assert count(0, "service") == "0 services"
    assert count(1, "service") == "1 service"
    assert count(2, "key question rating") == "2 key question ratings"
    assert count(12000, "row") == "12,000 rows"
    assert count(1, "authority", "authorities") == "1 authority"
    assert count(3, "authority", "authorities") == "3 authorities"


def test_long_dates_have_no_leading_zero_and_are_taken_in_london():
    from datetime import UTC, date, datetime

    from qa_app.domain.wording import long_date

    assert long_date(date(2026, 12, 8)) == "8 December 2026"
    # 23:30 UTC on 31 May is already 1 June in London (British Summer Time)
    assert long_date(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == "1 June 2026"
    assert long_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "31 December 2026"
