from qa_app.domain.wording import count


def test_count_says_one_thing_or_many():
    assert count(0, "service") == "0 services"
    assert count(1, "service") == "1 service"
    assert count(2, "key question rating") == "2 key question ratings"
    assert count(12000, "row") == "12,000 rows"
    assert count(1, "authority", "authorities") == "1 authority"
    assert count(3, "authority", "authorities") == "3 authorities"
