"""Contacts: e-mail addresses, websites, phones, addresses and named people of an organisation."""

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from app.db import Editable


class ContactKind(StrEnum):
    email = "email"
    website = "website"
    phone = "phone"
    address = "address"
    person = "person"


class Contact(Editable, table=True):
    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20, index=True)
    # The address, URL or number itself; for a person, their name.
    value: str = Field(max_length=500)
    label: str | None = Field(default=None, max_length=300)
    # A person's public role, e.g. "Ministerin".
    role: str | None = Field(default=None, max_length=200)
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    value_key: str = Field(max_length=500, index=True)
    corrections: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # What is read from context rather than stated: [{field, value, reason}] (app.sources).
    inferences: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    source_id: int | None = Field(default=None, foreign_key="source_document.id")
    source_slide: int | None = None
    source_section: str | None = Field(default=None, max_length=500)
