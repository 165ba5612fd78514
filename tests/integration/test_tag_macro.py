"""Our tag macro writes exactly what GOV.UK Frontend's `govukTag` writes for a text and classes."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

GOVUK = (
    '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
    '{{ govukTag({"text": text, "classes": classes}) }}'
)
OURS = '{% from "macros/tag.html" import tag %}{{ tag(text, classes) }}'


def _same_shape(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize(
    ("text", "classes"),
    [
        ("Red", "govuk-tag--red"),
        ("Requires improvement", "govuk-tag--orange app-tag--nowrap"),
        ("Draft shared", ""),
        ("<script>&\"'", "govuk-tag--grey"),
        (3, "govuk-tag--blue"),
    ],
)
def test_our_tag_writes_what_govuk_tag_writes(app, text, classes):
    with app.test_request_context("/"):
        ours = render_template_string(OURS, text=text, classes=classes)
        theirs = render_template_string(GOVUK, text=text, classes=classes)
    assert _same_shape(ours) == _same_shape(theirs)
    assert "<script>" not in ours


def test_the_market_overview_shows_its_tags(client, make):
    make.service(name="Ashdown House", risk="red", cqc_rating="Inadequate")
    make.sign_in(client, make.user("manager"))
    html = client.get("/market").get_data(as_text=True)
    assert re.search(r'<strong class="govuk-tag govuk-tag--red">\s*Red\s*</strong>', html)
    assert re.search(
        r'<strong class="govuk-tag govuk-tag--red app-tag--nowrap">\s*Inadequate\s*</strong>', html
    )
