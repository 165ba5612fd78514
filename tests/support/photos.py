"""Pictures made for the photo tests with Pillow: a camera's JPEG carrying a GPS position."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
#: 51 degrees 30 minutes N, 0 degrees 7 minutes W: where the "camera" says the photo was taken
GPS = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}


def camera_jpeg(width: int = 3000, height: int = 2000) -> bytes:
    """A JPEG as a camera writes it: large, with the make, the model and a GPS position."""
    image = Image.new("RGB", (width, height), (40, 120, 90))
    for x in range(0, width, 200):  # some detail, so that it is a picture and not one colour
        image.paste((220, 200, 60), (x, 0, x + 100, height // 2))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    exif[GPS_IFD] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(GPS_IFD))


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def bomb_png(width: int = 10_000, height: int = 6_000) -> bytes:
    """A small file that claims an enormous picture (60 million pixels)."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()
