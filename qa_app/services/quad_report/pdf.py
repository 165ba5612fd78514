"""The QuAD report as a PDF (ReportLab, A4) for the meeting: a contents page, the figures beside
the month before and the same month a year earlier, charts drawn with ReportLab's graphics
(ratings at the month's end, concerns by month and clocks on time over 12 months), the
services of most concern, and the meeting's own record with the actions carried forward. Every page carries the
month, the date produced and its page number. It renders the computed `QuadReport` only."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from qa_app.domain.codes import SERVICE_TYPES
from qa_app.domain.wording import long_date, long_datetime
from qa_app.services.quad_report.catalogue import SECTIONS
from qa_app.services.quad_report.formats import (
    KIND_LABELS,
    percent_text,
    rating_label,
    sentence,
    shown,
)
from qa_app.services.quad_report.pdf_charts import (
    AMBER,
    RED,
    concerns_chart,
    on_time_chart,
    ratings_chart,
)
from qa_app.services.quad_report.pdf_meeting import carried_flowables, record_flowables
from qa_app.services.quad_report.queries import section_rows
from qa_app.services.quad_report.report import QuadReport
from qa_app.services.report_pdf import (
    BODY,
    CELL,
    CELL_BOLD,
    GREY,
    H1,
    HINT,
    INK,
    LIGHT,
    LINE,
    SMALL,
    SUBSECTION,
    PagedCanvas,
    heading_style,
    paragraph,
    ruled_table,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN

SECTION = heading_style("section", 16, 20, 4, 8)
NUMBER = ParagraphStyle("number", parent=CELL, alignment=2)
NUMBER_BOLD = ParagraphStyle("numberbold", parent=NUMBER, fontName="Helvetica-Bold")
CARD_NUMBER = ParagraphStyle(
    "cardnumber", parent=BODY, fontName="Helvetica-Bold", fontSize=22, leading=26
)
CARD_LABEL = ParagraphStyle("cardlabel", parent=BODY, fontSize=9, leading=11.5)
CARD_COMPARE = ParagraphStyle("cardcompare", parent=HINT, fontSize=7.5)
CONTENTS_ENTRY = ParagraphStyle("contents", parent=BODY, fontSize=11, leading=18, leftIndent=0)


_p = paragraph


class _Document(BaseDocTemplate):
    """A4 with the running header and footer; section headings go into the contents."""

    def __init__(self, buffer, report: QuadReport, council: str):
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=22 * mm,
            bottomMargin=20 * mm,
            title=f"QuAD report: {report.month.label}",
            author=council,
            subject=f"Monthly quality assurance report, {report.filters.describe()}",
        )
        frame = Frame(
            MARGIN,
            20 * mm,
            WIDTH,
            PAGE_HEIGHT - 42 * mm,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates([PageTemplate("page", [frame])])

    def afterFlowable(self, flowable):
        if isinstance(flowable, Paragraph) and flowable.style.name == "section":
            text = flowable.getPlainText()
            key = "section-" + "".join(ch for ch in text.lower() if ch.isalnum())
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=0)
            self.notify("TOCEntry", (0, text, self.page, key))


def _canvas_maker(report: QuadReport, council: str):
    """Every page: the month and the council at the top; the date produced, the services
    covered and "Page N of M" at the foot."""
    month, produced = report.month.label, long_date(report.produced_at)
    covered = report.filters.describe()

    class NumberedCanvas(PagedCanvas):
        def _decorate(self, total):
            self.saveState()
            self.setFillColor(GREY)
            self.setFont("Helvetica-Bold", 8.5)
            self.drawString(MARGIN, PAGE_HEIGHT - 12 * mm, f"QuAD report: {month}")
            self.setFont("Helvetica", 8.5)
            self.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 12 * mm, council)
            self.setStrokeColor(LINE)
            self.setLineWidth(0.5)
            self.line(MARGIN, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 14 * mm)
            self.line(MARGIN, 14 * mm, PAGE_WIDTH - MARGIN, 14 * mm)
            self.setFont("Helvetica", 8)
            self.drawString(MARGIN, 10 * mm, f"Produced {produced} · {covered}")
            self.drawRightString(
                PAGE_WIDTH - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}"
            )
            self.restoreState()

    return NumberedCanvas


def _grid(rows: list[list[Any]], widths, header=True, numeric_from=1, shade=()):
    return ruled_table(rows, widths, header, shade=shade, side_padding=4, numeric_from=numeric_from)


def _figures_table(report: QuadReport, section, rows) -> list:
    labels = [w.month.label for w in report.windows]
    head = [
        _p("", CELL_BOLD),
        _p(labels[0], NUMBER_BOLD),
        _p(labels[1], NUMBER),
        _p(labels[2], NUMBER),
    ]
    body: list[list[Any]] = [head]
    for figure, values in rows:
        label = [_p(figure.label, CELL_BOLD)]
        if figure.hint:
            label.append(_p(figure.hint, HINT))
        body.append(
            [
                label,
                _p(shown(figure, values[0]), NUMBER_BOLD),
                _p(shown(figure, values[1]), NUMBER),
                _p(shown(figure, values[2]), NUMBER),
            ]
        )
    parts: list[Any] = [_p(section.title, SUBSECTION)]
    if section.note:
        parts.append(_p(section.note, SMALL))
        parts.append(Spacer(1, 2 * mm))
    parts.append(_grid(body, [WIDTH - 3 * 30 * mm, 30 * mm, 30 * mm, 30 * mm]))
    return [KeepTogether(parts)]


def _card(number: str, label: str, compare: str, colour=INK):
    style = ParagraphStyle("n", parent=CARD_NUMBER, textColor=colour)
    return [_p(number, style), _p(label, CARD_LABEL), _p(compare, CARD_COMPARE)]


def _cards(report: QuadReport) -> Table:
    labels = [w.month.label.split()[0][:3] + " " + w.month.label.split()[1] for w in report.windows]

    def compare(path):
        f = report.value
        return f"{labels[1]}: {f(path, 1):,} · {labels[2]}: {f(path, 2):,}"

    def rate(group):
        value = report.value(f"concerns.clocks.{group}.on_time_rate")
        before = [report.value(f"concerns.clocks.{group}.on_time_rate", k) for k in (1, 2)]
        words = ["n/a" if b is None else percent_text(b) for b in before]
        return (
            "None due" if value is None else percent_text(value),
            f"{labels[1]}: {words[0]} · {labels[2]}: {words[1]}",
        )

    high_rate, high_compare = rate("high")
    other_rate, other_compare = rate("other")
    cells = [
        _card(
            f"{report.value('concerns.received.total'):,}",
            "concerns received",
            compare("concerns.received.total"),
        ),
        _card(high_rate, "high-risk clocks on time", high_compare),
        _card(other_rate, "medium and low risk clocks on time", other_compare),
        _card(
            f"{report.concern_counts['red']:,}",
            "services red at the month's end",
            f"and {report.concern_counts['amber']:,} amber",
            RED if report.concern_counts["red"] else INK,
        ),
        _card(
            f"{report.value('notices.notice_of_concern.open') + report.value('notices.contract_breach.open'):,}",
            "notices in force at the month's end",
            f"{report.value('notices.notice_of_concern.issued') + report.value('notices.contract_breach.issued'):,} issued in the month",
        ),
        _card(
            f"{report.value('placement_stops.active'):,}",
            "placement stops in force",
            compare("placement_stops.active"),
        ),
        _card(
            f"{report.value('assessments.published'):,}",
            "assessments published",
            compare("assessments.published"),
        ),
        _card(
            f"{report.value('plans.overdue'):,}",
            "improvement plans overdue",
            compare("plans.overdue"),
        ),
        _card(
            f"{report.value('plans.overdue_actions'):,}",
            "improvement actions overdue",
            compare("plans.overdue_actions"),
        ),
    ]
    rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    table = Table(rows, colWidths=[WIDTH / 3] * 3)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                ("LINEBEFORE", (0, 0), (-1, -1), 3, colors.white),
                ("LINEAFTER", (0, 0), (-1, -1), 3, colors.white),
                ("LINEBELOW", (0, 0), (-1, -1), 6, colors.white),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _trend_table(report: QuadReport) -> Table:
    t = report.trend
    head = ["Month", "High", "Medium", "Low", "Total", "High on time", "Others on time"]
    rows: list[list[Any]] = [
        [_p(h, CELL_BOLD if i == 0 else NUMBER_BOLD) for i, h in enumerate(head)]
    ]
    for i, month in enumerate(t.months):
        received = [t.received[level][i] for level in ("high", "medium", "low")]
        rates = [t.on_time_rate[g][i] for g in ("high", "other")]
        rows.append(
            [_p(month.label, CELL)]
            + [_p(f"{v:,}", NUMBER) for v in [*received, sum(received)]]
            + [_p("\u2013" if r is None else percent_text(r), NUMBER) for r in rates]
        )
    widths = [34 * mm] + [(WIDTH - 34 * mm) / 6] * 6
    return _grid(rows, widths, shade=(len(rows) - 1,))


# ---------------------------------------------------------------- lists


def _moves(report: QuadReport) -> list:
    parts: list[Any] = [_p(f"Services whose rating moved in {report.month.label}", SUBSECTION)]
    if not report.rating_changes:
        parts.append(_p("No service's latest assessment rating or CQC rating changed."))
        return parts
    rows: list[list[Any]] = [
        [
            _p("Service", CELL_BOLD),
            _p("Rating", CELL_BOLD),
            _p("From", CELL_BOLD),
            _p("To", CELL_BOLD),
        ]
    ]
    for c in report.rating_changes:
        arrow = {"worse": " (worse)", "better": " (better)"}.get(c.direction, "")
        rows.append(
            [
                [_p(c.name, CELL_BOLD), _p(c.provider, HINT)],
                _p(KIND_LABELS[c.kind], CELL),
                _p(rating_label(c.kind, c.before), CELL),
                _p(rating_label(c.kind, c.after) + arrow, CELL),
            ]
        )
    parts.append(_grid(rows, [70 * mm, 30 * mm, 37 * mm, WIDTH - 137 * mm], numeric_from=None))
    return parts


def _of_concern(report: QuadReport) -> list:
    counts = report.concern_counts
    parts: list[Any] = [
        _p(
            f"At the end of {report.month.label}: {counts['red']:,} red and {counts['amber']:,} "
            "amber, by the market overview's risk rules (SPEC section 7), each with the reasons "
            "the rules give. Red first."
            + (
                f" The first {len(report.services_of_concern)} are listed; the CSV, XLSX and "
                "JSON carry the same list."
                if len(report.services_of_concern) < counts["red"] + counts["amber"]
                else ""
            )
        )
    ]
    if not report.services_of_concern:
        parts.append(_p("No service was red or amber."))
        return parts
    rows: list[list[Any]] = [
        [_p("Risk", CELL_BOLD), _p("Service", CELL_BOLD), _p("Why", CELL_BOLD)]
    ]
    shade = []
    for s in report.services_of_concern:
        colour = RED if s.risk == "red" else AMBER
        badge = ParagraphStyle("badge", parent=CELL_BOLD, textColor=colour)
        detail = f"{s.provider} · {SERVICE_TYPES.get(s.service_type, s.service_type)} · {s.cluster}"
        rows.append(
            [
                _p(s.risk.capitalize(), badge),
                [_p(s.name, CELL_BOLD), _p(detail, HINT)],
                _p(sentence("; ".join(s.reasons)), CELL),
            ]
        )
        if s.risk == "red":
            shade.append(len(rows) - 1)
    parts.append(_grid(rows, [16 * mm, 72 * mm, WIDTH - 88 * mm], numeric_from=None))
    return parts


# ---------------------------------------------------------------- the document


def render(report: QuadReport, council: str) -> bytes:
    buffer = io.BytesIO()
    doc = _Document(buffer, report, council)
    sections = dict((s.key, (s, rows)) for s, rows in section_rows(report))
    window = report.window
    labels = [w.month.label for w in report.windows]
    as_at = (
        f"the end of {long_date(report.month.last_day)}"
        if window.complete
        else f"{long_datetime(window.as_at)} (the month is not over)"
    )

    contents = TableOfContents()
    contents.levelStyles = [CONTENTS_ENTRY]
    contents.dotsMinLevel = 0
    story = [
        _p(council, SMALL),
        Spacer(1, 18 * mm),
        _p("Monthly quality assurance (QuAD) report", SUBSECTION),
        _p(report.month.label, H1),
        _p(f"Services: {report.filters.describe()}", BODY),
        Spacer(1, 4 * mm),
        _p(
            f"Events are counted in the month (Europe/London time); states such as notices in "
            f"force are as at {as_at}. Each figure is shown beside {labels[1]} and {labels[2]}. "
            f"Produced {long_datetime(report.produced_at)}.",
            BODY,
        ),
        *[_p(note, BODY) for note in report.notes],
        Spacer(1, 12 * mm),
        _p("Contents", SUBSECTION),
        contents,
        PageBreak(),
    ]

    def add_section(title: str, *flowables):
        # the heading is kept with what follows it (never alone at the foot of a page), in
        # one KeepTogether (one inside another moves both to a new page needlessly)
        first = flowables[0]
        inner = list(getattr(first, "_content", [first]))
        if title == getattr(inner[0], "getPlainText", lambda: None)():
            inner = inner[1:]  # a section of one table: its title once
        story.append(KeepTogether([_p(title, SECTION), *inner]))
        story.extend(flowables[1:])

    add_section(
        "Summary",
        _cards(report),
        Spacer(1, 6 * mm),
        _p(f"Services by rating at the end of {report.month.label}", SUBSECTION),
        ratings_chart(report),
    )
    add_section(
        "Ratings",
        *_figures_table(report, *sections["ratings_assessment"]),
        *_figures_table(report, *sections["ratings_cqc"]),
        *_moves(report),
    )
    add_section("Assessments", *_figures_table(report, *sections["assessments"]))
    add_section(
        "Concerns and response clocks",
        *_figures_table(report, *sections["concerns_received"]),
        *_figures_table(report, *sections["concerns_by_source"]),
        *_figures_table(report, *sections["clocks"]),
    )
    add_section(
        "Concerns and clocks over 12 months",
        KeepTogether(
            [_p("Concerns received each month, by risk level", SUBSECTION), concerns_chart(report)]
        ),
        KeepTogether(
            [
                _p("Response clocks on time each month", SUBSECTION),
                on_time_chart(report),
                _p(
                    "A gap in a line is a month in which no clock of that kind fell due or "
                    "was met.",
                    SMALL,
                ),
            ]
        ),
        Spacer(1, 3 * mm),
        KeepTogether([_trend_table(report)]),
    )
    add_section(
        "Notices and placement stops",
        *_figures_table(report, *sections["notices"]),
        *_figures_table(report, *sections["breach_notices"]),
        *_figures_table(report, *sections["placement_stops"]),
    )
    add_section(
        "Improvement plans",
        *_figures_table(report, *sections["plans"]),
        *_figures_table(report, *sections["action_gradings"]),
    )
    story.append(PageBreak())
    add_section("Services of most concern", *_of_concern(report))
    story.append(PageBreak())
    add_section("Meeting record", *record_flowables(report.meeting_record, WIDTH))
    add_section("Actions carried forward", *carried_flowables(report.meeting_record, WIDTH))
    assert len(sections) == len(SECTIONS)
    doc.multiBuild(story, canvasmaker=_canvas_maker(report, council))
    return buffer.getvalue()
