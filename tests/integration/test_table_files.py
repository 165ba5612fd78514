"""Issue 17, item 7: the table readers on files as CQC and LibreOffice write them.

CQC's national ODS has equal neighbouring cells collapsed (`table:number-columns-repeated`)
and may have equal neighbouring rows collapsed (`table:number-rows-repeated`); an XLSX keeps
its texts in the shared strings table. The same table must read the same whichever way it is
written, and absurd repeats are still bounded or refused. (Speed is measured by `make bench
BENCH_ARGS="--only cqc"`, not here.)
"""

from __future__ import annotations

import zipfile
from datetime import date

import pytest

from qa_app.services.cqc_import import read_file
from qa_app.services.table_files import (
    MAX_COLUMNS,
    MAX_REPEATED_ROWS,
    UnreadableFile,
    read_rows,
)
from tests.support.spreadsheets import (
    CQC_COLUMNS,
    location_rows,
    write_csv,
    write_ods,
    write_xlsx,
    write_xlsx_shared,
)

TODAY = date(2026, 9, 30)
RATINGS = {
    "Overall": "Good",
    "Safe": "Good",
    "Effective": "Requires improvement",
    "Caring": "Outstanding",
    "Responsive": "Good",
    "Well-led": "Inadequate",
}


def _table() -> list[dict]:
    """Three locations in CQC's layout: `-` brands (equal neighbours), the `Overall` group's
    `Overall` domain (equal neighbours), a branded one, a text with markup characters, and one
    row twice over (equal neighbouring rows)."""
    rows = location_rows(
        "1-101000001",
        "Oak House",
        "Northumberland",
        "1-201000001",
        "Oak Care",
        RATINGS,
        date(2026, 5, 1),
    )
    rows += location_rows(
        "1-102000002",
        "Elm & Ash <Home Care>",
        "Northumberland",
        "1-202000002",
        "Elm Care",
        {"Overall": "Good", "Safe": "Good"},
        date(2026, 6, 2),
        care_home="N",
        extra_groups=["Homecare"],
    )
    branded = location_rows(
        "RW1J2",
        "Trust Care Home",
        "Newcastle upon Tyne",
        "RW1",
        "A Trust",
        RATINGS,
        date(2026, 7, 3),
    )
    rows += [{**row, "Brand ID": "BD001", "Brand Name": "BRAND Trust"} for row in branded]
    rows.append(dict(rows[-1]))
    return rows


def _cells(path, name: str) -> list[tuple[int, list]]:
    return list(read_rows(path, name, "Locations"))


def _content(path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("content.xml").decode()


def test_libreoffice_ods_collapses_repeats_and_reads_as_the_plain_one(tmp_path):
    rows = _table()
    plain = write_ods(tmp_path / "plain.ods", rows)
    collapsed = write_ods(tmp_path / "collapsed.ods", rows, like_libreoffice=True)
    xml = _content(collapsed)
    assert 'table:number-columns-repeated="2" office:value-type="string"' in xml  # "-", "-"
    assert 'table:number-rows-repeated="2"' in xml  # the row written twice
    assert "repeated" not in _content(plain)
    read = _cells(collapsed, "collapsed.ods")
    assert read == _cells(plain, "plain.ods")
    assert [number for number, _ in read] == list(range(1, len(rows) + 2))
    assert read[0][1] == list(CQC_COLUMNS)
    first = read[1][1]
    assert first[17:20] == ["Overall", "Overall", "Good"]
    assert first[20] == date(2026, 5, 1)
    assert first[26:] == ["-", "-"]
    assert read[-1][1] == read[-2][1] and read[-1][1][26:] == ["BD001", "BRAND Trust"]
    assert any(cells[2] == "Elm & Ash <Home Care>" for _, cells in read)


@pytest.mark.parametrize(
    "writer", [write_csv, write_xlsx, write_xlsx_shared], ids=["csv", "xlsx", "xlsx-shared"]
)
def test_the_same_table_reads_the_same_as_ods_xlsx_and_csv(tmp_path, writer):
    rows = _table()
    ods = write_ods(tmp_path / "cqc.ods", rows, like_libreoffice=True)
    suffix = "csv" if writer is write_csv else "xlsx"
    other = writer(tmp_path / f"cqc.{suffix}", rows)
    from_ods = read_file(ods, "cqc.ods", TODAY)
    from_other = read_file(other, f"cqc.{suffix}", TODAY)
    assert from_ods.rows == len(rows) and not from_ods.bad_rows
    assert set(from_ods.locations) == {"1-101000001", "1-102000002", "RW1J2"}
    assert from_other == from_ods


def test_shared_strings_xlsx_keeps_each_text_once(tmp_path):
    path = write_xlsx_shared(tmp_path / "cqc.xlsx", _table())
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert 't="s"' in sheet and "inlineStr" not in sheet
    assert strings.count(">Oak House<") == 1
    assert _cells(path, "cqc.xlsx") == _cells(write_ods(tmp_path / "c.ods", _table()), "c.ods")


def _ods(tmp_path, rows_xml: str):
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="Locations">'
    )
    path = tmp_path / "t.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "content.xml",
            head + rows_xml + "</table:table></office:spreadsheet></office:body>"
            "</office:document-content>",
        )
    return path


def _cell(text: str, repeat: int | None = None) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat else ""
    return f'<table:table-cell{times} office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def test_repeated_columns_and_rows_expand_and_empty_ones_only_count(tmp_path):
    path = _ods(
        tmp_path,
        "<table:table-row>"
        + _cell("a")
        + _cell("b", 3)
        + "<table:table-cell/>"
        + _cell("c")
        + '<table:table-cell table:number-columns-repeated="1020"/></table:table-row>'
        + '<table:table-row table:number-rows-repeated="5"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
        + '<table:table-row table:number-rows-repeated="3">'
        + _cell("d", 2)
        + "</table:table-row>"
        # a cell the pattern for usual cells does not take: the row is read a cell at a time
        + "<table:table-row>"
        + _cell("e", 2)
        + "<table:table-cell><text:p>two</text:p><text:p>lines</text:p></table:table-cell>"
        + "</table:table-row>",
    )
    assert _cells(path, "t.ods") == [
        (1, ["a", "b", "b", "b", None, "c"]),
        (7, ["d", "d"]),
        (8, ["d", "d"]),
        (9, ["d", "d"]),
        (10, ["e", "e", "two\nlines"]),
    ]


def test_absurd_column_repeats_are_cut_at_the_column_limit(tmp_path):
    path = _ods(
        tmp_path, "<table:table-row>" + _cell("x", 10**15) + _cell("y") + "</table:table-row>"
    )
    [(number, cells)] = _cells(path, "t.ods")
    assert number == 1 and cells == ["x"] * MAX_COLUMNS


@pytest.mark.parametrize("repeat", [MAX_REPEATED_ROWS + 1, 10**15])
def test_a_row_of_data_repeated_absurdly_often_is_refused(tmp_path, repeat):
    path = _ods(
        tmp_path,
        "<table:table-row>" + _cell("header") + "</table:table-row>"
        f'<table:table-row table:number-rows-repeated="{repeat}">'
        + _cell("x", 3)
        + "</table:table-row>",
    )
    with pytest.raises(
        UnreadableFile, match=f"t.ods row 2 is repeated more than {MAX_REPEATED_ROWS:,}"
    ):
        _cells(path, "t.ods")


def test_empty_rows_repeated_to_the_sheet_end_cost_nothing(tmp_path):
    path = _ods(
        tmp_path,
        "<table:table-row>" + _cell("x") + "</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>',
    )
    assert _cells(path, "t.ods") == [(1, ["x"])]


def _xlsx(tmp_path, rows_xml: str):
    """A shared-strings XLSX (strings 0 "Location ID", 1 "a") whose sheet is `rows_xml`."""
    source = write_xlsx_shared(
        tmp_path / "s.xlsx", [{"Location ID": "a"}], columns=("Location ID",)
    )
    path = tmp_path / "t.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for name in old.namelist():
            content = old.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = (
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f"<sheetData>{rows_xml}</sheetData></worksheet>"
                ).encode()
            new.writestr(name, content)
    return path


def _xlsx_row(n: int, first: str) -> str:
    return (
        f'<row r="{n}">{first}<c r="C{n}" t="s"><v>0</v></c>'
        f'<c r="D{n}" s="1" t="n"><v>46000</v></c><c r="E{n}"><v>12.0</v></c>'
        f'<c r="F{n}" t="str"><v>x &amp; y</v></c><c r="G{n}" t="s"><v>99</v></c>'
        f'<c r="H{n}" t="s"><v>123456789012</v></c><c r="GS{n}" t="s"><v>1</v></c>'
        f'<c r="I{n}" t="s"/></row>'
    )


def test_xlsx_usual_and_unusual_cells_read_alike(tmp_path):
    """Shared strings out of range and cells past MAX_COLUMNS are left out, dates by style,
    whether the row is read with the one pattern or (an inline string in it) a cell at a time."""
    usual = _xlsx_row(1, '<c r="A1" s="0" t="s"><v>1</v></c>')
    unusual = _xlsx_row(2, '<c r="A2" t="inlineStr"><is><t>a</t></is></c>')
    rows = _cells(_xlsx(tmp_path, usual + unusual), "t.xlsx")
    expected = ["a", None, "Location ID", date(2025, 12, 9), "12", "x & y"]
    assert rows == [(1, expected), (2, expected)]
