"""Zip archives read with limits: refused before inflating when the declared sizes say so, and
while inflating when the bytes actually inflated do (declared sizes can lie)."""

import io
import zipfile

import pytest

from qa_app.domain import safe_zip
from qa_app.domain.safe_zip import ZipLimits, ZipRefused
from tests.support.hostile_files import NOISE, MiB, declare_size, measured, zip_bytes

LIMITS = ZipLimits(members=10, directory_bytes=10_000, total_bytes=100 * MiB)


def _open(data: bytes, limits=LIMITS):
    return safe_zip.open_archive(io.BytesIO(data), limits)


def test_an_honest_archive_is_read_whole_or_in_chunks():
    data = zip_bytes([("a.xml", b"<a/>"), ("big.xml", (b"<b>", NOISE, 3 * MiB))])
    with _open(data) as archive:
        assert safe_zip.read_member(archive, "a.xml", 100) == b"<a/>"
        chunks = list(safe_zip.stream_member(archive, "big.xml", 4 * MiB))
    assert [len(c) for c in chunks] == [MiB, MiB, MiB]
    assert b"".join(chunks) == (b"<b>" + NOISE * 48)[: 3 * MiB]
    with _open(data) as archive, pytest.raises(ZipRefused) as refused:
        safe_zip.read_member(archive, "big.xml", 2 * MiB)  # held whole: a tighter cap
    assert str(refused.value) == "big.xml would expand to 3.1 MB, more than the 2.1 MB accepted"


def test_a_member_whose_declared_ratio_is_a_bomb_is_refused_before_inflating():
    data = zip_bytes([("bomb.xml", (b"", b"\0", 64 * MiB))])
    assert len(data) < MiB
    with measured() as cost, pytest.raises(ZipRefused) as refused:
        _open(data, ZipLimits(members=10, directory_bytes=10_000, total_bytes=1 << 40))
    assert (
        str(refused.value)
        == "bomb.xml would expand from 0.1 MB to 67 MB, more than 250 times its size"
    )
    assert cost.peak < 2 * MiB, cost


def test_declared_sizes_together_are_capped():
    members = [(f"part{n}.xml", (b"", b"<row>some text</row>", 30 * MiB)) for n in range(4)]
    with pytest.raises(ZipRefused) as refused:
        _open(zip_bytes(members, level=1))
    assert str(refused.value) == (
        "its contents would expand to 126 MB, more than the 105 MB accepted"
    )


def test_a_declared_size_smaller_than_the_compressed_data_is_a_lie_and_refused():
    data = zip_bytes([("mimetype", (b"application/", b"\x01\x02\x03\x04\x05", 2 * MiB))], level=0)
    lying = declare_size(data, "mimetype", 40)
    with pytest.raises(ZipRefused) as refused:
        _open(lying)
    assert "mimetype declares 40 bytes but holds" in str(refused.value)
    assert str(refused.value).endswith("its declared size is false")


def test_too_many_members_are_refused_from_the_end_record_before_zipfile_lists_them(monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 5)  # write a zip64 end record
        data = bytearray(zip_bytes([(f"f{n}", b"") for n in range(3_000)], level=1))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = b"\x07\x00\x07\x00"  # the classic record says 7: zipfile trusts
    data = bytes(data)
    assert safe_zip.directory_size(io.BytesIO(data))[0] == 3_000  # the zip64 one, as we do
    evidence = ZipLimits(members=2_000, directory_bytes=1 << 20, total_bytes=1 << 30)
    with measured() as cost, pytest.raises(ZipRefused) as refused:
        _open(data, evidence)
    assert str(refused.value) == "it holds 3,000 files, more than the 2,000 accepted"
    assert cost.peak < 100_000, cost  # zipfile would have built 3,000 entries first
    small_directory = ZipLimits(members=100_000, directory_bytes=100_000, total_bytes=1 << 30)
    with pytest.raises(ZipRefused) as refused:
        _open(data, small_directory)
    assert str(refused.value) == (
        "its list of contents takes 0.2 MB, more than the 0.1 MB accepted"
    )


class _LyingArchive:
    """A member that declares 10 bytes and gives `actual` (as a zip library that trusted the
    data rather than the header would)."""

    def __init__(self, actual: int):
        self.actual = actual

    def getinfo(self, name):
        info = zipfile.ZipInfo(name)
        info.file_size = info.compress_size = 10
        return info

    def open(self, info):
        return io.BytesIO(b"x" * self.actual)


def test_the_bytes_actually_inflated_are_counted_and_stopped_at_the_cap():
    seen = 0
    with pytest.raises(ZipRefused) as refused:
        for chunk in safe_zip.stream_member(_LyingArchive(50 * MiB), "sheet.xml", 3 * MiB, 10**9):
            seen += len(chunk)
    assert str(refused.value) == "sheet.xml expands to more than the 3.1 MB accepted"
    assert seen == 3 * MiB  # nothing beyond the cap reached the reader


def test_the_actual_ratio_is_checked_while_inflating():
    with pytest.raises(ZipRefused) as refused:
        list(safe_zip.stream_member(_LyingArchive(50 * MiB), "sheet.xml", 100 * MiB))
    assert str(refused.value) == "sheet.xml expands to more than 250 times its size"


def test_other_compression_methods_and_damage_are_refused_with_a_reason():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("content.xml", b"<a/>" * 1000)
    with pytest.raises(ZipRefused) as refused:
        _open(buffer.getvalue())
    assert str(refused.value) == "content.xml uses a compression method that is not accepted"
    data = bytearray(zip_bytes([("content.xml", b"<a>" + b"text " * 1000 + b"</a>")]))
    data[60:80] = b"\xff" * 20  # inside the deflated data
    with _open(bytes(data)) as archive, pytest.raises(ZipRefused) as refused:
        safe_zip.read_member(archive, "content.xml", MiB)
    assert str(refused.value) == "content.xml is damaged"
    for junk in (b"PK\x03\x04 not a zip", b""):
        with pytest.raises(ZipRefused) as refused:
            _open(junk)
        assert str(refused.value) == "it is not a zip archive"


def test_read_start_inflates_only_what_it_returns():
    data = zip_bytes([("mimetype", (b"application/vnd.oasis.opendocument.text", NOISE, 2 * MiB))])
    with _open(data) as archive, measured() as cost:
        start = safe_zip.read_start(archive, "mimetype", 39)
    assert start == b"application/vnd.oasis.opendocument.text"
    assert cost.peak < MiB
