"""The visit programme (issue 20): services due and overdue by month, each officer's planned
visits against capacity, planning a visit in place, a month calendar, a cluster's month planned
in one step (previewed first), and each officer's private iCalendar feed.

Managers and administrators plan anyone's visits and set capacities; officers see everything
and plan their own visits. Providers get 404 (the staff side does not exist for them)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from qa_app.domain.codes import RAG_LABELS, SERVICE_TYPES
from qa_app.domain.roles import can_decide
from qa_app.services import programme, programme_feed, registry
from qa_app.services.calendar import london_today
from qa_app.services.errors import Conflict, NotFound, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import one_of, page_number, posted_id
from qa_app.web.staff import bp


def _filters(args) -> programme.Filters:
    return programme.Filters(
        cluster=(args.get("cluster") or "").strip()[:100],
        service_type=one_of(args.get("service_type"), SERVICE_TYPES),
        officer_id=posted_id(args.get("officer")),
        risk=one_of(args.get("risk"), RAG_LABELS),
        unplanned=args.get("unplanned") == "1",
        page=page_number(args.get("page")),
    )


def _options(choices: list[tuple[int, str]]):
    """The <option>s of the officer select in each row, escaped once for the page (50 rows of
    up to a few hundred staff): each row's copy differs only in which one is selected."""
    each = [
        (
            uid,
            Markup('<option value="{}">{}</option>').format(uid, name),
            Markup('<option value="{}" selected>{}</option>').format(uid, name),
        )
        for uid, name in choices
    ]

    def options_for(selected: int | None) -> Markup:
        return Markup("").join(chosen if uid == selected else plain for uid, plain, chosen in each)

    return options_for


def _page(filters: programme.Filters, problems: dict[str, str] | None = None, status=200):
    view = programme.programme(filters)
    staff = registry.staff_users()
    # managers and administrators plan anyone's visits; an officer their own
    assignable = staff if can_decide(current_user.role) else [(current_user.id, current_user.name)]
    args = {
        k: v
        for k, v in request.values.items()
        if k in ("cluster", "service_type", "officer", "risk", "unplanned")
    }
    return (
        render_template(
            "staff/programme/index.html",
            view=view,
            filters=filters,
            loads=programme.loads(view.months[:3]),
            clusters=registry.cluster_names(),
            staff=staff,
            officer_options=_options(assignable),
            service_types=SERVICE_TYPES,
            problems=problems or {},
            args=args,
            may_decide=can_decide(current_user.role),
            section="programme",
        ),
        status,
    )


@bp.get("/programme")
@staff_required
def programme_page():
    return _page(_filters(request.args))


def _posted_date(prefix: str) -> date | None:
    try:
        return date.fromisoformat((request.form.get(prefix) or "").strip())
    except ValueError:
        return None


@bp.post("/programme/plan")
@staff_required
def programme_plan():
    service_id = posted_id(request.form.get("service_id"))
    officer_id = posted_id(request.form.get("officer_id"))
    try:
        made = programme.plan_visit(
            web_actor(), current_user, service_id, officer_id, _posted_date("visit_date")
        )
    except (ValidationFailed, Conflict) as refused:
        errors = refused.errors if isinstance(refused, ValidationFailed) else {"": refused.message}
        problems = {
            (f"{name}-{service_id}" if name in ("officer_id", "visit_date") else ""): message
            for name, message in errors.items()
        }
        return _page(_filters(request.form), problems, 422)
    flash(f"Visit to {made.service.name} planned for {made.visit_date:%-d %B %Y}", "success")
    return redirect(url_for("staff.programme_page", **_kept(request.form)))


def _kept(values) -> dict:
    return {
        k: v
        for k, v in values.items()
        if k in ("cluster", "service_type", "officer", "risk", "unplanned", "page") and v
    }


@bp.post("/programme/capacity/<int:user_id>")
@staff_required
def programme_capacity(user_id: int):
    if not can_decide(current_user.role):
        abort(403)
    try:
        user = programme.set_capacity(web_actor(), user_id, request.form.get("capacity", ""))
    except NotFound:
        abort(404)
    except ValidationFailed as refused:
        return _page(_filters(request.form), refused.errors, 422)
    flash(f"{user.name} can make {user.visits_per_month} visits a month", "success")
    return redirect(url_for("staff.programme_page", **_kept(request.form)))


@bp.get("/programme/calendar")
@staff_required
def programme_calendar():
    problems = {}
    month_text = request.args.get("month")
    try:
        month = (
            programme.month_ahead(month_text)
            if month_text
            else programme.months_ahead(london_today())[0]
        )
    except ValidationFailed as refused:
        problems = refused.errors
        month = programme.months_ahead(london_today())[0]
    officer_id = posted_id(request.args.get("officer"))
    return (
        render_template(
            "staff/programme/calendar.html",
            month=month,
            weeks=programme_feed.weeks(month, programme.planned_in(month, officer_id)),
            months=programme.months_ahead(london_today()),
            staff=registry.staff_users(),
            officer_id=officer_id,
            problems=problems,
            section="programme",
        ),
        422 if problems else 200,
    )


@bp.route("/programme/bulk", methods=["GET", "POST"])
@staff_required
def programme_bulk():
    if not can_decide(current_user.role):
        abort(403)
    values = request.values
    clusters = registry.cluster_names()
    months = programme.months_ahead(london_today())
    plan, problems = None, {}
    if values.get("cluster") or values.get("month") or request.method == "POST":
        try:
            if request.method == "POST":
                made = programme.bulk_confirm(
                    web_actor(),
                    current_user,
                    values.get("cluster", ""),
                    values.get("month"),
                    values.get("fingerprint", ""),
                )
                flash(
                    f"{len(made)} visit{'' if len(made) == 1 else 's'} planned in "
                    f"{values.get('cluster')} for {programme.month_ahead(values.get('month')).label}",
                    "success",
                )
                return redirect(url_for("staff.programme_calendar", month=values.get("month")))
            plan = programme.bulk_preview(values.get("cluster", ""), values.get("month"))
        except ValidationFailed as refused:
            problems = refused.errors
        except Conflict as clash:
            problems = {"": clash.message}
            plan = programme.bulk_preview(values.get("cluster", ""), values.get("month"))
    return (
        render_template(
            "staff/programme/bulk.html",
            plan=plan,
            clusters=clusters,
            months=months,
            chosen_cluster=values.get("cluster", ""),
            chosen_month=values.get("month", ""),
            problems=problems,
            section="programme",
        ),
        422 if problems else 200,
    )


# ---------------------------------------------------------------- the iCalendar feed


@bp.get("/programme/feed")
@staff_required
def programme_feed_page():
    return render_template(
        "staff/programme/feed.html",
        has_feed=current_user.calendar_token_hash is not None,
        created_at=current_user.calendar_token_created_at,
        feed_url=None,
        section="programme",
    )


@bp.post("/programme/feed")
@staff_required
def programme_feed_new():
    secret = programme_feed.new_feed(web_actor(), current_user)
    return render_template(
        "staff/programme/feed.html",
        has_feed=True,
        created_at=current_user.calendar_token_created_at,
        feed_url=url_for("calendar_feed", secret=secret, _external=True),
        section="programme",
    )


@bp.post("/programme/feed/revoke")
@staff_required
def programme_feed_revoke():
    programme_feed.revoke_feed(web_actor(), current_user)
    flash("Your calendar feed address no longer works", "success")
    return redirect(url_for("staff.programme_feed_page"))
