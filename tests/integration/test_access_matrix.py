"""Every registered endpoint, for every kind of user. A new route without a row here fails.

Expected outcomes:
  302 = sent to sign in · 401 = API asks for a token · 403 = staff without permission ·
  404 = not there for this user (providers must not learn what exists) · 200/302/... = allowed.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import OutboxEmail
from qa_app.services import (
    assessments,
    concerns,
    cqc_import,
    notices,
    plans,
    queue,
    registry,
    standards,
    users,
)
from qa_app.services.actors import Actor
from qa_app.services.transaction import unit_of_work
from tests.support.spreadsheets import write_csv

ROLES = ("anonymous", "provider_a", "provider_b", "officer", "manager", "admin")

STAFF_PAGE = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
ADMIN_PAGE = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 403,
    "manager": 403,
    "admin": 200,
}
ADMIN_POST = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 403,
    "manager": 403,
    "admin": 302,
}
PORTAL_PAGE = {
    "anonymous": 302,
    "provider_a": 200,
    "provider_b": 200,
    "officer": 404,
    "manager": 404,
    "admin": 404,
}
PORTAL_A_ONLY = {
    "anonymous": 302,
    "provider_a": 200,
    "provider_b": 404,
    "officer": 404,
    "manager": 404,
    "admin": 404,
}
SIGNED_IN = {
    "anonymous": 302,
    "provider_a": 200,
    "provider_b": 200,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
SIGN_OUT = {
    "anonymous": 302,
    "provider_a": 302,
    "provider_b": 302,
    "officer": 302,
    "manager": 302,
    "admin": 302,
}
PUBLIC = dict.fromkeys(ROLES, 200)
API_READ_ALL = {
    "anonymous": 401,
    "provider_a": 200,
    "provider_b": 200,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
API_READ_A = {
    "anonymous": 401,
    "provider_a": 200,
    "provider_b": 404,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
# what a provider may not do is not there for it: 404, never 403 (SPEC section 10)
API_STAFF_CREATE = {
    "anonymous": 401,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 201,
    "manager": 201,
    "admin": 201,
}
API_STAFF_ONLY = {
    "anonymous": 401,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
# review steps on a planned assessment: officers may not review; managers are told it is not ready
API_REVIEW = {
    "anonymous": 401,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 403,
    "manager": 409,
    "admin": 409,
}
STAFF_POST = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 302,
    "manager": 302,
    "admin": 302,
}
# a staff step the plan's state does not allow yet: staff reach it and are told why (the page
# again, with the reason), everyone else is turned away as for any staff page
STAFF_STEP_REFUSED = {**STAFF_POST, "officer": 409, "manager": 409, "admin": 409}
# a review step on an assessment not at that step: officers may not review; managers are told
# why, on the page
STAFF_REVIEW_REFUSED = {**STAFF_STEP_REFUSED, "officer": 403}
# the QuAD meeting's record: managers (and administrators) write it; officers only read it
MANAGER_PAGE = {**STAFF_PAGE, "officer": 403}
MANAGER_POST = {**STAFF_POST, "officer": 403}
# a planned assessment is not in the portal at all
PORTAL_NONE = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 404,
    "manager": 404,
    "admin": 404,
}
API_PATCH_A = {
    "anonymous": 401,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 200,
    "manager": 200,
    "admin": 200,
}
# a form sent empty: staff see it again with what is missing, status 422
STAFF_FORM_REFUSED = {**STAFF_PAGE, "officer": 422, "manager": 422, "admin": 422}
# a manager's decision on a notice: officers are told no
STAFF_DECIDE = {
    "anonymous": 302,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 403,
    "manager": 302,
    "admin": 302,
}
API_DECIDE = {
    "anonymous": 401,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 403,
    "manager": 200,
    "admin": 200,
}
# the step does not apply to this notice: managers are told why
API_DECIDE_REFUSED = {**API_DECIDE, "manager": 409, "admin": 409}
PORTAL_A_POST = {**PORTAL_A_ONLY, "provider_a": 302}
# council steps on a plan that is not at that step yet: providers do not see them at all
API_PLAN_STAFF_STEP = {
    "anonymous": 401,
    "provider_a": 404,
    "provider_b": 404,
    "officer": 409,
    "manager": 409,
    "admin": 409,
}
# provider steps: staff are told only the provider may; the other provider sees nothing
API_PLAN_PROVIDER = {
    "anonymous": 401,
    "provider_a": 200,
    "provider_b": 404,
    "officer": 403,
    "manager": 403,
    "admin": 403,
}
API_PROVIDER_A = API_PLAN_PROVIDER  # the provider's response to a notice's requirement

# endpoint: (method, path template, expected, json body or form data)
MATRIX = {
    "index": ("GET", "/", {"anonymous": 302, **dict.fromkeys(ROLES[1:], 302)}, None),
    "static": ("GET", "/static/app.css", PUBLIC, None),
    "service_worker": ("GET", "/service-worker.js", PUBLIC, None),
    "healthz": ("GET", "/healthz", PUBLIC, None),
    "govuk_assets": ("GET", "/assets/manifest.json", PUBLIC, None),
    "auth.sign_in": ("GET", "/sign-in", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}, None),
    "auth.sign_out": ("POST", "/sign-out", SIGN_OUT, {}),
    "auth.change_password": ("GET", "/account/password", SIGNED_IN, None),
    "auth.session_in_use": (
        "GET",
        "/account/session",
        {"anonymous": 401, **dict.fromkeys(ROLES[1:], 204)},
        None,
    ),
    "auth.set_password": ("GET", "/set-password/not-a-real-token", dict.fromkeys(ROLES, 404), None),
    "account.notifications": ("GET", "/notifications", SIGNED_IN, None),
    # provider A's own notification: opening it goes to its page; to anyone else it is missing
    "account.notification_open": (
        "GET",
        "/notifications/{notification_a}",
        {**dict.fromkeys(ROLES, 404), "anonymous": 302, "provider_a": 302},
        None,
    ),
    "account.notifications_read_all": ("POST", "/notifications/read", SIGN_OUT, {}),
    "account.your_account": ("GET", "/account", SIGNED_IN, None),
    "auth.forgot_password": ("GET", "/forgot-password", PUBLIC, None),
    "auth.forgot_password_sent": ("GET", "/forgot-password/sent", PUBLIC, None),
    "staff.home": ("GET", "/home", STAFF_PAGE, None),
    "staff.service_list": ("GET", "/services", STAFF_PAGE, None),
    "staff.service_page": ("GET", "/services/{service_a}", STAFF_PAGE, None),
    "staff.service_new": ("GET", "/services/new", STAFF_PAGE, None),
    "staff.service_edit": ("GET", "/services/{service_a}/edit", STAFF_PAGE, None),
    "staff.service_close": ("GET", "/services/{service_a}/close", MANAGER_PAGE, None),
    # the service is open: a manager is told there is nothing to reopen (the page again)
    "staff.service_reopen": (
        "POST",
        "/services/{service_a}/reopen",
        {**MANAGER_POST, "manager": 409, "admin": 409},
        {},
    ),
    "staff.provider_list": ("GET", "/providers", STAFF_PAGE, None),
    "staff.provider_page": ("GET", "/providers/{provider_a}", STAFF_PAGE, None),
    "staff.provider_new": ("GET", "/providers/new", STAFF_PAGE, None),
    "staff.provider_edit": ("GET", "/providers/{provider_a}/edit", STAFF_PAGE, None),
    "staff.assessment_list": ("GET", "/assessments", STAFF_PAGE, None),
    "staff.assessment_new": ("GET", "/services/{service_a}/assessments/new", STAFF_PAGE, None),
    "staff.assessment_page": ("GET", "/assessments/{assessment_a}", STAFF_PAGE, None),
    "staff.assessment_record": ("GET", "/assessments/{assessment_a}/record/D1", STAFF_PAGE, None),
    "staff.assessment_submit": (
        "POST",
        "/assessments/{assessment_a}/submit",
        {**STAFF_PAGE, "officer": 422, "manager": 422, "admin": 422},
        {},
    ),
    "staff.assessment_report": ("GET", "/assessments/{assessment_a}/report", STAFF_PAGE, None),
    "staff.assessment_return": (
        "POST",
        "/assessments/{assessment_a}/return",
        STAFF_REVIEW_REFUSED,
        {"comment": "x"},
    ),
    "staff.assessment_share": (
        "POST",
        "/assessments/{assessment_a}/share-draft",
        STAFF_REVIEW_REFUSED,
        {},
    ),
    "staff.assessment_publish": (
        "POST",
        "/assessments/{assessment_a}/publish",
        STAFF_REVIEW_REFUSED,
        {},
    ),
    "staff.assessment_pdf": ("GET", "/assessments/{assessment_a}/report.pdf", STAFF_PAGE, None),
    "portal.assessment_pdf": (
        "GET",
        "/portal/assessments/{assessment_a}/report.pdf",
        PORTAL_NONE,
        None,
    ),
    "portal.assessment_report": ("GET", "/portal/assessments/{assessment_a}", PORTAL_NONE, None),
    "portal.assessment_comment": (
        "POST",
        "/portal/assessments/{assessment_a}/comments",
        PORTAL_NONE,
        {"text": "x"},
    ),
    "api.return_assessment": (
        "POST",
        "/api/v1/assessments/{assessment_a}/return",
        API_REVIEW,
        {"comment": "x"},
    ),
    "api.share_draft": ("POST", "/api/v1/assessments/{assessment_a}/share-draft", API_REVIEW, {}),
    "api.publish_assessment": (
        "POST",
        "/api/v1/assessments/{assessment_a}/publish",
        API_REVIEW,
        {},
    ),
    "staff.comment_answer": (
        "POST",
        "/assessments/{assessment_shared}/comments/{comment_a}/answer",
        STAFF_DECIDE,  # a manager answers; an officer only once the draft is returned to them
        {"decision": "accepted", "text": "x"},
    ),
    "api.answer_comment": (
        "PUT",
        "/api/v1/assessments/{assessment_shared}/comments/{comment_a}/answer",
        API_DECIDE,
        {"decision": "accepted", "text": "x"},
    ),
    "staff.assessment_correct": (
        "POST",
        "/assessments/{assessment_a}/correct",
        STAFF_REVIEW_REFUSED,
        {"reason": "x"},
    ),
    "api.revise_assessment": (
        "POST",
        "/api/v1/assessments/{assessment_a}/revise",
        API_REVIEW,
        {"reason": "x"},
    ),
    "staff.concern_list": ("GET", "/concerns", STAFF_PAGE, None),
    "staff.concern_new": ("GET", "/services/{service_a}/concerns/new", STAFF_PAGE, None),
    "staff.concern_page": ("GET", "/concerns/{concern_a}", STAFF_PAGE, None),
    "staff.clock_record": ("GET", "/concerns/clock-record", STAFF_PAGE, None),
    "api.clock_record": (
        "GET",
        "/api/v1/concerns/clock-record?from=2026-11-01&to=2026-11-30",
        API_STAFF_ONLY,
        None,
    ),
    "staff.concern_step": ("POST", "/concerns/{concern_a}/respond", STAFF_POST, {"action": "call"}),
    "api.create_concern": (
        "POST",
        "/api/v1/concerns",
        API_STAFF_CREATE,
        {
            "service_id": "{service_a}",
            "risk_level": "low",
            "received_at": "2026-11-20T10:00:00+00:00",
            "source": "complaint",
            "summary": "x",
        },
    ),
    "api.list_concerns": ("GET", "/api/v1/concerns", API_STAFF_ONLY, None),
    "api.get_concern": ("GET", "/api/v1/concerns/{concern_a}", API_STAFF_ONLY, None),
    "api.respond_concern": (
        "POST",
        "/api/v1/concerns/{concern_b}/respond",
        API_STAFF_ONLY,
        {"action": "call"},
    ),
    "api.close_concern": (
        "POST",
        "/api/v1/concerns/{concern_c}/close",
        API_STAFF_ONLY,
        {"outcome": "resolved"},
    ),
    "api.escalate_concern": (
        "POST",
        "/api/v1/concerns/{concern_d}/escalate",
        API_STAFF_ONLY,
        {"reason": "x"},
    ),
    "staff.notice_list": ("GET", "/notices", STAFF_PAGE, None),
    "staff.notice_page": ("GET", "/notices/{notice_draft}", STAFF_PAGE, None),
    "staff.notice_draft": ("POST", "/notices/{notice_draft}/draft", STAFF_POST, {"grounds": "x"}),
    "staff.notice_requirement_add": (
        "POST",
        "/notices/{notice_draft}/requirements",
        STAFF_FORM_REFUSED,
        {},
    ),
    "staff.notice_requirement_remove": (
        "POST",
        "/notices/{draft_remove}/requirements/{draft_remove_requirement}/remove",
        STAFF_POST,
        {},
    ),
    "staff.notice_requirement_assess": (
        "POST",
        "/notices/{issued_assess}/requirements/{issued_assess_requirement}/assess",
        STAFF_POST,
        {"status": "met"},
    ),
    "staff.notice_step": ("POST", "/notices/{draft_issue}/issue", STAFF_DECIDE, {}),
    "staff.notice_stop_set": (
        "POST",
        "/notices/{notice_issued}/placement-stop",
        {**STAFF_DECIDE, "manager": 422, "admin": 422},  # a manager is told what is missing
        {},
    ),
    "staff.notice_letter_pdf": ("GET", "/notices/{notice_issued}/letter.pdf", STAFF_PAGE, None),
    "staff.notice_file": ("GET", "/notices/files/{notice_file}", STAFF_PAGE, None),
    "staff.market_overview": ("GET", "/market", STAFF_PAGE, None),
    "portal.notice_page": ("GET", "/portal/notices/{notice_issued}", PORTAL_A_ONLY, None),
    "portal.notice_respond": (
        "POST",
        "/portal/notices/{notice_issued}/requirements/{notice_issued_requirement}/respond",
        PORTAL_A_POST,
        {"response": "x"},
    ),
    "portal.notice_letter_pdf": (
        "GET",
        "/portal/notices/{notice_issued}/letter.pdf",
        PORTAL_A_ONLY,
        None,
    ),
    "portal.notice_file": ("GET", "/portal/notices/files/{notice_file}", PORTAL_A_ONLY, None),
    "api.list_notices": ("GET", "/api/v1/notices", API_READ_ALL, None),
    "api.get_notice": ("GET", "/api/v1/notices/{notice_issued}", API_READ_A, None),
    "api.change_draft": (
        "PATCH",
        "/api/v1/notices/{notice_draft}",
        API_STAFF_ONLY,
        {"grounds": "x"},
    ),
    "api.add_requirement": (
        "POST",
        "/api/v1/notices/{notice_draft}/requirements",
        API_STAFF_CREATE,
        {"text": "x", "due_date": "2030-01-01"},
    ),
    "api.issue_notice": ("POST", "/api/v1/notices/{draft_api_issue}/issue", API_DECIDE, {}),
    "api.notice_lift": ("POST", "/api/v1/notices/{notice_issued}/lift", API_DECIDE_REFUSED, {}),
    "api.notice_escalate": (
        "POST",
        "/api/v1/notices/{issued_escalate}/escalate",
        API_DECIDE,
        {"note": "x"},
    ),
    "api.notice_withdraw": (
        "POST",
        "/api/v1/notices/{draft_withdraw}/withdraw",
        API_DECIDE,
        {"note": "x"},
    ),
    "api.notice_remedy": ("POST", "/api/v1/notices/{notice_issued}/remedy", API_DECIDE_REFUSED, {}),
    "api.notice_recommend_termination": (
        "POST",
        "/api/v1/notices/{notice_issued}/recommend-termination",
        API_DECIDE_REFUSED,
        {"note": "x"},
    ),
    "api.notice_set_placement_stop": (
        "POST",
        "/api/v1/notices/{notice_issued}/placement-stop",
        API_DECIDE,
        {"start_date": "2031-01-01", "note": "x"},
    ),
    "api.notice_lift_placement_stop": (
        "POST",
        "/api/v1/notices/{notice_issued}/lift-placement-stop",
        API_DECIDE,
        {"note": "x"},
    ),
    "api.respond_requirement": (
        "POST",
        "/api/v1/notices/{notice_issued}/requirements/{notice_issued_requirement}/respond",
        API_PROVIDER_A,
        {"response": "x"},
    ),
    "api.assess_requirement": (
        "POST",
        "/api/v1/notices/{issued_api_assess}/requirements/{issued_api_assess_requirement}/assess",
        API_STAFF_ONLY,
        {"status": "met"},
    ),
    "staff.standard_sets": ("GET", "/standards", STAFF_PAGE, None),
    "staff.standard_set": ("GET", "/standards/home_support/1", STAFF_PAGE, None),
    "staff.standard_set_compare": (
        "GET",
        "/standards/home_support/compare?from=1&to=1",
        STAFF_PAGE,
        None,
    ),
    "api.list_standard_sets": ("GET", "/api/v1/standard-sets", API_READ_ALL, None),
    "api.get_standard_set": ("GET", "/api/v1/standard-sets/home_support/1", API_READ_ALL, None),
    "admin.standards_upload": ("GET", "/admin/standards/upload", ADMIN_PAGE, None),
    "admin.standards_upload_confirm": ("POST", "/admin/standards/upload/confirm", ADMIN_POST, {}),
    "admin.user_list": ("GET", "/admin/users", ADMIN_PAGE, None),
    "admin.email_list": ("GET", "/admin/emails", ADMIN_PAGE, None),
    "admin.email_send_again": ("POST", "/admin/emails/{failed_email}/send-again", ADMIN_POST, {}),
    "admin.user_new": ("GET", "/admin/users/new", ADMIN_PAGE, None),
    "admin.user_page": ("GET", "/admin/users/{target_user}", ADMIN_PAGE, None),
    "admin.user_deactivate": ("POST", "/admin/users/{target_user}/deactivate", ADMIN_POST, {}),
    "admin.user_reactivate": ("POST", "/admin/users/{target_user}/reactivate", ADMIN_POST, {}),
    "admin.user_reinvite": ("POST", "/admin/users/{target_user}/invite", ADMIN_POST, {}),
    "admin.token_create": (
        "POST",
        "/admin/users/{target_user}/tokens",
        {**ADMIN_POST, "admin": 200},
        {"name": "x"},
    ),
    "admin.token_revoke": ("POST", "/admin/tokens/{target_token}/revoke", ADMIN_POST, {}),
    "admin.job_list": ("GET", "/admin/jobs", ADMIN_PAGE, None),
    "admin.job_retry": ("POST", "/admin/jobs/{failed_job}/retry", ADMIN_POST, {}),
    "staff.plan_list": ("GET", "/plans", STAFF_PAGE, None),
    "staff.plan_page": ("GET", "/plans/{plan_a}", STAFF_PAGE, None),
    "staff.plan_issue_add": ("POST", "/plans/{plan_a}/issues", STAFF_POST, {"title": "x"}),
    "staff.plan_issue_withdraw": (
        "POST",
        "/plans/issues/{issue_c}/withdraw",
        STAFF_POST,
        {"reason": "x", "plan_id": "{plan_a}"},
    ),
    "staff.plan_review": (
        "POST",
        "/plans/{plan_a}/review",
        STAFF_STEP_REFUSED,
        {"decision": "accept"},
    ),
    "staff.plan_action_check": (
        "POST",
        "/plans/actions/{action_a}/check",
        STAFF_STEP_REFUSED,
        {"decision": "verify", "plan_id": "{plan_a}"},
    ),
    "staff.plan_pdf": ("GET", "/plans/{plan_a}/plan.pdf", STAFF_PAGE, None),
    "staff.plan_xlsx": ("GET", "/plans/{plan_a}/plan.xlsx", STAFF_PAGE, None),
    "staff.evidence_download": ("GET", "/plans/evidence/{file_a}", STAFF_PAGE, None),
    "portal.plan_page": ("GET", "/portal/plans/{plan_a}", PORTAL_A_ONLY, None),
    "portal.action_new": ("GET", "/portal/plans/issues/{issue_a}/actions/new", PORTAL_A_ONLY, None),
    "portal.action_edit": ("GET", "/portal/plans/actions/{action_a}/edit", PORTAL_A_ONLY, None),
    "portal.action_progress": (
        "GET",
        "/portal/plans/actions/{action_a}/progress",
        PORTAL_A_ONLY,
        None,
    ),
    # issues b and c have no action yet: the provider is told so on the plan page
    "portal.plan_submit": (
        "POST",
        "/portal/plans/{plan_a}/submit",
        {**PORTAL_A_ONLY, "provider_a": 409},
        {},
    ),
    "portal.plan_pdf": ("GET", "/portal/plans/{plan_a}/plan.pdf", PORTAL_A_ONLY, None),
    "portal.plan_xlsx": ("GET", "/portal/plans/{plan_a}/plan.xlsx", PORTAL_A_ONLY, None),
    "portal.evidence_download": ("GET", "/portal/plans/evidence/{file_a}", PORTAL_A_ONLY, None),
    "api.get_service_plan": (
        "GET",
        "/api/v1/services/{service_a}/improvement-plan",
        API_READ_A,
        None,
    ),
    "api.get_plan": ("GET", "/api/v1/improvement-plans/{plan_a}", API_READ_A, None),
    "api.add_plan_issue": (
        "POST",
        "/api/v1/improvement-plans/{plan_a}/issues",
        API_STAFF_CREATE,
        {"title": "x"},
    ),
    "api.withdraw_plan_issue": (
        "POST",
        "/api/v1/plan-issues/{issue_b}/withdraw",
        API_STAFF_ONLY,
        {"reason": "x"},
    ),
    "api.add_plan_action": (
        "POST",
        "/api/v1/plan-issues/{issue_b}/actions",
        {**API_PLAN_PROVIDER, "provider_a": 201},
        {
            "description": "x",
            "owner": "x",
            "target_date": "{target}",
            "success_measure": "x",
        },
    ),
    "api.change_plan_action": (
        "PATCH",
        "/api/v1/plan-actions/{action_a}",
        API_PLAN_PROVIDER,
        {"owner": "Someone else"},
    ),
    # the plan is not accepted yet (409); for the provider, one issue still has no action
    "api.record_plan_progress": (
        "POST",
        "/api/v1/plan-actions/{action_a}/progress",
        {**API_PLAN_PROVIDER, "provider_a": 409},
        {"progress_evidence": "x"},
    ),
    "api.submit_plan": (
        "POST",
        "/api/v1/improvement-plans/{plan_a}/submit",
        {**API_PLAN_PROVIDER, "provider_a": 409},
        {},
    ),
    "api.accept_plan": (
        "POST",
        "/api/v1/improvement-plans/{plan_a}/accept",
        API_PLAN_STAFF_STEP,
        {},
    ),
    "api.return_plan": (
        "POST",
        "/api/v1/improvement-plans/{plan_a}/return",
        API_PLAN_STAFF_STEP,
        {"comments": "x"},
    ),
    "api.verify_plan_action": (
        "POST",
        "/api/v1/plan-actions/{action_a}/verify",
        API_PLAN_STAFF_STEP,
        {},
    ),
    "api.reopen_plan_action": (
        "POST",
        "/api/v1/plan-actions/{action_a}/reopen",
        API_PLAN_STAFF_STEP,
        {"reason": "x"},
    ),
    "portal.home": ("GET", "/portal/", PORTAL_PAGE, None),
    "portal.service_page": ("GET", "/portal/services/{service_a}", PORTAL_A_ONLY, None),
    "api.openapi_json": ("GET", "/api/v1/openapi.json", PUBLIC, None),
    "api.list_providers": ("GET", "/api/v1/providers", API_READ_ALL, None),
    "api.get_provider": ("GET", "/api/v1/providers/{provider_a}", API_READ_A, None),
    "api.create_provider": ("POST", "/api/v1/providers", API_STAFF_CREATE, {"name": "New {role}"}),
    "api.list_services": ("GET", "/api/v1/services", API_READ_ALL, None),
    "api.get_service": ("GET", "/api/v1/services/{service_a}", API_READ_A, None),
    "api.create_service": (
        "POST",
        "/api/v1/services",
        API_STAFF_CREATE,
        {
            "name": "New {role}",
            "provider_id": "{provider_a}",
            "service_type": "home_support",
            "cluster": "N",
        },
    ),
    "api.create_assessment": (
        "POST",
        "/api/v1/assessments",
        {**API_STAFF_CREATE},
        {"service_id": "{service_a}", "visit_date": "2026-11-20"},
    ),
    "api.get_assessment": ("GET", "/api/v1/assessments/{assessment_a}", API_STAFF_ONLY, None),
    "api.put_answer": (
        "PUT",
        "/api/v1/assessments/{assessment_a}/answers/QA01.1",
        API_STAFF_ONLY,
        {"score": 3},
    ),
    # photos on answers (issue 15): seen by whoever may read the assessment, added and removed
    # by staff while it may be recorded (the matrix sends JSON, so staff are told to send multipart/form-data)
    "staff.answer_photo": (
        "GET",
        "/assessments/{assessment_a}/photos/{photo_a}?size=thumbnail",
        STAFF_PAGE,
        None,
    ),
    "portal.answer_photo": (
        "GET",
        "/portal/assessments/{assessment_shared}/photos/{photo_shared}?size=thumbnail",
        PORTAL_A_ONLY,
        None,
    ),
    "api.add_photo": (
        "POST",
        "/api/v1/assessments/{assessment_a}/answers/QA01.1/photos",
        {**API_STAFF_ONLY, "officer": 400, "manager": 400, "admin": 400},
        {"client_id": "photo-{role}"},
    ),
    "api.remove_photo": (
        "DELETE",
        "/api/v1/assessments/{assessment_a}/photos/{photo_b}",
        {**API_STAFF_ONLY, "officer": 204, "manager": 204, "admin": 204},
        None,
    ),
    "staff.answer_photo_remove": (
        "POST",
        "/assessments/{assessment_a}/photos/{photo_a}/remove",
        STAFF_POST,
        {},
    ),
    "api.put_summary": (
        "PUT",
        "/api/v1/assessments/{assessment_a}/summaries/overall",
        API_STAFF_ONLY,
        {"text": "An overall summary"},
    ),
    "api.submit_assessment": (
        "POST",
        "/api/v1/assessments/{assessment_a}/submit",
        {**API_STAFF_ONLY, "officer": 422, "manager": 422, "admin": 422},
        {},
    ),
    "staff.cqc_import_list": ("GET", "/cqc-imports", STAFF_PAGE, None),
    "staff.cqc_import_new": ("GET", "/cqc-imports/new", STAFF_PAGE, None),
    "staff.cqc_import_page": ("GET", "/cqc-imports/{cqc_import}", STAFF_PAGE, None),
    "staff.cqc_import_progress": ("GET", "/cqc-imports/{cqc_import}/progress", STAFF_PAGE, None),
    # the import was confirmed already: staff are told so on its page
    "staff.cqc_import_commit": (
        "POST",
        "/cqc-imports/{cqc_import}/commit",
        STAFF_STEP_REFUSED,
        {},
    ),
    "staff.cqc_import_discard": (
        "POST",
        "/cqc-imports/{cqc_import}/discard",
        STAFF_STEP_REFUSED,
        {},
    ),
    "staff.cqc_import_successors": (
        "POST",
        "/cqc-imports/{cqc_import}/successors",
        STAFF_STEP_REFUSED,
        {},
    ),
    "staff.cqc_import_service_types": (
        "POST",
        "/cqc-imports/{cqc_import}/service-types",
        STAFF_STEP_REFUSED,
        {},
    ),
    "staff.cqc_import_closings": (
        "POST",
        "/cqc-imports/{cqc_import}/closings",
        STAFF_STEP_REFUSED,
        {},
    ),
    "staff.service_export": ("GET", "/services/export.csv?cluster=North", STAFF_PAGE, None),
    # the monthly QuAD report counts concerns: staff only, and for a provider it is not there
    "staff.quad_report_page": ("GET", "/reports/quad?month=2026-10", STAFF_PAGE, None),
    "staff.quad_report_pdf": ("GET", "/reports/quad/2026-10.pdf", STAFF_PAGE, None),
    "staff.quad_report_xlsx": ("GET", "/reports/quad/2026-10.xlsx", STAFF_PAGE, None),
    "staff.quad_report_csv": ("GET", "/reports/quad/2026-10.csv", STAFF_PAGE, None),
    "staff.quad_report_list": (
        "GET",
        "/reports/quad/2026-10/concerns.received.high",
        STAFF_PAGE,
        None,
    ),
    "staff.quad_meeting_page": ("GET", "/reports/quad/2026-10/meeting", STAFF_PAGE, None),
    "staff.quad_meeting_details": (
        "GET",
        "/reports/quad/2026-10/meeting/details",
        MANAGER_PAGE,
        None,
    ),
    "staff.quad_meeting_item_new": (
        "GET",
        "/reports/quad/2026-10/meeting/services/new",
        MANAGER_PAGE,
        None,
    ),
    "staff.quad_meeting_action_new": (
        "GET",
        "/reports/quad/2026-10/meeting/services/{meeting_item}/actions/new",
        MANAGER_PAGE,
        None,
    ),
    # November's meeting grades the action October's agreed (carried forward)
    "staff.quad_meeting_progress": (
        "POST",
        "/reports/quad/2026-11/meeting/actions/{meeting_action}/progress",
        MANAGER_POST,
        {"grade": "2"},
    ),
    "staff.quad_meeting_held": ("POST", "/reports/quad/2026-10/meeting/held", MANAGER_POST, {}),
    # the row above has just marked October's meeting held: an addendum is what it takes now
    "staff.quad_meeting_addendum": (
        "POST",
        "/reports/quad/2026-10/meeting/addenda",
        MANAGER_POST,
        {"text": "Later note"},
    ),
    "api.quad_report_json": ("GET", "/api/v1/reports/quad/2026-10", API_STAFF_ONLY, None),
    "api.quad_report_pdf": ("GET", "/api/v1/reports/quad/2026-10.pdf", API_STAFF_ONLY, None),
    "api.quad_report_csv": ("GET", "/api/v1/reports/quad/2026-10.csv", API_STAFF_ONLY, None),
    "api.quad_report_xlsx": ("GET", "/api/v1/reports/quad/2026-10.xlsx", API_STAFF_ONLY, None),
    "api.patch_service": (
        "PATCH",
        "/api/v1/services/{service_a}",
        API_PATCH_A,
        {"cluster": "South"},
    ),
    # the visit programme (issue 20): staff read it and plan (officers their own visits);
    # managers and administrators set capacities and plan a cluster's month
    "staff.programme_page": ("GET", "/programme", STAFF_PAGE, None),
    "staff.programme_calendar": ("GET", "/programme/calendar", STAFF_PAGE, None),
    "staff.programme_plan": (
        "POST",
        "/programme/plan",
        STAFF_POST,
        {"service_id": "{service_a}", "visit_date": "{target}"},
    ),
    "staff.programme_capacity": (
        "POST",
        "/programme/capacity/{target_user}",
        MANAGER_POST,
        {"capacity": "6"},
    ),
    "staff.programme_bulk": ("GET", "/programme/bulk", MANAGER_PAGE, None),
    "staff.programme_feed_page": ("GET", "/programme/feed", STAFF_PAGE, None),
    "staff.programme_feed_new": ("POST", "/programme/feed", STAFF_PAGE, {}),
    "staff.programme_feed_revoke": ("POST", "/programme/feed/revoke", STAFF_POST, {}),
    # an address that is no feed's: the same 404 for everyone, signed in or not
    "calendar_feed": ("GET", "/calendar/cal_unknown.ics", dict.fromkeys(ROLES, 404), None),
}


def test_every_endpoint_has_a_row(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered - set(MATRIX) == set(), "add these endpoints to the access matrix"
    assert set(MATRIX) - registered == set(), "these rows name endpoints that no longer exist"


@pytest.fixture
def world(make, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "QA_EVIDENCE_DIR", str(tmp_path))
    provider_a, provider_b = make.provider(name="Provider A"), make.provider(name="Provider B")
    people = {
        "provider_a": make.user("provider", provider_a),
        "provider_b": make.user("provider", provider_b),
        "officer": make.user("officer"),
        "manager": make.user("manager"),
        "admin": make.user("admin"),
    }
    target = make.user("officer", name="Target User")
    standards.load_directory(Actor.system("cli"))
    service_a = make.service(provider_a)
    assessment_a = assessments.plan(
        Actor.system("cli"),
        people["officer"],
        {"service_id": service_a.id, "visit_date": date(2026, 11, 20)},
    )
    comment_a = _shared_draft_comment(service_a, people)
    concern_ids = [
        concerns.log(
            Actor(people["officer"], "cli"),
            people["officer"],
            {
                "service_id": service_a.id,
                "risk_level": "high",
                "source": "complaint",
                "summary": f"Concern {n}",
                "received_at": datetime(2026, 11, 20, 10, tzinfo=UTC),
            },
        ).id
        for n in range(4)
    ]
    manager = Actor(people["manager"], "cli")

    def notice(service, issued=False):
        draft, _ = notices.draft_for(manager, service.id)
        db.session.commit()
        notices.update_draft(manager, people["manager"], draft.id, "Missed checks", None)
        requirement = notices.add_requirement(
            manager, people["manager"], draft.id, "Train night staff", date(2030, 1, 1)
        )
        if issued:
            notices.issue(manager, people["manager"], draft.id, date(2030, 1, 1))
        return draft.id, requirement.id

    # one notice per step that changes it, so that one step does not make the next one a 409
    notice_ids = {
        "notice_issued": notice(service_a, issued=True),
        "notice_draft": notice(service_a),
        **{
            name: notice(make.service(provider_a), issued=name.startswith("issued"))
            for name in (
                *("draft_remove", "draft_issue", "draft_api_issue", "draft_withdraw"),
                *("issued_assess", "issued_api_assess", "issued_escalate"),
            )
        },
    }
    issued_id, issued_requirement_id = notice_ids["notice_issued"]
    notices.respond_to_requirement(
        Actor(people["provider_a"], "cli"),
        people["provider_a"],
        issued_id,
        issued_requirement_id,
        "Rota attached",
        files=[("rota.png", b"\x89PNG\r\n\x1a\n" + bytes(40))],
    )
    notice_file = notices.response_files(notices.get_notice(people["officer"], issued_id))
    csv_file = tmp_path / "ratings.csv"
    write_csv(csv_file, [])
    cqc = cqc_import.commit_preview(
        Actor.system("cli"), cqc_import.preview_file(csv_file, "ratings.csv", None)
    )
    plan_ids = _plan_for(service_a, people)
    photo_ids = _photos(tmp_path, people, assessment_a.id, comment_a.assessment_id)
    meeting_ids = _meetings(service_a, people["manager"])
    return {
        "people": people,
        "ids": {
            **plan_ids,
            **photo_ids,
            **meeting_ids,
            **{name: ids[0] for name, ids in notice_ids.items()},
            **{f"{name}_requirement": ids[1] for name, ids in notice_ids.items()},
            # one concern per step, so that one step does not make the next one a 409
            **{
                f"concern_{letter}": concern_id
                for letter, concern_id in zip("abcd", concern_ids, strict=True)
            },
            "notice_file": notice_file[issued_requirement_id][0].id,
            "provider_a": provider_a.id,
            "service_a": service_a.id,
            "assessment_a": assessment_a.id,
            "assessment_shared": comment_a.assessment_id,
            "comment_a": comment_a.id,
            "target_user": target.id,
            "cqc_import": cqc.id,
            "target_token": _token_id_for(target),
            "failed_job": _failed_job(),
            "failed_email": _failed_email(people["officer"]),
            "notification_a": _notification_for(people["provider_a"]),
        },
    }


def _shared_draft_comment(service, people):
    """A draft shared with provider A (put in that state directly: its answers do not matter
    here), with the provider's comment on it."""
    from qa_app.models import Assessment
    from qa_app.models.types import utcnow

    draft = assessments.plan(
        Actor.system("cli"),
        people["officer"],
        {"service_id": service.id, "visit_date": date(2026, 11, 2)},
    )
    row = db.session.get(Assessment, draft.id)
    row.status, row.shared_at = "draft_shared", utcnow()
    db.session.commit()
    provider = people["provider_a"]
    return assessments.add_provider_comment(
        Actor(provider, "cli"), provider, draft.id, None, "The visit was on a Monday"
    )


def _photos(folder, people, assessment_id, shared_id) -> dict:
    """Two photos on provider A's assessment being recorded (one to look at and remove on the
    page, one to remove through the API), and one on its shared draft (put there directly, as
    photos are added only while recording)."""
    from qa_app.models import AnswerPhoto
    from qa_app.services import answer_photos
    from tests.support.photos import camera_jpeg

    officer = people["officer"]
    added = [
        answer_photos.add_photo(
            Actor(officer, "cli"),
            officer,
            assessment_id,
            "QA01.1",
            f"{n}.jpg",
            camera_jpeg(80, 60),
            f"photo-{n}-000",
        ).photo.id
        for n in "ab"
    ]
    (folder / "shared.jpg").write_bytes(camera_jpeg(80, 60))
    shared = AnswerPhoto(
        assessment_id=shared_id,
        question_ref="QA01.1",
        client_id="photo-shared-1",
        thumb_name="shared.jpg",
        width=80,
        height=60,
        filename="shared.jpg",
        content_type="image/jpeg",
        size=1,
        stored_name="shared.jpg",
        uploaded_by_label="Officer",
    )
    db.session.add(shared)
    db.session.commit()
    return {"photo_a": added[0], "photo_b": added[1], "photo_shared": shared.id}


def _plan_for(service, people) -> dict:
    """A CQC rating of Requires improvement opens a plan (issue a); two more issues by hand
    (b, c); the provider's action on issue a, with an evidence file."""
    officer, provider = people["officer"], people["provider_a"]
    registry.update_service(
        Actor(officer, "cli"), officer, service.id, {"cqc_rating": "Requires improvement"}, None
    )
    plan = plans.plan_for_service(officer, service.id)
    issue_a = plans.view(plan).issues[0]
    issue_b = plans.add_issue(Actor(officer, "cli"), officer, plan.id, "Issue B", "")
    issue_c = plans.add_issue(Actor(officer, "cli"), officer, plan.id, "Issue C", "")
    action = plans.add_action(
        Actor(provider, "cli"),
        provider,
        issue_a.id,
        {
            "description": "Train",
            "owner": "Manager",
            "target_date": plans.london_today() + timedelta(days=60),
            "success_measure": "Trained",
        },
    )
    file = plans.upload_evidence(
        Actor(provider, "cli"), provider, action.id, "rota.png", b"\x89PNG\r\n\x1a\n" + bytes(40)
    )
    return {
        "plan_a": plan.id,
        "issue_a": issue_a.id,
        "issue_b": issue_b.id,
        "issue_c": issue_c.id,
        "action_a": action.id,
        "file_a": file.id,
        "target": (plans.london_today() + timedelta(days=60)).isoformat(),
    }


def _meetings(service, manager) -> dict:
    """October 2026's QuAD meeting (a draft) discussed the service and agreed an action on
    track; November's meeting has begun (a draft), so the action is carried into it."""
    from qa_app.domain.months import Month
    from qa_app.services import quad_meetings

    actor = Actor(manager, "cli")
    october, november = Month(2026, 10), Month(2026, 11)
    quad_meetings.save_details(actor, manager, october, date(2026, 10, 14), "Jo Bloggs, Council")
    item = quad_meetings.add_item(actor, manager, october, service.id, "Staffing", "")
    action = quad_meetings.add_action(
        actor,
        manager,
        october,
        item.id,
        {"description": "Visit", "owner": "Jo", "target_date": date(2026, 12, 1), "grade": 2},
    )
    quad_meetings.save_details(actor, manager, november, date(2026, 11, 1), "Jo Bloggs, Council")
    return {"meeting_item": item.id, "meeting_action": action.id}


def _failed_job() -> int:
    job = queue.enqueue("cqc_import.read", {"import_id": 0}, max_attempts=1)
    job.status, job.failed_at, job.last_error = "failed", datetime.now(UTC), "ValueError: x"
    db.session.commit()
    return job.id


def _failed_email(user) -> int:
    from qa_app.services import outbox

    with unit_of_work():
        outbox.enqueue(
            "assessment_submitted",
            f"matrix:failed:{user.id}",
            [user],
            {"service_name": "Oak House", "link": outbox.link("staff.home")},
        )
    email = db.session.scalar(
        select(OutboxEmail).where(OutboxEmail.event_key == f"matrix:failed:{user.id}")
    )
    email.status, email.last_error = "failed", "ConnectionRefusedError: x"
    db.session.commit()
    return email.id


def _notification_for(user) -> int:
    from qa_app.services import outbox

    with unit_of_work():
        outbox.enqueue(
            "assessment_published",
            f"matrix:{user.id}",
            [user],
            {"service_name": "Oak House", "link": outbox.link("portal.home")},
        )
    return db.session.scalar(
        select(OutboxEmail.id).where(OutboxEmail.event_key == f"matrix:{user.id}")
    )


def _token_id_for(user) -> int:
    users.create_token(Actor.system("cli"), user)
    return users.tokens_for(user.id)[0].id


def _fill(value, ids, role):
    if isinstance(value, str):
        text = value.format(role=role, **ids)
        return int(text) if text.isdigit() and value.startswith("{") else text
    if isinstance(value, dict):
        return {k: _fill(v, ids, role) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
def test_access(app, make, world, role):
    failures = []
    for endpoint, (method, path, expected, body) in MATRIX.items():
        client = app.test_client()
        headers = {}
        if role != "anonymous":
            user = world["people"][role]
            if path.startswith("/api/"):
                headers["Authorization"] = f"Bearer {users.create_token(Actor.system('cli'), user)}"
            else:
                make.sign_in(client, user)
        url = _fill(path, world["ids"], role)
        if method == "GET":
            response = client.get(url, headers=headers)
        elif path.startswith("/api/"):
            response = client.open(
                url, method=method, json=_fill(body, world["ids"], role), headers=headers
            )
        else:
            response = client.post(url, data=_fill(body, world["ids"], role))
        response.close()
        if response.status_code != expected[role]:
            failures.append(
                f"{endpoint} {method} {url}: {response.status_code}, expected {expected[role]}"
            )
        if (
            role == "anonymous"
            and expected[role] == 302
            and endpoint not in ("index", "auth.sign_in")
        ):
            assert "/sign-in" in response.headers["Location"], endpoint
    assert failures == [], "\n".join(failures)
