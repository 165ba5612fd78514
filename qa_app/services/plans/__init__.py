"""Improvement plans (SPEC section 5): opened when a service falls below Good, written by the
provider, reviewed by the council, and followed to completion.

One module per concern; every name callers use is re-exported here, so `plans.x` keeps working:

- `qa_app.services.plan_opening`: when a plan opens (`open_if_below_good`; outside this package so
  that `follow_on` can import it without importing the steps that call `follow_on`)
- `reading`: `get_plan`, `plan_for_service`, `view` (`PlanView`), `issue_for`, `action_for`, and
  who may see and do what
- `council`: `add_issue`, `withdraw_issue`, `accept`, `return_plan`, `verify`, `reopen`
- `provider`: `add_action`, `edit_action`, `submit`, `record_progress`
- `evidence`: `upload_evidence`, `evidence_file`
- `overdue`: `mark_overdue` (the sweep's part)
- `lists`: `list_plans`, `staff_counts`, `portal_summary`
"""

from qa_app.domain.evidence_files import ALLOWED_WORDS, MAX_EVIDENCE_BYTES
from qa_app.services.calendar import london_today
from qa_app.services.plan_opening import open_if_below_good
from qa_app.services.plans.council import (
    accept,
    add_issue,
    reopen,
    return_plan,
    verify,
    withdraw_issue,
)
from qa_app.services.plans.evidence import evidence_file, upload_evidence
from qa_app.services.plans.lists import (
    PlanCounts,
    PlanFilters,
    PlanRow,
    PortalService,
    list_plans,
    portal_summary,
    staff_counts,
)
from qa_app.services.plans.overdue import mark_overdue
from qa_app.services.plans.provider import (
    ACTION_FIELDS,
    GRADE_VALUES,
    add_action,
    edit_action,
    record_progress,
    submit,
)
from qa_app.services.plans.reading import (
    PlanView,
    action_for,
    get_plan,
    issue_for,
    latest_plan_or_none,
    plan_for_service,
    view,
)

__all__ = [
    "ACTION_FIELDS",
    "ALLOWED_WORDS",
    "GRADE_VALUES",
    "MAX_EVIDENCE_BYTES",
    "PlanCounts",
    "PlanFilters",
    "PlanRow",
    "PlanView",
    "PortalService",
    "accept",
    "action_for",
    "add_action",
    "add_issue",
    "edit_action",
    "evidence_file",
    "get_plan",
    "issue_for",
    "latest_plan_or_none",
    "list_plans",
    "london_today",
    "mark_overdue",
    "open_if_below_good",
    "plan_for_service",
    "portal_summary",
    "record_progress",
    "reopen",
    "return_plan",
    "staff_counts",
    "submit",
    "upload_evidence",
    "verify",
    "view",
    "withdraw_issue",
]
