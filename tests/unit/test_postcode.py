import pytest

from qa_app.domain.postcode import normalise_postcode


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("  ne61   1ab ", "NE61 1AB"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_real_postcodes_are_accepted_and_written_the_royal_mail_way(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        None,
        "NOT A POSTCODE",
        "NE61",
        "12345",
        "NE61 1AC",  # C is never an inward letter
        "QE61 1AB",  # Q never starts a postcode
        "NE61 1A",
        "NE61 1ABB",
        "SW1A-1AA",
    ],
)
def test_anything_else_is_refused(typed):
    assert normalise_postcode(typed) is None
