"""Pages refuse a NUL character in any form field or query parameter, before any view runs
(the rule: qa_app.domain.nul_text), with a page whose error summary names each field. The API
refuses them itself, in JSON (qa_app.api.openapi)."""

from flask import Flask, render_template, request

from qa_app.domain.nul_text import NUL_MESSAGE, field_label, nul_fields


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_characters():
        if request.path.startswith("/api/"):
            return None
        pairs = list(request.args.items(multi=True))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            pairs += request.form.items(multi=True)
        fields = nul_fields(pairs)
        if not fields:
            return None
        problems = [{"text": f"{field_label(name)} {NUL_MESSAGE}"} for name in fields]
        return render_template("errors/bad_input.html", problems_found=problems), 400
