"""`flask --app qa_app qa backup [--out FILE]` and `qa restore FILE --yes` (SPEC section 10)."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from qa_app.domain.wording import count
from qa_app.services import backup as backups


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.command("backup")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (default: instance/backups/qa-backup-<UTC time>.tar.gz)",
)
@with_appcontext
def backup_command(out):
    """Back up the database and the evidence files into one archive, while the app serves.

    Prints the file written.
    """
    try:
        written = backups.create(out)
    except backups.BackupFailed as failed:
        _fail(f"no backup was written: {failed}")
    for name in written.skipped:
        click.echo(f"Passed over {name} in the evidence folder: not an evidence file", err=True)
    manifest = written.manifest
    click.echo(
        f"Backed up the {manifest.database} database (schema {manifest.schema_revision}, "
        f"{count(sum(manifest.counts.values()), 'row')}) and "
        f"{count(len(manifest.files), 'evidence file')} to:",
        err=True,
    )
    click.echo(str(written.path))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Yes, replace the database and the evidence files")
@with_appcontext
def restore_command(file, yes):
    """Replace the database and the evidence files with those in a backup FILE.

    Stop the app first. Refused without --yes. The whole archive is checked (its manifest,
    every file's SHA-256, its schema against this code's) before anything is changed.
    """
    if not yes:
        _fail(
            f"restoring {file} replaces the whole database and every evidence file with the "
            "backup's. Stop the app, then run this again with --yes. Nothing was changed."
        )
    try:
        restored = backups.restore(file)
    except backups.BackupRefused as refused:
        _fail(f"{file} was not restored: {refused}. Nothing was changed.")
    except backups.BackupFailed as failed:
        _fail(f"{file} was not restored: {failed}")
    manifest = restored.manifest
    click.echo(
        f"Restored {file}: the {manifest.database} database made {manifest.created_at} "
        f"(schema {manifest.schema_revision}, {count(sum(manifest.counts.values()), 'row')}) "
        f"and {count(len(manifest.files), 'evidence file')}."
    )
    if restored.upgraded_to:
        click.echo(f"The database's schema was upgraded to {restored.upgraded_to}.")
    if restored.set_aside:
        click.echo(
            f"The evidence files that were there before are in {restored.set_aside}: "
            "remove that folder once you are satisfied."
        )
