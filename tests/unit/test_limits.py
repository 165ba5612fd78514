"""Each limit on text is named once with its one message, and text is refused, never cut."""

import re
from pathlib import Path

from qa_app.domain import limits
from qa_app.domain.limits import Limit, too_long

QA_APP = Path(__file__).parents[2] / "qa_app"


def test_the_message_names_the_text_and_its_limit_as_gov_uk_writes_it():
    assert too_long("The summary", 300) == "The summary must be 300 characters or fewer"
    assert limits.NOTES.message == "Notes must be 20,000 characters or fewer"
    assert limits.COMMENT.message == "The comment must be 5,000 characters or fewer"


def test_text_at_the_limit_is_kept_and_one_character_more_is_refused():
    limit = Limit("The title", 10)
    assert limit.problem("x" * 10) is None
    assert limit.problem("x" * 11) == "The title must be 10 characters or fewer"
    assert limit.problem("") is None and limit.problem(None) is None


def test_every_limit_is_a_limit_with_words_and_a_number():
    named = {name: value for name, value in vars(limits).items() if isinstance(value, Limit)}
    assert len(named) >= 30
    for name, limit in named.items():
        assert name.isupper(), name
        assert limit.what[:1].isupper() and limit.chars > 0, name
        assert limit.message == f"{limit.what} must be {limit.chars:,} characters or fewer"


def _sources(folder: str):
    for path in sorted((QA_APP / folder).rglob("*.py")):
        yield path.relative_to(QA_APP.parent), path.read_text()


def test_no_view_reads_a_form_through_a_bare_flask_form_or_cuts_what_was_typed():
    """Forms have their own class (validation and error ids in one place), and posted text is
    never shortened on its way in: a limit is the form's validator and the use case's check."""
    bare, cut = [], []
    for path, text in _sources("web"):
        bare += [
            f"{path}:{n}" for n, line in enumerate(text.splitlines(), 1) if "FlaskForm()" in line
        ]
        cut += [
            f"{path}:{n}"
            for n, line in enumerate(text.splitlines(), 1)
            if re.search(r"request\.(form|files)\.get\([^)]*\)\s*\[:", line)
        ]
    assert bare == [] and cut == []


def test_no_limit_message_is_written_by_hand():
    """ "… must be N characters or fewer" is written once, by qa_app.domain.limits."""
    by_hand = [
        f"{path}:{n}"
        for folder in ("web", "api", "services", "domain", "cli")
        for path, text in _sources(folder)
        if path.name != "limits.py"
        for n, line in enumerate(text.splitlines(), 1)
        if re.search(r"characters or fewer[\"']", line)
    ]
    assert by_hand == []
