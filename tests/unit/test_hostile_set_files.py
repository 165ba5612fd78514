"""Set files built to exhaust the server: each is refused quickly, with file, line and reason."""

import time
import tracemalloc

import pytest

from qa_app.domain.standards import MAX_NESTING, check_text

BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
HOSTILE = {
    "alias": ("key: &a [*a]\n", 1, "anchors and aliases (& and *) are not allowed"),
    "billion laughs": (BILLION_LAUGHS, 1, "anchors and aliases (& and *) are not allowed"),
    "alias later on": (
        "key: demo\nversion: 1\ntitle: &t Demo\nother: *t\n",
        3,
        "anchors and aliases (& and *) are not allowed",
    ),
    "50,000 brackets": (
        "key: " + "[" * 50_000 + "]" * 50_000 + "\n",
        1,
        f"lists and mappings are nested more than {MAX_NESTING} levels deep",
    ),
    "too deep": (
        "".join(f"{'  ' * n}k{n}:\n" for n in range(30)) + "  " * 30 + "v\n",
        MAX_NESTING + 1,
        f"lists and mappings are nested more than {MAX_NESTING} levels deep",
    ),
    "impossible date": ("key: demo\nwhen: 2026-02-31\n", 2, "'2026-02-31' is not a valid date"),
    "endless number": (
        "key: demo\nversion: " + "9" * 5_000 + "\n",
        2,
        "'9999999999999999999999999999999999999999…' is not a valid whole number",
    ),
    "python tag": (
        "key: !!python/object:os.system x\n",
        1,
        "not valid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object:os.system'",
    ),
    "list as a key": ("? [a, b]\n: c\n", 1, "a key must be plain text"),
    "too large": ("# " + "x" * 1_000_000 + "\n", 1, "the file is larger than 1 MB"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_set_file_is_refused_within_budget(name):
    text, line, message = HOSTILE[name]
    tracemalloc.start()
    started = time.process_time()
    try:
        checked = check_text(text, "hostile.yaml")
        cpu = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [str(p) for p in checked.problems] == [f"hostile.yaml:{line}: {message}"]
    assert checked.standard_set is None
    assert cpu <= 2.0, f"{cpu:.2f} s of CPU"
    assert peak <= 50 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_nesting_up_to_the_limit_is_read():
    text = "".join(f"{'  ' * n}k{n}:\n" for n in range(MAX_NESTING - 1)) + "  " * 19 + "v\n"
    assert "nested" not in " ".join(str(p) for p in check_text(text, "deep.yaml").problems)
