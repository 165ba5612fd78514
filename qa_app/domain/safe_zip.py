"""Reading zip archives (ODS, XLSX, Office documents) without letting one exhaust the server.

A zip says how large each member is, but a small file can declare, or hold, a member that
inflates to gigabytes (a "zip bomb"). Every archive the product reads is opened with
`open_archive`, which checks before anything is inflated:

- the size of the central directory and the number of members, read from the end record
  (before `zipfile` builds an entry for each member);
- each member's declared uncompressed size against its compressed size (the ratio), and all
  members' declared sizes together;
- that each member is stored or deflated (the methods ODS, XLSX and Word use; bzip2 and LZMA
  inflate without a bound on each step);

and members are then read with `read_member` (held whole: a tight cap) or `stream_member`
(a chunk at a time: a large cap), which count the bytes actually inflated and stop at the cap
and at the ratio, since declared sizes can lie. Messages say why, without the file's name:
the caller names the file.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

#: Bytes inflated per step when streaming a member.
CHUNK = 1 << 20
#: A member smaller than this is not checked for its ratio: it cannot exhaust anything, and
#: tiny parts (a few hundred bytes of XML) compress by odd ratios.
RATIO_FLOOR = 1 << 20
#: Uncompressed ÷ compressed. CQC's national table (832 MB of XML) deflates 45 times at
#: level 1 and 124 times at level 9; a bomb of zeros deflates 1,029 times, one of repeated
#: tags 412 times.
MAX_RATIO = 250
MB = 1_000_000

_END = b"PK\x05\x06"
_END_SIZE = 22
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_END64_SIZE = 56
_ACCEPTED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
#: Deflate's worst case adds 5 bytes per 16 KB block and a few more; encryption adds 12.
_SLACK = 1024


class ZipRefused(ValueError):
    """The archive is not read: the message says why (the caller names the file)."""


@dataclass(frozen=True)
class ZipLimits:
    """What one kind of archive may hold."""

    members: int  # at most this many members
    directory_bytes: int  # the central directory (the list of members)
    total_bytes: int  # all members' declared uncompressed sizes together
    ratio: int = MAX_RATIO  # for each member larger than RATIO_FLOOR, declared and actual


def _megabytes(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= 10 * MB else f"{size / MB:,.1f} MB"


def directory_size(fp: BinaryIO) -> tuple[int, int]:
    """(members, central directory bytes) from the archive's end record, as `zipfile` finds it
    (the last end record in the final 64 KB, then the zip64 record it points to, if any)."""
    fp.seek(0, 2)
    size = fp.tell()
    if size < _END_SIZE:
        raise ZipRefused("it is not a zip archive")
    fp.seek(size - _END_SIZE)
    tail = fp.read(_END_SIZE)
    at = 0 if tail[:4] == _END and tail[-2:] == b"\0\0" else -1
    tail_start = size - _END_SIZE
    if at < 0:
        tail_start = max(0, size - _END_SIZE - 65535)
        fp.seek(tail_start)
        tail = fp.read()
        at = tail.rfind(_END)
        if at < 0 or len(tail) - at < _END_SIZE:
            raise ZipRefused("it is not a zip archive")
    fields = struct.unpack("<4s4H2LH", tail[at : at + _END_SIZE])
    members, directory = fields[4], fields[5]
    end = tail_start + at
    if end >= 20 + _END64_SIZE:  # a zip64 end record, if any, is what zipfile trusts
        fp.seek(end - 20)
        if fp.read(4) == _END64_LOCATOR:
            fp.seek(end - 20 - _END64_SIZE)
            fields64 = struct.unpack("<4sQ2H2L4Q", fp.read(_END64_SIZE))
            if fields64[0] != _END64:
                raise ZipRefused("it is a damaged zip archive")
            members, directory = fields64[7], fields64[8]
    return members, directory


def open_archive(fp: BinaryIO, limits: ZipLimits) -> zipfile.ZipFile:
    """The archive, opened only once its directory and declared sizes are within `limits`."""
    members, directory = directory_size(fp)
    if members > limits.members:
        raise ZipRefused(f"it holds {members:,} files, more than the {limits.members:,} accepted")
    if directory > limits.directory_bytes:
        raise ZipRefused(
            f"its list of contents takes {_megabytes(directory)}, more than the "
            f"{_megabytes(limits.directory_bytes)} accepted"
        )
    fp.seek(0)
    try:
        archive = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        raise ZipRefused("it is a damaged zip archive") from None
    try:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise ZipRefused(
                f"it holds {len(infos):,} files, more than the {limits.members:,} accepted"
            )
        total = 0
        for info in infos:
            check_declared(info, limits.ratio)
            total += info.file_size
        if total > limits.total_bytes:
            raise ZipRefused(
                f"its contents would expand to {_megabytes(total)}, more than the "
                f"{_megabytes(limits.total_bytes)} accepted"
            )
    except ZipRefused:
        archive.close()
        raise
    return archive


def check_declared(info: zipfile.ZipInfo, ratio: int = MAX_RATIO) -> None:
    """A member's compression method and declared ratio."""
    if info.compress_type not in _ACCEPTED_METHODS:
        raise ZipRefused(f"{info.filename} uses a compression method that is not accepted")
    if info.compress_size > info.file_size + info.file_size // 100 + _SLACK:
        # deflate never grows data by more than a fraction of a per cent: the declared
        # uncompressed size is false, so the limits cannot trust it
        raise ZipRefused(
            f"{info.filename} declares {info.file_size:,} bytes but holds "
            f"{info.compress_size:,} bytes compressed: its declared size is false"
        )
    if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(1, info.compress_size):
        raise ZipRefused(
            f"{info.filename} would expand from {_megabytes(info.compress_size)} to "
            f"{_megabytes(info.file_size)}, more than {ratio} times its size"
        )


def _check_member(archive: zipfile.ZipFile, name: str, max_bytes: int) -> zipfile.ZipInfo:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ZipRefused(f"it has no {name}") from None
    check_declared(info)
    if info.file_size > max_bytes:
        raise ZipRefused(
            f"{name} would expand to {_megabytes(info.file_size)}, more than the "
            f"{_megabytes(max_bytes)} accepted"
        )
    return info


def stream_member(
    archive: zipfile.ZipFile, name: str, max_bytes: int, ratio: int = MAX_RATIO
) -> Iterator[bytes]:
    """A member's bytes a chunk at a time, stopping with ZipRefused as soon as more than
    `max_bytes`, or more than `ratio` times its compressed size, has been inflated."""
    info = _check_member(archive, name, max_bytes)
    ratio_cap = max(RATIO_FLOOR, ratio * max(1, info.compress_size))
    counted = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                counted += len(chunk)
                if counted > max_bytes:
                    raise ZipRefused(
                        f"{name} expands to more than the {_megabytes(max_bytes)} accepted"
                    )
                if counted > ratio_cap:
                    raise ZipRefused(f"{name} expands to more than {ratio} times its size")
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        if isinstance(error, ZipRefused):
            raise
        raise ZipRefused(f"{name} is damaged") from None
    except RuntimeError:  # encrypted
        raise ZipRefused(f"{name} is encrypted") from None
    except NotImplementedError:
        raise ZipRefused(f"{name} uses a compression method that is not accepted") from None


def read_member(
    archive: zipfile.ZipFile, name: str, max_bytes: int, ratio: int = MAX_RATIO
) -> bytes:
    """A member held whole (so `max_bytes` must be small), read through `stream_member`."""
    return b"".join(stream_member(archive, name, max_bytes, ratio))


def read_start(archive: zipfile.ZipFile, name: str, size: int) -> bytes:
    """The first `size` bytes of a member (such as an ODF `mimetype`), whatever it declares:
    at most `size` bytes are inflated."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ZipRefused(f"it has no {name}") from None
    check_declared(info)
    try:
        with archive.open(info) as stream:
            return stream.read(size)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise ZipRefused(f"{name} is damaged") from None
    except RuntimeError:
        raise ZipRefused(f"{name} is encrypted") from None
    except NotImplementedError:
        raise ZipRefused(f"{name} uses a compression method that is not accepted") from None
