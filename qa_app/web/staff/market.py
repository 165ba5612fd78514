"""The market overview: every service's risk RAG with its reasons, red first."""

from dataclasses import replace

from flask import render_template, request
from flask_login import current_user

from qa_app.services import market
from qa_app.web.access import staff_required
from qa_app.web.staff import bp
from qa_app.web.staff.forms import ServiceFilterForm
from qa_app.web.staff.services import filters_from_request


@bp.get("/market")
@staff_required
def market_overview():
    form = ServiceFilterForm(request.args)
    # the service list's filters, less search, CQC rating and sort (the order is red first)
    filters = replace(filters_from_request(form), q="", cqc_rating="", sort="name")
    rows, page, counts = market.overview(current_user, filters)
    return render_template(
        "staff/market.html",
        filter_form=form,
        filters=filters,
        rows=rows,
        page=page,
        counts=counts,
        section="market",
    )
