"""What an assessment's pages tell their scripts, so that a visit can be taken offline and a
stored copy of a page can show what this device holds over it (qa_app/static/device.js).

Each recording page and the overview carry it as a JSON data block: every domain's page with its
questions, each saved answer's version and whether it is complete, the files the pages load, and
whether answers may still be changed. Nothing in it is secret from the officer: it is what the
pages themselves show."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, url_for

from qa_app.domain.lifecycle import EDITABLE, STATUS_LABELS, can_record
from qa_app.domain.ratings import SCORE_LABELS
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.domain.summaries import device_ref
from qa_app.services.assessment_summaries import summaries_for

#: The scripts and styles every page loads (app.js imports the other modules).
PAGE_FILES = (
    "govuk/govuk-frontend.min.css",
    "app.css",
    "app.js",
    "autosave.js",
    "device.js",
    "offline.js",
    "photos.js",
    "summaries.js",
    "govuk/govuk-frontend.min.js",
)
#: What the GOV.UK template's head links to (icons, the web app manifest).
HEAD_FILES = ("govuk/assets/images/favicon.ico", "govuk/assets/images/favicon.svg")


def offline_files() -> list[str]:
    """The addresses of the files a stored page needs: scripts, styles, the fonts its styles
    name (served at /assets, where GOV.UK Frontend's CSS expects them) and the icons."""
    fonts = Path(current_app.static_folder or "", "govuk", "assets", "fonts")
    woff2 = sorted(p.name for p in fonts.glob("*.woff2")) if fonts.is_dir() else []
    return (
        [url_for("static", filename=name) for name in PAGE_FILES + HEAD_FILES]
        + [url_for("static", filename="govuk/assets/manifest.json")]
        + [url_for("govuk_assets", filename=f"fonts/{name}") for name in woff2]
    )


def device_state(assessment, questions, answers) -> dict:
    """The JSON the recording pages and the overview carry for their scripts."""
    domains = []
    for domain in assessment.standard_set.document["domains"]:
        domains.append(
            {
                "code": domain["code"],
                "title": domain["title"],
                "url": url_for(
                    "staff.assessment_record", assessment_id=assessment.id, domain=domain["code"]
                ),
                "refs": [q.ref for q in questions if q.domain_code == domain["code"]],
            }
        )
    return {
        "assessment": assessment.id,
        "service": assessment.service.name,
        "api": url_for("api.get_assessment", assessment_id=assessment.id),
        "overview": url_for("staff.assessment_page", assessment_id=assessment.id),
        "list": url_for("staff.assessment_list"),
        "status": assessment.status,
        "editable": can_record(assessment.status),
        "editable_statuses": list(EDITABLE),
        "status_labels": STATUS_LABELS,
        "domains": domains,
        # the summaries' versions too (`summary_D1`…), so a stored page is known to show them
        "answers": {
            ref: {"version": answer.version, "complete": answer.complete}
            for ref, answer in answers.items()
        }
        | {
            device_ref(part): {"version": summary.version, "complete": bool(summary.text)}
            for part, summary in summaries_for(assessment).items()
        },
        "score_labels": {str(k): v for k, v in SCORE_LABELS.items()},
        "source_labels": EVIDENCE_SOURCES,
        "files": offline_files(),
    }
