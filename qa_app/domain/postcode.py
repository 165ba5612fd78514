"""UK postcodes: check the shape and write them the way Royal Mail does ("SW1A 1AA")."""

import re

# Outward code (area + district) then inward code (sector digit + unit letters), per the
# Royal Mail / ONS format; plus GIR 0AA, the one historic exception.
_POSTCODE = re.compile(
    r"^(?:GIR0AA|"
    r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(text: str | None) -> str | None:
    """Return the postcode in capitals with one space before the inward code, or None if it
    is not a valid UK postcode."""
    if not text:
        return None
    compact = re.sub(r"\s+", "", text).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"
