"""Loading audit standard sets: all or nothing, never changed once loaded; reading them."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import AuditEvent, StandardQuestion, StandardSetVersion

SHIPPED = Path(__file__).resolve().parents[2] / "audit_standards"


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["qa", "standards", *args])


def _count():
    return db.session.scalar(select(func.count(StandardSetVersion.id)))


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "sets"
    shutil.copytree(SHIPPED, target)
    return target


def test_validate_the_shipped_sets(app, ctx):
    result = _run(app, "validate")
    assert result.exit_code == 0, result.output
    assert "home_support version 1, 55 questions: valid" in result.output
    assert "extra_care version 1, 60 questions: valid" in result.output
    assert "day_opportunities version 1, 60 questions: valid" in result.output


def test_load_all_then_again_changes_nothing(app, ctx):
    first = _run(app, "load")
    assert first.exit_code == 0, first.output
    assert "Loaded care_homes v1" in first.output
    assert "Loaded extra_care v1" in first.output and "Loaded day_opportunities v1" in first.output
    assert _count() == 5
    questions = db.session.scalar(select(func.count(StandardQuestion.id)))
    assert questions == 55 + 54 + 54 + 60 + 60
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == "standard_set")
        )
        == 5
    )
    again = _run(app, "load")
    assert again.exit_code == 0 and "Already loaded, unchanged" in again.output
    assert _count() == 5


def test_one_bad_file_loads_nothing_and_every_problem_is_named(app, ctx, folder):
    bad = folder / "home_support.v1.yaml"
    bad.write_text(
        bad.read_text().replace("weight: 2", "weight: 0", 1).replace("[home_support]", "[castle]")
    )
    result = _run(app, "validate", str(folder))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "home_support.v1.yaml:" in line]
    assert any(":10: unknown service type 'castle'" in line for line in lines), lines
    assert any("weight must be more than 0, not 0" in line for line in lines), lines
    load = _run(app, "load", str(folder))
    assert load.exit_code == 1 and "Nothing was loaded." in load.output
    assert _count() == 0  # not even the good files


def test_a_loaded_version_is_never_changed(app, ctx, folder):
    assert _run(app, "load", str(folder)).exit_code == 0
    stored = db.session.scalar(
        select(StandardSetVersion).where(StandardSetVersion.key == "care_homes")
    )
    stored_hash, stored_text = stored.content_hash, stored.questions[0].text
    edited = folder / "care_homes.v1.yaml"
    edited.write_text(edited.read_text().replace("treated with dignity", "treated kindly", 1))
    refused = _run(app, "load", str(folder))
    assert refused.exit_code == 1
    assert "care_homes version 1 is already loaded with different content" in refused.output
    assert "save your edits as version 2 instead" in refused.output
    db.session.expire_all()
    stored = db.session.scalar(
        select(StandardSetVersion).where(StandardSetVersion.key == "care_homes")
    )
    assert (stored.content_hash, stored.questions[0].text) == (stored_hash, stored_text)
    # the same edit as version 2 sits beside version 1
    edited.rename(folder / "care_homes.v2.yaml")
    (folder / "care_homes.v2.yaml").write_text(
        (folder / "care_homes.v2.yaml").read_text().replace("version: 1", "version: 2", 1)
    )
    shutil.copy(SHIPPED / "care_homes.v1.yaml", folder / "care_homes.v1.yaml")
    assert _run(app, "load", str(folder)).exit_code == 0
    versions = db.session.scalars(
        select(StandardSetVersion.version)
        .where(StandardSetVersion.key == "care_homes")
        .order_by(StandardSetVersion.version)
    ).all()
    assert versions == [1, 2]


def test_two_files_with_the_same_key_and_version_are_refused(app, ctx, folder):
    shutil.copy(folder / "care_homes.v1.yaml", folder / "copy.yaml")
    result = _run(app, "load", str(folder))
    assert result.exit_code == 1 and "care_homes version 1 is also in" in result.output
    assert _count() == 0


@pytest.fixture
def loaded(app, ctx):
    assert _run(app, "load").exit_code == 0


def test_api_gives_sets_with_the_spec_field_names(client, make, loaded):
    from qa_app.services import users
    from qa_app.services.actors import Actor

    headers = {
        "Authorization": f"Bearer {users.create_token(Actor.system('cli'), make.user('officer'))}"
    }
    listing = client.get("/api/v1/standard-sets", headers=headers).json
    assert {(i["key"], i["version"]) for i in listing["items"]} == {
        ("care_homes", 1),
        ("day_opportunities", 1),
        ("extra_care", 1),
        ("home_support", 1),
        ("supported_living", 1),
    }
    one = client.get("/api/v1/standard-sets/home_support/1", headers=headers).json
    assert set(one) == {"key", "version", "title", "service_types", "domains"}
    domain = one["domains"][0]
    assert set(domain) == {"code", "title", "standards"}
    question = domain["standards"][0]["questions"][0]
    assert {"ref", "text", "guidance", "evidence_sources", "weight"} <= set(question)
    assert question["ref"] == "QA01.1" and question["weight"] == 1
    assert client.get("/api/v1/standard-sets/home_support/9", headers=headers).status_code == 404
    # providers may read the standards they are assessed against
    provider_headers = {
        "Authorization": f"Bearer {users.create_token(Actor.system('cli'), make.user('provider', make.provider()))}"
    }
    assert client.get("/api/v1/standard-sets", headers=provider_headers).status_code == 200


def test_officer_reads_a_set_question_by_question(client, make, loaded):
    make.sign_in(client, make.user("officer"))
    listing = client.get("/standards")
    assert len(listing.soup.select("tbody tr")) == 5
    page = client.get("/standards/care_homes/1")
    assert page.soup.h1.get_text(strip=True) == "Care homes (residential and nursing), version 1"
    question = page.soup.select_one("#question-QC03\\.1")
    assert "Medicines are given as prescribed" in question.get_text()
    assert "Evidence: Records, Observation" in question.get_text(" ")
    nursing = page.soup.select_one("#question-QB01\\.N1").get_text(" ")
    assert "only for care home with nursing" in " ".join(nursing.split())
    assert (
        next(a.get_text() for a in page.soup.select("nav.app-contents a"))
        == "Involvement and information"
    )


def test_compare_page(client, make, app, ctx, folder):
    (folder / "home_support.v2.yaml").write_text(
        (folder / "home_support.v1.yaml")
        .read_text()
        .replace("version: 1", "version: 2", 1)
        .replace("People are told promptly about changes", "People are told at once about changes")
    )
    assert _run(app, "load", str(folder)).exit_code == 0
    make.sign_in(client, make.user("officer"))
    page = client.get("/standards/home_support/compare?from=1&to=2")
    text = " ".join(page.soup.select_one(".app-difference").get_text(" ").split())
    assert "Reworded (1)" in text and "QA03.4 was: People are told promptly" in text
    assert "Questions added (0)" in text
    assert client.get("/standards/home_support/compare?from=x&to=2").status_code == 404
