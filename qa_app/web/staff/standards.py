"""Staff pages for reading audit standard sets and comparing versions."""

from flask import abort, render_template, request

from qa_app.domain.codes import whole_number
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.services import standards
from qa_app.web.access import staff_required
from qa_app.web.staff import bp


@bp.get("/standards")
@staff_required
def standard_sets():
    return render_template(
        "staff/standards/list.html", versions=standards.list_versions(), section="standards"
    )


@bp.get("/standards/<key>/<int:version>")
@staff_required
def standard_set(key, version):
    row = standards.get_version(key, version)
    others = [v for v in standards.list_versions() if v.key == key]
    return render_template(
        "staff/standards/show.html",
        row=row,
        standard_set=standards.as_model(row),
        others=others,
        sources=EVIDENCE_SOURCES,
        section="standards",
    )


@bp.get("/standards/<key>/compare")
@staff_required
def standard_set_compare(key):
    def version_arg(name):
        return whole_number(request.args.get(name), max_digits=6)

    old, new = version_arg("from"), version_arg("to")
    if old is None or new is None:
        abort(404)
    before, after = standards.get_version(key, old), standards.get_version(key, new)
    return render_template(
        "staff/standards/compare.html",
        before=before,
        after=after,
        difference=standards.differences(key, old, new),
        questions={
            **{q.ref: q for _, _, q in standards.as_model(before).questions()},
            **{q.ref: q for _, _, q in standards.as_model(after).questions()},
        },
        old_questions={q.ref: q for _, _, q in standards.as_model(before).questions()},
        section="standards",
    )
