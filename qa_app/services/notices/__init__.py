"""Notices of concern and contract breach notices: drafting, issuing, responding, closing.

Officers draft (grounds and requirements) and record whether each requirement is met; managers
issue, lift, escalate, withdraw, and decide a breach notice's end; a provider sees its services'
notices once issued and responds to each requirement.

One module per concern; every name callers use is re-exported here, so `notices.x` keeps working:

- `reading`: who may see what (`PROVIDER_VISIBLE`; who decides is domain.roles.can_decide), `get_notice`, `list_notices`,
  `notices_for_services`, `concerns_of`, `parent_and_child`, `in_force`, `stop_state`
- `saving`: the version check, the locks and the flush every change goes through
- `drafting`: `draft_of`, `draft_for`, `attach_concern`, `DraftEdit`, `save_draft`, `update_draft`,
  `add_requirement`, `remove_requirement`
- `steps`: `issue`, `lift`, `withdraw`, `remedy`, `recommend_termination`, `escalate`, and the
  sweep's part (`breach_candidates`, `escalate_breached`), which does for a batch of notices
  in a fixed number of statements what `escalate` does for one
- `stops`: `set_placement_stop`, `lift_placement_stop`, `sync_placement_stop`
- `requirements`: `respond_to_requirement`, `response_files`, `response_file`,
  `assess_requirement`
"""

from qa_app.services.notices.drafting import (
    DraftEdit,
    add_requirement,
    attach_concern,
    draft_for,
    draft_of,
    remove_requirement,
    save_draft,
    update_draft,
)
from qa_app.services.notices.reading import (
    PROVIDER_VISIBLE,
    NoticeFilters,
    concern_ids_for,
    concerns_of,
    get_notice,
    in_force,
    list_notices,
    notices_for_services,
    parent_and_child,
    requirement_facts,
    stop_state,
)
from qa_app.services.notices.requirements import (
    assess_requirement,
    respond_to_requirement,
    response_file,
    response_files,
)
from qa_app.services.notices.steps import (
    breach_candidates,
    escalate,
    escalate_breached,
    escalate_to_breach,
    issue,
    lift,
    recommend_termination,
    remedy,
    withdraw,
)
from qa_app.services.notices.stops import (
    lift_placement_stop,
    set_placement_stop,
    sync_placement_stop,
)

__all__ = [
    "PROVIDER_VISIBLE",
    "DraftEdit",
    "NoticeFilters",
    "add_requirement",
    "assess_requirement",
    "attach_concern",
    "breach_candidates",
    "concern_ids_for",
    "concerns_of",
    "draft_for",
    "draft_of",
    "escalate",
    "escalate_breached",
    "escalate_to_breach",
    "get_notice",
    "in_force",
    "issue",
    "lift",
    "lift_placement_stop",
    "list_notices",
    "notices_for_services",
    "parent_and_child",
    "recommend_termination",
    "remedy",
    "remove_requirement",
    "requirement_facts",
    "respond_to_requirement",
    "response_file",
    "response_files",
    "save_draft",
    "set_placement_stop",
    "stop_state",
    "sync_placement_stop",
    "update_draft",
    "withdraw",
]
