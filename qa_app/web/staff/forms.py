"""Forms for the provider and service registry."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from qa_app.domain import limits
from qa_app.domain.codes import CQC_RATINGS, SERVICE_TYPES
from qa_app.services.registry import PROVIDER_FIELDS, SERVICE_FIELDS
from qa_app.web.forms import GovDateField, OptionalDate, at_most, options, posted_id


class ServiceForm(FlaskForm):
    version = HiddenField()
    name = StringField(
        "Service name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the service name"),
            at_most(limits.SERVICE_NAME),
        ],
    )
    provider_id = SelectField(
        "Provider",
        widget=GovSelect(),
        validate_choice=False,  # the service layer says what is wrong, in words
        coerce=posted_id,
        validators=[DataRequired("Select the provider that runs this service")],
    )
    service_type = SelectField(
        "Type of service",
        widget=GovSelect(),
        validate_choice=False,  # the service layer says what is wrong, in words
        choices=options([("", "Select a type"), *SERVICE_TYPES.items()]),
        validators=[DataRequired("Select the type of service")],
    )
    cluster = StringField(
        "Cluster or area",
        widget=GovTextInput(),
        description="The locality, zone or lot the service belongs to, for example North",
        validators=[
            DataRequired("Enter the cluster or area"),
            at_most(limits.CLUSTER),
        ],
    )
    cqc_location_id = StringField(
        "CQC location ID",
        widget=GovTextInput(),
        description="For example 1-123456789. Leave blank if the service is not registered with CQC.",
        validators=[Optional(), at_most(limits.CQC_LOCATION_ID)],
    )
    address = TextAreaField(
        "Address",
        widget=GovTextArea(),
        validators=[Optional(), at_most(limits.SERVICE_ADDRESS)],
    )
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20, message="Enter a real UK postcode, like SW1A 1AA")],
    )
    beds = IntegerField(
        "Registered beds",
        widget=GovTextInput(),
        description="Care homes only",
        validators=[
            Optional(),
            NumberRange(min=1, max=2000, message="Registered beds must be between 1 and 2000"),
        ],
    )
    contract_reference = StringField(
        "Contract reference",
        widget=GovTextInput(),
        validators=[Optional(), at_most(limits.CONTRACT_REFERENCE)],
    )
    contract_start = GovDateField(
        "Contract start date", description="For example, 1 4 2024", validators=[OptionalDate()]
    )
    contract_end = GovDateField(
        "Contract end date", description="For example, 31 3 2027", validators=[OptionalDate()]
    )
    contract_officer_id = SelectField(
        "Contract officer",
        widget=GovSelect(),
        validate_choice=False,  # the service layer says what is wrong, in words
        coerce=posted_id,
        validators=[Optional()],
    )
    registered_manager_name = StringField(
        "Registered manager",
        widget=GovTextInput(),
        description="The manager registered with CQC for this service. Letters about the "
        "service are addressed to them.",
        validators=[Optional(), at_most(limits.REGISTERED_MANAGER)],
    )
    cqc_rating = SelectField(
        "CQC rating",
        widget=GovSelect(),
        validate_choice=False,  # the service layer says what is wrong, in words
        default="Not rated",
        choices=options([(r, r) for r in CQC_RATINGS]),
    )
    cqc_rating_date = GovDateField(
        "Date of the CQC rating",
        description="The date CQC published it",
        validators=[OptionalDate()],
    )

    FIELDS = SERVICE_FIELDS  # the fields the service registry takes, in one place

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}

    def set_choices(self, providers, officers) -> None:
        self.provider_id.choices = options([("", "Select a provider"), *providers])
        self.contract_officer_id.choices = options([("", "Not assigned"), *officers])


class ProviderForm(FlaskForm):
    version = HiddenField()
    name = StringField(
        "Provider name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the provider's name"),
            at_most(limits.PROVIDER_NAME),
        ],
    )
    cqc_provider_id = StringField(
        "CQC provider ID",
        widget=GovTextInput(),
        description="For example 1-101641521",
        validators=[Optional(), at_most(limits.CQC_PROVIDER_ID)],
    )
    contact_name = StringField(
        "Contact name",
        widget=GovTextInput(),
        validators=[Optional(), at_most(limits.CONTACT_NAME)],
    )
    contact_email = StringField(
        "Contact email address",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.org"),
            at_most(limits.EMAIL),
        ],
    )
    contact_phone = StringField(
        "Contact phone number",
        widget=GovTextInput(),
        validators=[Optional(), at_most(limits.CONTACT_PHONE)],
    )
    address = TextAreaField(
        "Postal address",
        widget=GovTextArea(),
        description="Where the council's letters to the provider go, usually its registered "
        "office. Put each line on a line of its own, ending with the postcode.",
        validators=[Optional(), at_most(limits.POSTAL_ADDRESS)],
    )

    FIELDS = PROVIDER_FIELDS

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


class ServiceFilterForm(FlaskForm):
    """The filters on the service list (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search", widget=GovTextInput(), description="Name, provider, CQC location ID or postcode"
    )
    service_type = SelectField(
        "Type", widget=GovSelect(), choices=options([("", "All types"), *SERVICE_TYPES.items()])
    )
    cluster = SelectField("Cluster", widget=GovSelect())
    officer_id = SelectField("Contract officer", widget=GovSelect(), coerce=posted_id)
    cqc_rating = SelectField(
        "CQC rating",
        widget=GovSelect(),
        choices=options([("", "All ratings")] + [(r, r) for r in CQC_RATINGS]),
    )
    risk = SelectField(
        "Risk",
        widget=GovSelect(),
        choices=options([("", "All"), ("red", "Red"), ("amber", "Amber"), ("green", "Green")]),
    )
    sort = SelectField(
        "Sort by",
        widget=GovSelect(),
        choices=options(
            [
                ("name", "Name"),
                ("provider", "Provider"),
                ("type", "Type"),
                ("cluster", "Cluster"),
                ("cqc", "CQC rating"),
                ("risk", "Risk"),
            ]
        ),
    )
    include_closed = BooleanField("Include closed services", widget=GovCheckboxInput())
