"""The QuAD report as JSON (the SPEC's fields, section 8), and as tables: a zip of CSV files
and an XLSX workbook with a sheet per table, both written by `services.tables_out` (the safe
writer). Each renders the one computed `QuadReport`; none counts anything itself."""

from __future__ import annotations

from qa_app.domain.codes import SERVICE_TYPES
from qa_app.domain.wording import long_date, long_datetime
from qa_app.services import tables_out
from qa_app.services.quad_report import meeting_formats
from qa_app.services.quad_report.queries import section_rows
from qa_app.services.quad_report.report import QuadReport

KIND_LABELS = {"assessment": "Latest assessment", "cqc": "CQC"}
COLUMN_NAMES = ("this month", "the month before", "a year earlier")


def percent(rate: float | None) -> float | None:
    """An on-time rate (0 to 1) as a percentage with one decimal place, as every format shows."""
    return None if rate is None else round(rate * 100, 1)


def percent_text(rate: float) -> str:
    """An on-time rate as people read it: 83.3%."""
    return f"{percent(rate):.1f}%"


def shown(figure, value) -> str:
    """A figure as words and digits: 12, 83.3%, or "No clocks" for a rate with nothing to rate."""
    if figure.table == "rate":
        return "No clocks" if value is None else percent_text(value)
    return f"{value:,}"


def sentence(text: str) -> str:
    """The text with its first letter a capital (and nothing else changed)."""
    return text[:1].upper() + text[1:]


def rating_label(kind: str, rating: str | None) -> str:
    if rating is None:
        return "No published assessment" if kind == "assessment" else "Not recorded"
    return rating


# ---------------------------------------------------------------- JSON


def as_dict(report: QuadReport) -> dict:
    """The report in the SPEC's JSON shape, with the comparison months and more alongside."""
    window = report.window
    this, before, year = report.figures

    def month_part(tree: dict, w) -> dict:
        return {**tree, "as_at": w.as_at.isoformat(), "complete": w.complete}

    return {
        **month_part(this, window),
        "filters": {
            "cluster": report.filters.cluster or None,
            "service_type": report.filters.service_type or None,
        },
        "produced_at": report.produced_at.isoformat(),
        "services_of_concern": [
            {
                "service_id": s.service_id,
                "name": s.name,
                "provider": s.provider,
                "cluster": s.cluster,
                "service_type": s.service_type,
                "risk": s.risk,
                "reasons": s.reasons,
            }
            for s in report.services_of_concern
        ],
        "services_of_concern_counts": dict(report.concern_counts),
        "rating_changes": [
            {
                "service_id": c.service_id,
                "name": c.name,
                "provider": c.provider,
                "kind": c.kind,
                "from": c.before,
                "to": c.after,
                "direction": c.direction or None,
            }
            for c in report.rating_changes
        ],
        "previous_month": month_part(before, report.windows[1]),
        "year_earlier": month_part(year, report.windows[2]),
        "trend": {
            "months": [str(m) for m in report.trend.months],
            "concerns_received": report.trend.received,
            "clocks_met": report.trend.met,
            "clocks_breached": report.trend.breached,
            "on_time_rate": report.trend.on_time_rate,
        },
        "meeting": meeting_formats.as_dict(report.meeting_record),
        "services_closed": [
            {
                "id": c.service_id,
                "name": c.name,
                "provider": c.provider,
                "closed_on": c.closed_on.isoformat(),
            }
            for c in report.services_closed
        ],
    }


# ---------------------------------------------------------------- tables


def tables(report: QuadReport, council: str) -> list[tables_out.Table]:
    """The report's tables, in the order of the page and the PDF: what the CSV zip and the XLSX
    workbook hold."""
    labels = [w.month.label for w in report.windows]

    def heading(title: str) -> list[list]:
        return [
            [title],
            [f"QuAD report for {report.month.label}", council],
            ["Services", report.filters.describe()],
            ["Produced", long_datetime(report.produced_at)],
        ]

    about = tables_out.Table(
        "About",
        ["Item", "Value"],
        [
            ["Report", "Monthly quality assurance (QuAD) report"],
            ["Council", council],
            ["Month", report.month.label],
            ["Month (YYYY-MM)", str(report.month)],
            [
                "Figures at the month's end as at",
                long_datetime(report.window.as_at)
                if not report.window.complete
                else f"the end of {long_date(report.month.last_day)}",
            ],
            ["Compared with", f"{labels[1]} and {labels[2]}"],
            ["Cluster", report.filters.cluster or "All clusters"],
            [
                "Type of service",
                SERVICE_TYPES.get(report.filters.service_type, "All types")
                if report.filters.service_type
                else "All types",
            ],
            ["Produced", report.produced_at],
        ],
        heading=heading("About this report"),
        emphasis=0,
        widths=[34, 60],
    )
    result = [about]
    for section, rows in section_rows(report):
        body = []
        for figure, values in rows:
            if figure.table == "rate":
                body.append([f"{figure.label} (%)", *[percent(v) for v in values], figure.path])
            else:
                body.append([figure.label, *values, figure.path])
        result.append(
            tables_out.Table(
                section.sheet,
                ["Figure", *labels, "Field"],
                body,
                heading=heading(section.title),
                emphasis=0,
                widths=[44, 16, 16, 16, 44],
            )
        )
    result.append(
        tables_out.Table(
            "Rating changes",
            ["Service", "Provider", "Rating", "From", "To", "Direction", "Service ID"],
            [
                [
                    c.name,
                    c.provider,
                    KIND_LABELS[c.kind],
                    rating_label(c.kind, c.before),
                    rating_label(c.kind, c.after),
                    c.direction or "",
                    c.service_id,
                ]
                for c in report.rating_changes
            ],
            heading=heading(f"Services whose rating moved in {report.month.label}"),
            emphasis=0,
            widths=[34, 30, 18, 24, 24, 10, 10],
        )
    )
    result.append(
        tables_out.Table(
            "Services of most concern",
            ["Risk", "Service", "Provider", "Cluster", "Type", "Why", "Service ID"],
            [
                [
                    s.risk.capitalize(),
                    s.name,
                    s.provider,
                    s.cluster,
                    SERVICE_TYPES.get(s.service_type, s.service_type),
                    "; ".join(s.reasons),
                    s.service_id,
                ]
                for s in report.services_of_concern
            ],
            heading=heading("Services of most concern at the month's end, red first"),
            emphasis=0,
            widths=[8, 32, 30, 16, 22, 60, 10],
        )
    )
    t = report.trend
    result.append(
        tables_out.Table(
            "Concerns by month",
            [
                "Month",
                "Received: high",
                "Received: medium",
                "Received: low",
                "High risk on time (%)",
                "Medium and low risk on time (%)",
            ],
            [
                [
                    m.label,
                    t.received["high"][i],
                    t.received["medium"][i],
                    t.received["low"][i],
                    percent(t.on_time_rate["high"][i]),
                    percent(t.on_time_rate["other"][i]),
                ]
                for i, m in enumerate(t.months)
            ],
            heading=heading("Concerns received and clocks on time over 12 months"),
            emphasis=0,
            widths=[18, 14, 14, 14, 20, 26],
        )
    )
    result += meeting_formats.tables(report.meeting_record, heading)
    result.append(
        tables_out.Table(
            "Services closed",
            ["Service", "Provider", "Closed on", "Service ID"],
            [[c.name, c.provider, c.closed_on, c.service_id] for c in report.services_closed],
            heading=heading(f"Services that closed in {report.month.label}"),
            emphasis=0,
            widths=[34, 30, 14, 10],
        )
    )
    return result


def file_names(made: list[tables_out.Table]) -> list[str]:
    """The CSV files' names in the zip, one per table, numbered in the report's order."""
    names = []
    for n, table in enumerate(made, 1):
        words = "".join(ch if ch.isalnum() else "-" for ch in table.title.lower())
        names.append(f"{n:02d}-{'-'.join(filter(None, words.split('-')))}.csv")
    return names


def csv_zip(report: QuadReport, council: str) -> bytes:
    made = tables(report, council)
    return tables_out.to_csv_zip(list(zip(file_names(made), made, strict=True)))


def xlsx(report: QuadReport, council: str) -> bytes:
    return tables_out.to_xlsx_book(tables(report, council))


def download_name(report: QuadReport, extension: str) -> str:
    parts = ["quad-report", str(report.month)]
    if report.filters.cluster:
        parts.append("".join(ch if ch.isalnum() else "-" for ch in report.filters.cluster.lower()))
    if report.filters.service_type:
        parts.append(report.filters.service_type.replace("_", "-"))
    return "-".join(p.strip("-")[:40] for p in parts if p.strip("-")) + f".{extension}"
