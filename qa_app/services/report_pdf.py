"""The assessment report as a PDF (ReportLab): cover, ratings summary, chart, findings.

Every page carries the service name and "page N of M"; a "DRAFT" watermark stays until the
assessment is published.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from qa_app.domain.draft_comments import DECISIONS
from qa_app.domain.lifecycle import is_published
from qa_app.domain.ratings import SCORE_LABELS, rounded
from qa_app.domain.standards import EVIDENCE_SOURCES
from qa_app.domain.summaries import OVERALL
from qa_app.domain.wording import long_date
from qa_app.services import answer_photos, assessment_summaries, assessments, evidence_store

ROUNDING_NOTE = (
    "Percentages are shown rounded to a whole number; ratings are decided on the exact figure "
    "(so 62.5% shows as 63 but is below the 63% edge for Good)."
)
INK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
LINE = colors.HexColor("#b1b4b6")
RATING_COLOURS = {
    "Excellent": colors.HexColor("#28a197"),
    "Good": colors.HexColor("#00703c"),
    "Requires improvement": colors.HexColor("#f47738"),
    "Poor": colors.HexColor("#d4351c"),
    "Not assessed": colors.HexColor("#b1b4b6"),
}

_styles = getSampleStyleSheet()
BODY = ParagraphStyle(
    "body",
    parent=_styles["BodyText"],
    fontName="Helvetica",
    fontSize=9.5,
    leading=12.5,
    textColor=INK,
)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, textColor=GREY)
H1 = ParagraphStyle(
    "h1", parent=BODY, fontName="Helvetica-Bold", fontSize=22, leading=27, spaceAfter=6
)


def heading_style(name: str, size: float, leading: float, before: float, after: float):
    """A bold heading in the house style: size and leading, space before and after (points)."""
    return ParagraphStyle(
        name,
        parent=BODY,
        fontName="Helvetica-Bold",
        fontSize=size,
        leading=leading,
        spaceBefore=before,
        spaceAfter=after,
    )


H2 = heading_style("h2", 14, 18, 10, 6)
H3 = heading_style("h3", 11, 14, 8, 4)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=11)
CELL_BOLD = ParagraphStyle("cellbold", parent=CELL, fontName="Helvetica-Bold")


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


LIGHT = colors.HexColor("#f3f2f1")
SUBSECTION = heading_style("subsection", 11.5, 14, 10, 4)
HINT = ParagraphStyle("hint", parent=CELL, fontSize=7.5, leading=9.5, textColor=GREY)


def paragraph(text, style=BODY) -> Paragraph:
    """Text as a paragraph: escaped, line breaks kept, a number (0 too) written out."""
    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


class PagedCanvas(canvas.Canvas):
    """A canvas that holds its pages back until the end, so that each page's header and footer
    can say "Page N of M": subclasses draw them in `_decorate(total)`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        raise NotImplementedError


def _numbered_canvas(service_name: str, council: str, draft: bool):
    class NumberedCanvas(PagedCanvas):
        def _decorate(self, total):
            width, height = self._pagesize
            self.saveState()
            if draft:
                self.setFillColor(colors.Color(0.83, 0.21, 0.11, alpha=0.12))
                self.setFont("Helvetica-Bold", 96)
                self.translate(width / 2, height / 2)
                self.rotate(45)
                self.drawCentredString(0, -30, "DRAFT")
                self.rotate(-45)
                self.translate(-width / 2, -height / 2)
            self.setFillColor(GREY)
            self.setFont("Helvetica", 8)
            self.drawString(
                18 * mm, 10 * mm, f"{service_name} · {council}" + (" · DRAFT" if draft else "")
            )
            self.drawRightString(width - 18 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def _chart(ratings) -> Drawing:
    domains = [d for d in ratings.domains]
    values = [float(rounded(d.percentage) or 0) for d in domains]
    height = 30 + 22 * len(domains)
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 62 * mm, 20  # type: ignore[assignment]  # the stubs say int; points are floats
    chart.width, chart.height = 100 * mm, height - 30  # type: ignore[assignment]  # as above
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [d.title for d in reversed(domains)]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontSize = 8
    chart.bars.strokeColor = None
    for i, d in enumerate(reversed(domains)):
        chart.bars[(0, i)].fillColor = RATING_COLOURS[d.rating]
    chart.barLabelFormat = "%d%%"
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    for edge, label in ((39, "39"), (63, "63"), (88, "88")):
        x = chart.x + chart.width * edge / 100
        drawing.add(
            Line(
                x,
                chart.y,
                x,
                chart.y + chart.height,
                strokeColor=GREY,
                strokeDashArray=[2, 2],
                strokeWidth=0.5,
            )
        )
        drawing.add(
            String(
                x,
                chart.y + chart.height + 3,
                label,
                fontSize=7,
                fillColor=GREY,
                textAnchor="middle",
            )
        )
    return drawing


def ruled_table(
    rows,
    widths,
    header: bool = True,
    shade=(),
    side_padding: float | None = None,
    header_shaded: bool = False,
    numeric_from: int | None = None,
) -> Table:
    """A table in the house style: cells aligned to the top with a thin rule under each row,
    a heavier rule under the header row (repeated on each page; shaded if asked), the rows in
    `shade` shaded, and the columns from `numeric_from` aligned right."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if side_padding is not None:
        style += [
            ("LEFTPADDING", (0, 0), (-1, -1), side_padding),
            ("RIGHTPADDING", (0, 0), (-1, -1), side_padding),
        ]
    if header:
        style.append(("LINEBELOW", (0, 0), (-1, 0), 1, INK))
        if header_shaded:
            style.append(("BACKGROUND", (0, 0), (-1, 0), LIGHT))
    if numeric_from is not None:
        style.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    for row in shade:
        style.append(("BACKGROUND", (0, row), (-1, row), LIGHT))
    table.setStyle(TableStyle(style))
    return table


def document(buffer, title: str, council: str, margins=(18, 18, 20), pagesize=A4):
    """A document whose author is the council; `margins` are the sides, top and bottom in mm."""
    side, top, bottom = margins
    return SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=side * mm,
        rightMargin=side * mm,
        topMargin=top * mm,
        bottomMargin=bottom * mm,
        title=title,
        author=council,
    )


def service_pdf(
    story: list,
    title: str,
    council: str,
    service_name: str,
    draft: bool = False,
    margins=(18, 18, 20),
    pagesize=A4,
) -> bytes:
    """A PDF about one service built from `story`: a `document`, each page footed with the
    service, the council and "Page N of M", and marked DRAFT across if `draft`."""
    buffer = io.BytesIO()
    doc = document(buffer, title, council, margins, pagesize)
    doc.build(story, canvasmaker=_numbered_canvas(service_name, council, draft))
    return buffer.getvalue()


def render(assessment, council: str) -> bytes:
    questions = assessments.questions_for(assessment)
    answers = assessments.answers_for(assessment)
    ratings = assessments.ratings_for(assessment, questions, answers)
    comments = assessments.comments_for(assessment)
    numbered = list(enumerate((c for c in comments if c.kind == "provider"), 1))
    no_comments = [c for c in comments if c.kind == "no_comments"]
    photos = answer_photos.photos_for(assessment)
    summaries = {part: s.text for part, s in assessment_summaries.summaries_for(assessment).items()}
    service = assessment.service
    draft = not is_published(assessment.status)
    story = [
        _p(council, SMALL),
        Spacer(1, 30 * mm),
        _p("Quality assessment report" + (" (draft)" if draft else ""), H2),
        _p(service.name, H1),
        _p(f"{service.provider.name}", BODY),
        _p(" ".join(filter(None, [service.address, service.postcode])), BODY),
        Spacer(1, 10 * mm),
    ]
    officers = ", ".join(
        [assessment.lead_officer.name + " (lead)"] + [o.name for o in assessment.officers]
    )
    facts = [
        ["Type of service", service.service_type_label],
        [
            "Assessment",
            f"{assessments.KINDS[assessment.kind]}, {'announced' if assessment.announced else 'unannounced'}",
        ],
        ["Visit date", f"{assessment.visit_date.day} {assessment.visit_date:%B %Y}"],
        ["Officers", officers],
        [
            "Standard set",
            f"{assessment.standard_set.title}, version {assessment.standard_set.version}",
        ],
        [
            "Status",
            "Published " + f"{long_date(assessment.published_at)}"
            if assessment.published_at
            else "Draft, not yet published",
        ],
    ]
    story.append(
        ruled_table(
            [[_p(k, CELL_BOLD), _p(v, CELL)] for k, v in facts], [45 * mm, 125 * mm], header=False
        )
    )
    story.append(Spacer(1, 12 * mm))
    overall = ratings.overall
    story.append(_p("Overall rating", H3))
    badge = Table(
        [
            [
                _p(
                    overall.rating,
                    ParagraphStyle("badge", parent=H1, textColor=colors.white, fontSize=20),
                ),
                _p(
                    f"{rounded(overall.percentage)}%" if overall.percentage is not None else "",
                    ParagraphStyle("pct", parent=H1, textColor=colors.white, fontSize=20),
                ),
            ]
        ],
        colWidths=[110 * mm, 60 * mm],
    )
    badge.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), RATING_COLOURS[overall.rating]),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story.append(badge)
    if overall.limiter:
        story.append(_p(overall.limiter, SMALL))
    if (summaries.get(OVERALL) or "").strip():
        story.append(Spacer(1, 8 * mm))
        story.append(_p("Overall summary", H3))
        story.extend(_written(summaries[OVERALL]))
    story.append(PageBreak())

    story.append(_p("Ratings", H2))
    rows: list[list] = [
        [
            _p("Domain or standard", CELL_BOLD),
            _p("Rating", CELL_BOLD),
            _p("%", CELL_BOLD),
            _p("What limited it", CELL_BOLD),
        ]
    ]
    shade = []
    rows.append(
        [
            _p("Overall", CELL_BOLD),
            _p(overall.rating, CELL_BOLD),
            _p(rounded(overall.percentage) if overall.percentage is not None else "", CELL_BOLD),
            _p(overall.limiter or "", CELL),
        ]
    )
    for d in ratings.domains:
        shade.append(len(rows))
        rows.append(
            [
                _p(d.title, CELL_BOLD),
                _p(d.rating, CELL_BOLD),
                _p(rounded(d.percentage) if d.percentage is not None else "", CELL_BOLD),
                _p(d.limiter or "", CELL),
            ]
        )
        for domain_code, s in ratings.standards:
            if domain_code == d.code:
                rows.append(
                    [
                        _p(f"{s.code} {s.title}", CELL),
                        _p(s.rating, CELL),
                        _p(rounded(s.percentage) if s.percentage is not None else "", CELL),
                        _p(s.limiter or "", CELL),
                    ]
                )
    story.append(ruled_table(rows, [70 * mm, 32 * mm, 12 * mm, 60 * mm], shade=shade))
    story.append(_p(ROUNDING_NOTE, SMALL))
    story.append(Spacer(1, 6 * mm))
    story.append(_p("Domain percentages (band edges at 39, 63 and 88)", H3))
    story.append(_chart(ratings))
    story.append(PageBreak())

    if numbered or no_comments:
        story.extend(_comments_section(assessment, questions, numbered, no_comments))
        story.append(PageBreak())

    story.append(_p("Findings", H2))
    by_ref: dict[str | None, list] = {}
    for number, c in numbered:
        by_ref.setdefault(c.question_ref, []).append((number, c))
    for domain in assessment.standard_set.document["domains"]:
        story.append(_p(domain["title"], H2))
        if (summaries.get(domain["code"]) or "").strip():
            story.append(_p("Summary", H3))
            story.extend(_written(summaries[domain["code"]]))
        for standard in domain["standards"]:
            qs = [q for q in questions if q.standard_code == standard["code"]]
            if not qs:
                continue
            rating = next(s for code, s in ratings.standards if s.code == standard["code"])
            heading = _p(
                f"{standard['code']} {standard['title']}: {rating.rating}"
                + (f" ({rounded(rating.percentage)}%)" if rating.percentage is not None else ""),
                H3,
            )
            rows = [[_p("Question", CELL_BOLD), _p("Score", CELL_BOLD), _p("Evidence", CELL_BOLD)]]
            for q in qs:
                a = answers.get(q.ref)
                if a is None:
                    score = "Not answered"
                elif a.na:
                    score = "N/A" + (f": {a.na_reason}" if a.na_reason else "")
                else:
                    score = f"{a.score} {SCORE_LABELS[a.score]}" if a.score else "Not answered"
                evidence = (a.evidence if a else "") or ""
                if a and a.sources:
                    evidence += "\n(" + ", ".join(EVIDENCE_SOURCES[s] for s in a.sources) + ")"
                for number, c in by_ref.get(q.ref, []):
                    evidence += f"\nProvider comment {number} is about this finding" + (
                        f" ({DECISIONS[c.answer.decision].lower()})" if c.answer else ""
                    )
                    evidence += ": see Comments on the draft report."
                cell = [_p(evidence, CELL), *_photos_block(photos.get(q.ref, []))]
                rows.append([_p(f"{q.ref} {q.text}", CELL), _p(score, CELL), cell])
            story.append(
                KeepTogether([heading, ruled_table(rows, [70 * mm, 28 * mm, 76 * mm])])
                if len(rows) < 6
                else heading
            )
            if len(rows) >= 6:
                story.append(ruled_table(rows, [70 * mm, 28 * mm, 76 * mm]))
    return service_pdf(story, f"Assessment report: {service.name}", council, service.name, draft)


PHOTO_SIDE = 22 * mm


def _photos_block(photos) -> list:
    """A finding's photos as thumbnails (three to a row, each named), and its other files by
    name; nothing when there are none."""
    if not photos:
        return []
    cells: list[list] = []
    for photo in photos:
        thumb = evidence_store.evidence_dir() / photo.thumb_name if photo.thumb_name else None
        if thumb is not None and thumb.is_file() and photo.width and photo.height:
            scale = PHOTO_SIDE / max(photo.width, photo.height)
            picture = Image(str(thumb), photo.width * scale, photo.height * scale)
            cells.append([picture, _p(photo.filename, SMALL)])
        else:
            cells.append([_p(f"File: {photo.filename}", SMALL)])
    rows: list[list] = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    rows[-1] += [""] * (3 - len(rows[-1]))
    grid = Table(rows, colWidths=[24 * mm] * 3, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [_p(f"Photos and files ({len(photos)}):", SMALL), grid]


def _written(text: str) -> list:
    """An officer's summary as paragraphs: one per line of what was typed."""
    return [_p(line) for line in text.splitlines() if line.strip()]


def _comments_section(assessment, questions, numbered, no_comments) -> list:
    """The provider's comments on the draft, each with the council's answer, as a table."""
    published = is_published(assessment.status)
    by_ref = {q.ref: q for q in questions}
    story: list[Any] = [_p("Comments on the draft report", H2)]
    if numbered:
        story.append(
            _p(
                "The provider's comments on the factual accuracy of the draft, each with the council's answer."
            )
        )
        rows = [
            [
                _p("", CELL_BOLD),
                _p("About", CELL_BOLD),
                _p("Comment", CELL_BOLD),
                _p("The council's answer", CELL_BOLD),
            ]
        ]
        for number, c in numbered:
            q = by_ref.get(c.question_ref)
            about = f"{q.ref} {q.text}" if q else "The report as a whole"
            comment = f"{c.text}\n({c.author_label}, {long_date(c.created_at)})"
            if c.answer:
                answer = Paragraph(
                    f"<b>{escape(DECISIONS[c.answer.decision])}</b>: "
                    + escape(
                        f"{c.answer.text}\n({c.answer.answered_by_label}, "
                        f"{long_date(c.answer.answered_at)})"
                    ).replace("\n", "<br/>"),
                    CELL,
                )
            else:
                answer = _p("No answer was recorded" if published else "Not answered yet", CELL)
            rows.append([_p(number, CELL_BOLD), _p(about, CELL), _p(comment, CELL), answer])
        story.append(ruled_table(rows, [8 * mm, 46 * mm, 58 * mm, 62 * mm]))
    for c in no_comments:
        story.append(
            _p(
                f"{c.author_label} said the provider had no comments on the draft ({long_date(c.created_at)})."
            )
        )
    return story
