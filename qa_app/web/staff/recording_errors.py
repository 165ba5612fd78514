"""Where the recording page says what was refused (GOV.UK's error pattern): each message beside
the box the officer must change (the N/A reason, the evidence notes, the sources; the score's
radios for a clash or anything about the answer as a whole), and an error summary whose links
name the question and go to that box. Kept apart from staff/assessments.py so that each stays
small."""

from __future__ import annotations

from collections.abc import Callable

#: An answer's fields in the order the recording page shows them; each one's input (the first
#: radio or checkbox of a group) has the id "<question's anchor>-<field>".
ANSWER_FIELDS = ("score", "na_reason", "evidence", "sources")


def on_fields(problems: dict[str, str]) -> dict[str, str]:
    """An answer's problems by the field that shows each: its own, or (for anything about the
    answer as a whole) its score."""
    return {
        field if field in ANSWER_FIELDS else "score": message for field, message in problems.items()
    }


def error_list(
    questions,
    anchor: Callable[[str], str],
    errors: dict[str, dict[str, str]],
    photo_errors: dict[str, str],
    summary_errors: dict[str, str],
) -> list[dict[str, str]]:
    """The page's error summary, in the page's order: `errors` (question ref -> field ->
    message), then a question's refused photo, then the summaries at the foot of the page.
    Each link's text ends with the message shown beside the box it goes to."""
    found = []
    for q in questions:
        key = anchor(q.ref)
        for field in ANSWER_FIELDS:
            if message := errors.get(q.ref, {}).get(field):
                named = message.startswith(f"Question {q.ref} ")  # as a clash's message is
                text = message if named else f"{question_name(q)}: {message}"
                found.append({"text": text, "href": f"#{key}-{field}"})
        if q.ref in photo_errors:  # "Question QA01.1: ..." (answer_photos.take_posted)
            found.append({"text": photo_errors[q.ref], "href": f"#{key}-photos"})
    found += [{"text": message, "href": f"#{ref}-text"} for ref, message in summary_errors.items()]
    return found


def question_name(q, chars: int = 40) -> str:
    """'Question QA01.1 (People are treated with dignity and…)': its ref and the start of its
    text, enough to find it among a hundred questions."""
    text = " ".join(q.text.split())
    if len(text) > chars:
        cut = text.rfind(" ", 0, chars + 1)
        text = text[: cut if cut > 0 else chars].rstrip(" ,;:.") + "…"
    return f"Question {q.ref} ({text})"
