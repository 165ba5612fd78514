"""Form pieces shared by every page: GOV.UK widgets and error-summary links."""

from collections.abc import Container
from datetime import date

from flask import flash, redirect, render_template, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect, GovTextArea, GovTextInput
from markupsafe import Markup, escape
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice is new in 3.3; stubs are 3.2
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from qa_app.domain.codes import MAX_ID, whole_number
from qa_app.domain.limits import Limit
from qa_app.services.errors import Conflict, Forbidden, ValidationFailed


class ButtonForm(FlaskForm):
    """A form that is only a button (submit, share, publish, send the plan): its CSRF token and
    nothing else."""


class StepForm(FlaskForm):
    """The form of one step taken from a page that offers several (return, withdraw, escalate…).

    Its fields say what the step reads and how each is checked, and their ids are the ids of
    the inputs on the page, so that an input's message (id-error) and the error summary's link
    (#id) come from the form and land on the input. Where a page has one such form for each
    record (each issue's "withdraw"), an id holds "{key}", filled with that record's id.
    """

    def __init__(self, *args, key: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        for field in self:
            if "{key}" in field.id:
                field.id = field.id.format(key=key)

    def refuse(self, refused: ValidationFailed | Conflict | Forbidden) -> None:
        """Why the use case refused the step: beside the field it names, or for the page."""
        if isinstance(refused, ValidationFailed):
            apply_errors(self, refused.errors)
        else:
            self.form_errors.append(refused.message)


class StepForms:
    """The step forms of a page, for its template: `step.withdraw(issue.id)` is the withdraw
    form of that issue: the one just posted (with what was typed and why it was refused), or
    else a blank one (`step.respond(r.id, response=…)` fills a blank one)."""

    def __init__(self, posted: StepForm | None = None, **forms: type[StepForm]):
        self.posted = posted
        self._forms = forms

    def __getattr__(self, name: str):
        try:
            form_class = self._forms[name]
        except KeyError:
            raise AttributeError(name) from None

        def form(key: int | None = None, **data) -> StepForm:
            posted = self.posted
            if type(posted) is form_class and posted.key == key:
                return posted
            return form_class(formdata=None, key=key, **data)

        return form


class OptionalDate:
    """The date may be left blank (all three boxes). Part of a date is an error."""

    field_flags = {"optional": True}

    def __call__(self, form, field):
        raw = [part.strip() for part in (field.raw_data or [])]
        if not any(raw):
            field.errors[:] = []
            field.data = None
            raise StopValidation()


class GovDateField(DateField):
    """A day / month / year date in the GOV.UK pattern, with a clear message for bad dates."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        # Always three boxes to show again, whatever was posted (a hand-made post may send one).
        valuelist = [*(valuelist or [])[:3], "", "", ""][:3]
        self.raw_data = valuelist
        if not any(part.strip() for part in valuelist):
            self.data = None
            return
        if not all(part.strip() for part in valuelist):
            self.data = None
            raise ValueError(f"{self.label.text} must include a day, month and year")
        try:
            super().process_formdata([" ".join(part.strip() for part in valuelist)])
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date") from None


class DateFilterField(GovDateField):
    """A list's date filter (a GET form): the same boxes, left blank to choose every date. One
    ISO date (2026-03-27) is taken too, as addresses written before the boxes give it."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [OptionalDate()], **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and len(valuelist) == 1:
            try:
                day = date.fromisoformat(valuelist[0].strip())
            except ValueError:
                pass
            else:
                valuelist = [str(day.day), str(day.month), str(day.year)]
        super().process_formdata(valuelist)


def error_summary(form) -> list[dict]:
    """Error-summary links that land on the right input (the day box for a date)."""
    items = []
    for field in form:
        # GOV.UK's date widget names its day box after the field's name, whatever its id; a
        # hidden field (which button was pressed) has no input to land on
        if getattr(field.widget, "input_type", None) == "hidden":
            target = "main-content"
        elif isinstance(field, DateField):
            target = f"{field.name}-day"
        else:
            target = field.id
        for message in field.errors:  # a file can have many problems: list them all
            items.append({"text": message, "href": f"#{target}"})
    for message in getattr(form, "form_errors", []):
        items.append({"text": message, "href": "#main-content"})
    return items


def at_most(limit: Limit) -> Length:
    """The domain's limit for this text, refused with the limit's message: the same words the
    API and the use cases give for it."""
    return Length(max=limit.chars, message=limit.message)


def _limited(limit: Limit, required: str, optional: bool, validators) -> list:
    lead = [DataRequired(required)] if required else [Optional()] if optional else []
    return [*lead, *validators, at_most(limit)]


def text_input(
    label: str, limit: Limit, *, required: str = "", optional: bool = False, validators=(), **kwargs
) -> StringField:
    """A GOV.UK text input refused over the domain's `limit`. `required` is the message for
    leaving it blank; `optional` skips the other checks when it is blank."""
    return StringField(
        label,
        widget=GovTextInput(),
        validators=_limited(limit, required, optional, validators),
        **kwargs,
    )


def text_area(
    label: str, limit: Limit, *, required: str = "", optional: bool = False, validators=(), **kwargs
) -> TextAreaField:
    """A GOV.UK textarea refused over the domain's `limit` (as `text_input`)."""
    return TextAreaField(
        label,
        widget=GovTextArea(),
        validators=_limited(limit, required, optional, validators),
        **kwargs,
    )


class Select(GovSelect):
    """GOV.UK Frontend's select, with its options written here rather than by its macro.

    `govukSelect` calls a macro and evaluates three expressions for every option; a filter of
    200 officers cost more than the list page's queries. The macro still writes the label,
    hint, error and the `<select>` element; the options, as `govukSelect` writes them for the
    value, text and selected that WTForms gives (`tests/integration/test_select_widget.py`
    checks the two agree), go in before its closing tag."""

    def render(self, params):
        options = params.pop("items", [])
        before, end, after = super().render({**params, "items": []}).rpartition("</select>")
        written = "".join(
            f'\n<option value="{escape(_option_value(o["value"]))}"'
            f"{' selected' if o['selected'] else ''}>{escape(o['text'])}</option>"
            for o in options
        )
        # every value and text above is escaped; the rest is our own literal markup
        return before + Markup(written) + Markup("\n") + end + after  # noqa: S704


def _option_value(value) -> str:
    """An option's value as `govukSelect` writes it (a boolean in lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def select_field(label: str, **kwargs) -> SelectField:
    """A GOV.UK select whose choice the use case checks and, if it is not one it takes, says
    what is wrong in words (WTForms would refuse it first, in its own)."""
    return SelectField(label, widget=Select(), validate_choice=False, **kwargs)


def problem_list(problems: dict[str, str]) -> list[dict]:
    """Error-summary links for a hand-written step form: input id → message ("" for the page)."""
    return [
        {"text": message, "href": f"#{key or 'main-content'}"} for key, message in problems.items()
    ]


def step_problems(errors: dict[str, str], ids: dict[str, str]) -> dict[str, str]:
    """A use case's field errors keyed by the ids of the step form's inputs ("" when none)."""
    return {ids.get(name, ""): message for name, message in errors.items()}


def refusal_problems(refused: ValidationFailed | Conflict, ids: dict[str, str]) -> dict[str, str]:
    """Why a step was refused, keyed by the step form's input ids: a validation failure's field
    errors, or a conflict's message for the page as a whole."""
    errors = refused.errors if isinstance(refused, ValidationFailed) else {"": refused.message}
    return step_problems(errors, ids)


def page_number(value: str | None) -> int:
    """The ?page= of a list: a positive number of sensible size, else the first page."""
    return whole_number(value, max_digits=8) or 1


def one_of(value: str | None, choices: Container[str], default: str = "") -> str:
    """A list's filter from the address: `value` if it is one of `choices`, else `default` (a
    choice the list does not know is ignored, not refused)."""
    return value if value is not None and value in choices else default


def apply_errors(form, errors: dict[str, str]) -> None:
    """Put a use case's field errors onto the form fields (or the form, for unknown names)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), message]
        else:
            form.form_errors.append(message)


def ask_for_file_again(form, field) -> None:
    """A form sent back for any reason keeps nothing of a chosen file (a browser cannot be given
    it back): say so beside the file input, so that the file is chosen again, not lost."""
    upload = field.data
    name = (getattr(upload, "filename", "") or "") if upload is not None else ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name and form.errors and not field.errors:
        field.errors = [f"{name} has not been uploaded: choose the file again"]


def options(pairs) -> list[SelectChoice]:
    """Select, radio and checkbox choices from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def save_versioned(form, save):
    """Save an edit made from `form.version`; return (saved, conflict).

    Field errors go onto the form. If someone else saved first, the form keeps what was typed,
    says so, and takes the current version, so that saving again is a conscious overwrite.
    """
    version = whole_number(form.version.data, max_digits=9)
    try:
        save(version)
    except ValidationFailed as failed:
        apply_errors(form, failed.errors)
        return False, None
    except Conflict as clash:
        form.form_errors.append(clash.message + " Check the current values below, then save again.")
        form.version.data = clash.current_version
        return False, clash
    return True, None


def add_page(form, valid: bool, create, page_of, template: str, **context):
    """An add page: when the posted form is `valid`, the record `create()` adds, then on to its
    page (`page_of(row)`); else (not posted, or refused: field errors beside their fields) the
    page again with `form`."""
    if valid:
        try:
            row = create()
        except ValidationFailed as failed:
            apply_errors(form, failed.errors)
        else:
            flash(f"{row.name} has been added", "success")
            return redirect(page_of(row))
    return render_template(template, form=form, **context)


def edit_form(make, row):
    """The form for editing `row`: on GET it shows the row's saved values and version (the
    version the save is checked against); on a POST only what was posted."""
    if request.method != "GET":
        return make(obj=None)
    form = make(obj=row)
    form.version.data = row.version
    return form


def edit_page(form, valid: bool, save, done: str, template: str, current, **context):
    """An edit page: when the posted form is `valid`, saved as `save_versioned` does and on to
    `done`; else the page again with `form`, and on a conflict the values saved now
    (`current()`) beside what was typed."""
    conflict = None
    if valid:
        saved, conflict = save_versioned(form, save)
        if saved:
            flash("Your changes have been saved", "success")
            return redirect(done)
    return render_template(
        template,
        form=form,
        conflict=conflict,
        current=current() if conflict else None,
        **context,
    )


def take_conflict(form, clash: Conflict) -> None:
    """Someone else saved first: the form says so and takes the version saved now (what was
    typed is kept, so that saving again is a conscious overwrite)."""
    form.form_errors.append(clash.message)
    if clash.current_version:
        form.version.data = clash.current_version


def posted_id(value) -> int | None:
    """A posted id, or None for blank or nonsense (an id too big for the database included)."""
    number = whole_number(value)
    return number if number is not None and 1 <= number <= MAX_ID else None
