"""One source of truth (issue 16, point 3): the page, the PDF's text, the zip of CSV files, the
XLSX workbook, the API's JSON and the command line's JSON all give the same figure for every
figure of a seeded month, for each of its three columns (the month, the month before, a year
earlier), with the same services of most concern, rating moves and 12-month trend; and those
figures are the hand-built council's right ones."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from qa_app.services import quad_report, users
from qa_app.services.actors import Actor
from tests.support import quad_world
from tests.support.client import soup

MONTH = "2026-10"
VALUE = re.compile(r"^(?:[\d,]+|[\d.]+%|No clocks)$")


@pytest.fixture
def council(make):
    return quad_world.build(make)


def _figure_paths():
    return [(f.path, f.table == "rate") for s in quad_report.SECTIONS for f in s.figures]


def _number(text: str, rate: bool):
    """A figure as shown (1,234 · 83.3% · No clocks · 83.3 · blank) back to the API's value."""
    text = str(text).strip()
    if rate:
        if text in ("", "No clocks", "None"):
            return None
        return round(float(text.rstrip("%")) / 100, 4)
    return int(text.replace(",", ""))


def _api_value(tree: dict, path: str, rate: bool):
    node = tree
    for part in path.split("."):
        node = node[part]
    return None if node is None else (round(node, 3) if rate else node)


def _close(values):
    """Rates shown with one decimal place of a percentage: compare at that precision."""
    return [round(v, 3) if isinstance(v, float) else v for v in values]


# ---------------------------------------------------------------- each format, read back


def _from_page(response) -> tuple[dict, list[str], list[str]]:
    page = soup(response)
    figures = {}
    for path, rate in _figure_paths():
        row = page.select_one(f'tr[data-figure="{path}"]')
        assert row is not None, path
        figures[path] = [_number(td.get_text(" ", strip=True), rate) for td in row.select("td")]

    def linked(section: str, column: int) -> list[str]:
        table = page.select_one(f'table[data-section="{section}"]')  # none when nothing to list
        cells = table.select(f"tbody tr td:nth-of-type({column}) a") if table else []
        return [a.get_text(strip=True) for a in cells]

    return figures, linked("services_of_concern", 2), linked("rating_changes", 1)


def _from_pdf(data: bytes) -> tuple[dict, str]:
    reader = PdfReader(io.BytesIO(data))
    lines = [
        line.strip()
        for page in reader.pages[1:]  # after the contents page
        for line in page.extract_text().splitlines()
        if line.strip()
    ]
    figures, at = {}, 0
    for section in quad_report.SECTIONS:
        at = lines.index(section.title, at)
        for figure in section.figures:
            at = lines.index(figure.label, at)
            values, k = [], at + 1
            while len(values) < 3:
                if VALUE.match(lines[k]):
                    values.append(_number(lines[k], figure.table == "rate"))
                k += 1
            figures[figure.path] = values
    return figures, "\n".join(lines)


def _from_csv(data: bytes) -> tuple[dict, dict]:
    figures, files = {}, {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            files[name] = rows
            if rows[0][0] == "Figure":
                for row in rows[1:]:
                    figures[row[-1]] = row[1:4]
    rates = dict(_figure_paths())
    return {p: [_number(v, rates[p]) for v in values] for p, values in figures.items()}, files


def _from_xlsx(data: bytes) -> tuple[dict, dict]:
    book = load_workbook(io.BytesIO(data))
    figures, sheets = {}, {}
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        sheets[sheet.title] = rows
        header = next((i for i, row in enumerate(rows) if row and row[0] == "Figure"), None)
        if header is None:
            continue
        for row in rows[header + 1 :]:
            figures[row[-1]] = row[1:4]
    rates = dict(_figure_paths())

    def typed(value, rate):
        if value is None:
            return None
        assert isinstance(value, int | float), value  # typed columns: numbers are numbers
        return round(value / 100, 4) if rate else value

    return {p: [typed(v, rates[p]) for v in values] for p, values in figures.items()}, sheets


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("query", ["", "?cluster=West", "?service_type=home_support"])
def test_every_format_gives_every_figure_alike(app, client, make, council, query):
    manager = council["manager"]
    make.sign_in(client, manager)
    token = users.create_token(Actor.system("cli"), manager)
    api = client.get(
        f"/api/v1/reports/quad/{MONTH}{query}", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200, api.json
    trees = [api.json, api.json["previous_month"], api.json["year_earlier"]]
    assert [t["month"] for t in trees] == ["2026-10", "2026-09", "2025-10"]
    expected = {
        path: _close([_api_value(tree, path, rate) for tree in trees])
        for path, rate in _figure_paths()
    }
    if not query:  # the hand-built council's right answers, as the API gives them
        assert {k: v for k, v in api.json.items() if k in quad_world.EXPECTED_OCTOBER} == (
            quad_world.EXPECTED_OCTOBER
        )

    page = client.get(f"/reports/quad?month={MONTH}{query.replace('?', '&')}")
    assert page.status_code == 200
    page_figures, page_concern, page_moves = _from_page(page)
    assert {p: _close(v) for p, v in page_figures.items()} == expected

    pdf = client.get(f"/reports/quad/{MONTH}.pdf{query}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pdf_figures, pdf_text = _from_pdf(pdf.data)
    assert {p: _close(v) for p, v in pdf_figures.items()} == expected

    zipped = client.get(f"/reports/quad/{MONTH}.csv{query}")
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"
    csv_figures, csv_files = _from_csv(zipped.data)
    assert {p: _close(v) for p, v in csv_figures.items()} == expected

    workbook = client.get(f"/reports/quad/{MONTH}.xlsx{query}")
    assert workbook.status_code == 200
    xlsx_figures, sheets = _from_xlsx(workbook.data)
    assert {p: _close(v) for p, v in xlsx_figures.items()} == expected

    # the API's files are the same files
    for suffix in (".csv", ".xlsx"):
        other = client.get(
            f"/api/v1/reports/quad/{MONTH}{suffix}{query}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert other.status_code == 200
        if suffix == ".csv":
            assert _from_csv(other.data)[0] == csv_figures
        else:
            assert _from_xlsx(other.data)[0] == xlsx_figures

    # the services of most concern and the rating moves, in the same order everywhere
    concern = [s["name"] for s in api.json["services_of_concern"]]
    moves = [m["name"] for m in api.json["rating_changes"]]
    assert page_concern == concern and page_moves == moves
    csv_concern = next(rows for name, rows in csv_files.items() if "most-concern" in name)
    assert [row[1] for row in csv_concern[1:]] == concern
    assert [row[1] for row in sheets["Services of most concern"][6:]] == concern
    xlsx_moves = [row[0] for row in sheets["Rating changes"][6:]]
    assert xlsx_moves == moves
    positions = [
        pdf_text.index(name, pdf_text.index("Services of most concern\n")) for name in concern
    ]
    assert positions == sorted(positions)
    for name in moves:
        assert name in pdf_text

    # the 12 months: the API, the CSV file and the workbook's sheet
    trend = api.json["trend"]
    csv_trend = next(rows for name, rows in csv_files.items() if "concerns-by-month" in name)
    xlsx_trend = sheets["Concerns by month"][6:]
    for i, row in enumerate(csv_trend[1:]):
        received = [trend["concerns_received"][level][i] for level in ("high", "medium", "low")]
        assert [int(v) for v in row[1:4]] == received
        assert list(xlsx_trend[i][1:4]) == received
        for k, group in ((4, "high"), (5, "other")):
            rate = trend["on_time_rate"][group][i]
            assert _number(row[k], True) == (None if rate is None else round(rate, 4))


def test_the_command_line_writes_the_apis_json(app, client, make, council, tmp_path):
    manager = council["manager"]
    token = users.create_token(Actor.system("cli"), manager)
    api = client.get(
        f"/api/v1/reports/quad/{MONTH}", headers={"Authorization": f"Bearer {token}"}
    ).json
    out = tmp_path / "quad.json"
    result = app.test_cli_runner().invoke(
        args=["qa", "report", "quad", "--month", MONTH, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"as JSON to {out}" in result.output
    written = json.loads(out.read_text())
    for tree in (written, api):
        tree.pop("produced_at")
    assert written == api
