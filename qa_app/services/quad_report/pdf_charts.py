"""The QuAD report's charts, drawn with ReportLab's graphics: services by rating at the month's
end, concerns received by month (stacked by risk level) and the on-time rate of each clock
over 12 months. Each draws from the computed `QuadReport` only."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from qa_app.domain.codes import CQC_RATINGS
from qa_app.services.quad_report.catalogue import ASSESSMENT_RATINGS
from qa_app.services.quad_report.formats import percent
from qa_app.services.quad_report.report import QuadReport
from qa_app.services.report_pdf import BODY, LINE

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
RED = colors.HexColor("#d4351c")
AMBER = colors.HexColor("#f47738")
GREEN = colors.HexColor("#00703c")
BLUE = colors.HexColor("#1d70b8")
TEAL = colors.HexColor("#28a197")
MID_GREY = colors.HexColor("#b1b4b6")
ASSESSMENT_COLOURS = [TEAL, GREEN, AMBER, RED, MID_GREY]  # Excellent … Poor, none
CQC_COLOURS = [TEAL, GREEN, AMBER, RED, MID_GREY]  # Outstanding … Inadequate, not rated
RISK_COLOURS = {"high": RED, "medium": AMBER, "low": BLUE}


def _bar_chart(title: str, names: list[str], values: list[int], bar_colours, x: float, width):
    chart = HorizontalBarChart()
    chart.x, chart.y = x + 34 * mm, 8  # type: ignore[assignment]  # points are floats
    chart.width, chart.height = width - 44 * mm, 5 * 13
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed(names))
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.visibleTicks = False
    chart.categoryAxis.strokeColor = LINE
    chart.valueAxis.valueMin = 0
    top = max([*values, 1])
    chart.valueAxis.valueMax = top * 1.2
    chart.valueAxis.visible = False
    chart.bars.strokeColor = None
    for i, colour in enumerate(reversed(bar_colours)):
        chart.bars[(0, i)].fillColor = colour
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    label = String(x, chart.y + chart.height + 8, title, fontName="Helvetica-Bold", fontSize=9)
    return chart, label


def ratings_chart(report: QuadReport) -> Drawing:
    """The services by latest assessment rating and by CQC rating at the month's end."""
    drawing = Drawing(WIDTH, 95)
    half = WIDTH / 2
    names = [*ASSESSMENT_RATINGS, "None published"]
    values = [report.value(f"ratings.assessment.{r}") for r in ASSESSMENT_RATINGS]
    values.append(report.value("ratings.assessment.None"))
    for item in _bar_chart("Latest assessment rating", names, values, ASSESSMENT_COLOURS, 0, half):
        drawing.add(item)
    values = [report.value(f"ratings.cqc.{r}") for r in CQC_RATINGS]
    for item in _bar_chart("CQC rating", list(CQC_RATINGS), values, CQC_COLOURS, half, half):
        drawing.add(item)
    return drawing


def _short(month) -> str:
    return f"{month.label[:3]} {str(month.year)[2:]}"


def concerns_chart(report: QuadReport) -> Drawing:
    """Concerns received in each of the 12 months, stacked by risk level."""
    trend = report.trend
    drawing = Drawing(WIDTH, 150)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 22  # type: ignore[assignment]  # points are floats
    chart.width, chart.height = WIDTH - 48 * mm, 110  # type: ignore[assignment]
    levels = ("high", "medium", "low")
    chart.data = [trend.received[level] for level in levels]
    chart.categoryAxis.categoryNames = [_short(m) for m in trend.months]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.visibleTicks = False
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    totals = [sum(col) for col in zip(*chart.data, strict=True)]
    chart.valueAxis.valueMax = max([*totals, 4]) * 1.15
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.valueAxis.gridStrokeColor = LINE
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.valueAxis.visibleGrid = True
    chart.bars.strokeColor = None
    chart.barSpacing = 1
    for i, level in enumerate(levels):
        chart.bars[i].fillColor = RISK_COLOURS[level]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 6 * mm, chart.y + chart.height - 4  # type: ignore[assignment]
    legend.fontName, legend.fontSize = "Helvetica", 8
    legend.alignment = "right"
    legend.colorNamePairs = [(RISK_COLOURS[level], level.capitalize()) for level in levels]
    drawing.add(legend)
    return drawing


def on_time_chart(report: QuadReport) -> Flowable:
    """The on-time rate of each clock in each of the 12 months (a gap where no clock fell). A
    clock with nothing to rate in all 12 months is left out and said so."""
    trend = report.trend
    groups = (("high", RED, "High risk"), ("other", BLUE, "Medium and low"))
    series = [
        (colour, name, [None if r is None else percent(r) for r in trend.on_time_rate[group]])
        for group, colour, name in groups
    ]
    plotted = [s for s in series if any(v is not None for v in s[2])]
    if not plotted:
        return Paragraph("No clock fell due or was met in these 12 months.", BODY)
    drawing = Drawing(WIDTH, 150)
    chart = HorizontalLineChart()
    chart.x, chart.y = 14 * mm, 22  # type: ignore[assignment]  # points are floats
    chart.width, chart.height = WIDTH - 48 * mm, 110  # type: ignore[assignment]
    chart.data = [values for _, _, values in plotted]
    chart.categoryAxis.categoryNames = [_short(m) for m in trend.months]
    chart.categoryAxis.visibleTicks = False
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.gridStrokeColor = LINE
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.valueAxis.visibleGrid = True
    chart.joinedLines = 1
    for i, (colour, _, _) in enumerate(plotted):
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.5
        chart.lines[i].symbol = makeMarker("FilledCircle", size=3.5, fillColor=colour)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 6 * mm, chart.y + chart.height - 4  # type: ignore[assignment]
    legend.fontName, legend.fontSize = "Helvetica", 8
    legend.alignment = "right"
    legend.colorNamePairs = [
        (colour, name if any(v is not None for v in values) else f"{name} (none)")
        for colour, name, values in series
    ]
    drawing.add(legend)
    return drawing
