from qa_app.domain.nul_text import field_label, nul_fields, nul_places, place_name


def test_nul_places_finds_every_nul_in_a_json_value():
    body = {
        "summary": "a\x00b",
        "details": "fine",
        "standard_set": {"key": "\x00", "version": 1},
        "sources": ["people", "sta\x00ff"],
        "bad\x00key": "value",
        "nothing": None,
    }
    assert sorted(place_name(p) for p in nul_places(body)) == [
        "bad\\0key",
        "sources.1",
        "standard_set.key",
        "summary",
    ]
    assert list(nul_places({"clean": ["a", {"b": "c"}], "n": 3})) == []
    assert list(nul_places("\x00")) == [()]
    assert list(nul_places(None)) == []


def test_nul_fields_names_each_field_once_in_order():
    pairs = [("q", "x"), ("cluster", "\x00"), ("cluster", "a\x00"), ("na\x00me", ""), ("z", "")]
    assert nul_fields(pairs) == ["cluster", "na\x00me"]
    assert nul_fields([("tab", "\t"), ("unicode", "é")]) == []


def test_field_labels_read_as_words():
    assert field_label("contract_officer_id") == "Contract officer id"
    assert field_label("QA01.1-evidence") == "QA01.1 evidence"
    assert field_label("na\x00me") == "Na\\0me"
    assert field_label("") == "A field with no name"
