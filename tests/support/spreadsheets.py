"""Writing CQC-shaped ratings tables as ODS, XLSX and CSV, for tests and `make bench`.

The ODS writer streams `content.xml` into the zip row by row, so a national-size file
(320,000 rows by 28 columns) is written in seconds without holding it in memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

#: The columns of CQC's "care directory with ratings" Locations sheet, in its order.
CQC_COLUMNS = (
    "Location ID",
    "Location ODS Code",
    "Location Name",
    "Care Home?",
    "Location Type",
    "Location Primary Inspection Category",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location Post Code",
    "Location Local Authority",
    "Location Region",
    "Location NHS Region",
    "Location ONSPD CCG Code",
    "Location ONSPD CCG",
    "Location Commissioning CCG Code",
    "Location Commissioning CCG Name",
    "Service / Population Group",
    "Domain",
    "Latest Rating",
    "Publication Date",
    "Report Type",
    "Inherited Rating (Y/N)",
    "URL",
    "Provider ID",
    "Provider Name",
    "Brand ID",
    "Brand Name",
)

DOMAINS = ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")

_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_CONTENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
_CONTENT_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def location_rows(
    location_id: str,
    name: str,
    local_authority: str,
    provider_id: str,
    provider_name: str,
    ratings: dict[str, str],
    published: date,
    care_home: str = "Y",
    postcode: str = "NE61 1AB",
    extra_groups: Iterable[str] = (),
) -> list[dict]:
    """One location's rows: the `Overall` group for every domain in `ratings`, then the same
    domains' rows for each extra population group (as CQC's file has for some services)."""
    base = {
        "Location ID": location_id,
        "Location ODS Code": "VN" + location_id[-3:],
        "Location Name": name,
        "Care Home?": care_home,
        "Location Type": "Social Care Org",
        "Location Primary Inspection Category": (
            "Residential social care"
            if care_home == "Y"
            else "Community based adult social care services"
        ),
        "Location Street Address": "1 High Street",
        "Location Address Line 2": "",
        "Location City": "Morpeth",
        "Location Post Code": postcode,
        "Location Local Authority": local_authority,
        "Location Region": "North East",
        "Location NHS Region": "North East and Yorkshire",
        "Location ONSPD CCG Code": "E38000130",
        "Location ONSPD CCG": "NHS North East and North Cumbria ICB",
        "Location Commissioning CCG Code": "00L",
        "Location Commissioning CCG Name": "NHS Northumberland",
        "Report Type": "Location",
        "Inherited Rating (Y/N)": "N",
        "URL": f"https://www.cqc.org.uk/location/{location_id}",
        "Provider ID": provider_id,
        "Provider Name": provider_name,
        "Brand ID": "-",
        "Brand Name": "-",
        "Publication Date": published,
    }
    rows = []
    for group in ("Overall", *extra_groups):
        for domain, rating in ratings.items():
            rows.append(
                {
                    **base,
                    "Service / Population Group": group,
                    "Domain": domain,
                    "Latest Rating": rating,
                }
            )
    return rows


def _cell(value, attributes: str = "") -> str:
    """One cell as LibreOffice Calc writes it (`attributes` goes first, for a repeat count)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return (
            f'<table:table-cell{attributes} table:style-name="ce1" office:value-type="date" '
            f'office:date-value="{value.isoformat()}" calcext:value-type="date">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    if isinstance(value, int):
        return (
            f'<table:table-cell{attributes} office:value-type="float" office:value="{value}" '
            f'calcext:value-type="float"><text:p>{value}</text:p></table:table-cell>'
        )
    if value is None or value == "":
        return f"<table:table-cell{attributes}/>"
    return (
        f'<table:table-cell{attributes} office:value-type="string" calcext:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def _row(values: list, collapse: bool) -> str:
    """A row's XML; with `collapse`, equal neighbouring cells are one element with
    `table:number-columns-repeated`, as LibreOffice saves them."""
    if not collapse:
        return "<table:table-row>" + "".join(_cell(v) for v in values) + "</table:table-row>"
    cells, at = [], 0
    while at < len(values):
        run = 1
        while at + run < len(values) and values[at + run] == values[at]:
            run += 1
        repeat = f' table:number-columns-repeated="{run}"' if run > 1 else ""
        cells.append(_cell(values[at], repeat))
        at += run
    return '<table:table-row table:style-name="ro1">' + "".join(cells) + "</table:table-row>"


def write_ods(
    path: Path,
    rows: Iterable[dict],
    columns=CQC_COLUMNS,
    sheet: str = "Locations",
    header: Iterable[str] | None = None,
    like_libreoffice: bool = False,
) -> Path:
    """Write `rows` (dicts keyed by column) as an ODS spreadsheet with one sheet.

    `like_libreoffice` writes what LibreOffice Calc saves (and CQC publishes): equal
    neighbouring cells as one element with `table:number-columns-repeated`, equal neighbouring
    rows as one with `table:number-rows-repeated`, and the sheet's unused rows and columns
    after the table as one empty repeated row.
    """
    collapse = like_libreoffice
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        with archive.open("content.xml", "w", force_zip64=True) as stream:
            chunk: list[str] = [_CONTENT_HEAD, f'<table:table table:name="{escape(sheet)}">']
            if collapse:
                chunk.append(
                    '<table:table-column table:style-name="co1" '
                    f'table:number-columns-repeated="{len(columns)}" '
                    'table:default-cell-style-name="Default"/>'
                )
            chunk.append(_row(list(header or columns), collapse))
            previous, repeat = None, 0

            def flush() -> None:
                if previous is None:
                    return
                xml = _row(previous, collapse)
                if repeat > 1:
                    xml = xml.replace(
                        "<table:table-row ",
                        f'<table:table-row table:number-rows-repeated="{repeat}" ',
                        1,
                    )
                chunk.append(xml)

            for n, row in enumerate(rows):
                values = [row.get(c) for c in columns]
                if collapse and values == previous:
                    repeat += 1
                    continue
                flush()
                previous, repeat = values, 1
                if n % 2000 == 0:
                    stream.write("".join(chunk).encode())
                    chunk = []
            flush()
            if collapse:
                chunk.append(
                    '<table:table-row table:style-name="ro1" '
                    'table:number-rows-repeated="1048000">'
                    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
                )
            chunk.append("</table:table>" + _CONTENT_TAIL)
            stream.write("".join(chunk).encode())
    return path


def write_csv(
    path: Path,
    rows: Iterable[dict],
    columns=CQC_COLUMNS,
    bom: bool = False,
    line_end: str = "\r\n",
    header: Iterable[str] | None = None,
) -> Path:
    """Write `rows` as CSV the way a spreadsheet saves it: dates as dd/mm/yyyy."""
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator=line_end)
        writer.writerow(list(header or columns))
        for row in rows:
            writer.writerow(
                [
                    f"{v:%d/%m/%Y}" if isinstance(v, date) else ("" if v is None else v)
                    for v in (row.get(c) for c in columns)
                ]
            )
    return path


def write_xlsx(
    path: Path,
    rows: Iterable[dict],
    columns=CQC_COLUMNS,
    sheet: str = "Locations",
    header: Iterable[str] | None = None,
) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(list(header or columns))
    for row in rows:
        ws.append([row.get(c) for c in columns])
    book.save(path)
    return path


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
        '<fonts count="1"><font><sz val="10"/><name val="Arial"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs></styleSheet>'
    ),
}
_XLSX_EPOCH = date(1899, 12, 30)


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def write_xlsx_shared(
    path: Path,
    rows: Iterable[dict],
    columns=CQC_COLUMNS,
    sheet: str = "Locations",
    header: Iterable[str] | None = None,
) -> Path:
    """Write `rows` as XLSX the way LibreOffice (and, near enough, Excel) saves it: every text
    in the shared strings table, each cell `<c r=".." s=".." t="s"><v>index</v></c>`, dates
    as day numbers with a date style, empty cells left out. Streams the sheet (the strings,
    fewer, are held until the end)."""
    strings: dict[str, int] = {}
    letters = [_column_letters(k) for k in range(len(columns))]

    def cell(at: str, value) -> str:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return f'<c r="{at}" s="1" t="n"><v>{(value - _XLSX_EPOCH).days}</v></c>'
        if isinstance(value, int):
            return f'<c r="{at}" s="0" t="n"><v>{value}</v></c>'
        if value is None or value == "":
            return ""
        index = strings.setdefault(str(value), len(strings))
        return f'<c r="{at}" s="0" t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId2"/></sheets></workbook>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            chunk = [
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                "<sheetData>"
            ]
            all_rows = ([dict(zip(columns, header or columns, strict=True))], rows)
            number = 0
            for part in all_rows:
                for row in part:
                    number += 1
                    chunk.append(
                        f'<row r="{number}" customFormat="false" ht="12.8" hidden="false" '
                        'customHeight="false" outlineLevel="0" collapsed="false">'
                        + "".join(
                            cell(f"{letters[k]}{number}", row.get(c)) for k, c in enumerate(columns)
                        )
                        + "</row>"
                    )
                    if number % 2000 == 0:
                        stream.write("".join(chunk).encode())
                        chunk = []
            chunk.append("</sheetData></worksheet>")
            stream.write("".join(chunk).encode())
        with archive.open("xl/sharedStrings.xml", "w") as stream:
            stream.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode()
            )
            for text in strings:
                stream.write(f'<si><t xml:space="preserve">{escape(text)}</t></si>'.encode())
            stream.write(b"</sst>")
    return path


#: CQC's key questions, in the order of a location's rows.
KEY_QUESTIONS = ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")


def ratings(*values: str) -> dict[str, str]:
    """A location's ratings for `location_rows`, in the order of KEY_QUESTIONS."""
    return dict(zip(KEY_QUESTIONS, values, strict=True))


def upload_cqc_file(client, path, la: str = "Northshire"):
    """An officer's upload of CQC's file on the import page (the start of a preview)."""
    with open(path, "rb") as f:
        return client.post(
            "/cqc-imports/new",
            data={"file": (io.BytesIO(f.read()), path.name), "local_authority": la},
            content_type="multipart/form-data",
        )
