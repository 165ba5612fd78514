"""Staff pages for assessments: the list, planning, the overview, recording, submitting."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
)
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)

from qa_app.domain import draft_comments, limits
from qa_app.domain.codes import whole_number
from qa_app.domain.lifecycle import EDITABLE, STATUS_LABELS
from qa_app.domain.ratings import SCORE_LABELS
from qa_app.domain.roles import can_decide
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.services import assessments, audit, registry, standards
from qa_app.services.errors import Conflict, Forbidden, ValidationFailed
from qa_app.web import downloads
from qa_app.web.access import staff_required, web_actor
from qa_app.web.assessment_report import report_context
from qa_app.web.forms import (
    ButtonForm,
    DateFilterField,
    GovDateField,
    StepForm,
    StepForms,
    apply_errors,
    at_most,
    one_of,
    options,
    page_number,
    posted_id,
    select_field,
    text_area,
)
from qa_app.web.staff import answer_photos, bp, recording_errors, recording_extras
from qa_app.web.staff.device_state import device_state
from qa_app.web.views import assessment_view


class PlanForm(FlaskForm):
    standard_set = select_field("Standard set")
    visit_date = GovDateField("Visit date", description="For example, 27 11 2026")
    kind = RadioField(
        "Type of assessment",
        widget=GovRadioInput(),
        choices=options(assessments.KINDS.items()),
        default="visit",
    )
    announced = RadioField(
        "Announced or unannounced",
        widget=GovRadioInput(),
        choices=options([("yes", "Announced"), ("no", "Unannounced")]),
        default="yes",
    )
    lead_officer_id = select_field("Lead officer", coerce=posted_id)
    officer_ids = SelectMultipleField(
        "Other officers (optional)",
        widget=GovCheckboxesInput(),
        coerce=posted_id,
        validate_choice=False,
    )


class ReturnForm(StepForm):
    comment = text_area("Or return it to the officer, saying what needs to change", limits.COMMENT)


class CorrectForm(StepForm):
    reason = text_area(
        "Correct this published assessment",
        limits.REASON,
        description="A new revision is started with these answers. This published version "
        "stays as it is, and both stay in the history.",
    )


class AnswerForm(Form):
    """One question's answer on the recording page (its inputs are named "<question>-score"…)."""

    score = StringField()  # 1 to 4, "na", or blank for not scored yet
    na_reason = TextAreaField(validators=[at_most(limits.NA_REASON)])
    evidence = TextAreaField(validators=[at_most(limits.EVIDENCE)])
    sources = SelectMultipleField(validate_choice=False)  # the use case names an unknown one
    version = HiddenField()


def answers_form(keys: list[str], summaries: dict | None = None) -> FlaskForm:
    """The recording page's form: an AnswerForm for each question (by its anchor), the page's
    summaries, and the "Save and continue" button."""
    fields: dict[str, object] = {key: FormField(AnswerForm) for key in keys} | (summaries or {})
    fields["continue"] = BooleanField()
    return type("AnswersForm", (FlaskForm,), fields)()


def _step_forms(posted: StepForm | None = None) -> StepForms:
    return StepForms(posted, give_back=ReturnForm, correct=CorrectForm)


class VisitDatesForm(FlaskForm):
    """The assessment list's visit dates, in GOV.UK's day / month / year boxes like every date
    filter (the clock record's): a date that is not one is explained beside its boxes."""

    class Meta:
        csrf = False  # a GET form: it only reads

    date_from = DateFilterField("Visit from", name="from")
    date_to = DateFilterField("Visit to", name="to")

    def validate_date_to(self, field):
        """A range that ends before it starts is explained; its end then chooses nothing."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            field.data = None
            raise ValidationError("Visit to must be the same as or after visit from")


@bp.get("/assessments")
@staff_required
def assessment_list():
    dates = VisitDatesForm(request.args)
    dates.validate()  # a bad date is shown with its message, and chooses nothing
    filters = assessments.AssessmentFilters(
        status=one_of(request.args.get("status"), STATUS_LABELS),
        officer_id=posted_id(request.args.get("officer_id")),
        cluster=request.args.get("cluster", "")[:100],
        date_from=dates.date_from.data,
        date_to=dates.date_to.data,
        comments=one_of(request.args.get("comments"), assessments.COMMENT_FILTERS),
        page=page_number(request.args.get("page")),
    )
    rows, page = assessments.list_assessments(filters)
    return render_template(
        "staff/assessments/list.html",
        form=dates,
        rows=rows,
        page=page,
        filters=filters,
        statuses=STATUS_LABELS,
        officers=registry.staff_users(),
        clusters=registry.cluster_names(),
        editable_statuses=list(EDITABLE),
        comment_filters=assessments.COMMENT_FILTERS,
        section="assessments",
    )


@bp.route("/services/<int:service_id>/assessments/new", methods=["GET", "POST"])
@staff_required
def assessment_new(service_id):
    service = registry.get_service(current_user, service_id)
    sets = [v for v in standards.list_versions() if service.service_type in v.service_types]
    form = PlanForm()
    form.standard_set.choices = options(
        (f"{v.key}:{v.version}", f"{v.title}, version {v.version}") for v in sets
    )
    staff = registry.staff_users()
    form.lead_officer_id.choices = options(staff)
    form.officer_ids.choices = options(staff)
    if request.method == "GET":
        form.lead_officer_id.data = current_user.id
        if sets:
            form.standard_set.data = f"{sets[0].key}:{sets[0].version}"
    if sets and form.validate_on_submit():  # without a set, the page says who can add one
        key, _, version = (form.standard_set.data or "").partition(":")
        try:
            assessment = assessments.plan(
                web_actor(),
                current_user,
                {
                    "service_id": service.id,
                    "standard_set_key": key or None,
                    "standard_set_version": whole_number(version, max_digits=6),
                    "visit_date": form.visit_date.data,
                    "kind": form.kind.data,
                    "announced": form.announced.data != "no",
                    "lead_officer_id": form.lead_officer_id.data,
                    "officer_ids": [i for i in form.officer_ids.data or [] if i],
                },
            )
        except ValidationFailed as failed:
            apply_errors(
                form,
                {
                    "standard_set" if k == "standard_set_key" else k: v
                    for k, v in failed.errors.items()
                },
            )
        else:
            flash("The assessment has been planned", "success")
            return redirect(url_for("staff.assessment_page", assessment_id=assessment.id))
    elif (
        sets
        and request.method == "POST"
        and form.visit_date.data is None
        and not form.visit_date.errors
    ):
        form.visit_date.errors = ["Enter the visit date"]
    return render_template(
        "staff/assessments/plan.html", form=form, service=service, sets=sets, section="services"
    )


@bp.get("/assessments/<int:assessment_id>")
@staff_required
def assessment_page(assessment_id):
    return _show(assessments.get_assessment(current_user, assessment_id))


def _show(assessment, status=200, posted: FlaskForm | None = None, missing_refs=None):
    """The assessment's page: progress or ratings, the comment deadline, review, history.
    `posted` when a step on it was refused (the reason beside its box, what was typed still in
    it); `missing_refs` when a submission was refused for these unanswered questions."""
    questions = assessments.questions_for(assessment)
    answers = assessments.answers_for(assessment)
    domains = _domains(assessment, questions, answers)
    unanswered = [q for q in questions if not (q.ref in answers and answers[q.ref].complete)]
    submit_errors = None
    if missing_refs is not None:
        unanswered = [q for q in questions if q.ref in missing_refs]
        submit_errors = [
            {
                "text": f"Answer question {q.ref}: {q.text}",
                "href": url_for(
                    "staff.assessment_record", assessment_id=assessment.id, domain=q.domain_code
                )
                + f"#q-{_anchor(q.ref)}",
            }
            for q in unanswered
        ]
    events = audit.entity_history("assessment", assessment.id)
    return render_template(
        "staff/assessments/show.html",
        assessment=assessment,
        domains=domains,
        # "Record answers" opens the first domain with a question still to answer
        first_to_answer=next((d for d in domains if d["answered"] < d["total"]), domains[0]),
        ratings=assessments.ratings_for(assessment, questions, answers),
        unanswered=unanswered,
        submit_errors=submit_errors,
        statuses=STATUS_LABELS,
        view=assessment_view(assessment, current_user.role),
        comment_deadline=assessments.comment_deadline(assessment),
        open_for_comment=assessments.open_for_comment(assessment),
        kinds=assessments.KINDS,
        history=events,
        names=audit.names_for(events),
        form=posted,
        step=_step_forms(posted if isinstance(posted, StepForm) else None),
        device_state=device_state(assessment, questions, answers),
        section="assessments",
        **_comments_context(assessment, questions),
    ), status


def _comments_context(assessment, questions) -> dict:
    """The provider's comments with their answers, the council's own notes, and which review
    steps to offer."""
    comments = assessments.comments_for(assessment)
    provider = [c for c in comments if c.kind == "provider"]
    answered = sum(1 for c in provider if c.answer is not None)
    refusal = assessments.may_answer(current_user, assessment)
    can_answer = refusal is None and bool(provider)
    return {
        "comments": [c for c in comments if c.kind != "provider"],
        "provider_comments": provider,
        "unanswered_comments": len(provider) - answered,
        "comments_summary": draft_comments.summary(len(provider), answered),
        "answering": (
            "Answer each one: accepted, saying what is changed in the report; or not accepted, "
            "giving the reason. Every comment needs an answer before the report is published."
            if can_answer and answered < len(provider)
            else ""
        ),
        "can_answer": can_answer,
        "questions_by_ref": {q.ref: q for q in questions},
        "decisions": draft_comments.DECISIONS,
        "review": assessment_view(assessment, current_user.role).review,
        "comment_days": draft_comments.COMMENT_DAYS,
    }


def _domains(assessment, questions, answers):
    """Each domain with its questions, for progress and navigation."""
    out = []
    for domain in assessment.standard_set.document["domains"]:
        mine = [q for q in questions if q.domain_code == domain["code"]]
        answered = sum(1 for q in mine if q.ref in answers and answers[q.ref].complete)
        out.append(
            {
                "code": domain["code"],
                "title": domain["title"],
                "total": len(mine),
                "answered": answered,
            }
        )
    return out


@bp.post("/assessments/<int:assessment_id>/submit")
@staff_required
def assessment_submit(assessment_id):
    form = ButtonForm()
    if not form.validate_on_submit():
        return redirect(url_for("staff.assessment_page", assessment_id=assessment_id))
    try:
        assessments.submit(web_actor(), current_user, assessment_id)
    except ValidationFailed as failed:
        assessment = assessments.get_assessment(current_user, assessment_id)
        return _show(assessment, status=failed.status, missing_refs=set(failed.errors))
    except Conflict as clash:
        form.form_errors.append(clash.message)
        assessment = assessments.get_assessment(current_user, assessment_id)
        return _show(assessment, status=clash.status, posted=form)
    flash("The assessment has been submitted for review", "success")
    return redirect(url_for("staff.assessment_page", assessment_id=assessment_id))


def _anchor(ref: str) -> str:
    return ref.replace(".", "-")


@bp.route("/assessments/<int:assessment_id>/record/<domain>", methods=["GET", "POST"])
@staff_required
def assessment_record(assessment_id, domain):
    assessment = assessments.get_assessment(current_user, assessment_id)
    questions = assessments.questions_for(assessment)
    codes = [d["code"] for d in assessment.standard_set.document["domains"]]
    if domain not in codes:
        abort(404)
    answers = assessments.answers_for(assessment)
    mine = [q for q in questions if q.domain_code == domain]
    # errors: question ref -> the field to change ("score", "na_reason"...) -> its message
    errors = {}
    conflicts, typed, saved, photo_errors, summary_errors = {}, {}, 0, {}, {}
    view = assessment_view(assessment, current_user.role)
    editable = view.can_record
    parts = recording_extras.parts(domain, codes)
    if request.method == "POST":
        form = answers_form([_anchor(q.ref) for q in mine], recording_extras.summary_fields(parts))
        form.validate()
        if not editable or "csrf_token" in form.errors:
            abort(400)
        for q in mine:
            answer = form[_anchor(q.ref)]
            posted = {
                "score": answer.score.data or "",
                "na_reason": answer.na_reason.data or "",
                "evidence": answer.evidence.data or "",
                "sources": list(answer.sources.data or []),
                "version": posted_id(answer.version.data),
            }
            score = {"na": None, "1": 1, "2": 2, "3": 3, "4": 4}.get(
                posted["score"], assessments.NOT_GIVEN
            )
            data = assessments.AnswerInput(
                score, posted["na_reason"], posted["evidence"], tuple(posted["sources"])
            )
            if answer.errors:  # too long: refused, and kept in the form to be shortened
                errors[q.ref] = recording_errors.on_fields(assessments.check_answer(data)) | {
                    field: messages[0] for field, messages in answer.errors.items()
                }  # with anything else wrong with it, so that all is put right at once
                typed[q.ref] = posted
                continue
            current = assessments.answer_values(answers.get(q.ref))
            current_score = (
                "na" if current["na"] else (str(current["score"]) if current["score"] else "")
            )
            unchanged = (
                posted["score"] == current_score
                and posted["na_reason"].strip() == (current["na_reason"] or "")
                and posted["evidence"] == (current["evidence"] or "")
                and sorted(posted["sources"]) == sorted(current["sources"])
            )
            if unchanged:
                continue
            try:
                assessments.save_answer(
                    web_actor(), current_user, assessment.id, q.ref, data, posted["version"]
                )
                saved += 1
            except ValidationFailed as failed:
                errors[q.ref] = recording_errors.on_fields(failed.errors)
                typed[q.ref] = posted
            except Conflict as clash:  # about the whole answer: shown on its score
                conflicts[q.ref] = clash
                errors[q.ref] = {"score": clash.message}
                typed[q.ref] = {**posted, "version": clash.current_version}
        written = recording_extras.save_posted(
            form, current_user, assessment, parts, summary_errors, conflicts, typed
        )
        kept, photo_errors = answer_photos.take_posted(assessment, mine, _anchor)
        if not errors and not photo_errors and not summary_errors:
            flash(recording_extras.saved_words(saved, written, kept), "success")
            following = (
                codes[codes.index(domain) + 1]
                if form["continue"].data and domain != codes[-1]
                else domain
            )
            return redirect(
                url_for("staff.assessment_record", assessment_id=assessment.id, domain=following)
            )
        answers = assessments.answers_for(assessment)
    document_domain = next(
        d for d in assessment.standard_set.document["domains"] if d["code"] == domain
    )
    return render_template(
        "staff/assessments/record.html",
        assessment=assessment,
        domain=document_domain,
        domains=_domains(assessment, questions, answers),
        questions=mine,
        answers=answers,
        values={q.ref: typed.get(q.ref) or _stored(answers.get(q.ref)) for q in mine},
        errors=errors,
        summary_errors=summary_errors,
        conflicts=conflicts,
        anchor=_anchor,
        error_list=recording_errors.error_list(mine, _anchor, errors, photo_errors, summary_errors),
        photo_errors=photo_errors,
        na_reason_missing=assessments.NA_REASON_MISSING,
        **answer_photos.photo_context(assessment),
        score_labels=SCORE_LABELS,
        sources=EVIDENCE_SOURCES,
        view=view,
        next_domain=codes[codes.index(domain) + 1] if domain != codes[-1] else None,
        device_state=device_state(assessment, questions, answers),
        section="assessments",
        **recording_extras.page_context(assessment, parts, typed, conflicts),
    )


def _stored(answer):
    values = assessments.answer_values(answer)
    return {
        "score": "na" if values["na"] else (str(values["score"]) if values["score"] else ""),
        "na_reason": values["na_reason"] or "",
        "evidence": values["evidence"] or "",
        "sources": values["sources"],
        "version": values["version"],
    }


def _step(assessment_id, form: FlaskForm, call, done_message):
    """Take a step from the assessment's page with what `form` read; if it is refused, the page
    again with why (rather than a banner after a redirect, which would lose what was typed)."""
    status = 422
    if form.validate_on_submit():
        try:
            call(form)
        except (Conflict, Forbidden, ValidationFailed) as refused:
            if isinstance(form, StepForm):
                form.refuse(refused)
            else:
                form.form_errors.append(refused.message)
            status = refused.status
        else:
            flash(done_message, "success")
            return redirect(url_for("staff.assessment_page", assessment_id=assessment_id))
    assessment = assessments.get_assessment(current_user, assessment_id)
    return _show(assessment, status=status, posted=form)


@bp.post("/assessments/<int:assessment_id>/return")
@staff_required
def assessment_return(assessment_id):
    return _step(
        assessment_id,
        ReturnForm(),
        lambda form: assessments.return_to_officer(
            web_actor(), current_user, assessment_id, form.comment.data or ""
        ),
        "The assessment has been returned to the officer with your comments",
    )


@bp.post("/assessments/<int:assessment_id>/share-draft")
@staff_required
def assessment_share(assessment_id):
    return _step(
        assessment_id,
        ButtonForm(),
        lambda form: assessments.share_draft(web_actor(), current_user, assessment_id),
        "The draft report has been shared with the provider, who has "
        f"{draft_comments.COMMENT_DAYS} days to comment",
    )


@bp.post("/assessments/<int:assessment_id>/publish")
@staff_required
def assessment_publish(assessment_id):
    form = ButtonForm()
    if form.validate_on_submit():
        assessment = assessments.get_assessment(current_user, assessment_id)
        if can_decide(current_user.role) and assessments.publish_refusal(assessment):
            return _not_ready_to_publish(assessment)
    return _step(
        assessment_id,
        form,
        lambda form: assessments.publish(web_actor(), current_user, assessment_id),
        "The assessment has been published",
    )


def _not_ready_to_publish(assessment):
    """The overview again, its error summary naming each comment that still needs an answer
    (or the corrected draft that the provider has not been shown)."""
    questions = assessments.questions_for(assessment)
    answers = assessments.answers_for(assessment)
    context = _comments_context(assessment, questions)
    unanswered = [
        (number, c) for number, c in enumerate(context["provider_comments"], 1) if c.answer is None
    ]
    if unanswered:
        problems = {
            f"comment-{c.id}": f"Comment {number} from the provider "
            + (f"(on {c.question_ref}) " if c.question_ref else "(on the report as a whole) ")
            + "needs an answer before you publish"
            for number, c in unanswered
        }
    else:
        problems = {"share-draft": assessments.publish_refusal(assessment)}
    return render_template(
        "staff/assessments/show.html",
        assessment=assessment,
        domains=_domains(assessment, questions, answers),
        ratings=assessments.ratings_for(assessment, questions, answers),
        unanswered=[q for q in questions if not (q.ref in answers and answers[q.ref].complete)],
        statuses=STATUS_LABELS,
        view=assessment_view(assessment, current_user.role),
        kinds=assessments.KINDS,
        section="assessments",
        problems=problems,
        step=_step_forms(),
        publish_refused=assessments.publish_refusal(assessment),
        device_state=device_state(assessment, questions, answers),
        **context,
    ), 409


@bp.get("/assessments/<int:assessment_id>/report")
@staff_required
def assessment_report(assessment_id):
    assessment = assessments.get_assessment(current_user, assessment_id)
    return render_template(
        "staff/assessments/report.html",
        section="assessments",
        **report_context(assessment, include_internal=True),
    )


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@staff_required
def assessment_pdf(assessment_id):
    return downloads.assessment_pdf(assessments.get_assessment(current_user, assessment_id))


@bp.post("/assessments/<int:assessment_id>/correct")
@staff_required
def assessment_correct(assessment_id):
    form = CorrectForm()
    status = 422
    if form.validate_on_submit():
        try:
            revision = assessments.start_correction(
                web_actor(), current_user, assessment_id, form.reason.data or ""
            )
        except (Conflict, Forbidden, ValidationFailed) as refused:
            form.refuse(refused)
            status = refused.status
        else:
            flash(
                f"Revision {revision.revision_number} has been started with the published answers",
                "success",
            )
            return redirect(url_for("staff.assessment_page", assessment_id=revision.id))
    return _show(assessments.get_assessment(current_user, assessment_id), status, form)
