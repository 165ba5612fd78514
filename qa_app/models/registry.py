"""The provider and service registry: who the council buys care from, and where."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.domain import limits
from qa_app.domain.codes import service_type_label
from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class Provider(Model):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.PROVIDER_NAME.chars), index=True)
    cqc_provider_id: Mapped[str | None] = mapped_column(
        String(limits.CQC_PROVIDER_ID.chars), unique=True
    )
    contact_name: Mapped[str | None] = mapped_column(String(limits.CONTACT_NAME.chars))
    contact_email: Mapped[str | None] = mapped_column(String(limits.EMAIL.chars))
    contact_phone: Mapped[str | None] = mapped_column(String(limits.CONTACT_PHONE.chars))
    #: The postal address the council's letters go to (lines separated by newlines).
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Service(Model):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.SERVICE_NAME.chars), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    cqc_location_id: Mapped[str | None] = mapped_column(
        String(limits.CQC_LOCATION_ID.chars), unique=True
    )
    service_type: Mapped[str] = mapped_column(String(30), index=True)
    cluster: Mapped[str] = mapped_column(String(limits.CLUSTER.chars), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    beds: Mapped[int | None] = mapped_column(Integer)
    contract_reference: Mapped[str | None] = mapped_column(String(limits.CONTRACT_REFERENCE.chars))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    contract_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The person registered with CQC as the service's manager: letters are addressed to them.
    registered_manager_name: Mapped[str | None] = mapped_column(
        String(limits.REGISTERED_MANAGER.chars)
    )
    cqc_rating: Mapped[str] = mapped_column(String(30), default="Not rated", index=True)
    cqc_rating_date: Mapped[date | None] = mapped_column(Date)
    #: CQC's ratings by service group (single assessment framework), as its file gives them:
    #: {group: {domain: [rating, "YYYY-MM-DD"]}}; None until a file has given some
    cqc_service_groups: Mapped[dict | None] = mapped_column(JSON)
    risk: Mapped[str] = mapped_column(String(10), default="green", index=True)
    risk_reasons: Mapped[str] = mapped_column(Text, default="")
    #: Closed to new placements from this date (kept in step by the notices service).
    placement_stop_since: Mapped[date | None] = mapped_column(Date)
    #: The first day the service no longer runs (domain.service_closing); None while open.
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    closed_reason: Mapped[str | None] = mapped_column(String(limits.CLOSED_REASON.chars))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    provider = relationship("Provider", lazy="joined", innerjoin=True)
    contract_officer = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_services_provider_id_name", "provider_id", "name"),)

    @property
    def service_type_label(self) -> str:
        return service_type_label(self.service_type)
