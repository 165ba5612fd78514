from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired

from qa_app.domain import limits
from qa_app.domain.roles import ROLE_LABELS, Role
from qa_app.web.forms import at_most, options, posted_id

ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]


def _role_field():
    return RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=options(ROLE_CHOICES),
        validators=[DataRequired("Select a role")],
    )


def _provider_field():
    return SelectField(
        "Provider (provider users only)",
        widget=GovSelect(),
        coerce=posted_id,
        validate_choice=False,  # the use case says what is wrong, in words
    )


class InviteUserForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the person's name"), at_most(limits.PERSON_NAME)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter an email address"), at_most(limits.EMAIL)],
    )
    role = _role_field()
    provider_id = _provider_field()


class ChangeRoleForm(FlaskForm):
    role = _role_field()
    provider_id = _provider_field()


class TokenForm(FlaskForm):
    name = StringField(
        "What the token is for",
        widget=GovTextInput(),
        description="For example, Monthly report export",
        validators=[DataRequired("Say what the token is for"), at_most(limits.TOKEN_NAME)],
    )


class ConfirmForm(FlaskForm):
    """A form that is only a button (deactivate, revoke…): CSRF protection and nothing else."""
