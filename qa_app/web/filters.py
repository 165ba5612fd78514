"""Template filters and globals: dates in Europe/London, labels for codes, page links."""

from datetime import date, datetime
from typing import Any

from flask import Flask, request, url_for
from markupsafe import Markup, escape

from qa_app.domain import concerns as concern_rules
from qa_app.domain import history
from qa_app.domain import notices as notice_rules
from qa_app.domain import plans as plan_rules
from qa_app.domain.clocks import LONDON
from qa_app.domain.codes import RAG_LABELS, SERVICE_TYPES, service_type_label
from qa_app.domain.concerns import ConcernStatus
from qa_app.domain.notices import NoticeStatus
from qa_app.domain.plans import PlanStatus
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.domain.wording import count, long_date, long_datetime
from qa_app.web.forms import error_summary, problem_list
from qa_app.web.views import tag_class


def format_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):  # an ISO date kept in JSON (an import's preview)
        value = date.fromisoformat(value[:10])
    return long_date(value)


def format_datetime(value) -> str:
    if not value:
        return ""
    return long_datetime(value)


def text_lines(value) -> Markup:
    """Text with its line breaks kept as <br>, for places (GOV.UK macros) that re-indent HTML,
    where white-space: pre-wrap would show the indent."""
    return Markup("<br>").join(escape(line) for line in str(value or "").splitlines())


def describe_event(event, names: dict | None = None):
    """An audit event in words (domain.history.describe), for the history tables."""
    return history.describe(event.entity_type, event.action, event.changes, names)


def url_with(_endpoint: str | None = None, **changes) -> str:
    """The current page's address with some query arguments changed (None removes one); the
    list at `_endpoint` instead, when a step's refusal shows the list it was pressed on. An
    argument given more than once (a GOV.UK date's day, month and year boxes) keeps them all."""
    args: dict[str, Any] = {
        key: values[0] if len(values) == 1 else values
        for key, values in request.args.to_dict(flat=False).items()
    }
    for key, value in changes.items():
        if value in (None, ""):
            args.pop(key, None)
        else:
            args[key] = value
    if _endpoint is not None:
        return url_for(_endpoint, **args)
    if request.endpoint is None:  # an address that matched no page
        return request.path
    values: dict[str, Any] = {**(request.view_args or {}), **args}
    return url_for(request.endpoint, **values)


def pagination_params(page, endpoint: str | None = None) -> dict:
    """Parameters for the govukPagination macro (of the list at `endpoint`, when the page is
    answering another address, such as a refused step's)."""
    params: dict = {"items": []}
    if page.number > 1:
        params["previous"] = {"href": url_with(endpoint, page=page.number - 1)}
    if page.number < page.pages:
        params["next"] = {"href": url_with(endpoint, page=page.number + 1)}
    shown = sorted({1, page.pages, page.number - 1, page.number, page.number + 1})
    last = 0
    for number in shown:
        if number < 1 or number > page.pages:
            continue
        if number - last > 1:
            params["items"].append({"ellipsis": True})
        params["items"].append(
            {
                "number": number,
                "href": url_with(endpoint, page=number),
                "current": number == page.number,
            }
        )
        last = number
    return params


def init_app(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(text_lines, "lines")
    app.add_template_filter(count, "count")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(service_type_label, "service_type")
    app.add_template_filter(lambda code: RAG_LABELS.get(code, code), "risk_label")
    app.add_template_global(url_with)
    app.add_template_filter(lambda code: EVIDENCE_SOURCES.get(code, code), "source_label")
    app.add_template_global(describe_event)
    app.add_template_filter(history.entity_label, "entity_label")
    app.add_template_global(history.action_words)
    app.add_template_global(pagination_params)
    app.jinja_env.globals["SERVICE_TYPES"] = SERVICE_TYPES
    # how every page names a notice's kind and status, a requirement's, a concern's, a plan's
    app.jinja_env.globals.update(
        NOTICE_KINDS=notice_rules.KINDS,
        NOTICE_STATUSES=notice_rules.STATUS_LABELS,
        REQUIREMENT_STATUSES=notice_rules.REQUIREMENT_LABELS,
        CONCERN_STATUSES=concern_rules.STATUS_LABELS,
        PLAN_STATUSES=plan_rules.STATUS_LABELS,
    )
    app.add_template_global(date, "date_type")
    app.add_template_global(error_summary)
    app.add_template_global(problem_list)
    app.add_template_filter(lambda text: (text or "")[:1].upper() + (text or "")[1:], "sentence")
    app.add_template_global(lambda: datetime.now(LONDON).date(), "today")
    app.jinja_env.globals["london"] = LONDON
    app.add_template_global(tag_class)
    # the statuses by name, for links to a list filtered by one (pages never compare them:
    # they ask a view, web.views)
    for statuses in (ConcernStatus, NoticeStatus, PlanStatus):
        app.add_template_global(statuses, statuses.__name__)

    @app.context_processor
    def _council():
        return {"council_name": app.config["QA_COUNCIL_NAME"]}
