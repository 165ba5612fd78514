from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from qa_app.domain.roles import ROLE_LABELS, Role
from qa_app.web.forms import options

ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class RoleFields:
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=options(ROLE_CHOICES),
        validators=[DataRequired("Select a role")],
    )
    provider_id = SelectField(
        "Provider (provider users only)", widget=GovSelect(), coerce=_int_or_none
    )


class InviteUserForm(RoleFields, FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the person's name"), Length(max=200)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter an email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )


class ChangeRoleForm(RoleFields, FlaskForm):
    pass


class TokenForm(FlaskForm):
    name = StringField(
        "What the token is for",
        widget=GovTextInput(),
        description="For example, Monthly report export",
        validators=[DataRequired("Say what the token is for"), Length(max=100)],
    )


class ConfirmForm(FlaskForm):
    """A form that is only a button (deactivate, revoke…): CSRF protection and nothing else."""
