"""An officer imports CQC's ratings file: a bad row first, then the corrected file, the
preview, the confirmation and the history; read by the worker (the queue) with progress shown."""

import random
from datetime import date

from playwright.sync_api import expect

from tests.support.spreadsheets import location_rows, write_ods

KEYS = ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")


def test_officer_imports_cqc_ratings_through_a_bad_row(site, live_server, tmp_path):
    from qa_app.services import registry
    from qa_app.services.actors import Actor

    n = random.randrange(10**7, 10**8)
    location_id, new_location = f"1-9{n}", f"1-8{n}"
    name = f"Import Court {n}"
    with live_server.app.app_context():
        provider = registry.create_provider(
            Actor.system("cli"), {"name": f"Import Care {n}", "cqc_provider_id": f"1-7{n}"}
        )
        registry.create_service(
            Actor.system("cli"),
            {
                "name": name,
                "provider_id": provider.id,
                "cqc_location_id": location_id,
                "service_type": "care_home_residential",
                "cluster": "North",
                "cqc_rating": "Good",
                "cqc_rating_date": date(2024, 5, 1),
            },
        )
    rows = location_rows(
        location_id,
        name,
        "Northshire",
        f"1-7{n}",
        f"Import Care {n}",
        dict(
            zip(
                KEYS,
                ["Inadequate", "Inadequate", "Requires improvement", "Good", "Good", "Inadequate"],
                strict=True,
            )
        ),
        date(2026, 10, 1),
    )
    rows += location_rows(
        new_location,
        f"New Meadow {n}",
        "Northshire",
        f"1-6{n}",
        f"Meadow Care {n}",
        dict(zip(KEYS, ["Good"] * 6, strict=True)),
        date(2026, 9, 1),
        care_home="N",
    )
    bad = [*rows]
    bad[2] = {**bad[2], "Location ID": "1-12"}  # row 4
    upload = tmp_path / "ratings.ods"
    write_ods(upload, bad)

    live_server.app.config["QA_CQC_IMPORT_IN_BACKGROUND"] = True  # as served for real
    live_server.app.config["QA_CQC_UPLOAD_DIR"] = str(tmp_path / "uploads")
    try:
        site.sign_in("officer@demo.example")
        site.go_to("Services")
        site.follow(
            site.page.get_by_role("button", name="Import CQC ratings"), "CQC ratings imports"
        )
        site.follow(
            site.page.get_by_role("button", name="Import CQC ratings"), "Import CQC ratings"
        )
        site.page.get_by_label("CQC ratings file").set_input_files(str(upload))
        site.page.get_by_label("Local authority for new services (optional)").fill("Northshire")
        site.page.get_by_role("button", name="Upload and check the file").click()
        expect(site.page.locator("h1")).to_have_text(
            "ratings.ods cannot be imported yet", timeout=30_000
        )
        site.arrived()
        assert site.errors() == ["1 row in ratings.ods needs correcting"]
        assert site.table("Rows to correct") == [
            ["4", "Location ID '1-12' is not a CQC ID like 1-123456789 or an NHS code like RXQ02"]
        ]
        expect(site.page.get_by_role("button", name="Import these changes")).to_have_count(0)
        site.screenshot("20-cqc-import-bad-row")

        write_ods(upload, rows)
        site.follow(
            site.page.get_by_role("link", name="Upload a corrected file"), "Import CQC ratings"
        )
        site.page.get_by_label("CQC ratings file").set_input_files(str(upload))
        site.page.get_by_label("Local authority for new services (optional)").fill("Northshire")
        site.page.get_by_role("button", name="Upload and check the file").click()
        expect(site.page.locator("h1")).to_have_text(
            "Check what ratings.ods changes", timeout=30_000
        )
        site.arrived()
        import_id = int(site.page.url.rstrip("/").rsplit("/", 1)[1])
        assert _read_by(live_server, import_id) == "live-worker"  # the worker, not the request
        changes = site.table("CQC ratings that will change")
        assert changes[0][0].startswith(name)
        assert "Good to Inadequate" in " ".join(changes[0][1].split())
        assert site.table("New services to add")[0][0].startswith(f"New Meadow {n}")
        site.screenshot("21-cqc-import-preview")

        # The file cannot tell what kind of service in the community New Meadow is: asked.
        expect(site.page.locator("#import-waits")).to_contain_text("1 new service still to choose")
        expect(site.page.get_by_role("button", name="Import these changes")).to_have_count(0)
        site.page.get_by_label(f"Type of New Meadow {n}").select_option(label="Supported living")
        site.follow(
            site.page.get_by_role("button", name="Save the types"), "Check what ratings.ods changes"
        )
        expect(site.banner()).to_contain_text("Every new service has a type")

        site.follow(
            site.page.get_by_role("button", name="Import these changes"),
            "Imported: ratings.ods",
        )
        expect(site.banner()).to_contain_text("1 service updated, 1 service added")
        site.follow(
            site.page.get_by_role("link", name="CQC ratings imports"), "CQC ratings imports"
        )
        history = site.table("CQC ratings imports, newest first")
        assert history[0][3] == "Imported" and history[0][1].startswith("ratings.ods")
        assert history[1][3] == "Has bad rows"
        site.screenshot("22-cqc-import-history")

        site.visit(f"/services/{live_server.service_id(name)}", name)
        assert site.table("CQC ratings")[:2] == [
            ["Overall", "Inadequate", "1 October 2026"],
            ["Safe", "Inadequate", "1 October 2026"],
        ]
        expect(site.page.locator("main")).to_contain_text("Red")  # the risk RAG followed
    finally:
        live_server.app.config["QA_CQC_IMPORT_IN_BACKGROUND"] = False
        live_server.app.config.pop("QA_CQC_UPLOAD_DIR")


def _read_by(live_server, import_id: int) -> str | None:
    """Which worker read the upload (its job in the queue)."""
    from sqlalchemy import select

    from qa_app.extensions import db
    from qa_app.models import BackgroundJob

    with live_server.app.app_context():
        return db.session.scalar(
            select(BackgroundJob.claimed_by).where(
                BackgroundJob.key == f"cqc_import:{import_id}", BackgroundJob.status == "done"
            )
        )
