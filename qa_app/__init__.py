"""Quality assurance of commissioned adult social care.

`create_app` builds the Flask app; `flask --app qa_app …` finds it by name.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

from qa_app.config import load_settings
from qa_app.domain.codes import MAX_ID

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None, environ: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        static_folder="static",
        static_url_path="/static",
    )
    settings = load_settings(environ, Path(app.instance_path))
    app.config.update(settings.flask_config())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _templates(app)
    app.url_map.converters["int"] = DatabaseIdConverter

    from qa_app import database, security
    from qa_app.extensions import compress, csrf, db, migrate

    db.init_app(app)
    database.configure_engines(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True
    )
    security.init_app(app)  # first, so even a refused request gets its CSP nonce
    csrf.init_app(app)
    compress.init_app(app)  # pages, CSS, JS and JSON sent with Brotli, zstd or gzip

    from qa_app import web
    from qa_app.api import api_blueprint
    from qa_app.cli import qa_cli

    web.init_app(app)
    app.register_blueprint(api_blueprint)
    csrf.exempt(api_blueprint)  # the API authenticates with bearer tokens, not cookies
    app.cli.add_command(qa_cli)
    return app


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in routes: numbers a database id can hold; anything larger is a plain 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from qa_app.templating import Template

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.template_class = Template  # before any template is loaded
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
