"""The fixed code lists of the product (SPEC section 10), with the labels people read."""

#: The largest id a record can have (a 32-bit integer column, the same on every database).
MAX_ID = 2**31 - 1


def whole_number(text: object, max_digits: int = 10) -> int | None:
    """`text` as a whole number if it is 1 to `max_digits` ASCII digits, else None.

    Not `str.isdigit`, which also says yes to "²" and "①", which `int()` then refuses."""
    value = str(text if text is not None else "").strip()
    if not value or len(value) > max_digits or not value.isascii() or not value.isdigit():
        return None
    return int(value)


SERVICE_TYPES: dict[str, str] = {
    "care_home_nursing": "Care home with nursing",
    "care_home_residential": "Care home without nursing",
    "home_support": "Home support",
    "supported_living": "Supported living",
    "extra_care": "Extra care",
    "day_opportunities": "Day opportunities",
}

#: Service types where registered beds apply.
BEDDED_SERVICE_TYPES = frozenset({"care_home_nursing", "care_home_residential"})

CQC_RATINGS: tuple[str, ...] = (
    "Outstanding",
    "Good",
    "Requires improvement",
    "Inadequate",
    "Not rated",
)

#: CQC ratings that make a service "below Good" (SPEC section 2).
CQC_BELOW_GOOD = frozenset({"Requires improvement", "Inadequate"})

#: A service's risk RAG (SPEC section 7); a concern's risk level is another thing
#: (clocks.CONCERN_RISK_LEVELS).
RED, AMBER, GREEN = "red", "amber", "green"
RAG_COLOURS = (RED, AMBER, GREEN)
RAG_LABELS = {RED: "Red", AMBER: "Amber", GREEN: "Green"}


def service_type_label(code: str | None) -> str:
    return SERVICE_TYPES.get(code or "", code or "")


def canonical_cqc_rating(text: str | None) -> str | None:
    """The CQC rating spelt as the product stores it, whatever its capitalisation; None if unknown."""
    if text is None:
        return None
    wanted = " ".join(text.split()).casefold()
    for rating in CQC_RATINGS:
        if rating.casefold() == wanted:
            return rating
    return None
