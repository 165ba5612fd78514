"""How much text each kind of entry may hold: every limit named once, with its one message.

A `Limit` is the most characters a kind of text may have and the words its message names it
by. The web forms (`qa_app.web.forms.at_most`), the API's request schemas
(`qa_app.api.schemas.limited`, and so `maxLength` in the OpenAPI document) and the rules in the
domain and the use cases all take their limit from here, so the same text is refused in the
same words whichever way it arrives. Text over its limit is refused and nothing is saved: it is
never cut short.

Where a column keeps the text, the limit is the column's width (PostgreSQL refuses what does
not fit); long free text (notes, evidence) is limited to what a page and a letter show sensibly.
"""

from __future__ import annotations

from dataclasses import dataclass


def too_long(what: str, limit: int) -> str:
    """'The summary must be 300 characters or fewer' (GOV.UK's wording for a limit)."""
    return f"{what} must be {limit:,} characters or fewer"


@dataclass(frozen=True)
class Limit:
    what: str  # how the message names the text: "The comment"
    chars: int

    @property
    def message(self) -> str:
        return too_long(self.what, self.chars)

    def problem(self, text: str | None) -> str | None:
        """The limit's message if `text` is longer than it allows, else None."""
        return self.message if len(text or "") > self.chars else None


# ---------------------------------------------------------------- providers and services

PROVIDER_NAME = Limit("The provider's name", 200)
SERVICE_NAME = Limit("The service name", 200)
CLUSTER = Limit("The cluster or area", 100)
CQC_PROVIDER_ID = Limit("The CQC provider ID", 20)
CQC_LOCATION_ID = Limit("The CQC location ID", 20)
CONTRACT_REFERENCE = Limit("The contract reference", 50)
#: The service's registered manager, to whom its letters are addressed.
REGISTERED_MANAGER = Limit("The registered manager's name", 200)
CONTACT_NAME = Limit("The contact name", 200)
CONTACT_PHONE = Limit("The phone number", 40)
#: An address, lines separated by newlines: a provider's postal address, a service's address.
POSTAL_ADDRESS = Limit("The postal address", 500)
SERVICE_ADDRESS = Limit("The address", 500)
#: Why a service closed ("Deregistered by CQC"), shown beside its closing date.
CLOSED_REASON = Limit("The reason it closed", 200)

# ---------------------------------------------------------------- people and accounts

PERSON_NAME = Limit("The name", 200)
PASSWORD = Limit("Password", 200)
EMAIL = Limit("The email address", 254)
TOKEN_NAME = Limit("The description", 100)
LOCAL_AUTHORITY = Limit("The local authority", 100)

# ---------------------------------------------------------------- assessments

EVIDENCE = Limit("Evidence notes", 20_000)
NA_REASON = Limit("The reason for N/A", 2_000)
#: A manager's comment returning an assessment to its officer; a provider's comment on a
#: shared draft.
COMMENT = Limit("The comment", 5_000)
#: The council's answer to a provider's comment.
ANSWER = Limit("The answer", 5_000)
#: The officer's written summary of one domain of an assessment, and of the whole assessment.
DOMAIN_SUMMARY = Limit("The domain summary", 5_000)
OVERALL_SUMMARY = Limit("The overall summary", 10_000)
#: Why a step was taken: correcting a published assessment, withdrawing an issue, sending an
#: action back, escalating a concern, withdrawing or escalating a notice, a placement stop.
REASON = Limit("The reason", 5_000)

# ---------------------------------------------------------------- improvement plans

ISSUE_TITLE = Limit("The issue", 300)
#: An issue's details; a concern's details.
DETAILS = Limit("The details", 20_000)
#: The council's comments on a plan it returns.
PLAN_COMMENTS = Limit("The comments", 20_000)
ACTION_DESCRIPTION = Limit("The description", 5_000)
ACTION_OWNER = Limit("The owner", 200)
SUCCESS_MEASURE = Limit("The success measure", 5_000)
#: Evidence of progress and of impact; the note on completing an action.
PROGRESS = Limit("This", 20_000)

# ---------------------------------------------------------------- concerns

SUMMARY = Limit("The summary", 300)
#: The notes on responding to a concern and on closing it.
NOTES = Limit("Notes", 20_000)

# ---------------------------------------------------------------- notices

GROUNDS = Limit("The grounds", 5_000)
REQUIREMENT = Limit("The requirement", 5_000)
#: A note on a notice's step (lifting it, marking it remedied, recommending termination) or on
#: whether a requirement is met.
NOTE = Limit("The note", 5_000)
#: The provider's response to a requirement.
RESPONSE = Limit("Your response", 5_000)

# ---------------------------------------------------------------- the QuAD meeting's record

#: An attendee's organisation: "ICB", "the council's commissioning team".
ORGANISATION = Limit("The organisation", 200)
#: What was said about a service at the meeting, and what the meeting decided.
DISCUSSION = Limit("The discussion", 20_000)
DECISIONS = Limit("The decisions", 20_000)
#: A later entry on a held meeting's record; the note on an action's progress.
ADDENDUM = Limit("The addendum", 20_000)


def text_problem(text: str | None, limit: Limit, missing: str | None = None) -> str | None:
    """Why a piece of text cannot be kept: missing (when `missing` says it is needed), or longer
    than its limit. Never shortened quietly."""
    text = (text or "").strip()
    if not text and missing:
        return missing
    return limit.problem(text)
