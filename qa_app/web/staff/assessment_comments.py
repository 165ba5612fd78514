"""Answering the provider's comments on a draft report: one comment per page, as GOV.UK asks."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import HiddenField, RadioField

from qa_app.domain import limits
from qa_app.domain.draft_comments import DECISION_HINTS, DECISIONS
from qa_app.domain.ratings import SCORE_LABELS
from qa_app.services import assessments
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.web.access import staff_required, web_actor
from qa_app.web.forms import apply_errors, options, posted_id, take_conflict, text_area
from qa_app.web.staff import bp


class CommentAnswerForm(FlaskForm):
    version = HiddenField()
    decision = RadioField(
        "Is the comment accepted?",
        widget=GovRadioInput(),
        choices=options(DECISIONS.items()),
        validate_choice=False,  # the rule says what is wrong, in words
    )
    text = text_area(
        "Your answer",
        limits.ANSWER,
        description="The provider reads this answer, and it is printed in the published report.",
    )


def _page(form, comment, *, refused=None, conflict=None, status=200):
    assessment = assessments.get_assessment(current_user, comment.assessment_id)
    question = next(
        (q for q in assessments.questions_for(assessment) if q.ref == comment.question_ref), None
    )
    return render_template(
        "staff/assessments/answer_comment.html",
        form=form,
        assessment=assessment,
        comment=comment,
        number=_number(assessment, comment),
        question=question,
        finding=assessments.answers_for(assessment).get(comment.question_ref) if question else None,
        score_labels=SCORE_LABELS,
        decisions=DECISIONS,
        decision_items=[{"hint": {"text": DECISION_HINTS[code]}} for code in DECISIONS],
        refused=refused,
        conflict=conflict,
        section="assessments",
    ), status


@bp.route(
    "/assessments/<int:assessment_id>/comments/<int:comment_id>/answer", methods=["GET", "POST"]
)
@staff_required
def comment_answer(assessment_id, comment_id):
    comment = assessments.get_comment(current_user, assessment_id, comment_id)
    assessment = assessments.get_assessment(current_user, assessment_id)
    form = CommentAnswerForm()
    if request.method == "GET":
        saved = assessments.comment_answer_values(comment.answer)
        form.decision.data, form.text.data = saved["decision"], saved["text"]
        form.version.data = saved["version"] or ""
        return _page(form, comment, refused=assessments.may_answer(current_user, assessment))
    if not form.validate_on_submit():  # (CSRFProtect has already checked the token)
        return _page(form, comment, status=422)
    try:
        assessments.answer_comment(
            web_actor(),
            current_user,
            assessment_id,
            comment_id,
            form.decision.data,
            form.text.data,
            posted_id(form.version.data),
        )
    except ValidationFailed as failed:
        apply_errors(form, failed.errors)
        return _page(form, comment, status=422)
    except Conflict as clash:
        take_conflict(form, clash)
        return _page(form, comment, conflict=clash.current or None, status=409)
    flash(f"Your answer to comment {_number(assessment, comment)} has been saved", "success")
    return redirect(
        url_for("staff.assessment_page", assessment_id=assessment_id) + f"#comment-{comment_id}"
    )


def _number(assessment, comment) -> int:
    return next(
        n for n, c in enumerate(assessments.provider_comments(assessment), 1) if c.id == comment.id
    )
