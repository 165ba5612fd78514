"""Photos and files as evidence on an assessment's answers (issue 15, item 5).

Added and removed by the staff who may record answers, while the assessment may be recorded;
seen by whoever may read the assessment (a provider: its own service's shared or published
report; otherwise the same "not found" as a missing one). The file goes through the one
evidence check (`evidence_store.check`: the 10 MB limit, the accepted types, by content); an
image is then re-encoded without metadata (`photo_images.clean`). The device's `client_id` is
unique: sending the same photo again returns the photo already kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from qa_app.domain import answer_photos as rules
from qa_app.domain import evidence_files
from qa_app.extensions import db
from qa_app.models import AnswerPhoto, Assessment, User
from qa_app.services import audit, evidence_store, photo_images
from qa_app.services.actors import Actor
from qa_app.services.assessment_facts import get_assessment, move_to, questions_for, recordable
from qa_app.services.errors import NotFound, ValidationFailed
from qa_app.services.transaction import retried_if_stale, unit_of_work


@dataclass(frozen=True)
class Added:
    photo: AnswerPhoto
    #: False when the device had sent this photo before (its client_id is known)
    created: bool


def _by_client_id(client_id: str) -> AnswerPhoto | None:
    return db.session.scalar(select(AnswerPhoto).where(AnswerPhoto.client_id == client_id))


def _already(existing: AnswerPhoto, assessment_id: int, ref: str) -> Added:
    if existing.assessment_id != assessment_id or existing.question_ref != ref:
        raise ValidationFailed({"client_id": "This client_id belongs to another photo"})
    return Added(existing, created=False)


def check_can_add(viewer: User, assessment_id: int, ref: str) -> tuple[Assessment, str]:
    """The assessment and the status adding a photo moves it to, if `viewer` may add one to
    question `ref` now: otherwise NotFound (no such assessment or question for them) or
    Conflict (the assessment can no longer be recorded)."""
    assessment, new_status = recordable(viewer, assessment_id, "A photo cannot be added")
    if ref not in {q.ref for q in questions_for(assessment)}:
        raise NotFound(f"Question {ref} is not part of this assessment")
    return assessment, new_status


@retried_if_stale("The assessment changed at the same moment: send the photo again.")
def add_photo(
    actor: Actor,
    viewer: User,
    assessment_id: int,
    ref: str,
    filename: str,
    data: bytes,
    client_id: str | None,
) -> Added:
    """Keep a photo or file on question `ref`; a `client_id` seen before gives that photo back.

    The first photo or answer moves a planned assessment to in progress. When a device comes
    back online it sends answers and photos at once, and two of them may both make that move:
    the one that loses finds the assessment changed under it (StaleDataError). The photo is
    then kept on a second try, against the assessment as it now is (never a 500)."""
    assessment, new_status = check_can_add(viewer, assessment_id, ref)
    try:
        client_id = rules.check_client_id(client_id)
    except rules.PhotoRefused as refused:
        raise ValidationFailed({"client_id": str(refused)}) from None
    existing = _by_client_id(client_id)
    if existing is not None:
        return _already(existing, assessment.id, ref)
    count = db.session.scalar(
        select(func.count())
        .select_from(AnswerPhoto)
        .where(AnswerPhoto.assessment_id == assessment.id, AnswerPhoto.question_ref == ref)
    )
    refusal = rules.count_refusal(count or 0)
    if refusal:
        raise ValidationFailed({"file": refusal})
    checked = evidence_store.check(filename, data)
    kind = evidence_files.sniff(checked.data)
    thumb = None
    size: tuple[int | None, int | None] = (None, None)
    if kind in rules.IMAGE_KINDS:
        image = photo_images.clean(checked.data, checked.filename)
        name = rules.kept_name(checked.filename)
        checked = evidence_store.CheckedFile(name, rules.KEPT_TYPE, image.data)
        thumb = evidence_store.CheckedFile(name, rules.KEPT_TYPE, image.thumb)
        size = (image.width, image.height)
    try:
        with (
            evidence_store.store(checked, actor.label) as columns,
            _maybe_store(thumb, actor.label) as thumb_name,
            unit_of_work(),
        ):
            photo = AnswerPhoto(
                assessment_id=assessment.id,
                question_ref=ref,
                client_id=client_id,
                thumb_name=thumb_name,
                width=size[0],
                height=size[1],
                **columns,
            )
            db.session.add(photo)
            move_to(assessment, new_status)
            db.session.flush()
            audit.record(
                actor,
                "answer_photo",
                photo.id,
                "added",
                {"question": [None, ref], "filename": [None, photo.filename]},
                assessment.service_id,
            )
    except IntegrityError:
        # the same photo sent twice at once: the other request kept it (its files are removed)
        existing = _by_client_id(client_id)
        if existing is None:
            raise
        return _already(existing, assessment.id, ref)
    return Added(photo, created=True)


class _maybe_store:
    """`evidence_store.store` for the thumbnail when there is one; its stored name, or None."""

    def __init__(self, checked: evidence_store.CheckedFile | None, label: str):
        self.inner = evidence_store.store(checked, label) if checked else None

    def __enter__(self) -> str | None:
        return self.inner.__enter__()["stored_name"] if self.inner else None

    def __exit__(self, *exc):
        return self.inner.__exit__(*exc) if self.inner else False


def remove_photo(actor: Actor, viewer: User, assessment_id: int, photo_id: int) -> AnswerPhoto:
    """Remove a photo while the assessment may be recorded; its files go with it."""
    assessment, _status = recordable(viewer, assessment_id, "A photo cannot be removed")
    photo = db.session.get(AnswerPhoto, photo_id)
    if photo is None or photo.assessment_id != assessment.id:
        raise NotFound("Photo not found")
    names = [photo.stored_name, photo.thumb_name]
    with unit_of_work():
        audit.record(
            actor,
            "answer_photo",
            photo.id,
            "removed",
            {"question": [photo.question_ref, None], "filename": [photo.filename, None]},
            assessment.service_id,
        )
        db.session.delete(photo)
    folder = evidence_store.evidence_dir()
    for name in names:
        if name:
            (folder / name).unlink(missing_ok=True)
    return photo


def copy_photos(source: Assessment, revision: Assessment) -> list[Path]:
    """A correction's revision keeps the photos of the assessment it corrects: each file copied
    under a new random name, with a record of its own (in the caller's transaction). Returns the
    copies, for the caller to remove if its transaction fails. A photo whose file has gone from
    the folder is not copied (it could not be shown either)."""
    folder = evidence_store.evidence_dir()
    copies: list[Path] = []

    def copy(name: str | None) -> str | None:
        if name is None or not (folder / name).is_file():
            return None
        new = f"{uuid.uuid4().hex}.{name.rsplit('.', 1)[-1]}"
        copies.append(folder / new)
        (folder / new).write_bytes((folder / name).read_bytes())
        return new

    try:
        for photos in photos_for(source).values():
            for photo in photos:
                stored = copy(photo.stored_name)
                if stored is None:
                    continue
                db.session.add(
                    AnswerPhoto(
                        assessment_id=revision.id,
                        question_ref=photo.question_ref,
                        client_id=uuid.uuid4().hex,
                        stored_name=stored,
                        thumb_name=copy(photo.thumb_name),
                        width=photo.width,
                        height=photo.height,
                        filename=photo.filename,
                        content_type=photo.content_type,
                        size=photo.size,
                        uploaded_by_label=photo.uploaded_by_label,
                        uploaded_at=photo.uploaded_at,
                    )
                )
    except BaseException:
        for path in copies:
            path.unlink(missing_ok=True)
        raise
    return copies


def photos_for(assessment: Assessment) -> dict[str, list[AnswerPhoto]]:
    """Each question's photos and files, oldest first."""
    rows = db.session.scalars(
        select(AnswerPhoto)
        .where(AnswerPhoto.assessment_id == assessment.id)
        .order_by(AnswerPhoto.uploaded_at, AnswerPhoto.id)
    )
    out: dict[str, list[AnswerPhoto]] = {}
    for row in rows:
        out.setdefault(row.question_ref, []).append(row)
    return out


def photo_file(
    viewer: User, assessment_id: int, photo_id: int, thumbnail: bool = False
) -> tuple[AnswerPhoto, Path]:
    """A photo's file (or its thumbnail) for someone who may read the assessment."""
    assessment = get_assessment(viewer, assessment_id)
    photo = db.session.get(AnswerPhoto, photo_id)
    if photo is None or photo.assessment_id != assessment.id:
        raise NotFound("File not found")
    if thumbnail and photo.thumb_name:
        path = evidence_store.evidence_dir() / photo.thumb_name
        if not path.is_file():
            raise NotFound("File not found")
        return photo, path
    return photo, evidence_store.path_of(photo)
