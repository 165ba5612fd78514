"""The recording page's own field macros (templates/macros/answer_fields.html, issue 18) emit
the markup GOV.UK Frontend's macros emit for what the page asks of them.

Each field is rendered both ways in the app's own Jinja environment: on the left, GOV.UK's
macro called with the parameters the page used to give it; on the right, our macro called as
the page calls it now. Over every case the page has (a question answered with each score or
not, N/A with its reason, an answer refused or in conflict, which shows its error on the
field to change (the score, the N/A reason, the evidence notes or the sources) and the typed
values, the page read only, a photo refused, awkward text) the two must be the same HTML
once runs of whitespace outside a textarea are made one space. A textarea's text is compared
as it is.
"""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import pytest
from markupsafe import escape

from qa_app.domain.answer_photos import CONSENT_NOTE, MAX_SIDE
from qa_app.domain.ratings import SCORE_LABELS
from qa_app.domain.standards import EVIDENCE_SOURCES

SPLIT = "\n@@ ours @@\n"

IMPORTS = """\
{% from "govuk_frontend_jinja/components/radios/macro.html" import govukRadios %}
{% from "govuk_frontend_jinja/components/checkboxes/macro.html" import govukCheckboxes %}
{% from "govuk_frontend_jinja/components/textarea/macro.html" import govukTextarea %}
{% from "govuk_frontend_jinja/components/file-upload/macro.html" import govukFileUpload %}
{% from "govuk_frontend_jinja/components/warning-text/macro.html" import govukWarningText %}
{% from "macros/answer_fields.html" import score_radios, answer_textarea, source_checkboxes,
   photo_upload, warning_text %}
{% set key = anchor(q.ref) %}
"""

SCORE = """\
{% set legend_html %}<span class="app-question__ref">{{ q.ref }}</span> {{ q.text }}{% endset %}
{{ govukRadios({
  "name": key ~ "-score",
  "idPrefix": key ~ "-score",
  "classes": "govuk-radios--small",
  "fieldset": {"legend": {"html": legend_html, "classes": "govuk-fieldset__legend--s"}},
  "hint": {"text": q.guidance},
  "errorMessage": {"text": errors[q.ref]} if q.ref in errors else none,
  "items": [
    {"value": "4", "text": "4 " ~ score_labels[4], "checked": v.score == "4"},
    {"value": "3", "text": "3 " ~ score_labels[3], "checked": v.score == "3"},
    {"value": "2", "text": "2 " ~ score_labels[2], "checked": v.score == "2"},
    {"value": "1", "text": "1 " ~ score_labels[1], "checked": v.score == "1"},
    {"divider": "or"},
    {"value": "na", "text": "N/A (not assessed)", "checked": v.score == "na"},
  ],
  "attributes": {"disabled": "disabled"} if not view.can_record else {},
}) }}
@@ ours @@
{{ score_radios(key, legend_html, q.guidance, errors[q.ref] if q.ref in errors else none,
   v.score, score_labels, not view.can_record) }}
"""

NA_REASON = """\
{{ govukTextarea({"name": key ~ "-na_reason", "id": key ~ "-na_reason",
  "label": {"text": "Reason for N/A", "classes": "govuk-label--s"},
  "hint": {"text": "Needed only when the answer is N/A"}, "value": v.na_reason, "rows": 1,
  "classes": "app-na-reason",
  "errorMessage": {"text": wrong.na_reason} if wrong.na_reason else none}) }}
@@ ours @@
{{ answer_textarea(key ~ "-na_reason", "Reason for N/A", v.na_reason, 1,
   hint="Needed only when the answer is N/A", classes="app-na-reason", error=wrong.na_reason) }}
"""

EVIDENCE = """\
{{ govukTextarea({"name": key ~ "-evidence", "id": key ~ "-evidence",
  "label": {"text": "Evidence notes", "classes": "govuk-label--s"}, "value": v.evidence,
  "rows": 3, "errorMessage": {"text": wrong.evidence} if wrong.evidence else none}) }}
@@ ours @@
{{ answer_textarea(key ~ "-evidence", "Evidence notes", v.evidence, 3, error=wrong.evidence) }}
"""

SOURCES = """\
{{ govukCheckboxes({
  "name": key ~ "-sources",
  "idPrefix": key ~ "-sources",
  "classes": "govuk-checkboxes--small app-sources",
  "fieldset": {"legend": {"text": "Evidence from", "classes": "govuk-fieldset__legend--s"}},
  "hint": {"text": "Expected: " ~ (q.evidence_sources | map("source_label") | join(", "))},
  "errorMessage": {"text": wrong.sources} if wrong.sources else none,
  "items": source_items(v.sources),
}) }}
@@ ours @@
{{ source_checkboxes(key, "Expected: " ~ (q.evidence_sources | map("source_label") | join(", ")),
   sources, v.sources, error=wrong.sources) }}
"""

PHOTO_INPUTS = """\
{{ govukWarningText({"text": consent_note, "iconFallbackText": "Warning"}) }}
{{ govukFileUpload({
  "name": photo_field(key), "id": key ~ "-photos",
  "label": {"text": "Take a photo", "classes": "govuk-label--s"},
  "errorMessage": {"text": photo_errors[q.ref]} if photo_errors.get(q.ref) else none,
  "attributes": {"accept": "image/*", "capture": "environment", "data-photo-input": q.ref},
}) }}
{{ govukFileUpload({
  "name": photo_field(key), "id": key ~ "-files",
  "label": {"text": "Or choose photos or files", "classes": "govuk-label--s"},
  "hint": {"text": "PDF, PNG, JPEG, GIF, Word, Excel, PowerPoint or OpenDocument text, up to 10 MB each. Photos are made smaller (at most " ~ max_side ~ " pixels across) and their location is removed."},
  "attributes": {"multiple": "multiple", "data-photo-input": q.ref},
}) }}
@@ ours @@
{{ warning_text(consent_note) }}
{{ photo_upload(photo_field(key), key ~ "-photos", "Take a photo", q.ref, true,
   error=photo_errors.get(q.ref)) }}
{{ photo_upload(photo_field(key), key ~ "-files", "Or choose photos or files", q.ref, false,
   hint="PDF, PNG, JPEG, GIF, Word, Excel, PowerPoint or OpenDocument text, up to 10 MB each. Photos are made smaller (at most " ~ max_side ~ " pixels across) and their location is removed.") }}
"""

QUESTIONS = [
    SimpleNamespace(
        ref="QA01.1",
        text="Do people have care plans that reflect their needs?",
        guidance="Look at three care plans.",
        evidence_sources=["people", "records"],
    ),
    SimpleNamespace(  # text that must be escaped, and one that spreads over lines
        ref='S1.2<"&>',
        text='Are "risks" <assessed> & reviewed?\n  Including   falls.',
        guidance='Check <b>both</b> & "all"\n\nrisk logs.  ',
        evidence_sources=[],
    ),
]
TEXTS = [
    "",
    "Seen on the visit.",
    '\nFirst line\r\n\n  indented &amp; <b>"quoted"</b>\t</textarea>\n',
]
ERRORS = [
    None,
    "Evidence notes must be 5,000 characters or fewer",
    "Question QA01.1: Someone else saved this answer <after> you opened the page & it changed.",
]


def normalised(html: str) -> str:
    """Runs of whitespace made one space, except inside a textarea (its text is the value)."""
    parts = re.split(r"(?s)(<textarea\b[^>]*>.*?</textarea>)", html)
    return "".join(p if i % 2 else re.sub(r"\s+", " ", p) for i, p in enumerate(parts)).strip()


def both_ways(app, fragment: str, **context) -> tuple[str, str]:
    template = app.jinja_env.from_string(IMPORTS + fragment)
    page = {
        "anchor": lambda ref: ref.replace(".", "-"),
        "score_labels": SCORE_LABELS,
        "sources": EVIDENCE_SOURCES,
        "source_items": lambda selected: [
            {"value": code, "text": label, "checked": code in (selected or [])}
            for code, label in EVIDENCE_SOURCES.items()
        ],
        "photo_field": lambda key: f"{key}-photos",
        "consent_note": CONSENT_NOTE,
        "max_side": MAX_SIDE,
        "errors": {},
        "wrong": {},
        "photo_errors": {},
    }
    with app.test_request_context():
        govuk, ours = template.render(page | context).split(SPLIT)
    return normalised(govuk), normalised(ours)


def values(score="", na_reason="", evidence="", sources=()):
    return {"score": score, "na_reason": na_reason, "evidence": evidence, "sources": sources}


@pytest.mark.parametrize(
    ("q", "score", "error", "can_record"),
    list(itertools.product(QUESTIONS, ["", "4", "3", "2", "1", "na"], ERRORS, [True, False])),
)
def test_the_score_radios(app, q, score, error, can_record):
    govuk, ours = both_ways(
        app,
        SCORE,
        q=q,
        v=values(score),
        errors={q.ref: error} if error else {},
        view=SimpleNamespace(can_record=can_record),
    )
    assert ours == govuk
    assert ("govuk-form-group--error" in ours) == bool(error)


@pytest.mark.parametrize(
    ("q", "text", "error"), list(itertools.product(QUESTIONS, TEXTS, ERRORS[:2]))
)
@pytest.mark.parametrize(
    ("fragment", "field"), [(NA_REASON, "na_reason"), (EVIDENCE, "evidence")], ids=["na", "ev"]
)
def test_the_na_reason_and_evidence_notes(app, fragment, field, q, text, error):
    govuk, ours = both_ways(
        app,
        fragment,
        q=q,
        v=values("na", na_reason=text, evidence=text),
        wrong={field: error} if error else {},
    )
    assert ours == govuk
    assert f">{escape(text)}</textarea>" in ours  # the text as typed, escaped and no more
    assert ("govuk-textarea--error" in ours) == bool(error)


@pytest.mark.parametrize(
    ("q", "sources"),
    list(
        itertools.product(
            QUESTIONS, [(), None, ["records"], ("people", "observation"), list(EVIDENCE_SOURCES)]
        )
    ),
)
@pytest.mark.parametrize("error", [None, "Unknown evidence source '<x>'"])
def test_the_evidence_sources(app, q, sources, error):
    govuk, ours = both_ways(
        app, SOURCES, q=q, v=values(sources=sources), wrong={"sources": error} if error else {}
    )
    assert ours == govuk
    assert ours.count(" checked>") == len(sources or ())
    assert ("govuk-form-group--error" in ours) == bool(error)


@pytest.mark.parametrize(
    ("q", "photo_error"),
    list(itertools.product(QUESTIONS, [None, "The file must be 10 MB or smaller <big.pdf>"])),
)
def test_the_photo_inputs(app, q, photo_error):
    govuk, ours = both_ways(
        app, PHOTO_INPUTS, q=q, photo_errors={q.ref: photo_error} if photo_error else {}
    )
    assert ours == govuk
    assert ("govuk-file-upload--error" in ours) == bool(photo_error)


def test_a_textarea_keeps_its_text_exactly():
    assert normalised("<p>\n  a  b</p>\n<textarea id=x>\n one\n\n  two </textarea>  <p>") == (
        "<p> a b</p> <textarea id=x>\n one\n\n  two </textarea> <p>"
    )
