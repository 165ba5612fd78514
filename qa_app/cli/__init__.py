"""`flask --app qa_app qa …`: the command line (SPEC section 10)."""

import json
import sys
from datetime import datetime

import click
from flask.cli import AppGroup

from qa_app.domain.roles import Role
from qa_app.domain.wording import count
from qa_app.services import demo, standards, sweep, users
from qa_app.services.actors import Actor
from qa_app.services.errors import ValidationFailed
from qa_app.services.transaction import DATABASE_FAILURES


class _Commands(AppGroup):
    """The `qa` group: a database that fails part-way through a command is a one-line error
    and exit code 1, not a traceback (each step's transaction was rolled back whole)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DATABASE_FAILURES as error:
            _fail(
                f"the database failed ({' '.join(str(error.orig).split())[:200]}). "
                + DATABASE_FAILED.get(ctx.invoked_subcommand or "", "Nothing was saved.")
                + " Run the command again."
            )


#: what a failed command kept, where it is not "nothing" (the sweep's batches are committed one
#: at a time: each escalation is kept whole or not at all)
DATABASE_FAILED = {
    "sweep": "What the sweep had finished before it is kept, each escalation whole; "
    "the rest was not saved.",
}

qa_cli = _Commands("qa", help="Quality assurance commands.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@qa_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if there are already users.")
def seed_demo(if_empty):
    """Load the demo council: providers, ~30 services and a user for every role."""
    if demo.has_data():
        if if_empty:
            click.echo("Demo data is already loaded; leaving it as it is.")
            return
        _fail("the database already has data; seed-demo only fills an empty database")
    summary = demo.seed()
    click.echo(
        f"Loaded {summary['providers']} providers, {summary['services']} services and "
        f"{summary['users']} users."
    )


@qa_cli.command("sign-in-help")
def sign_in_help():
    """Print how to sign in as each demo user."""
    click.echo(demo.sign_in_text())


@qa_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, manager, officer or provider")
@click.option(
    "--provider-id", type=int, default=None, help="The provider a provider user works for"
)
@click.option(
    "--password", default=None, help="Set a password now; without it an invitation link is printed"
)
def create_user(email, name, role, provider_id, password):
    """Create a user."""
    if role not in {r.value for r in Role}:
        _fail(f"unknown role {role!r}: use one of {', '.join(r.value for r in Role)}")
    try:
        user, invite = users.create_user(
            Actor.system("cli"), email, name, role, provider_id, password
        )
    except ValidationFailed as failed:
        _fail("; ".join(failed.errors.values()))
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
    if invite:
        click.echo(f"They set their password at: /set-password/{invite} (valid for 7 days)")


@qa_cli.command("create-token")
@click.argument("email")
@click.option("--name", default="API token", help="What the token is for")
def create_token(email, name):
    """Create an API token for a user and print it (only once: it is stored hashed)."""
    user = users.find_user_by_email(email)
    if user is None:
        _fail(f"there is no user with the email address {email}")
    try:
        click.echo(users.create_token(Actor.system("cli"), user, name))
    except ValidationFailed as failed:
        _fail("; ".join(failed.errors.values()))


standards_cli = AppGroup("standards", help="Audit standard sets: validate and load.")
qa_cli.add_command(standards_cli)


@standards_cli.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def standards_validate(directory):
    """Check every set file in DIRECTORY (default: audit_standards/); exit 1 on any problem."""
    checked = standards.check_directory(directory)
    problems = [p for c in checked for p in c.problems]
    for problem in problems:
        click.echo(str(problem), err=True)
    for c in checked:
        if c.standard_set is not None:
            s = c.standard_set
            click.echo(
                f"{c.file}: {s.key} version {s.version}, {sum(1 for _ in s.questions())} questions: valid"
            )
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)


@standards_cli.command("load")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def standards_load(directory):
    """Validate and load every set file in DIRECTORY, all or nothing."""
    try:
        result = standards.load_directory(Actor.system("cli"), directory)
    except standards.SetsRefused as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        click.echo("Nothing was loaded.", err=True)
        sys.exit(1)
    for name in result.loaded:
        click.echo(f"Loaded {name}")
    if result.unchanged:
        click.echo(f"Already loaded, unchanged: {', '.join(result.unchanged)}")


@qa_cli.command("sweep")
@click.option(
    "--now",
    "now_text",
    help="Sweep as if it were this moment (ISO 8601 with an offset, e.g. 2026-11-24T09:00:00+00:00).",
)
def sweep_command(now_text):
    """Escalate overdue concerns into draft notices, and unmet notices into breach notices.

    Prints a one-line JSON summary. Safe to run every few minutes, and on several machines.
    """
    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            _fail(f"--now {now_text!r} is not an ISO 8601 date and time")
        if now.tzinfo is None:
            _fail("--now needs a UTC offset, e.g. 2026-11-24T09:00:00+00:00 or ...Z")
    click.echo(json.dumps(sweep.sweep(now), separators=(",", ":")))


@qa_cli.command("import-cqc")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--local-authority", default=None, help="Add new services in this local authority")
@click.option("--commit", is_flag=True, help="Write the changes (without it, only a preview)")
@click.option(
    "--service-type",
    "service_types",
    multiple=True,
    metavar="LOCATION_ID=TYPE",
    help="The type of a new service the file cannot tell (for example "
    "1-123456789=care_home_nursing); repeat for each",
)
@click.option(
    "--same-service",
    "same",
    multiple=True,
    metavar="NEW_LOCATION_ID",
    help="A new location that is a known service registered again (a new owner): its record "
    "moves there; repeat for each",
)
@click.option(
    "--different-service",
    "different",
    multiple=True,
    metavar="NEW_LOCATION_ID",
    help="A new location that only looks like a known service: add it as new; repeat for each",
)
@click.option(
    "--close-service",
    "close",
    multiple=True,
    metavar="LOCATION_ID",
    help="A known service the file no longer holds (deregistered): mark it closed from today; "
    "repeat for each. Nothing closes without it",
)
def import_cqc(file, local_authority, commit, service_types, same, different, close):
    """Preview (or with --commit, import) CQC's monthly ratings file: ODS, XLSX or CSV."""
    from pathlib import Path

    from qa_app.services import cqc_import

    types = {}
    for given in service_types:
        location_id, equals, value = given.partition("=")
        if not equals or not location_id.strip() or not value.strip():
            _fail(
                f"--service-type {given!r} must be LOCATION_ID=TYPE, e.g. 1-123=care_home_nursing"
            )
        types[location_id.strip()] = value.strip()

    path = Path(file)
    try:
        preview = cqc_import.preview_file(path, path.name, local_authority)
    except cqc_import.ImportRefused as refused:
        _fail(str(refused))
    for line in cqc_import.preview_lines(preview):
        click.echo(line)
    if preview.bad_rows:
        for bad in preview.bad_rows:
            click.echo(f"{path.name} row {bad.row}: {bad.reason}", err=True)
        click.echo(
            f"{len(preview.bad_rows)} bad row(s): nothing was imported. Correct them and run again.",
            err=True,
        )
        sys.exit(1)
    if not commit:
        click.echo("This was a preview: nothing was written. Run again with --commit to import.")
        return
    new = {s.location_id for s in preview.plan.new_services}
    for location_id in sorted(set(types) - new):
        click.echo(f"--service-type {location_id}: not a new service in this file, passed over")
    closable = {m.location_id: m.service_id for m in preview.plan.missing}
    closable.update({p.location_id: p.service_id for p in preview.plan.successors})
    for location_id in close:
        if location_id not in closable:
            _fail(
                f"--close-service {location_id}: not a known service missing from this file; "
                "nothing was imported"
            )
    try:
        decided = {**dict.fromkeys(different, "different"), **dict.fromkeys(same, "same")}
        record = cqc_import.commit_preview(
            Actor.system("cli"), preview, types, decided, [closable[c] for c in close]
        )
    except cqc_import.ValidationFailed as refused:
        _fail("; ".join(str(v) for v in refused.details.values()) + ": nothing was imported")
    except cqc_import.Conflict as refused:
        if str(refused).startswith("Nothing was imported"):  # a service that cannot close
            _fail(str(refused))
        _fail(
            f"{refused}: nothing was imported. Give each type with --service-type "
            "LOCATION_ID=TYPE (the types each may be are listed above), and say of each possible "
            "new registration --same-service NEW_LOCATION_ID or --different-service NEW_LOCATION_ID."
        )
    applied = record.counts["applied"]
    if applied.get("closed"):
        click.echo(f"Marked closed: {count(applied['closed'], 'service')}.")
    if not (applied["changed_services"] or applied["new_services"]):
        click.echo(
            f"Imported (import {record.id}): nothing changed, every rating was already recorded."
        )
    else:
        click.echo(
            f"Imported (import {record.id}): {count(applied['changed_services'], 'service')} "
            f"updated, {count(applied['new_services'], 'service')} and "
            f"{count(applied['new_providers'], 'provider')} added."
        )


report_cli = AppGroup("report", help="Reports: the monthly QuAD report.")
qa_cli.add_command(report_cli)

#: the formats `report quad` writes, by the output file's extension
REPORT_FORMATS = {".json": "JSON", ".pdf": "PDF", ".xlsx": "XLSX", ".csv": "CSV", ".zip": "CSV"}


@report_cli.command("quad")
@click.option("--month", "month_text", required=True, help="The month, YYYY-MM (Europe/London)")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The file to write: .pdf, .xlsx, .json, or .csv/.zip (a zip of one CSV per table)",
)
@click.option("--cluster", default="", help="Only the services in this cluster")
@click.option("--service-type", default="", help="Only services of this type (a code)")
def report_quad(month_text, out, cluster, service_type):
    """Write the monthly QuAD report for a month, in the format the file's extension names."""
    from pathlib import Path

    from qa_app.domain.months import MonthRefused, parse_month
    from qa_app.services import quad_report
    from qa_app.services.calendar import utcnow
    from qa_app.services.quad_report import formats, pdf

    path = Path(out)
    extension = path.suffix.lower()
    if extension not in REPORT_FORMATS:
        _fail(
            f"{path.name}: the file's extension says which format to write: "
            + ", ".join(sorted(REPORT_FORMATS))
        )
    now = utcnow()
    try:
        month = parse_month(month_text, now)
    except MonthRefused as refused:
        _fail(f"--month {month_text!r}: {refused}")
    try:
        filters = quad_report.check_filters(cluster, service_type)
    except ValidationFailed as failed:
        _fail("; ".join(failed.errors.values()))
    from flask import current_app

    report = quad_report.build(quad_report.COMMAND_LINE, month, filters, now)
    council = current_app.config["QA_COUNCIL_NAME"]
    if extension == ".json":
        data = (json.dumps(formats.as_dict(report), indent=2) + "\n").encode()
    elif extension == ".pdf":
        data = pdf.render(report, council)
    elif extension == ".xlsx":
        data = formats.xlsx(report, council)
    else:
        data = formats.csv_zip(report, council)
    try:
        path.write_bytes(data)
    except OSError as error:
        _fail(f"{path}: could not write the file ({error.strerror})")
    click.echo(
        f"Wrote the QuAD report for {month.label} ({report.filters.describe()}) as "
        f"{REPORT_FORMATS[extension]} to {path} ({len(data):,} bytes)."
    )


from qa_app.cli.backup import backup_command, restore_command  # noqa: E402
from qa_app.cli.worker import worker_command  # noqa: E402

qa_cli.add_command(backup_command)
qa_cli.add_command(restore_command)
qa_cli.add_command(worker_command)
