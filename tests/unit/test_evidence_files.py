"""Evidence files are checked by content; an Office document that would expand to gigabytes
is refused before anything is inflated, naming the file and the reason."""

import pytest

from qa_app.domain.evidence_files import EvidenceRefused, check_evidence
from tests.support.hostile_files import (
    CONTENT_TYPES,
    ODT_MIMETYPE,
    MiB,
    declare_size,
    docx_bomb,
    measured,
    odt_bomb,
    xlsx_evidence_bomb,
    zip_bytes,
)


def test_real_office_documents_are_accepted_by_content():
    odt = zip_bytes([("mimetype", ODT_MIMETYPE), ("content.xml", b"<office:document/>")])
    docx = zip_bytes([("[Content_Types].xml", CONTENT_TYPES), ("word/document.xml", b"<w/>")])
    assert check_evidence("minutes.odt", odt)[1][0] == "odt"
    assert check_evidence("../rota.docx", docx) == (
        "rota.docx",
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    )


BOMBS = {
    "odt": (
        lambda: odt_bomb(64 * MiB),
        "plan.odt cannot be accepted: mimetype would expand from 0.1 MB to 67 MB, "
        "more than 250 times its size",
    ),
    "docx": (
        lambda: docx_bomb(64 * MiB),
        "plan.docx cannot be accepted: word/document.xml would expand from 0.1 MB to 67 MB, "
        "more than 250 times its size",
    ),
    "xlsx": (
        lambda: xlsx_evidence_bomb(64 * MiB),
        "plan.xlsx cannot be accepted: xl/worksheets/sheet1.xml would expand from 0.1 MB to "
        "67 MB, more than 250 times its size",
    ),
}


@pytest.mark.parametrize("kind", BOMBS)
def test_an_office_bomb_is_refused_within_budget(kind):
    build, message = BOMBS[kind]
    data = build()
    assert len(data) < MiB
    with measured() as cost, pytest.raises(EvidenceRefused) as refused:
        check_evidence(f"plan.{kind}", data)
    assert str(refused.value) == message
    assert cost.within_budget(), cost


def test_an_odt_whose_mimetype_lies_about_its_size_is_refused():
    data = zip_bytes([("mimetype", (ODT_MIMETYPE, b"\x01\x02\x03", 32 * MiB))], level=1)
    lying = declare_size(data, "mimetype", len(ODT_MIMETYPE))
    with measured() as cost, pytest.raises(EvidenceRefused) as refused:
        check_evidence("plan.odt", lying)
    assert str(refused.value).startswith("plan.odt cannot be accepted: mimetype declares 39 bytes")
    assert cost.peak < MiB, cost


def test_a_file_that_only_looks_like_a_zip_is_refused_with_a_reason():
    with pytest.raises(EvidenceRefused) as refused:
        check_evidence("plan.docx", b"PK\x03\x04 and nothing else")
    assert str(refused.value) == "plan.docx cannot be accepted: it is not a zip archive"
