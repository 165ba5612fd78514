"""Photos and files kept as evidence on an assessment's answers: the rules, without the images.

The file itself is checked as plan evidence is (`evidence_files.check_evidence`: the 10 MB limit,
the accepted types, by content). What is particular to photos on an answer:

- an image is kept with its longest side at most `MAX_SIDE` pixels (the device shrinks it before
  sending; the server shrinks it again if it was not), re-encoded, so that nothing the camera
  wrote into it (location, the device's serial number) is kept;
- an image whose decoded size would be more than `MAX_PIXELS` is refused before it is decoded
  (a small file can claim to be an enormous picture);
- the sending device names each photo (`client_id`), so a photo sent again after a lost reply
  is the same photo, not a second one;
- at most `MAX_PER_ANSWER` photos or files on one answer.
"""

from __future__ import annotations

import re

MAX_SIDE = 1600
THUMB_SIDE = 320
#: 50 megapixels: more than any tablet or phone camera writes (a 48 MP sensor is 8064 by 6048)
MAX_PIXELS = 50_000_000
MAX_PER_ANSWER = 20
#: what the server keeps an image as
IMAGE_KINDS = frozenset({"jpeg", "png", "gif"})
KEPT_TYPE = "image/jpeg"
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CONSENT_NOTE = (
    "Do not photograph people, or anything that identifies them (faces, names, care records), "
    "without their consent."
)


class PhotoRefused(ValueError):
    """The photo is not accepted; the message says why, in words an officer can act on."""


def fitted(width: int, height: int, longest: int = MAX_SIDE) -> tuple[int, int]:
    """The size an image is kept at: as it is when its longest side is within `longest`,
    otherwise scaled down to it, keeping its shape (each side at least 1 pixel)."""
    if width <= 0 or height <= 0:
        raise PhotoRefused("The image has no size: take the photo again")
    side = max(width, height)
    if side <= longest:
        return width, height
    scale = longest / side
    return max(1, round(width * scale)), max(1, round(height * scale))


def size_refusal(width: int, height: int, name: str) -> str | None:
    """Why an image of this size is refused, before it is decoded; None if it may be."""
    if width * height > MAX_PIXELS:
        return (
            f"{name} is too large a picture ({width} by {height} pixels): take it at a smaller size"
        )
    return None


def check_client_id(value: str | None) -> str:
    """The device's name for the photo: 8 to 64 letters, digits, hyphens or underscores (a UUID)."""
    text = (value or "").strip()
    if not CLIENT_ID.match(text):
        raise PhotoRefused(
            "client_id must be 8 to 64 letters, digits, hyphens or underscores (a UUID, say)"
        )
    return text


def count_refusal(existing: int) -> str | None:
    if existing >= MAX_PER_ANSWER:
        return f"An answer can have at most {MAX_PER_ANSWER} photos or files: remove one first"
    return None


def kept_name(filename: str) -> str:
    """An image's name once kept as a JPEG: "IMG_0042.HEIC.png" → "IMG_0042.HEIC.jpg"."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{stem or 'photo'}.jpg"


def alt_text(ref: str, number: int, filename: str) -> str:
    """What a thumbnail says to someone who cannot see it."""
    return f"Photo {number} for question {ref} ({filename})"
