"""The staff home page: what needs attention today. A manager's is their dashboard (issue 16,
item 5): each figure a count of exactly what its link lists."""

from flask import render_template
from flask_login import current_user

from qa_app.domain.roles import Role
from qa_app.services import assessment_facts, dashboard, plans, programme
from qa_app.services.calendar import utcnow
from qa_app.web.access import staff_required
from qa_app.web.admin.jobs import periodic_tasks
from qa_app.web.staff import bp


@bp.get("/home")
@staff_required
def home():
    now = utcnow()
    if current_user.role == Role.MANAGER:
        return render_template(
            "staff/manager_home.html",
            board=dashboard.manager_dashboard(now),
            section="home",
        )
    summary = dashboard.staff_summary(current_user)
    # An administrator learns here, not only on Background jobs, that the worker needs attention.
    if current_user.role == Role.ADMIN:
        troubled = [t for t in periodic_tasks() if t.is_failing or t.is_late]
    else:
        troubled = []
    # Officers see their own services' plans; administrators see every plan.
    mine = current_user.role == "officer"
    return render_template(
        "staff/home.html",
        summary=summary,
        plan_counts=plans.staff_counts(current_user if mine else None),
        plan_scope_mine=mine,
        follow_ups=assessment_facts.follow_ups_due(current_user if mine else None),
        concern_counts=dashboard.concern_counts(now),
        visits=programme.visits_of(current_user),
        troubled_tasks=troubled,
        section="home",
    )
