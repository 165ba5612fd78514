"""Importing CQC's ratings file: the preview, bad rows, commit, idempotence, file kinds, the
pages and the command line."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import AuditEvent, CqcImport, Provider, Service, ServiceCqcRating
from qa_app.services import cqc_import
from qa_app.services.actors import Actor
from tests.support.client import error_summary, soup
from tests.support.spreadsheets import (
    location_rows,
    ratings,
    upload_cqc_file,
    write_csv,
    write_ods,
    write_xlsx,
)


@pytest.fixture
def council(make):
    provider = make.provider(name="Heathervale Care Ltd", cqc_provider_id="1-101000001")
    house = make.service(
        provider,
        name="Heathervale House",
        cqc_location_id="1-200000001",
        cqc_rating="Good",
        cqc_rating_date=date(2024, 1, 10),
    )
    lodge = make.service(
        provider,
        name="Heathervale Lodge",
        cqc_location_id="1-200000002",
        cqc_rating="Good",
        cqc_rating_date=date(2025, 2, 10),
    )
    return {"provider": provider, "house": house, "lodge": lodge}


def table() -> list[dict]:
    """House falls to Requires improvement; Lodge keeps Good (same date) but gains key
    questions; a new home in Northshire with a new provider; a location elsewhere."""
    rows = location_rows(
        "1-200000001",
        "Heathervale House",
        "Northshire",
        "1-101000001",
        "Heathervale Care Ltd",
        ratings("requires improvement", "Requires improvement", "Good", "Good", "Good", "GOOD"),
        date(2026, 10, 14),
        extra_groups=("Older people",),
    )
    rows += location_rows(
        "1-200000002",
        "Heathervale Lodge",
        "Northshire",
        "1-101000001",
        "Heathervale Care Ltd",
        ratings("Good", "Good", "Good", "Outstanding", "Good", "Good"),
        date(2025, 2, 10),
    )
    rows += location_rows(
        "1-300000001",
        "Willow Bank",
        "Northshire",
        "1-400000001",
        "Willow Care Ltd",
        ratings("Good", "Good", "Good", "Good", "Good", "Good"),
        date(2026, 3, 2),
        care_home="N",
        postcode="ne46 3aa",
    )
    rows += location_rows(
        "1-300000002",
        "Elsewhere House",
        "Otherton",
        "1-400000002",
        "Other Care",
        ratings("Inadequate", "Inadequate", "Good", "Good", "Good", "Inadequate"),
        date(2026, 3, 2),
    )
    return rows


#: the type of the new service in table(), which the file cannot tell
TYPES = {"1-300000001": "home_support"}


def _preview(path, la="Northshire"):
    return cqc_import.preview_file(path, path.name, la, today=date(2026, 11, 24))


def _summary(preview):
    plan = preview.plan
    return {
        "counts": cqc_import.counts_of(preview),
        "changes": [
            (c.name, c.overall, c.overall_date, [tuple(d) for d in c.domains]) for c in plan.changes
        ],
        "new": [
            (s.location_id, s.service_type, s.postcode, s.provider_is_new)
            for s in plan.new_services
        ],
        "providers": plan.new_providers,
        "bad": [(b.row, b.reason) for b in plan.bad_rows],
    }


def test_preview_lists_changes_and_writes_nothing(ctx, council, tmp_path):
    preview = _preview(write_csv(tmp_path / "ratings.csv", table()))
    found = _summary(preview)
    assert found["bad"] == []
    assert found["changes"] == [
        (
            "Heathervale House",
            ("Good", "Requires improvement"),
            (date(2024, 1, 10), date(2026, 10, 14)),
            [
                ("Safe", None, "Requires improvement", date(2026, 10, 14)),
                ("Effective", None, "Good", date(2026, 10, 14)),
                ("Caring", None, "Good", date(2026, 10, 14)),
                ("Responsive", None, "Good", date(2026, 10, 14)),
                ("Well-led", None, "Good", date(2026, 10, 14)),
            ],
        ),
        (
            "Heathervale Lodge",
            None,
            None,
            [
                ("Safe", None, "Good", date(2025, 2, 10)),
                ("Effective", None, "Good", date(2025, 2, 10)),
                ("Caring", None, "Outstanding", date(2025, 2, 10)),
                ("Responsive", None, "Good", date(2025, 2, 10)),
                ("Well-led", None, "Good", date(2025, 2, 10)),
            ],
        ),
    ]
    # a service in the community: home support, supported living or extra care? The officer says.
    assert found["new"] == [("1-300000001", "", "NE46 3AA", True)]
    assert found["counts"]["types_to_choose"] == 1
    assert found["providers"] == [("1-400000001", "Willow Care Ltd")]
    counts = found["counts"]
    assert (counts["rows"], counts["locations"], counts["other_authorities"]) == (30, 4, 1)
    assert db.session.scalar(select(func.count(ServiceCqcRating.id))) == 0
    assert db.session.get(Service, council["house"].id).cqc_rating == "Good"
    assert db.session.scalar(select(func.count(CqcImport.id))) == 0


def test_ods_xlsx_and_csv_of_the_same_table_give_the_same_preview(ctx, council, tmp_path):
    rows = table()
    previews = [
        _summary(_preview(write(tmp_path / f"ratings.{ext}", rows)))
        for ext, write in (("ods", write_ods), ("xlsx", write_xlsx), ("csv", write_csv))
    ]
    previews.append(
        _summary(_preview(write_csv(tmp_path / "bom.csv", rows, bom=True, line_end="\n")))
    )
    assert previews[0]["changes"] and previews[0]["new"]
    assert all(p == previews[0] for p in previews[1:])


def test_column_order_is_free_and_other_columns_are_ignored(ctx, council, tmp_path):
    columns = ("Latest Rating", "Domain", "Publication Date", "Location ID", "Brand Name",
               "Service / Population Group", "Provider Name", "Provider ID", "Location Name",
               "Care Home?", "Location Primary Inspection Category", "Location Post Code",
               "Location Local Authority")  # fmt: skip
    preview = _preview(write_csv(tmp_path / "short.csv", table(), columns=columns))
    assert not preview.bad_rows and len(preview.plan.changes) == 2


BAD = [
    ({"Location ID": "1-12"}, "Location ID '1-12' is not a CQC ID like 1-123456789"),
    ({"Publication Date": "31/02/2026"}, "Publication Date '31/02/2026' is not a real date"),
    ({"Publication Date": "next week"}, "is not a date like 31/01/2026"),
    ({"Location ID": ""}, "Location ID is missing"),
    ({"Domain": "Kind"}, "Domain 'Kind' is not one of"),
]


@pytest.mark.parametrize(("change", "reason"), BAD)
def test_each_kind_of_bad_row_is_named_and_nothing_is_written(
    app, ctx, council, tmp_path, change, reason
):
    rows = table()
    rows[4] = {**rows[4], **change}  # spreadsheet row 6 (the header is row 1)
    path = write_csv(tmp_path / "bad.csv", rows)
    preview = _preview(path)
    assert [b.row for b in preview.bad_rows] == [6]
    assert reason in preview.bad_rows[0].reason
    result = app.test_cli_runner().invoke(
        args=[
            "qa",
            "import-cqc",
            str(path),
            "--local-authority",
            "Northshire",
            "--commit",
            "--service-type",
            "1-300000001=home_support",
        ]
    )
    assert result.exit_code == 1
    assert "bad.csv row 6:" in result.output and reason in result.output
    assert "nothing was imported" in result.output
    assert db.session.get(Service, council["house"].id).cqc_rating == "Good"
    assert db.session.scalar(select(func.count(Service.id))) == 2
    assert db.session.scalar(select(func.count(CqcImport.id))) == 0


def test_two_overall_ratings_on_one_day_take_the_lower_and_the_file_can_be_imported(
    ctx, council, tmp_path
):
    rows = table()
    rows.append({**rows[0], "Latest Rating": "Outstanding"})  # row 32: the same day as row 2
    rows.append({**rows[0], "Latest Rating": "Not applicable"})  # row 33: a word CQC uses
    preview = _preview(write_ods(tmp_path / "twice.ods", rows))
    assert preview.bad_rows == []
    assert [(w.row, w.reason) for w in preview.plan.warnings] == [
        (32, "Location 1-200000001 has two Overall ratings for Overall published on 14/10/2026 "
             "(Requires improvement on row 2, Outstanding on row 32): the import takes the lower, "
             "Requires improvement"),
        (33, "Latest Rating 'Not applicable' is not a rating this import knows (on row 33): such "
             "rows add no rating"),
    ]  # fmt: skip
    record = cqc_import.commit_preview(Actor.system("cli"), preview, TYPES)
    assert record.counts["warnings"] == 2
    service = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-200000001"))
    assert service.cqc_rating == "Requires improvement"


def test_nhs_locations_with_ods_codes_are_imported(ctx, council, tmp_path):
    rows = table()
    nhs = {
        **rows[0],
        "Location ID": "RW1J2",
        "Location Name": "Elmwood NHS Care Home",
        "Care Home?": "Y",
        "Provider ID": "RW1",
        "Provider Name": "Northshire NHS Foundation Trust",
        "Latest Rating": "Good",
    }
    rows.append(nhs)
    rows.append({**nhs, "Domain": "Safe", "Latest Rating": "Requires improvement"})
    preview = _preview(write_csv(tmp_path / "nhs.csv", rows))
    assert preview.bad_rows == []
    [new] = [s for s in preview.plan.new_services if s.location_id == "RW1J2"]
    assert (new.provider_id, new.overall, new.domains["Safe"][0]) == (
        "RW1",
        "Good",
        "Requires improvement",
    )
    cqc_import.commit_preview(Actor.system("cli"), preview, {**TYPES, "RW1J2": "care_home_nursing"})
    service = db.session.scalar(select(Service).where(Service.cqc_location_id == "RW1J2"))
    assert (service.name, service.cqc_rating, service.provider.cqc_provider_id) == (
        "Elmwood NHS Care Home",
        "Good",
        "RW1",
    )


def test_a_notice_above_the_header_is_skipped_and_said(ctx, council, tmp_path):
    path = write_csv(tmp_path / "notice.csv", table())
    text = path.read_text()
    notice = "Note: some locations now show ratings by service group; see the notes sheet."
    path.write_text(f'"{notice}"\n{text}')
    preview = _preview(path)
    assert preview.bad_rows == [] and len(preview.plan.changes) == 2
    assert (preview.plan.header_row, preview.plan.skipped_rows) == (2, [(1, notice)])
    lines = cqc_import.preview_lines(preview)
    assert (
        f"  the column names are on row 2; rows above it were skipped: row 1: {notice!r}" in lines
    )


def test_a_file_without_the_columns_is_refused_whole(ctx, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("Name,Rating\nA,Good\n")
    with pytest.raises(cqc_import.ImportRefused, match="Missing: Location ID"):
        _preview(path)
    with pytest.raises(cqc_import.ImportRefused, match="no sheet named Locations"):
        _preview(write_ods(tmp_path / "sheet.ods", table(), sheet="Sheet1"))


def test_commit_changes_ratings_through_the_hand_edit_path_then_reimport_changes_nothing(
    ctx, council, tmp_path
):
    path = write_csv(tmp_path / "ratings.csv", table())
    record = cqc_import.commit_preview(Actor.system("cli"), _preview(path), TYPES)
    assert record.counts["applied"] == {
        "changed_services": 2,
        "overall_changes": 1,
        "domain_changes": 10,
        "new_services": 1,
        "new_providers": 1,
        "kept_newer": [],
        "registered_again": 0,
        "closed": 0,
    }
    house = db.session.get(Service, council["house"].id)
    assert (house.cqc_rating, house.cqc_rating_date) == ("Requires improvement", date(2026, 10, 14))
    assert house.risk == "amber"  # the risk RAG followed, as after a hand edit
    events = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == cqc_import.AUDIT_ACTION))
    )
    assert sorted(e.entity_id for e in events) == sorted([house.id, council["lodge"].id])
    house_event = next(e for e in events if e.entity_id == house.id)
    assert house_event.changes["cqc_rating"] == ["Good", "Requires improvement"]
    assert house_event.changes["cqc_safe"] == [None, "Requires improvement"]
    new = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-300000001"))
    assert (new.service_type, new.cluster, new.cqc_rating, new.postcode) == (
        "home_support",
        "Not yet assigned",
        "Good",
        "NE46 3AA",
    )
    assert new.provider.name == "Willow Care Ltd"
    assert db.session.scalar(select(func.count(Provider.id))) == 2
    domain_rows = db.session.scalar(select(func.count(ServiceCqcRating.id)))
    assert domain_rows == 15

    again = _preview(path)
    assert again.plan.changes == [] and again.plan.new_services == []
    assert cqc_import.counts_of(again)["unchanged"] == 3
    second = cqc_import.commit_preview(Actor.system("cli"), again, TYPES)
    assert second.counts["applied"]["changed_services"] == 0
    assert db.session.scalar(select(func.count(ServiceCqcRating.id))) == domain_rows
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == cqc_import.AUDIT_ACTION)
        )
        == 2
    )


def test_not_rated_words_are_not_bad_rows_and_change_no_rating(app, ctx, council, tmp_path):
    rows = location_rows(
        "1-200000002",
        "Heathervale Lodge",
        "Northshire",
        "1-101000001",
        "Heathervale Care Ltd",
        ratings("Good", "Good", "Insufficient evidence to rate", "Good", "Good", "Good"),
        date(2025, 2, 10),
    )
    rows += location_rows(
        "1-300000003",
        "Rowan Court",
        "Northshire",
        "1-101000001",
        "Heathervale Care Ltd",
        ratings(*["Not rated"] * 6),
        date(2026, 9, 1),
    )
    path = write_ods(tmp_path / "ratings.ods", rows)
    preview = _preview(path)
    counts = cqc_import.counts_of(preview)
    assert preview.plan.bad_rows == [] and counts["not_rated"] == 7
    assert [(s.name, s.overall) for s in preview.plan.new_services] == [("Rowan Court", None)]
    [new] = preview.plan.new_services
    record = cqc_import.commit_preview(
        Actor.system("cli"), preview, {new.location_id: new.type_choices[-1]}
    )
    assert record.status == "committed"
    lodge = db.session.get(Service, council["lodge"].id)
    assert lodge.cqc_rating == "Good"
    effective = db.session.scalar(
        select(ServiceCqcRating.rating).where(
            ServiceCqcRating.service_id == lodge.id, ServiceCqcRating.domain == "Effective"
        )
    )
    assert effective is None  # nothing recorded for a key question CQC did not rate
    rowan = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-300000003"))
    assert (rowan.cqc_rating, rowan.cqc_rating_date) == ("Not rated", None)

    said = app.test_cli_runner().invoke(args=["qa", "import-cqc", str(path)])
    assert "7 rows with no rating" in said.output and said.exit_code == 0


def test_an_older_file_does_not_overwrite_a_newer_rating(ctx, council, tmp_path):
    council["lodge"].cqc_rating_date = date(2026, 11, 1)
    council["lodge"].cqc_rating = "Inadequate"
    db.session.commit()
    preview = _preview(write_csv(tmp_path / "ratings.csv", table()))
    assert [c.name for c in preview.plan.changes] == ["Heathervale House"]
    assert cqc_import.counts_of(preview)["kept_newer"] == 1


def test_cli_preview_then_commit(app, ctx, council, tmp_path):
    path = write_ods(tmp_path / "ratings.ods", table())
    runner = app.test_cli_runner()
    preview = runner.invoke(args=["qa", "import-cqc", str(path), "--local-authority", "northshire"])
    assert preview.exit_code == 0, preview.output
    assert "Heathervale House (1-200000001): overall Good -> Requires improvement" in preview.output
    assert "new service: Willow Bank" in preview.output and "nothing was written" in preview.output
    assert db.session.get(Service, council["house"].id).cqc_rating == "Good"
    done = runner.invoke(
        args=[
            "qa",
            "import-cqc",
            str(path),
            "--local-authority",
            "Northshire",
            "--commit",
            "--service-type",
            "1-300000001=home_support",
        ]
    )
    assert (
        done.exit_code == 0 and "2 services updated, 1 service and 1 provider added" in done.output
    )
    again = runner.invoke(args=["qa", "import-cqc", str(path), "--commit"])
    assert again.exit_code == 0 and "nothing changed" in again.output


# ---------------------------------------------------------------- pages


def test_confirming_an_old_preview_never_puts_older_ratings_over_newer_ones(
    client, make, council, tmp_path, app
):
    app.config["QA_CQC_UPLOAD_DIR"] = str(tmp_path / "uploads")
    make.sign_in(client, make.user("officer"))
    house = council["house"]

    def file(name, rating, published):
        rows = location_rows(
            "1-200000001",
            "Heathervale House",
            "Northshire",
            "1-101000001",
            "Heathervale Care Ltd",
            ratings(*[rating] * 6),
            published,
        )
        return write_csv(tmp_path / name, rows)

    old = upload_cqc_file(client, file("old.csv", "Inadequate", date(2026, 11, 1)))
    old_id = int(old.headers["Location"].rsplit("/", 1)[1])  # previewed, not confirmed
    new = upload_cqc_file(client, file("new.csv", "Outstanding", date(2026, 11, 20)))
    client.post(new.headers["Location"] + "/commit")
    db.session.expire_all()
    assert db.session.get(Service, house.id).cqc_rating == "Outstanding"

    done = client.post(f"/cqc-imports/{old_id}/commit", follow_redirects=True)
    db.session.expire_all()
    assert db.session.get(Service, house.id).cqc_rating == "Outstanding"
    kept = db.session.scalars(
        select(ServiceCqcRating).where(ServiceCqcRating.service_id == house.id)
    ).all()
    assert {(r.rating, r.publication_date) for r in kept} == {("Outstanding", date(2026, 11, 20))}
    text = soup(done).get_text(" ", strip=True)
    assert "Not all applied" in text and "0 changed when imported" in text
    assert "more recent CQC ratings had been recorded since it was checked" in text


def test_upload_with_a_bad_row_then_a_fixed_file_then_confirm(client, make, council, tmp_path, app):
    app.config["QA_CQC_UPLOAD_DIR"] = str(tmp_path / "uploads")
    make.sign_in(client, make.user("officer"))
    rows = table()
    rows[4] = {**rows[4], "Location ID": "1-12"}
    response = upload_cqc_file(client, write_ods(tmp_path / "ratings.ods", rows))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert error_summary(page) == ["1 row in ratings.ods needs correcting"]
    text = soup(page).get_text(" ", strip=True)
    assert "6 Location ID '1-12' is not a CQC ID like 1-123456789" in text
    assert "Import these changes" not in text  # cannot be confirmed
    bad_id = int(response.headers["Location"].rsplit("/", 1)[1])
    refused = client.post(f"/cqc-imports/{bad_id}/commit", follow_redirects=True)
    assert "bad rows cannot be imported" in refused.get_data(as_text=True)

    response = upload_cqc_file(client, write_ods(tmp_path / "ratings.ods", table()))
    import_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/cqc-imports/{import_id}")
    text = soup(page).get_text(" ", strip=True)
    assert "Check what ratings.ods changes" in text
    assert "Heathervale House" in text and "Willow Bank" in text
    assert db.session.get(Service, council["house"].id).cqc_rating == "Good"
    uploads = list((tmp_path / "uploads").iterdir())
    assert len(uploads) == 2  # kept outside the web root until committed or discarded
    # Willow Bank's type is not in the file: the import waits until the officer chooses it
    assert "1 new service still to choose" in text and "Import these changes" not in text
    waits = client.post(f"/cqc-imports/{import_id}/commit", follow_redirects=True)
    assert waits.status_code == 409
    assert "Choose the type of each new service before importing" in waits.get_data(as_text=True)
    wrong = client.post(
        f"/cqc-imports/{import_id}/service-types", data={"type_1_300000001": "care_home_nursing"}
    )
    assert wrong.status_code == 422
    assert error_summary(wrong) == ["Choose one of the types offered for 1-300000001"]
    chosen = client.post(
        f"/cqc-imports/{import_id}/service-types",
        data={"type_1_300000001": "supported_living"},
        follow_redirects=True,
    )
    assert "Every new service has a type: you can import the file now" in chosen.get_data(
        as_text=True
    )
    assert "Import these changes" in soup(chosen).get_text(" ", strip=True)
    done = client.post(f"/cqc-imports/{import_id}/commit", follow_redirects=True)
    assert "2 services updated, 1 service added" in done.get_data(as_text=True)
    willow = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-300000001"))
    assert willow.service_type == "supported_living"
    db.session.expire_all()
    assert db.session.get(Service, council["house"].id).cqc_rating == "Requires improvement"
    assert len(list((tmp_path / "uploads").iterdir())) == 1
    twice = client.post(f"/cqc-imports/{import_id}/commit", follow_redirects=True)
    assert "already been confirmed" in twice.get_data(as_text=True)

    client.post(f"/cqc-imports/{bad_id}/discard")
    assert list((tmp_path / "uploads").iterdir()) == []
    history = soup(client.get("/cqc-imports")).get_text(" ", strip=True)
    assert "Imported" in history and "Discarded" in history and "ratings.ods" in history
    service_page = soup(client.get(f"/services/{council['house'].id}")).get_text(" ", strip=True)
    assert "Safe Requires improvement 14 October 2026" in service_page


def test_the_upload_may_be_larger_than_other_requests(client, make, council, tmp_path, app):
    app.config["QA_CQC_UPLOAD_DIR"] = str(tmp_path / "uploads")
    make.sign_in(client, make.user("officer"))
    path = write_csv(tmp_path / "ratings.csv", table())
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = path.stat().st_size // 2  # the usual limit, scaled down
    try:
        response = upload_cqc_file(client, path)
        assert response.status_code == 302
        refused = client.post("/services/new", data={"name": "x" * path.stat().st_size}, csrf=False)
        assert refused.status_code == 413  # other addresses keep the usual limit
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit


def test_upload_refuses_other_files_with_a_reason(client, make, tmp_path, app):
    app.config["QA_CQC_UPLOAD_DIR"] = str(tmp_path / "uploads")
    make.sign_in(client, make.user("officer"))
    page = client.post("/cqc-imports/new", data={}, content_type="multipart/form-data")
    assert error_summary(page) == ["Choose CQC's ratings file to upload"]
    word = tmp_path / "notes.docx"
    word.write_bytes(b"hello")
    page = upload_cqc_file(client, word)
    assert error_summary(page) == ["The file must be an ODS, XLSX or CSV spreadsheet"]
    fake = tmp_path / "fake.ods"
    fake.write_bytes(b"not a zip at all")
    response = upload_cqc_file(client, fake)
    page = client.get(response.headers["Location"])
    assert "fake.ods is not an ODS, XLSX or CSV spreadsheet" in page.get_data(as_text=True)
    progress = client.get(response.headers["Location"] + "/progress").get_json()
    assert progress["status"] == "refused"


def test_service_list_exports_with_filters_and_guards_formulas(client, make):
    make.sign_in(client, make.user("officer"))
    provider = make.provider(name='=HYPERLINK("http://x")')
    make.service(provider, name="North One", cluster="North")
    make.service(provider, name="South One", cluster="South")
    response = client.get("/services/export.csv?cluster=North")
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Service", "Provider", "CQC location ID"]
    assert [r[0] for r in rows[1:]] == ["North One"]
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    book = load_workbook(io.BytesIO(client.get("/services/export.xlsx?cluster=South").data))
    values = list(book.active.iter_rows(values_only=True))
    assert [v[0] for v in values[1:]] == ["South One"]


def test_the_export_holds_every_matching_service_not_one_page(client, make):
    from qa_app.services.registry import PAGE_SIZE

    make.sign_in(client, make.user("officer"))
    provider = make.provider(name="Many Homes Ltd")
    names = [f"Home {n:03d}" for n in range(PAGE_SIZE * 2 + 3)]
    for name in reversed(names):
        make.service(provider, name=name, cluster="East")
    make.service(provider, name="Home elsewhere", cluster="West")
    response = client.get("/services/export.csv?cluster=East")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == names  # all of them, in the list's order


def test_ods_cells_as_spreadsheets_write_them(tmp_path):
    """Repeated columns and rows, spaces, entities, comments, links and trailing padding."""
    import zipfile

    from qa_app.services.table_files import read_rows

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet>'
        '<table:table table:name="Other"><table:table-row><table:table-cell><text:p>no</text:p>'
        "</table:table-cell></table:table-row></table:table>"
        '<table:table table:name="Locations"><table:table-column table:number-columns-repeated="3"/>'
        "<table:table-header-rows><table:table-row><table:table-cell><text:p>A</text:p></table:table-cell>"
        "<table:table-cell><text:p>B</text:p></table:table-cell></table:table-row></table:table-header-rows>"
        '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="2" office:value-type="string">'
        '<text:p>-</text:p></table:table-cell><table:table-cell><text:p>a<text:s text:c="2"/>b &amp; c</text:p>'
        "<office:annotation><text:p>note</text:p></office:annotation></table:table-cell>"
        '<table:table-cell office:value-type="date" office:date-value="2026-01-31T00:00:00"><text:p>31/01/26</text:p></table:table-cell>'
        '<table:table-cell><text:p><text:a xlink:href="http://x">link</text:a></text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "quirks.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    assert list(read_rows(path, "quirks.ods", "Locations")) == [
        (1, ["A", "B"]),
        (4, ["-", "-", "a  b & c", date(2026, 1, 31), "link"]),
    ]


def test_xlsx_as_excel_writes_it(tmp_path):
    """Shared strings (with rich text runs), a date style, sparse cells, a relative sheet path."""
    import zipfile

    from qa_app.services.table_files import read_rows

    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {main} {rel}><sheets><sheet name="Notes" sheetId="1" r:id="rId2"/>'
            '<sheet name="Locations" sheetId="2" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet2.xml"/>'
            '<Relationship Id="rId2" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            f"<sst {main}><si><t>Location ID</t></si><si><t>Publication Date</t></si>"
            '<si><r><t>Requires </t></r><r><t xml:space="preserve">improvement</t></r></si>'
            "<si><t>A &amp; B</t></si></sst>",
        )
        archive.writestr(
            "xl/styles.xml",
            f'<styleSheet {main}><numFmts><numFmt numFmtId="165" formatCode="dd/mm/yyyy;@"/>'
            '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="165"/><xf numFmtId="2"/>'
            "</cellXfs></styleSheet>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", f"<worksheet {main}><sheetData/></worksheet>")
        archive.writestr(
            "xl/worksheets/sheet2.xml",
            f'<worksheet {main}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
            '<c r="B1" t="s"><v>1</v></c></row><row r="3" spans="1:5"><c r="A3" t="s"><v>2</v></c>'
            '<c r="B3" s="1"><v>46053</v></c><c r="D3" s="2"><v>12</v></c>'
            '<c r="E3" t="s"><v>3</v></c><c r="F3" s="0"/></row></sheetData></worksheet>',
        )
    assert list(read_rows(path, "excel.xlsx", "Locations")) == [
        (1, ["Location ID", "Publication Date"]),
        (3, ["Requires improvement", date(2026, 1, 31), None, "12", "A & B"]),
    ]


def test_a_rating_drop_in_the_file_opens_the_improvement_plan_once(client, make, council, tmp_path):
    from qa_app.models import ImprovementPlan

    path = write_csv(tmp_path / "ratings.csv", table())
    cqc_import.commit_preview(Actor.system("cli"), _preview(path), TYPES)
    plans = list(db.session.scalars(select(ImprovementPlan)))
    assert [(p.service_id, p.status) for p in plans] == [
        (council["house"].id, "awaiting_submission")
    ]  # House fell to Requires improvement; Lodge and the new Good service did not
    cqc_import.commit_preview(Actor.system("cli"), _preview(path), TYPES)  # the same file again
    assert db.session.scalar(select(func.count(ImprovementPlan.id))) == 1
    make.sign_in(client, make.user("officer"))
    history = client.get(f"/services/{council['house'].id}").get_data(as_text=True)
    assert "Service updated from CQC file" in history


def test_the_page_says_where_the_header_was_and_what_the_import_decided(
    client, make, council, tmp_path, app
):
    app.config["QA_CQC_UPLOAD_DIR"] = str(tmp_path / "uploads")
    make.sign_in(client, make.user("officer"))
    rows = table()
    rows.append({**rows[0], "Latest Rating": "Outstanding"})  # the same day as row 2
    path = write_csv(tmp_path / "national.csv", rows)
    path.write_text('"Data notice: see the notes sheet."\n' + path.read_text())
    response = upload_cqc_file(client, path)
    page = client.get(response.headers["Location"])
    html = soup(page)
    assert error_summary(page) == []
    assert html.select_one("#header-row").get_text(" ", strip=True) == (
        "The column names were found on row 2. The row above, skipped: "
        "row 1: “Data notice: see the notes sheet.”"
    )
    notes = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in html.select("#notes tbody tr")
    ]
    assert notes == [
        [
            "33",
            "Location 1-200000001 has two Overall ratings for Overall published on 14/10/2026 "
            "(Requires improvement on row 3, Outstanding on row 33): the import takes the "
            "lower, Requires improvement",
        ]
    ]
    assert "1 new service still to choose" in html.get_text(" ", strip=True)


def test_the_command_line_asks_for_the_types_the_file_cannot_tell(app, ctx, council, tmp_path):
    path = write_csv(tmp_path / "ratings.csv", table())
    runner = app.test_cli_runner()
    base = ["qa", "import-cqc", str(path), "--local-authority", "Northshire", "--commit"]
    waits = runner.invoke(args=base)
    assert waits.exit_code == 1
    assert (
        "  new service: Willow Bank (1-300000001), Willow Care Ltd, type to choose: home_support "
        "or supported_living or extra_care, CQC Good" in waits.output
    )
    assert "Choose the type of each new service before importing: 1 is still to choose" in (
        waits.output
    )
    assert db.session.scalar(select(func.count(Service.id))) == 2
    wrong = runner.invoke(args=[*base, "--service-type", "1-300000001=care_home_nursing"])
    assert wrong.exit_code == 1
    assert "Choose one of the types offered for 1-300000001: nothing was imported" in wrong.output
    garbled = runner.invoke(args=[*base, "--service-type", "home_support"])
    assert garbled.exit_code == 1 and "must be LOCATION_ID=TYPE" in garbled.output
    done = runner.invoke(
        args=[*base, "--service-type", "1-300000001=extra_care", "--service-type", "1-9=x"]
    )
    assert done.exit_code == 0, done.output
    assert "--service-type 1-9: not a new service in this file, passed over" in done.output
    willow = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-300000001"))
    assert willow.service_type == "extra_care"


def test_ratings_by_service_group_are_recorded_and_a_service_takes_its_group_s(
    client, make, ctx, council, tmp_path
):
    """A location rated under the single assessment framework: `Not rated` at Overall with no
    date, its ratings under `Care Homes` and `Homecare`. Heathervale House, a care home, takes
    the Care Homes ratings; a new home support service at the same kind of location takes
    Homecare's once its type is chosen; both pages list every group."""
    house = council["house"]
    base = location_rows(
        "1-200000001",
        "Heathervale House",
        "Northshire",
        "1-101000001",
        "Heathervale Care Ltd",
        {"Overall": "Not rated"},
        "",
    )
    care_homes = location_rows(
        "1-200000001",
        "Heathervale House",
        "Northshire",
        "1-101000001",
        "Heathervale Care Ltd",
        {"Overall": "Requires improvement", "Safe": "Inadequate"},
        date(2026, 9, 3),
    )
    rows = base + [{**r, "Service / Population Group": "Care Homes"} for r in care_homes]
    rows += [
        {**r, "Service / Population Group": "Homecare", "Latest Rating": "Good"}
        for r in care_homes[:1]
    ]
    other = location_rows(
        "1-300000009",
        "Moor Lane Support",
        "Northshire",
        "1-101000001",
        "Heathervale Care Ltd",
        {"Overall": "Not rated"},
        "",
        care_home="N",
    )
    rows += other + [
        {**r, "Service / Population Group": "Homecare"}
        for r in location_rows(
            "1-300000009",
            "Moor Lane Support",
            "Northshire",
            "1-101000001",
            "Heathervale Care Ltd",
            {"Overall": "Good", "Caring": "Outstanding"},
            date(2026, 8, 1),
            care_home="N",
        )
    ]
    preview = _preview(write_csv(tmp_path / "groups.csv", rows))
    assert preview.bad_rows == []
    [change] = preview.plan.changes
    assert (change.overall, change.source_group) == (
        ("Good", "Requires improvement"),
        "Care Homes",
    )
    cqc_import.commit_preview(Actor.system("cli"), preview, {"1-300000009": "home_support"})
    db.session.expire_all()
    assert (house.cqc_rating, house.cqc_rating_date) == ("Requires improvement", date(2026, 9, 3))
    assert sorted(house.cqc_service_groups) == ["Care Homes", "Homecare"]
    moor = db.session.scalar(select(Service).where(Service.cqc_location_id == "1-300000009"))
    assert (moor.service_type, moor.cqc_rating, moor.cqc_rating_date) == (
        "home_support",
        "Good",
        date(2026, 8, 1),
    )
    assert cqc_import.service_domain_ratings(moor.id) == [
        ("Caring", "Outstanding", date(2026, 8, 1))
    ]

    make.sign_in(client, make.user("officer"))
    page = soup(client.get(f"/services/{house.id}"))
    groups = [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in page.select("#cqc-service-groups tbody tr")
    ]
    assert groups == [
        ["Care Homes", "Overall", "Requires improvement", "3 September 2026"],
        ["Safe", "Inadequate", "3 September 2026"],
        ["Homecare", "Overall", "Good", "3 September 2026"],
    ]


def test_a_new_owner_s_registration_is_offered_as_the_same_service_never_a_silent_duplicate(
    client, make, app, council, tmp_path
):
    """Heathervale Lodge is sold: CQC registers it again (1-500000001, Moorland Care) and the
    old location leaves the file. The preview pairs them; the import waits for the officer;
    "the same service" moves the Lodge's record (and its history) to the new registration."""
    lodge = council["lodge"]
    lodge.postcode = "NE61 1AB"
    db.session.commit()
    rows = [r for r in table() if r["Location ID"] != "1-200000002"]
    rows += location_rows(
        "1-500000001",
        "Heathervale Lodge Care Home",
        "Northshire",
        "1-600000001",
        "Moorland Care Ltd",
        ratings("Requires improvement", "Good", "Good", "Good", "Good", "Good"),
        date(2026, 11, 2),
    )
    path = write_csv(tmp_path / "sold.csv", rows)
    preview = _preview(path)
    assert [(p.location_id, p.new_location_id) for p in preview.plan.successors] == [
        ("1-200000002", "1-500000001")
    ]
    assert cqc_import.counts_of(preview)["successors_to_decide"] == 1
    runner = app.test_cli_runner()
    base = ["qa", "import-cqc", str(path), "--local-authority", "Northshire", "--commit"]
    base += ["--service-type", "1-300000001=home_support"]
    waits = runner.invoke(args=base)
    assert waits.exit_code == 1
    assert (
        "  same service? Heathervale Lodge (1-200000002) is not in the file; new location "
        "Heathervale Lodge Care Home (1-500000001), Moorland Care Ltd, looks like it"
    ) in waits.output
    assert "still to decide" in waits.output

    app.config["QA_CQC_UPLOAD_DIR"] = str(tmp_path / "uploads")
    make.sign_in(client, make.user("officer"))
    response = upload_cqc_file(client, path)
    import_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/cqc-imports/{import_id}")
    assert "1 location still to decide" in soup(page).get_text(" ", strip=True)
    wrong = client.post(f"/cqc-imports/{import_id}/successors", data={"same_1_500000001": "x"})
    assert wrong.status_code == 422
    client.post(f"/cqc-imports/{import_id}/successors", data={"same_1_500000001": "same"})
    client.post(
        f"/cqc-imports/{import_id}/service-types", data={"type_1_300000001": "home_support"}
    )
    done = client.post(f"/cqc-imports/{import_id}/commit", follow_redirects=True)
    assert done.status_code == 200, soup(done).get_text(" ", strip=True)[:400]
    db.session.expire_all()
    assert (lodge.cqc_location_id, lodge.provider.cqc_provider_id, lodge.cqc_rating) == (
        "1-500000001",
        "1-600000001",
        "Requires improvement",
    )
    assert lodge.provider.name == "Moorland Care Ltd"
    assert db.session.scalar(select(func.count(Service.id))) == 3  # House, Lodge, Willow Bank
    history = client.get(f"/services/{lodge.id}").get_data(as_text=True)
    assert "1-500000001" in history
    late = client.post(f"/cqc-imports/{import_id}/successors", data={"same_1_500000001": "same"})
    assert late.status_code == 409  # decided and imported: nothing changes any more


def test_a_file_with_none_of_the_council_s_services_says_so(ctx, council, tmp_path):
    elsewhere = [r for r in table() if r["Location Local Authority"] == "Otherton"]
    lines = cqc_import.preview_lines(_preview(write_csv(tmp_path / "other.csv", elsewhere)))
    assert lines[-1] == (
        "Nothing to change: none of the council's services is in this file, and it adds none."
    )
    known = [r for r in table() if r["Location ID"] == "1-200000002"]  # the Lodge, as recorded
    path = write_csv(tmp_path / "lodge.csv", [{**r, "Domain": "Overall"} for r in known[:1]])
    assert cqc_import.preview_lines(_preview(path))[-1] == (
        "Nothing to change: every rating in this file is already recorded."
    )
