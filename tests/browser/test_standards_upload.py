"""An administrator uploads a new version of a standard set: a bad line first, then the fix,
the differences, and the confirmation."""

from pathlib import Path
from uuid import uuid4

from playwright.sync_api import expect

SHIPPED = Path(__file__).resolve().parents[2] / "audit_standards" / "supported_living.v1.yaml"


def test_admin_uploads_a_new_version_through_an_error(site, live_server, tmp_path):
    from qa_app.services import standards
    from qa_app.services.actors import Actor

    with live_server.app.app_context():
        standards.load_directory(Actor.system("cli"))  # as make run does
        version = standards.next_version("supported_living")
    reworded = f"People have choice and control over their home and routines ({uuid4().hex[:6]})."
    good = (
        SHIPPED.read_text()
        .replace("version: 1", f"version: {version}", 1)
        .replace(
            "People have choice and control over their own home, daily routines and who supports them.",
            reworded,
        )
    )
    upload = tmp_path / f"supported_living.v{version}.yaml"
    upload.write_text(
        good.replace(
            "evidence_sources: [people, relatives, observation]",
            "evidence_sources: [people, neighbours]",
            1,
        )
    )

    site.sign_in("admin@demo.example")
    site.go_to("Standards", "Audit standards")
    site.follow(
        site.page.get_by_role("button", name="Upload a new version"),
        "Upload a new version of a standard set",
    )
    site.page.get_by_label("Set file").set_input_files(str(upload))
    site.follow(
        site.page.get_by_role("button", name="Check the file"),
        "Upload a new version of a standard set",
    )
    errors = site.errors()
    assert len(errors) == 1 and "unknown evidence source 'neighbours'" in errors[0]
    assert errors[0].startswith(f"{upload.name}:")
    site.screenshot("13-standards-upload-error")

    upload.write_text(good)
    site.page.get_by_label("Set file").set_input_files(str(upload))
    site.follow(
        site.page.get_by_role("button", name="Check the file"),
        f"Check Supported living, version {version}",
    )
    differences = site.page.locator(".app-difference")
    expect(differences).to_contain_text("Reworded (1)")
    expect(differences).to_contain_text(reworded)
    site.screenshot("14-standards-upload-preview")
    site.follow(
        site.page.get_by_role("button", name=f"Load version {version}"),
        f"Supported living, version {version}",
    )
    expect(site.banner()).to_contain_text(f"supported_living v{version} has been loaded")
    expect(site.page.locator("main")).to_contain_text(reworded)
