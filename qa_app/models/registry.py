"""The provider and service registry: who the council buys care from, and where."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.domain.codes import service_type_label
from qa_app.extensions import Model
from qa_app.models.types import UTCDateTime, utcnow


class Provider(Model):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    cqc_provider_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    #: The postal address the council's letters go to (lines separated by newlines).
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Service(Model):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    cqc_location_id: Mapped[str | None] = mapped_column(String(20), unique=True)
    service_type: Mapped[str] = mapped_column(String(30), index=True)
    cluster: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    beds: Mapped[int | None] = mapped_column(Integer)
    contract_reference: Mapped[str | None] = mapped_column(String(50))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    contract_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The person registered with CQC as the service's manager: letters are addressed to them.
    registered_manager_name: Mapped[str | None] = mapped_column(String(200))
    cqc_rating: Mapped[str] = mapped_column(String(30), default="Not rated", index=True)
    cqc_rating_date: Mapped[date | None] = mapped_column(Date)
    risk: Mapped[str] = mapped_column(String(10), default="green", index=True)
    risk_reasons: Mapped[str] = mapped_column(Text, default="")
    #: Closed to new placements from this date (kept in step by the notices service).
    placement_stop_since: Mapped[date | None] = mapped_column(Date)
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
