"""An administrator uploads a new version: checked, previewed with its differences, confirmed."""

import io
from pathlib import Path

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import StandardSetVersion
from qa_app.services import standards
from qa_app.services.actors import Actor
from tests.support.client import error_summary

SHIPPED = Path(__file__).resolve().parents[2] / "audit_standards"


def _upload(client, text, name="home_support.v2.yaml"):
    return client.post(
        "/admin/standards/upload",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def _v2(change=True):
    text = (SHIPPED / "home_support.v1.yaml").read_text().replace("version: 1", "version: 2", 1)
    if change:
        text = text.replace(
            "People are told promptly about changes", "People are told at once about changes"
        )
    return text


def test_upload_preview_confirm(client, make):
    standards.load_directory(Actor.system("cli"))
    make.sign_in(client, make.user("admin"))
    preview = _upload(client, _v2())
    assert preview.status_code == 200
    assert (
        preview.soup.h1.get_text(strip=True) == "Check Home support (domiciliary care), version 2"
    )
    text = " ".join(preview.soup.select_one(".app-difference").get_text(" ").split())
    assert "Reworded (1)" in text and "QA03.4" in text
    assert (
        db.session.scalar(select(func.count()).where(StandardSetVersion.key == "home_support")) == 1
    )
    confirm = client.post(
        "/admin/standards/upload/confirm",
        data={
            "filename": preview.soup.select_one("#filename")["value"],
            "content": preview.soup.select_one("#content")["value"],
        },
    )
    assert confirm.status_code == 302 and confirm.headers["Location"].endswith(
        "/standards/home_support/2"
    )
    versions = db.session.scalars(
        select(StandardSetVersion.version).where(StandardSetVersion.key == "home_support")
    ).all()
    assert sorted(versions) == [1, 2]


def test_a_bad_file_is_refused_with_every_problem_and_nothing_loaded(client, make):
    make.sign_in(client, make.user("admin"))
    bad = _v2().replace("weight: 2", "weight: 0", 1).replace("[home_support]", "[castle]")
    response = _upload(client, bad)
    problems = error_summary(response)
    assert len(problems) == 2
    assert problems[0].startswith("home_support.v2.yaml:10: unknown service type 'castle'")
    assert "weight must be more than 0" in problems[1]
    assert response.soup.title.get_text().startswith("Error: ")
    assert db.session.scalar(select(func.count(StandardSetVersion.id))) == 0


def test_changing_a_loaded_version_is_refused(client, make):
    standards.load_directory(Actor.system("cli"))
    make.sign_in(client, make.user("admin"))
    edited = (
        (SHIPPED / "home_support.v1.yaml")
        .read_text()
        .replace("treated with dignity", "treated well", 1)
    )
    response = _upload(client, edited, "home_support.v1.yaml")
    assert "already loaded with different content" in error_summary(response)[0]
    assert "save your edits as version 2" in error_summary(response)[0]


def test_wrong_kind_of_file(client, make):
    make.sign_in(client, make.user("admin"))
    assert error_summary(_upload(client, "hello", "notes.txt")) == [
        "notes.txt:1: the file must be a .yaml set file"
    ]
    assert error_summary(client.post("/admin/standards/upload", data={})) == [
        "Choose a set file to upload"
    ]
    tampered = client.post(
        "/admin/standards/upload/confirm", data={"filename": "x.yaml", "content": "key: [broken"}
    )
    assert "not valid YAML" in error_summary(tampered)[0]
    assert db.session.scalar(select(func.count(StandardSetVersion.id))) == 0
