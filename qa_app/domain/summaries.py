"""The officer's written summaries of an assessment: one per domain, and one overall.

A summary is named by its *part*: a domain's code (`D1`: codes are capitals and digits, see
`domain.standards.Code`) or `overall`. On the recording page and in the device's queue
(qa_app/static/summaries.js) it goes by its *device reference*, `summary_D1` or
`summary_overall`: an underscore is never in a question's reference, so the two never meet.

A summary is written while answers may be recorded (`lifecycle.can_record`), and is refused,
never cut, when it is longer than its limit (`limits.DOMAIN_SUMMARY`, `limits.OVERALL_SUMMARY`).
"""

from __future__ import annotations

from collections.abc import Sequence

from qa_app.domain import limits

OVERALL = "overall"
DEVICE_PREFIX = "summary_"


def parts(domain_codes: Sequence[str]) -> list[str]:
    """Every summary an assessment on a set with these domains has, in report order: the
    domains' in order, then the overall one."""
    return [*domain_codes, OVERALL]


def parts_on_page(domain_code: str, domain_codes: Sequence[str]) -> list[str]:
    """The summaries written on a domain's recording page: the domain's own, and on the last
    domain's page the overall one too (written when the officer has been through them all)."""
    if domain_code not in domain_codes:
        return []
    return [domain_code, OVERALL] if domain_code == domain_codes[-1] else [domain_code]


def is_part(part: str, domain_codes: Sequence[str]) -> bool:
    return part == OVERALL or part in domain_codes


def limit_for(part: str) -> limits.Limit:
    return limits.OVERALL_SUMMARY if part == OVERALL else limits.DOMAIN_SUMMARY


def problem(part: str, text: str | None) -> str | None:
    """Why this summary cannot be saved as it is (too long), or None."""
    return limit_for(part).problem(text)


def device_ref(part: str) -> str:
    """`D1` → `summary_D1`: the summary's name on the page and in the device's queue."""
    return f"{DEVICE_PREFIX}{part}"


def part_of(ref: str) -> str | None:
    """`summary_D1` → `D1`; None for anything that is not a summary's device reference."""
    if not ref.startswith(DEVICE_PREFIX) or len(ref) == len(DEVICE_PREFIX):
        return None
    return ref[len(DEVICE_PREFIX) :]


def heading(part: str, domain_titles: dict[str, str]) -> str:
    """How the page and the report name the summary."""
    if part == OVERALL:
        return "Overall summary"
    return f"Summary: {domain_titles.get(part, part)}"
