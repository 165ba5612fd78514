"""What the recording page shows beside the answers: the previous visit's answer under each
question (read-only), and the officer's written summaries (the domain's at the foot of its
page; the overall one on the last domain's page too), saved by the page's Save button like
answers. Kept apart from staff/assessments.py so that each stays small."""

from __future__ import annotations

from wtforms import Form, FormField, HiddenField, TextAreaField

from qa_app.domain import summaries as summary_rules
from qa_app.services import assessment_summaries
from qa_app.services.errors import Conflict, ValidationFailed
from qa_app.services.previous_visit import previous_visit
from qa_app.web.access import web_actor
from qa_app.web.forms import posted_id


class SummaryForm(Form):
    """One summary on the recording page (its inputs are named "summary_D1-text"…). Its limit
    is checked by the use case (`domain.summaries.problem`): refused, never cut."""

    text = TextAreaField()
    version = HiddenField()


def parts(domain_code: str, codes: list[str]) -> list[str]:
    return summary_rules.parts_on_page(domain_code, codes)


def summary_fields(page_parts: list[str]) -> dict:
    return {summary_rules.device_ref(part): FormField(SummaryForm) for part in page_parts}


def save_posted(form, user, assessment, page_parts, errors, conflicts, typed) -> int:
    """Save each summary on the page that was changed; a refusal goes into `errors` (and what
    was typed into `typed`, to be shown again). Returns how many were saved."""
    saved_now = assessment_summaries.summaries_for(assessment)
    titles = assessment_summaries.domain_titles(assessment)
    saved = 0
    for part in page_parts:
        ref = summary_rules.device_ref(part)
        field = form[ref]
        text = (field.text.data or "").replace("\r\n", "\n")
        version = posted_id(field.version.data)
        current = saved_now.get(part)
        if text == (current.text if current else ""):
            continue
        try:
            assessment_summaries.save_summary(web_actor(), user, assessment.id, part, text, version)
            saved += 1
        except ValidationFailed as failed:
            errors[ref] = next(iter(failed.errors.values()))
            typed[ref] = {"text": text, "version": version}
        except Conflict as clash:
            conflicts[ref] = clash
            errors[ref] = f"{summary_rules.heading(part, titles)}: {clash.message}"
            typed[ref] = {"text": text, "version": clash.current_version}
    return saved


def saved_words(answers: int, summaries: int, files: int = 0) -> str:
    """ "2 answers saved", "1 answer and 1 summary saved", "1 summary saved", "1 answer and 1
    photo or file saved"."""
    words = (
        [f"{answers} {'answer' if answers == 1 else 'answers'}"]
        if answers or not (summaries or files)
        else []
    )
    if summaries:
        words.append(f"{summaries} {'summary' if summaries == 1 else 'summaries'}")
    if files:
        words.append(f"{files} {'photo or file' if files == 1 else 'photos or files'}")
    return " and ".join(words) + " saved"


def page_context(assessment, page_parts, typed, conflicts) -> dict:
    """The template's `previous` (the previous visit, or None) and `summary_blocks`."""
    found = assessment_summaries.summaries_for(assessment)
    titles = assessment_summaries.domain_titles(assessment)
    blocks = []
    for part in page_parts:
        ref = summary_rules.device_ref(part)
        stored = assessment_summaries.summary_values(found.get(part))
        shown = typed.get(ref) or stored
        blocks.append(
            {
                "part": part,
                "ref": ref,
                "heading": summary_rules.heading(part, titles),
                "text": shown["text"],
                "version": shown["version"],
                "saved": found.get(part),
                "limit": summary_rules.limit_for(part).chars,
                "conflict": conflicts.get(ref),
            }
        )
    return {"previous": previous_visit(assessment), "summary_blocks": blocks}
