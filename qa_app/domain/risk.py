"""A service's risk RAG (SPEC section 7): red, amber or green, with the reasons.

The inputs are facts about the service gathered by the caller; features that do not exist yet
simply pass their defaults.
"""

from dataclasses import dataclass, field
from datetime import date

from qa_app.domain.codes import AMBER, GREEN, RED


@dataclass(frozen=True)
class RiskInputs:
    cqc_rating: str | None = None
    latest_assessment_overall: str | None = None  # "Excellent" … "Poor", or None
    active_placement_stop: bool = False
    open_notices: int = 0  # issued notices of concern / contract breach notices not yet closed
    open_concerns: int = 0
    open_high_concerns: int = 0
    overdue_plan: bool = False
    overdue_actions: int = 0
    # Dates, when known, make the reasons readable: "placement stop since 3 March 2026".
    placement_stop_since: date | None = None
    notice_issued_on: date | None = None  # the earliest issued notice still in force


@dataclass(frozen=True)
class RiskResult:
    rag: str
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def assess_risk(facts: RiskInputs) -> RiskResult:
    red: list[str] = []
    if facts.active_placement_stop:
        since = facts.placement_stop_since
        red.append(f"placement stop since {_day(since)}" if since else "placement stop in force")
    if facts.open_notices:
        issued = facts.notice_issued_on
        red.append(
            f"notice issued {_day(issued)}, not yet lifted or remedied"
            if issued
            else "notice issued and not yet lifted or remedied"
        )
    if facts.latest_assessment_overall == "Poor":
        red.append("latest assessment rated Poor")
    if facts.cqc_rating == "Inadequate":
        red.append("CQC rating Inadequate")
    if red:
        return RiskResult(RED, tuple(red))

    amber: list[str] = []
    if facts.latest_assessment_overall == "Requires improvement":
        amber.append("latest assessment rated Requires improvement")
    if facts.cqc_rating == "Requires improvement":
        amber.append("CQC rating Requires improvement")
    if facts.open_high_concerns:
        amber.append("open high-risk concern")
    if facts.open_concerns >= 3:
        amber.append(f"{facts.open_concerns} open concerns")
    if facts.overdue_plan:
        amber.append("improvement plan overdue")
    if facts.overdue_actions:
        amber.append("improvement action overdue")
    if amber:
        return RiskResult(AMBER, tuple(amber))
    return RiskResult(GREEN, ())
