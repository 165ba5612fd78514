"""Loading, finding and comparing audit standard sets (SPEC section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from qa_app.domain.changes import created
from qa_app.domain.standards import (
    MAX_SET_FILE_BYTES,
    Checked,
    Problem,
    StandardSet,
    check_text,
    compare,
)
from qa_app.extensions import db
from qa_app.models import StandardQuestion, StandardSetVersion
from qa_app.services import audit
from qa_app.services.actors import Actor
from qa_app.services.errors import NotFound, ServiceError
from qa_app.services.transaction import unit_of_work

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent.parent / "audit_standards"


class SetsRefused(ServiceError):
    """Nothing was loaded; `problems` says why, each with file and line."""

    status = 422

    def __init__(self, problems: list[Problem]):
        super().__init__(
            f"{len(problems)} problem(s): nothing was loaded", [str(p) for p in problems]
        )
        self.problems = problems


@dataclass
class LoadResult:
    loaded: list[str]
    unchanged: list[str]


def check_directory(directory: Path | None = None) -> list[Checked]:
    directory = Path(directory or DEFAULT_DIRECTORY)
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        return [
            Checked(str(directory), None, [Problem(str(directory), 1, "no .yaml set files here")])
        ]
    return [_check_file(path) for path in files]


def _check_file(path: Path) -> Checked:
    """One set file, refused unread when it is too large to be a set."""
    name = _display(path)
    if path.stat().st_size > MAX_SET_FILE_BYTES:
        return Checked(name, None, [Problem(name, 1, "the file is larger than 1 MB")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return Checked(name, None, [Problem(name, 1, "the file is not UTF-8 text")])
    return check_text(text, name)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_directory(actor: Actor, directory: Path | None = None) -> LoadResult:
    """Validate every file, then load them all in one transaction, or nothing at all."""
    return load_checked(actor, check_directory(directory))


def load_checked(actor: Actor, checked: list[Checked]) -> LoadResult:
    problems = [p for c in checked for p in c.problems]
    seen: dict[tuple, str] = {}
    for c in checked:
        if c.standard_set is None:
            continue
        ident = (c.standard_set.key, c.standard_set.version)
        if ident in seen:
            problems.append(
                Problem(c.file, 1, f"{ident[0]} version {ident[1]} is also in {seen[ident]}")
            )
        seen[ident] = c.file
    existing = _existing({ident for ident in seen})
    for c in checked:
        if c.standard_set is None:
            continue
        stored = existing.get((c.standard_set.key, c.standard_set.version))
        if stored is not None and stored.content_hash != c.standard_set.content_hash():
            s = c.standard_set
            problems.append(
                Problem(
                    c.file,
                    1,
                    f"{s.key} version {s.version} is already loaded with different content. A loaded "
                    f"version never changes: save your edits as version {next_version(s.key)} instead.",
                )
            )
    if problems:
        raise SetsRefused(problems)
    result = LoadResult([], [])
    with unit_of_work():
        for c in checked:
            loading = c.standard_set
            assert loading is not None  # no problems: every file holds a set
            if (loading.key, loading.version) in existing:
                result.unchanged.append(f"{loading.key} v{loading.version}")
                continue
            _store(actor, loading, c.file)
            result.loaded.append(f"{loading.key} v{loading.version}")
    return result


def _existing(idents: set[tuple]) -> dict[tuple, StandardSetVersion]:
    if not idents:
        return {}
    rows = db.session.scalars(
        select(StandardSetVersion).where(StandardSetVersion.key.in_({k for k, _ in idents}))
    )
    return {(r.key, r.version): r for r in rows if (r.key, r.version) in idents}


def _store(actor: Actor, s: StandardSet, source: str) -> StandardSetVersion:
    row = StandardSetVersion(
        key=s.key,
        version=s.version,
        title=s.title,
        service_types=list(s.service_types),
        document=s.model_dump(mode="json"),
        content_hash=s.content_hash(),
        source_file=source[:255],
        question_count=sum(1 for _ in s.questions()),
        loaded_by=actor.label,
    )
    db.session.add(row)
    db.session.flush()
    db.session.add_all(
        StandardQuestion(
            standard_set_id=row.id,
            position=position,
            ref=q.ref,
            domain_code=domain.code,
            standard_code=standard.code,
            text=q.text,
            guidance=q.guidance,
            evidence_sources=list(q.evidence_sources),
            weight=q.weight,
            applies_to=list(q.applies_to) if q.applies_to else None,
        )
        for position, (domain, standard, q) in enumerate(s.questions(), 1)
    )
    audit.record(
        actor,
        "standard_set",
        row.id,
        "loaded",
        created({"key": s.key, "version": s.version, "questions": row.question_count}),
    )
    return row


def next_version(key: str) -> int:
    return (
        db.session.scalar(
            select(func.max(StandardSetVersion.version)).where(StandardSetVersion.key == key)
        )
        or 0
    ) + 1


def list_versions() -> list[StandardSetVersion]:
    return list(
        db.session.scalars(
            select(StandardSetVersion).order_by(
                StandardSetVersion.key, StandardSetVersion.version.desc()
            )
        )
    )


def get_version(key: str, version: int) -> StandardSetVersion:
    row = db.session.scalar(
        select(StandardSetVersion).where(
            StandardSetVersion.key == key, StandardSetVersion.version == version
        )
    )
    if row is None:
        raise NotFound(f"No standard set {key} version {version}")
    return row


def latest_version(key: str) -> StandardSetVersion:
    row = db.session.scalar(
        select(StandardSetVersion)
        .where(StandardSetVersion.key == key)
        .order_by(StandardSetVersion.version.desc())
        .limit(1)
    )
    if row is None:
        raise NotFound(f"No standard set {key}")
    return row


def latest_for_service_type(service_type: str) -> StandardSetVersion | None:
    """The newest version of the set that applies to a type of service (for planning)."""
    rows = db.session.scalars(
        select(StandardSetVersion).order_by(StandardSetVersion.version.desc())
    )
    for row in rows:
        if service_type in row.service_types:
            return row
    return None


def has_set_for(service_type: str) -> bool:
    """Whether any loaded set applies to this type of service, so that an assessment of it can
    be planned (one small query: the sets' documents are not read)."""
    return any(
        service_type in (types or [])
        for types in db.session.scalars(select(StandardSetVersion.service_types))
    )


def no_set_message(service_type_label: str) -> str:
    """What to say when no set applies to a type of service, and who can put that right."""
    return (
        f"No question set applies to {service_type_label.lower()} services yet. An administrator "
        "can add one: Standards, then Upload a new version"
    )


def as_model(row: StandardSetVersion) -> StandardSet:
    return StandardSet.model_validate(row.document)


def differences(key: str, old_version: int, new_version: int):
    return compare(as_model(get_version(key, old_version)), as_model(get_version(key, new_version)))


# ---------------------------------------------------------------- uploads by an administrator

MAX_UPLOAD_BYTES = MAX_SET_FILE_BYTES


@dataclass
class Preview:
    checked: Checked
    previous: StandardSetVersion | None  # the newest stored version of the same set, if any
    difference: object | None
    identical_to_stored: bool


def read_upload(data: bytes, filename: str) -> str:
    """The uploaded file as text, or SetsRefused naming the file."""
    name = filename or "upload"
    if not name.lower().endswith((".yaml", ".yml")):
        raise SetsRefused([Problem(name, 1, "the file must be a .yaml set file")])
    if len(data) > MAX_UPLOAD_BYTES:
        raise SetsRefused([Problem(name, 1, "the file is larger than 1 MB")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SetsRefused([Problem(name, 1, "the file is not UTF-8 text")]) from None


def preview_upload(text: str, filename: str) -> Preview:
    """Validate an uploaded set and say what loading it would change. Nothing is stored."""
    checked = check_text(text, filename)
    if checked.problems:
        raise SetsRefused(checked.problems)
    new = checked.standard_set
    assert new is not None  # a set with no problems was built
    stored = _existing({(new.key, new.version)}).get((new.key, new.version))
    if stored is not None and stored.content_hash != new.content_hash():
        raise SetsRefused(
            [
                Problem(
                    filename,
                    1,
                    f"{new.key} version {new.version} is already loaded with different content. A loaded "
                    f"version never changes: save your edits as version {next_version(new.key)} instead.",
                )
            ]
        )
    previous = db.session.scalar(
        select(StandardSetVersion)
        .where(StandardSetVersion.key == new.key, StandardSetVersion.version < new.version)
        .order_by(StandardSetVersion.version.desc())
        .limit(1)
    )
    difference = compare(as_model(previous), new) if previous is not None else None
    return Preview(checked, previous, difference, stored is not None)


def load_upload(actor: Actor, text: str, filename: str) -> LoadResult:
    """Load a previewed upload (checked again: the text came back from the browser)."""
    return load_checked(actor, [check_text(text, filename)])
