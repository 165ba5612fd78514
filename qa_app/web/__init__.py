"""The web pages: sign-in, the staff pages, the admin pages and the provider portal."""

from flask import Flask, redirect, url_for
from flask_login import current_user

from qa_app.extensions import login_manager


def init_app(app: Flask) -> None:
    from qa_app import signed_in
    from qa_app.web import account, assets, calendar_feed, errors, filters, health, nul_guard
    from qa_app.web.admin import bp as admin_bp
    from qa_app.web.auth import bp as auth_bp
    from qa_app.web.portal import bp as portal_bp
    from qa_app.web.staff import bp as staff_bp

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.session_protection = "basic"
    signed_in.init_app(app)

    app.register_blueprint(auth_bp)
    app.register_blueprint(account.bp)
    account.init_app(app)
    app.register_blueprint(staff_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(portal_bp)
    filters.init_app(app)
    errors.init_app(app)
    nul_guard.init_app(app)
    assets.init_app(app)
    health.init_app(app)
    calendar_feed.init_app(app)

    @app.get("/")
    def index():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.sign_in"))
        if current_user.is_provider:
            return redirect(url_for("portal.home"))
        return redirect(url_for("staff.home"))

    @app.get("/service-worker.js")
    def service_worker():
        """Served from the root so that it may keep recording pages for offline use."""
        from flask import send_from_directory

        response = send_from_directory(app.static_folder, "service-worker.js", max_age=0)
        response.headers["Service-Worker-Allowed"] = "/"
        response.headers["Cache-Control"] = "no-cache"
        return assets.read_whole(response)

    @app.get("/assets/<path:filename>")
    def govuk_assets(filename):
        """GOV.UK Frontend's fonts and images, where its compiled CSS expects them."""
        return assets.govuk_asset(app.static_folder + "/govuk/assets", filename)
