"""Our select widget writes exactly the markup GOV.UK Frontend's `govukSelect` writes."""

from __future__ import annotations

import re

import pytest
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from werkzeug.datastructures import MultiDict
from wtforms import SelectField

from qa_app.web.forms import Select, options

CHOICES = [
    ("", "All officers"),
    ("1", "Sam Taylor"),
    ("2", 'Jordan <Reid> & "Co"'),
    ("3", "Zoë O'Neill"),
    ("<x>", "A value that needs escaping"),
]


def _form(widget, description: str = ""):
    class Filters(FlaskForm):
        class Meta:
            csrf = False

        officer = SelectField(
            "Contract officer", widget=widget, choices=options(CHOICES), description=description
        )

    return Filters


def _same_shape(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).replace("> <", "><").strip()


@pytest.mark.parametrize("chosen", [None, "", "1", "2", "<x>", "not a choice"])
@pytest.mark.parametrize("description", ["", "Whose services to show"])
@pytest.mark.parametrize("error", [None, "Choose an officer from the list"])
def test_our_select_writes_what_govuk_select_writes(app, chosen, description, error):
    data = MultiDict({} if chosen is None else {"officer": chosen})
    with app.test_request_context("/"):
        ours = _form(Select(), description)(formdata=data)
        theirs = _form(GovSelect(), description)(formdata=data)
        for form in (ours, theirs):
            form.validate()
            form.officer.errors = [error] if error else []
        written, expected = ours.officer(), theirs.officer()
    assert _same_shape(written) == _same_shape(expected)
    assert written.count("<option") == len(CHOICES)
    assert "&lt;Reid&gt; &amp;" in written
    if chosen == "1":
        assert '<option value="1" selected>Sam Taylor</option>' in written


def test_a_filter_with_many_officers_costs_one_macro_call_not_one_per_option(app, monkeypatch):
    """The point of the widget: the options are not written by the macro, one call each."""
    many = [("", "All")] + [(str(n), f"Officer {n}") for n in range(1, 201)]

    class Filters(FlaskForm):
        class Meta:
            csrf = False

        officer = SelectField("Contract officer", widget=Select(), choices=options(many))

    with app.test_request_context("/"):
        html = Filters(formdata=MultiDict({"officer": "150"})).officer()
    assert html.count("<option") == 201
    assert '<option value="150" selected>Officer 150</option>' in html
    assert html.index("</option>") < html.rindex("</select>")
