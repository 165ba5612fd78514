"""The rules for photos on answers (qa_app/domain/answer_photos.py), on worked examples."""

import pytest

from qa_app.domain import answer_photos as rules


@pytest.mark.parametrize(
    ("size", "kept"),
    [
        ((4032, 3024), (1600, 1200)),  # a phone's 12 MP landscape photo
        ((3024, 4032), (1200, 1600)),  # the same, portrait
        ((3000, 2000), (1600, 1067)),  # rounded to the nearest pixel
        ((1600, 1600), (1600, 1600)),  # on the edge: kept as it is
        ((1601, 10), (1600, 10)),
        ((800, 600), (800, 600)),  # already small: never enlarged
        ((20000, 1), (1600, 1)),  # a sliver keeps at least one pixel
    ],
)
def test_an_image_is_kept_at_most_1600_pixels_on_its_longest_side(size, kept):
    assert rules.fitted(*size) == kept
    assert max(rules.fitted(*size)) <= rules.MAX_SIDE


def test_thumbnails_fit_320_pixels():
    assert rules.fitted(1600, 1200, longest=rules.THUMB_SIDE) == (320, 240)


def test_an_image_without_a_size_is_refused():
    with pytest.raises(rules.PhotoRefused):
        rules.fitted(0, 100)


def test_an_enormous_picture_is_refused_by_its_size_before_it_is_decoded():
    assert rules.size_refusal(8064, 6048, "IMG.jpg") is None  # a 48 MP camera
    refusal = rules.size_refusal(10_000, 6_000, "bomb.png")
    assert (
        refusal
        == "bomb.png is too large a picture (10000 by 6000 pixels): take it at a smaller size"
    )


@pytest.mark.parametrize(
    "value", ["0b6f7d1c-5c1e-4c55-9d1e-2f8a9e6b1a11", "photo-0001", " photo_0001 ", "a" * 64]
)
def test_a_devices_name_for_a_photo(value):
    assert rules.check_client_id(value) == value.strip()


@pytest.mark.parametrize(
    "value", [None, "", "short", "a" * 65, "has space 1", "../../etc/x", "é" * 10]
)
def test_a_bad_client_id_is_refused(value):
    with pytest.raises(rules.PhotoRefused, match="client_id"):
        rules.check_client_id(value)


def test_at_most_20_photos_on_an_answer():
    assert rules.count_refusal(19) is None
    assert rules.count_refusal(20) == (
        "An answer can have at most 20 photos or files: remove one first"
    )


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("IMG_0042.PNG", "IMG_0042.jpg"),
        ("kitchen.jpeg", "kitchen.jpg"),
        ("a.b.gif", "a.b.jpg"),
        ("noext", "noext.jpg"),
        (".png", "photo.jpg"),
    ],
)
def test_a_kept_image_is_named_as_the_jpeg_it_is(name, kept):
    assert rules.kept_name(name) == kept


def test_alt_text_says_which_photo_of_which_question():
    assert rules.alt_text("QA01.1", 2, "rota.jpg") == "Photo 2 for question QA01.1 (rota.jpg)"
