"""The kinds of email the app sends, their words, and how a failed send is retried.

Each kind has a subject and a plain-text body with `((name))` placeholders, written the way
GOV.UK Notify writes personalisation, so that a council's Notify template for the kind is this
text pasted in (`QA_NOTIFY_TEMPLATE_<KIND>` names its id). The `log` and `smtp` backends fill
the same placeholders here (`render`). Every placeholder is a personalisation key sent to
Notify; `link` is always an address that starts with `QA_BASE_URL`.

No body carries more than its recipient may see in the app: names of their own services and
dates, never a concern's details or another person's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
#: held for its recipient's daily digest (never claimed by the sender), then sent in one
HELD, DIGESTED = "held", "digested"
STATUSES = (PENDING, SENDING, SENT, FAILED, HELD, DIGESTED)
STATUS_LABELS = {
    PENDING: "Waiting",
    SENDING: "Sending",
    SENT: "Sent",
    FAILED: "Failed",
    HELD: "Held for the daily digest",
    DIGESTED: "Sent in a daily digest",
}

#: a send is tried this many times in all, then the email is marked failed
MAX_ATTEMPTS = 5
#: the wait after the 1st, 2nd, 3rd, 4th failure
BACK_OFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
#: a row left `sending` this long (its worker was killed mid-send) may be claimed again
SENDING_LEASE = timedelta(minutes=10)

_PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")


@dataclass(frozen=True)
class EmailKind:
    key: str
    subject: str
    body: str
    #: personalisation that must not be kept once the email has gone (a set-password link)
    secret_keys: tuple[str, ...] = ()
    #: sent as it happens even to a user who chose one email a day (urgent and personal)
    immediate: bool = False
    #: also listed on the recipient's Notifications page (not a set-password link, nor the
    #: digest, which only gathers what that page already lists)
    in_app: bool = True

    @property
    def placeholders(self) -> tuple[str, ...]:
        """Every personalisation key the kind's subject and body use, in order of first use."""
        found = _PLACEHOLDER.findall(self.subject + "\n" + self.body)
        return tuple(dict.fromkeys(found))

    @property
    def setting(self) -> str:
        """The setting that holds the kind's GOV.UK Notify template id."""
        return f"QA_NOTIFY_TEMPLATE_{self.key.upper()}"


_SIGN_OFF = "\n\n((council_name)) quality assurance team"

KINDS: dict[str, EmailKind] = {
    kind.key: kind
    for kind in (
        EmailKind(
            "invitation",
            "You have been invited to ((council_name))'s quality assurance service",
            "Dear ((name)),\n\n"
            "You have been given an account as ((role)). Create your password here:\n\n"
            "((link))\n\n"
            "The link works once and expires on ((expires)). If you were not expecting this "
            "email, you can ignore it." + _SIGN_OFF,
            secret_keys=("link",),
            immediate=True,
            in_app=False,
        ),
        EmailKind(
            "password_reset",
            "Reset your password",
            "Dear ((name)),\n\n"
            "Someone asked to reset the password for this account. To choose a new password, "
            "follow this link:\n\n"
            "((link))\n\n"
            "The link works once and expires at ((expires)). If you did not ask for this, you "
            "can ignore this email: your password has not changed." + _SIGN_OFF,
            secret_keys=("link",),
            immediate=True,
            in_app=False,
        ),
        EmailKind(
            "draft_report_shared",
            "Draft report for ((service_name)): comments by ((deadline))",
            "Dear ((name)),\n\n"
            "The draft report of the quality assurance visit to ((service_name)) is ready for "
            "your comments. Send any comments by ((deadline)).\n\n"
            "Read the draft and comment: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "assessment_published",
            "Quality assurance report published for ((service_name))",
            "Dear ((name)),\n\n"
            "The quality assurance report for ((service_name)) has been published.\n\n"
            "Read the report: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "plan_opened",
            "Improvement plan for ((service_name)): due by ((deadline))",
            "Dear ((name)),\n\n"
            "An improvement plan has been opened for ((service_name)). Add your actions and "
            "submit the plan by ((deadline)).\n\n"
            "Open the plan: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "plan_submitted",
            "Improvement plan submitted for review: ((service_name))",
            "Dear ((name)),\n\n"
            "The provider has submitted the improvement plan for ((service_name)) for your "
            "review.\n\n"
            "Review the plan: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "assessment_submitted",
            "Assessment submitted for review: ((service_name))",
            "Dear ((name)),\n\n"
            "The assessment of ((service_name)) has been submitted for review.\n\n"
            "Review it: ((link))" + _SIGN_OFF,
        ),
        # ---- steps (issue 19 part C): providers
        EmailKind(
            "plan_returned",
            "Improvement plan for ((service_name)) returned with comments",
            "Dear ((name)),\n\n"
            "The council has reviewed the improvement plan for ((service_name)) and returned it "
            "to you with comments. Read the comments, change the plan and submit it again.\n\n"
            "Open the plan: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "plan_accepted",
            "Improvement plan for ((service_name)) accepted",
            "Dear ((name)),\n\n"
            "The council has accepted the improvement plan for ((service_name)). Record the "
            "progress of each action as the work goes on.\n\n"
            "Open the plan: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "notice_issued",
            "Notice of concern issued for ((service_name))",
            "Dear ((name)),\n\n"
            "The council has issued a notice of concern for ((service_name)). It sets out what "
            "must be put right and by when. Respond to each requirement by its due date.\n\n"
            "Read the notice: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "breach_notice_issued",
            "Contract breach notice issued for ((service_name))",
            "Dear ((name)),\n\n"
            "The council has issued a contract breach notice for ((service_name)). It sets out "
            "the remedial actions required and their due dates.\n\n"
            "Read the notice: ((link))" + _SIGN_OFF,
        ),
        # ---- steps: officers and managers
        EmailKind(
            "provider_comments_received",
            "Provider's comments on the draft report: ((service_name))",
            "Dear ((name)),\n\n"
            "The provider has commented on the draft report of ((service_name)). Each comment "
            "is answered before the report is published.\n\n"
            "Read the comments: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "notice_drafted",
            "Draft notice of concern for ((service_name))",
            "Dear ((name)),\n\n"
            "Concerns about ((service_name)) were not responded to in time, and the escalation "
            "sweep has drafted a notice of concern. Review the draft and decide whether to "
            "issue it.\n\n"
            "Review the draft: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "notices_drafted",
            "((count)) draft notices of concern to review",
            "Dear ((name)),\n\n"
            "Concerns about ((count)) services were not responded to in time, and the "
            "escalation sweep has drafted a notice of concern for each. Review the drafts and "
            "decide whether to issue each one.\n\n"
            "Review the drafts: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "breach_notice_drafted",
            "Draft contract breach notice for ((service_name))",
            "Dear ((name)),\n\n"
            "A contract breach notice for ((service_name)) has been drafted from a notice of "
            "concern whose requirements were not met.\n\n"
            "Review the draft: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "breach_notices_drafted",
            "((count)) draft contract breach notices to review",
            "Dear ((name)),\n\n"
            "((count)) notices of concern had requirements that were not met by their due "
            "dates, and the escalation sweep has drafted a contract breach notice for each. "
            "Review the drafts and decide whether to issue each one.\n\n"
            "Review the drafts: ((link))" + _SIGN_OFF,
        ),
        # ---- reminders (services/reminders.py): providers
        EmailKind(
            "comments_closing",
            "Reminder: comments on the draft report for ((service_name)) close on ((deadline))",
            "Dear ((name)),\n\n"
            "The time for comments on the draft report of ((service_name)) ends on "
            "((deadline)).\n\n"
            "Read the draft and comment: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "plan_due_soon",
            "Reminder: improvement plan for ((service_name)) due by ((deadline))",
            "Dear ((name)),\n\n"
            "The improvement plan for ((service_name)) is due by ((deadline)). Add your actions "
            "and submit the plan by then.\n\n"
            "Open the plan: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "plan_overdue",
            "Reminder: improvement plan for ((service_name)) is overdue",
            "Dear ((name)),\n\n"
            "The improvement plan for ((service_name)) was due by ((deadline)) and has not "
            "been submitted. Submit it as soon as you can.\n\n"
            "Open the plan: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "action_overdue",
            "Reminder: an improvement action for ((service_name)) has passed its target date",
            "Dear ((name)),\n\n"
            "An action in the improvement plan for ((service_name)) had a target date of "
            "((target_date)) and is not yet complete. Record its progress.\n\n"
            "Open the plan: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "requirement_due_soon",
            "Reminder: ((notice_name)) for ((service_name)), a requirement is due by ((due_date))",
            "Dear ((name)),\n\n"
            "A requirement of the ((notice_name)) for ((service_name)) is due by "
            "((due_date)). Respond to it on the notice.\n\n"
            "Read the notice: ((link))" + _SIGN_OFF,
        ),
        # ---- reminders: officers
        EmailKind(
            "concern_due_soon",
            "Reminder: concern response due by ((due_at)), ((service_name))",
            "Dear ((name)),\n\n"
            "The response to a ((risk_level)) risk concern about ((service_name)) is due by "
            "((due_at)). Record the response when it is made.\n\n"
            "Open the concern: ((link))" + _SIGN_OFF,
            immediate=True,  # a clock runs in hours: a daily summary would be too late
        ),
        EmailKind(
            "concern_breached",
            "Reminder: concern response time passed, ((service_name))",
            "Dear ((name)),\n\n"
            "The response to a ((risk_level)) risk concern about ((service_name)) was due by "
            "((due_at)) and none has been recorded.\n\n"
            "Open the concern: ((link))" + _SIGN_OFF,
            immediate=True,  # a clock runs in hours: a daily summary would be too late
        ),
        EmailKind(
            "follow_up_due",
            "Reminder: follow-up assessment due, ((service_name))",
            "Dear ((name)),\n\n"
            "A follow-up assessment of ((service_name)) is due on ((due_date)), 6 months after "
            "its report was published.\n\n"
            "Open the service: ((link))" + _SIGN_OFF,
        ),
        EmailKind(
            "digest",
            "Your daily summary from ((council_name)): ((count))",
            "Dear ((name)),\n\n"
            "Since your last summary:\n\n"
            "((items))\n\n"
            "See all your notifications: ((link))\n\n"
            "You chose one email a day. To have each email as it happens, change your email "
            "preferences in the service." + _SIGN_OFF,
            immediate=True,
            in_app=False,
        ),
    )
}

#: the kind of the daily digest email (services/digest.py)
DIGEST = "digest"


def render(kind: EmailKind, personalisation: Mapping[str, str]) -> tuple[str, str]:
    """The subject and body with each placeholder filled (a missing value is an error: an email
    that says `((link))` must never go)."""

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda match: str(personalisation[match.group(1)]), text)

    missing = [key for key in kind.placeholders if key not in personalisation]
    if missing:
        raise KeyError(f"{kind.key} email needs {', '.join(missing)}")
    return fill(kind.subject), fill(kind.body)


def after_failure(attempts: int, now: datetime) -> tuple[str, datetime | None]:
    """What becomes of an email whose send failed on its `attempts`-th try: back to pending, to
    be tried again after the back-off, or failed for good after MAX_ATTEMPTS tries."""
    if attempts >= MAX_ATTEMPTS:
        return FAILED, None
    return PENDING, now + BACK_OFF[min(max(attempts, 1), len(BACK_OFF)) - 1]


def forget_secrets(kind: EmailKind, personalisation: Mapping[str, str]) -> dict[str, str]:
    """The personalisation to keep once the email has gone: secret values replaced."""
    return {
        key: "(not kept once sent)" if key in kind.secret_keys else value
        for key, value in personalisation.items()
    }


NO_LONGER_FAILED = "This email is no longer failed: someone has already sent it again"


def send_again_refusal(
    kind: EmailKind | None, status: str, recipient_active: bool = True
) -> str | None:
    """Why an administrator may not send this email again ("Send again" on Emails sent), or
    None when they may: only a failed email goes again, never a set-password link (it may have
    expired or been replaced: a new one is asked for instead), nor to a deactivated account."""
    if status != FAILED:
        return NO_LONGER_FAILED
    if kind is None:
        return "This email's kind is no longer sent: it cannot be sent again"
    if kind.secret_keys:
        remedy = (
            "send a new invitation from the user's page"
            if kind.key == "invitation"
            else "they can ask for a new link with 'Forgot your password' on the sign-in page"
        )
        return f"A set-password link is not sent again, as it may have expired: {remedy}"
    if not recipient_active:
        return "The recipient's account is deactivated: the email is not sent again"
    return None


# ---------------------------------------------------------------- asking for a new password

#: a set-password link sent by "Forgot your password" works for this long
RESET_LIFETIME = timedelta(hours=1)
#: requests for one address within the window, before more are refused
RESET_MAX_PER_EMAIL = 3


def reset_wait(
    for_email: list[datetime],
    from_address: list[datetime],
    now: datetime,
    window: timedelta,
    max_per_address: int,
) -> timedelta:
    """How long before another "forgot your password" request may go: nothing while fewer
    than RESET_MAX_PER_EMAIL requests named the email address, and fewer than
    `max_per_address` came from the network address, within `window`. The count is of
    requests, never of accounts, so it says nothing about whether an account exists."""
    waits = [timedelta(0)]
    for times, limit in ((for_email, RESET_MAX_PER_EMAIL), (from_address, max_per_address)):
        recent = sorted(t for t in times if t > now - window)
        if len(recent) >= limit:
            waits.append(recent[-limit] + window - now)
    return max(waits)
