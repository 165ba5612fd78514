"""Forms for the provider and service registry."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from qa_app.domain import limits
from qa_app.domain.codes import CQC_RATINGS, SERVICE_TYPES
from qa_app.services.registry import PROVIDER_FIELDS, SERVICE_FIELDS
from qa_app.web.forms import (
    GovDateField,
    OptionalDate,
    Select,
    options,
    posted_id,
    select_field,
    text_area,
    text_input,
)


class RegistryForm(FlaskForm):
    """A record of the registry (a service or a provider) being added or edited: the version it
    was read at, and `values()`, the fields the registry takes (`FIELDS`) as they were posted."""

    version = HiddenField()
    FIELDS: tuple[str, ...] = ()

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


class ServiceForm(RegistryForm):
    name = text_input("Service name", limits.SERVICE_NAME, required="Enter the service name")
    provider_id = select_field(
        "Provider",
        coerce=posted_id,
        validators=[DataRequired("Select the provider that runs this service")],
    )
    service_type = select_field(
        "Type of service",
        choices=options([("", "Select a type"), *SERVICE_TYPES.items()]),
        validators=[DataRequired("Select the type of service")],
    )
    cluster = text_input(
        "Cluster or area",
        limits.CLUSTER,
        required="Enter the cluster or area",
        description="The locality, zone or lot the service belongs to, for example North",
    )
    cqc_location_id = text_input(
        "CQC location ID",
        limits.CQC_LOCATION_ID,
        optional=True,
        description="For example 1-123456789. Leave blank if the service is not registered with CQC.",
    )
    address = text_area("Address", limits.SERVICE_ADDRESS, optional=True)
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
    contract_reference = text_input("Contract reference", limits.CONTRACT_REFERENCE, optional=True)
    contract_start = GovDateField(
        "Contract start date", description="For example, 1 4 2024", validators=[OptionalDate()]
    )
    contract_end = GovDateField(
        "Contract end date", description="For example, 31 3 2027", validators=[OptionalDate()]
    )
    contract_officer_id = select_field(
        "Contract officer", coerce=posted_id, validators=[Optional()]
    )
    registered_manager_name = text_input(
        "Registered manager",
        limits.REGISTERED_MANAGER,
        optional=True,
        description="The manager registered with CQC for this service. Letters about the "
        "service are addressed to them.",
    )
    cqc_rating = select_field(
        "CQC rating", default="Not rated", choices=options([(r, r) for r in CQC_RATINGS])
    )
    cqc_rating_date = GovDateField(
        "Date of the CQC rating",
        description="The date CQC published it",
        validators=[OptionalDate()],
    )

    FIELDS = SERVICE_FIELDS

    def set_choices(self, providers, officers) -> None:
        self.provider_id.choices = options([("", "Select a provider"), *providers])
        self.contract_officer_id.choices = options([("", "Not assigned"), *officers])


class ProviderForm(RegistryForm):
    name = text_input("Provider name", limits.PROVIDER_NAME, required="Enter the provider's name")
    cqc_provider_id = text_input(
        "CQC provider ID",
        limits.CQC_PROVIDER_ID,
        optional=True,
        description="For example 1-101641521",
    )
    contact_name = text_input("Contact name", limits.CONTACT_NAME, optional=True)
    contact_email = text_input(
        "Contact email address",
        limits.EMAIL,
        optional=True,
        validators=[Email("Enter an email address in the correct format, like name@example.org")],
    )
    contact_phone = text_input("Contact phone number", limits.CONTACT_PHONE, optional=True)
    address = text_area(
        "Postal address",
        limits.POSTAL_ADDRESS,
        optional=True,
        description="Where the council's letters to the provider go, usually its registered "
        "office. Put each line on a line of its own, ending with the postcode.",
    )

    FIELDS = PROVIDER_FIELDS


class ServiceFilterForm(FlaskForm):
    """The filters on the service list (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search", widget=GovTextInput(), description="Name, provider, CQC location ID or postcode"
    )
    service_type = SelectField(
        "Type", widget=Select(), choices=options([("", "All types"), *SERVICE_TYPES.items()])
    )
    cluster = SelectField("Cluster", widget=Select())
    officer_id = SelectField("Contract officer", widget=Select(), coerce=posted_id)
    cqc_rating = SelectField(
        "CQC rating",
        widget=Select(),
        choices=options([("", "All ratings")] + [(r, r) for r in CQC_RATINGS]),
    )
    risk = SelectField(
        "Risk",
        widget=Select(),
        choices=options([("", "All"), ("red", "Red"), ("amber", "Amber"), ("green", "Green")]),
    )
    sort = SelectField(
        "Sort by",
        widget=Select(),
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
