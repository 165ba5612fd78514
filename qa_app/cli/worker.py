"""`flask --app qa_app qa worker [--once]`: runs queued background work (SPEC section 10)."""

import json
import signal
import threading

import click
from flask.cli import with_appcontext

from qa_app.services.worker import Worker


@click.command("worker")
@click.option("--once", is_flag=True, help="Do what is due now, print a summary and exit (cron).")
@click.option(
    "--poll",
    type=click.FloatRange(0.05, 60),
    default=1.0,
    show_default=True,
    help="Seconds to wait when there is nothing to do.",
)
@with_appcontext
def worker_command(once, poll):
    """Run queued background work (reading CQC files, emails) and the periodic tasks (the
    escalation sweep every 5 minutes), until stopped.

    Ctrl+C or SIGTERM stops it after the job it is running; a second one stops it at once (that
    job is then tried again by a worker once its lease lapses, within a minute).
    """
    worker = Worker(poll_seconds=poll)
    if once:
        click.echo(json.dumps(worker.run_once(), separators=(",", ":"), default=str))
        return
    stop = threading.Event()

    def on_signal(signum, frame):
        if stop.is_set():
            raise SystemExit(1)
        click.echo("Stopping after the job under way (again to stop at once)", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    tasks = ", ".join(f"{t.name} every {t.every}" for t in worker.periodic)
    click.echo(f"Worker {worker.name} running queued jobs and {tasks}", err=True)
    worker.run_forever(stop)
