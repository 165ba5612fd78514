from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField
from wtforms.validators import DataRequired

from qa_app.domain import limits
from qa_app.domain.roles import ROLE_LABELS, Role
from qa_app.web.forms import options, posted_id, select_field, text_input

ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in Role]


def _role_field():
    return RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=options(ROLE_CHOICES),
        validators=[DataRequired("Select a role")],
    )


def _provider_field():
    return select_field("Provider (provider users only)", coerce=posted_id)


class InviteUserForm(FlaskForm):
    name = text_input("Full name", limits.PERSON_NAME, required="Enter the person's name")
    email = text_input("Email address", limits.EMAIL, required="Enter an email address")
    role = _role_field()
    provider_id = _provider_field()


class ChangeRoleForm(FlaskForm):
    role = _role_field()
    provider_id = _provider_field()


class TokenForm(FlaskForm):
    name = text_input(
        "What the token is for",
        limits.TOKEN_NAME,
        required="Say what the token is for",
        description="For example, Monthly report export",
    )


class ConfirmForm(FlaskForm):
    """A form that is only a button (deactivate, revoke…): CSRF protection and nothing else."""
