"""The QuAD report's doors: the page (month picker, default month, filters, downloads), the API
(its document, its errors), and the command line (format by extension, clear refusals)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from qa_app.domain.months import last_full_month, month_of
from qa_app.services import users
from qa_app.services.actors import Actor
from qa_app.services.calendar import utcnow
from tests.support.client import error_summary, soup


@pytest.fixture
def manager(make):
    return make.user("manager")


@pytest.fixture
def api(client, manager):
    token = users.create_token(Actor.system("cli"), manager)

    def get(path):
        return client.get(path, headers={"Authorization": f"Bearer {token}"})

    return get


# ---------------------------------------------------------------- the page


def test_the_page_opens_on_the_last_full_month(client, make, manager):
    make.service(cluster="North")
    make.sign_in(client, manager)
    page = client.get("/reports/quad")
    assert page.status_code == 200
    month = last_full_month(utcnow())
    assert page.soup.h1.get_text(strip=True) == f"QuAD report: {month.label}"
    chosen = page.soup.select_one("#month option[selected]")
    assert chosen["value"] == str(month)
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select(".app-downloads a")}
    assert links["PDF for the meeting (with charts)"].endswith(f"/reports/quad/{month}.pdf")


def test_the_filters_are_kept_in_every_link(client, make, manager):
    make.service(cluster="North")
    make.sign_in(client, manager)
    page = client.get("/reports/quad?month=2026-10&cluster=North&service_type=home_support")
    hrefs = [a["href"] for a in page.soup.select(".app-downloads a, .app-quad-table a")]
    assert hrefs and all("cluster=North" in h and "service_type=home_support" in h for h in hrefs)
    assert page.soup.select_one("#cluster option[selected]")["value"] == "North"


def test_an_unknown_cluster_in_the_address_is_ignored(client, make, manager):
    make.sign_in(client, manager)
    page = client.get("/reports/quad?month=2026-10&cluster=Atlantis&service_type=castle")
    assert page.status_code == 200
    assert "All services." in page.soup.get_text(" ")


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "There is no month 13: months run from 01 to 12"),
        ("October", "Give the month as YYYY-MM"),
        ("1999-12", "Choose a month from January 2000 onwards"),
    ],
)
def test_a_month_that_cannot_be_reported_is_explained(client, manager, make, month, message):
    make.sign_in(client, manager)
    page = client.get(f"/reports/quad?month={month}")
    assert page.status_code == 400
    assert any(message in e for e in error_summary(page))
    assert page.soup.title.get_text().startswith("Error: QuAD report")
    for suffix in (".pdf", ".xlsx", ".csv", "/concerns.received.high"):
        download = client.get(f"/reports/quad/{month}{suffix}")
        assert download.status_code == 400, suffix
        assert message in soup(download).get_text(" ")


def test_a_month_not_yet_begun_is_refused(client, manager, make):
    make.sign_in(client, manager)
    following = month_of(utcnow()).next()
    response = client.get(f"/reports/quad/{following}.pdf")
    assert response.status_code == 400
    assert f"{following.label} has not started yet" in soup(response).get_text(" ")


def test_the_downloads_are_what_they_say(client, manager, make):
    make.sign_in(client, manager)
    pdf = client.get("/reports/quad/2026-10.pdf?cluster=North")
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].endswith("quad-report-2026-10-north.pdf")
    workbook = load_workbook(io.BytesIO(client.get("/reports/quad/2026-10.xlsx").data))
    assert workbook.sheetnames[:3] == ["About", "Assessment ratings", "CQC ratings"]
    assert "Services of most concern" in workbook.sheetnames
    zipped = client.get("/reports/quad/2026-10.csv")
    assert zipped.headers["Content-Disposition"].endswith("quad-report-2026-10.zip")
    names = zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()
    assert names[:2] == ["01-about.csv", "02-assessment-ratings.csv"]
    assert len(names) == len(workbook.sheetnames)


def test_the_report_is_in_the_staff_navigation(client, manager, make):
    make.sign_in(client, manager)
    nav = client.get("/home").soup.select(".govuk-service-navigation__item a")
    assert "QuAD" in [a.get_text(strip=True) for a in nav]


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "There is no month 13"),
        ("26-10", "Give the month as YYYY-MM, for example"),
        ("1999-01", "Choose a month from January 2000"),
    ],
)
def test_the_api_explains_a_bad_month(api, month, message):
    for suffix in ("", ".pdf", ".csv", ".xlsx"):
        response = api(f"/api/v1/reports/quad/{month}{suffix}")
        assert response.status_code == 400, suffix
        assert message in response.json["error"] and message in response.json["details"]["month"]


def test_the_api_refuses_unknown_filters(api):
    response = api("/api/v1/reports/quad/2026-10?service_type=castle")
    assert response.status_code == 422
    assert response.json["details"][0]["field"] == "service_type"
    too_long = api("/api/v1/reports/quad/2026-10?cluster=" + "x" * 101)
    assert too_long.status_code == 422


def test_for_a_provider_and_for_no_one_there_is_no_report(client, make):
    provider_user = make.user("provider", make.provider())
    token = users.create_token(Actor.system("cli"), provider_user)
    for suffix in ("", ".pdf", ".csv", ".xlsx"):
        response = client.get(
            f"/api/v1/reports/quad/2026-10{suffix}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 404 and "month" not in str(response.json)
        # not even a bad month tells a provider the report is there
        assert (
            client.get(
                f"/api/v1/reports/quad/2026-13{suffix}",
                headers={"Authorization": f"Bearer {token}"},
            ).status_code
            == 404
        )
        assert client.get(f"/api/v1/reports/quad/2026-10{suffix}").status_code == 401


def test_the_api_document_describes_the_report(client):
    document = client.get("/api/v1/openapi.json").json
    json_op = document["paths"]["/api/v1/reports/quad/{month}"]["get"]
    assert {p["name"] for p in json_op["parameters"]} == {"month", "cluster", "service_type"}
    assert set(json_op["responses"]) >= {"200", "400", "401", "404", "422"}
    schema = document["components"]["schemas"]["QuadReportOut"]
    assert {"month", "concerns", "notices", "placement_stops", "assessments", "plans"} <= set(
        schema["properties"]
    )
    ratings = document["components"]["schemas"]["AssessmentRatings"]["properties"]
    assert set(ratings) == {"Excellent", "Good", "Requires improvement", "Poor", "None"}
    pdf = document["paths"]["/api/v1/reports/quad/{month}.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("name", "starts"),
    [("quad.pdf", b"%PDF"), ("quad.xlsx", b"PK"), ("quad.csv", b"PK"), ("quad.zip", b"PK")],
)
def test_the_command_line_writes_the_format_its_extension_names(app, tmp_path, name, starts):
    out = tmp_path / name
    result = app.test_cli_runner().invoke(
        args=["qa", "report", "quad", "--month", "2026-10", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(starts)
    assert "Wrote the QuAD report for October 2026 (all services)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13", "--out", "x.pdf"], "--month '2026-13': There is no month 13"),
        (["--month", "2026-10", "--out", "x.docx"], "x.docx: the file's extension says which"),
        (
            ["--month", "2026-10", "--out", "x.pdf", "--service-type", "castle"],
            "Choose a type of service from the list",
        ),
    ],
)
def test_the_command_line_refuses_clearly_and_writes_nothing(app, tmp_path, args, message):
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    result = app.test_cli_runner().invoke(args=["qa", "report", "quad", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert list(tmp_path.iterdir()) == []
