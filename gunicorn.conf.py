"""gunicorn's settings for this app, all from the environment (README, "Production").

    .venv/bin/gunicorn --config gunicorn.conf.py

- QA_WEB_BIND: where to listen, HOST:PORT or unix:PATH (default 127.0.0.1:8000: behind a
  TLS proxy on the same machine; never expose it directly).
- QA_WEB_WORKERS: worker processes (default two per core and one more, at most 12).
- QA_WEB_TIMEOUT: seconds a request may take before its worker is restarted (default 60).

The app's own settings (QA_DATABASE_URL, QA_SECRET_KEY, QA_TRUSTED_PROXIES, …) are read by
the app (qa_app/config.py). The forwarded headers (X-Forwarded-For, X-Forwarded-Proto) are
trusted by the app itself when QA_TRUSTED_PROXIES says how many proxies are in front of it.
"""

from qa_app.config import ACCESS_LOG_FORMAT, load_web_server_settings

_web = load_web_server_settings()

wsgi_app = "qa_app:create_app()"
bind = [_web.bind]
workers = _web.workers
worker_class = "sync"
timeout = _web.timeout
graceful_timeout = 30
keepalive = 5  # longer than none, shorter than the proxy's idle timeout
# One line per request on stdout (journald keeps it), with the time it took in milliseconds.
accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
errorlog = "-"
loglevel = "info"
# Workers are not recycled after N requests (max_requests stays 0): a CQC file import is read
# in a thread of the worker that received it, and a recycled worker would end it part way.
max_requests = 0
# gunicorn 27's control socket (`gunicornc`) is not used: systemd starts, stops and reloads.
control_socket_disable = True

# The app is built once, in the master, and its templates compiled there before the workers
# fork: no worker's first page pays for compiling (a recording page took 310 ms cold, 89 ms
# warm, in `make bench --only load`).
preload_app = True


def when_ready(server):
    import gc

    app = server.app.wsgi()
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
        app.jinja_env.get_template(name)
    gc.freeze()  # what the master built lives as long as the workers: out of the GC's sweeps


def post_fork(server, worker):
    """A worker must not share the master's database connections (SQLAlchemy's advice for
    forked processes: drop the inherited pool without closing the parent's sockets)."""
    from qa_app.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
