"""Concern codes and lifecycle (SPEC section 6)."""

SOURCES = {
    "complaint": "Complaint",
    "whistleblower": "Whistleblower",
    "safeguarding": "Safeguarding",
    "professional": "Professional",
    "cqc": "CQC",
    "visit": "Officer's visit",
    "provider_notification": "Provider notification",
}
MAX_SUMMARY = 300
MAX_NOTES = 20_000  # details, response notes, outcome notes
MAX_REASON = 5_000  # why a concern was escalated by hand
RISK_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
RESPONSES = {
    "visit": "Visit",
    "call": "Call",
    "safeguarding_referral": "Safeguarding referral",
    "information_request": "Information request",
}
OUTCOMES = {
    "resolved": "Resolved",
    "not_substantiated": "Not substantiated",
    "no_further_action": "No further action",
    "referred_on": "Referred on",
}
STATUS_LABELS = {
    "open": "Open",
    "responded": "Responded",
    "closed": "Closed",
    "escalated": "Escalated",
}

#: step → statuses it may start from
ALLOWED = {
    "respond": ("open",),
    "close": ("open", "responded"),
    "escalate": ("open", "responded"),
}


def clock_name(risk_level: str, high_hours: int, other_hours: int) -> str:
    return f"{high_hours if risk_level == 'high' else other_hours}-hour"


#: a notice in one of these is decided: its escalated concerns may then be closed
NOTICE_DECIDED = ("withdrawn", "lifted", "remedied", "termination_recommended")


def refusal(status: str, step: str, notice_status: str | None = None) -> str | None:
    """Why a step cannot be taken from this status, or None. An escalated concern can be
    closed once the notice it went into is decided (or withdrawn), so none is left stuck."""
    if status in ALLOWED[step]:
        return None
    if step == "close" and status == "escalated":
        if notice_status is None or notice_status in NOTICE_DECIDED:
            return None
        state = {
            "draft": "still a draft",
            "issued": "in force",
            "escalated": "escalated to a contract breach notice",
        }.get(notice_status, notice_status.replace("_", " "))
        return (
            f"This concern is part of a notice of concern that is {state}: close it once the "
            "notice is decided or withdrawn"
        )
    verb = {"respond": "responded to", "close": "closed", "escalate": "escalated"}[step]
    return f"A concern that is {STATUS_LABELS.get(status, status).lower()} cannot be {verb}"
