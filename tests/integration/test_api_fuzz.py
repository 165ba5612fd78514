"""The API holds to its OpenAPI document under fuzzing (Schemathesis), for every operation, as an
officer, a manager, a provider user and with no token: no server errors, and every status code,
content type, header and body as the document says.

The document is loaded through WSGI from an app made for that alone (Schemathesis' lazy
`from_fixture` loader reads a pytest node attribute that pytest 9.2 no longer has). The requests
go to this module's app, on a database of its own with the demo council loaded once (as
`flask qa seed-demo` does); each test runs inside a transaction that is rolled back (the
`db_session` fixture), so what the fuzzing changes never reaches another test.

Bounded and repeatable: a few examples per operation, derandomized, no deadlines or health
checks that depend on the machine's speed. The officer's run also has Schemathesis' coverage
phase (boundary, missing and wrong-type values for every field and parameter: the same request
rules apply to every role, so once is enough); the other roles get examples and fuzzing.
About 45 s of CPU per database."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from qa_app import create_app
from qa_app.extensions import db
from qa_app.services import demo, standards, users
from qa_app.services.actors import Actor
from tests.support.databases import fresh_database_url

ROLES = {
    "officer": "officer@demo.example",
    "manager": "manager@demo.example",
    "provider": "provider@demo.example",
    "no token": None,
}
_document_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _schema(*phases: str):
    config = schemathesis.Config.from_dict(
        {
            "phases": {
                name: {"enabled": name in phases}
                for name in ("examples", "coverage", "fuzzing", "stateful")
            }
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app, config=config)


THOROUGH = _schema("examples", "coverage", "fuzzing")
LIGHT = _schema("examples", "fuzzing")
BOUNDED = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture(scope="module")
def app():
    """This module's app (in place of the suite's): its own database, the demo council in it."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url("fuzz")})
    with app.app_context(), app.test_request_context():
        upgrade()
        standards.load_directory(Actor.system("cli"))
        demo.seed()
        app.config["FUZZ_HEADERS"] = {
            role: {
                "Authorization": "Bearer "
                + users.create_token(Actor.system("cli"), users.find_user_by_email(email))
            }
            if email
            else {}
            for role, email in ROLES.items()
        }
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _call_and_validate(case, role, app):
    case.call_and_validate(
        # Schemathesis reads a WSGI app's body as sent, and offers zstd, Brotli and gzip: ask
        # for it plain (compression is tested in test_compression_and_caching.py).
        headers={**app.config["FUZZ_HEADERS"][role], "Accept-Encoding": "identity"},
        app=app,
        # Every check Schemathesis has but one: data that fits the document may still be
        # refused with a 422 by a rule no JSON schema states (an id that names nothing, an
        # end date before a start date, a CQC ID in the wrong format).
        excluded_checks=[positive_data_acceptance],
    )


@THOROUGH.parametrize()
@BOUNDED
def test_the_api_holds_to_its_document_for_an_officer(case, app):
    _call_and_validate(case, "officer", app)


@pytest.mark.parametrize("role", ["manager", "provider", "no token"])
@LIGHT.parametrize()
@BOUNDED
def test_the_api_holds_to_its_document_for_the_other_roles(case, role, app):
    _call_and_validate(case, role, app)
