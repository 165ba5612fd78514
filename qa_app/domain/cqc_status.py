"""An uploaded CQC ratings file's import: its states, and which steps each allows (the pages
and the service ask here)."""

from __future__ import annotations

from enum import StrEnum


class ImportStatus(StrEnum):
    """An uploaded file's import, as stored: read in the background, then previewed (or
    refused), then committed or discarded by a person."""

    READING = "reading"
    REFUSED = "refused"
    PREVIEWED = "previewed"
    COMMITTED = "committed"
    DISCARDED = "discarded"


IMPORT_LABELS: dict[str, str] = {
    ImportStatus.READING: "Reading the file",
    ImportStatus.PREVIEWED: "Waiting for confirmation",
    ImportStatus.REFUSED: "Could not be read",
    ImportStatus.COMMITTED: "Imported",
    ImportStatus.DISCARDED: "Discarded",
}
#: A previewed file with bad rows: it cannot be imported until it is corrected.
HAS_BAD_ROWS = "Has bad rows"
#: Not yet decided: the file may still be discarded.
UNDECIDED = (ImportStatus.READING, ImportStatus.REFUSED, ImportStatus.PREVIEWED)


def discard_refusal(status: str) -> str | None:
    if status not in UNDECIDED:
        return f"This import has already been {status}"
    return None


def can_discard(status: str) -> bool:
    return discard_refusal(status) is None


def commit_refusal(
    status: str, bad_rows: int, types_to_choose: int = 0, successors_to_decide: int = 0
) -> str | None:
    """Why the previewed changes cannot be applied, or None."""
    if status != ImportStatus.PREVIEWED:
        done: dict[str, str] = {
            ImportStatus.COMMITTED: "confirmed",
            ImportStatus.READING: "started but not yet read",
        }
        return "This import cannot be confirmed: it has already been " + done.get(status, status)
    if bad_rows:
        return "A file with bad rows cannot be imported: correct them and upload it again"
    if successors_to_decide:
        return (
            "Say whether each new location that looks like a service the council knows is the "
            "same service, registered again, or a different one: "
            + ("1 is" if successors_to_decide == 1 else f"{successors_to_decide:,} are")
            + " still to decide"
        )
    if types_to_choose:
        return (
            "Choose the type of each new service before importing: "
            + ("1 is" if types_to_choose == 1 else f"{types_to_choose:,} are")
            + " still to choose"
        )
    return None


def can_commit(
    status: str, bad_rows: int, types_to_choose: int = 0, successors_to_decide: int = 0
) -> bool:
    return commit_refusal(status, bad_rows, types_to_choose, successors_to_decide) is None


def needs_correcting(status: str, bad_rows: int) -> bool:
    """Read, but some rows are bad: the file is corrected and uploaded again."""
    return status == ImportStatus.PREVIEWED and bool(bad_rows)


def has_preview(status: str) -> bool:
    """What the file changes (or changed) can be shown."""
    return status in (ImportStatus.PREVIEWED, ImportStatus.COMMITTED)


def import_label(status: str, bad_rows: int) -> str:
    if needs_correcting(status, bad_rows):
        return HAS_BAD_ROWS
    return IMPORT_LABELS.get(status, status)
