"""Images kept as evidence on an answer, re-encoded on the server (Pillow): whatever the device
sent (a photo shrunk in the browser, or straight from the API or a browser without JavaScript),
what is kept is a fresh JPEG at most `MAX_SIDE` pixels on its longest side, the right way up,
with no metadata at all (no GPS position, no camera serial number), and a small copy for
thumbnails. The picture's size is read from its header and refused beyond `MAX_PIXELS` before
anything is decoded (a decompression bomb); Pillow's own bomb check is made an error too."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from qa_app.domain import answer_photos as rules
from qa_app.services.errors import ValidationFailed

JPEG_QUALITY = 85
THUMB_QUALITY = 75


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    thumb: bytes
    width: int
    height: int


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message})


def _jpeg(image: Image.Image, size: tuple[int, int], quality: int) -> bytes:
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # nothing but the pixels: no exif, no ICC profile, no comment
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def clean(data: bytes, name: str) -> CleanImage:
    """The image re-encoded without metadata, or ValidationFailed naming the file."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as opened:
                refusal = rules.size_refusal(opened.width, opened.height, name)
                if refusal:
                    raise _refuse(refusal)
                opened.seek(0)  # the first frame of an animation
                if opened.format == "JPEG":
                    # decoded at the smallest scale still at least MAX_SIDE across (a 48 MP
                    # photo at a quarter of its size: a fraction of the time and memory)
                    opened.draft("RGB", (rules.MAX_SIDE, rules.MAX_SIDE))
                image = ImageOps.exif_transpose(opened)  # the right way up, before exif goes
                image.load()
        except ValidationFailed:
            raise
        except (
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ):
            raise _refuse(f"{name} is too large a picture: take it at a smaller size") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise _refuse(
                f"{name} is damaged or not a picture we can read: take it again"
            ) from None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    try:
        size = rules.fitted(image.width, image.height)
    except rules.PhotoRefused as refused:
        raise _refuse(str(refused)) from None
    return CleanImage(
        data=_jpeg(image, size, JPEG_QUALITY),
        thumb=_jpeg(image, rules.fitted(*size, longest=rules.THUMB_SIDE), THUMB_QUALITY),
        width=size[0],
        height=size[1],
    )
