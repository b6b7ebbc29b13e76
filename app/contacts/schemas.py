from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.contacts.models import ContactKind
from app.inputs import Input, Key
from app.refs import OrganisationRef, RegionRef
from app.sources.schemas import Provenance


@dataclass(kw_only=True, slots=True)
class ContactSummary:
    id: int
    kind: Annotated[str, Field(examples=["email"])]
    value: Annotated[str, Field(examples=["opferberatung.chemnitz@raa-sachsen.de"])]
    label: Annotated[str | None, Field(examples=["Opferberatung Chemnitz"])]
    role: Annotated[str | None, Field(examples=[None], description="A person's public role.")]
    region: RegionRef | None
    url: str


@dataclass(kw_only=True, slots=True)
class ContactPublic(ContactSummary):
    organisation: OrganisationRef
    provenance: Provenance
    version: int
    created_at: datetime
    updated_at: datetime
    valid_as_of: Annotated[date | None, Field(examples=["2015-04-16"])]
    last_verified_at: datetime | None
    deleted_at: Annotated[
        datetime | None,
        Field(description="Only in lists with `include_deleted=true`: when deleted."),
    ] = None


Value = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Role = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ContactUpdate(Input):
    """A contact's full editable state: the body of `PUT`, and what a `PATCH` must leave.

    `value` is checked by `kind`: an e-mail address, an absolute http(s) URL, or a
    phone number, which is stored in E.164 (`0341 123456` becomes `+49341123456`).
    """

    kind: ContactKind = Field(examples=["phone"])
    value: Value = Field(examples=["0341 123456"])
    label: Label | None = Field(default=None, examples=["Beratungstelefon"])
    role: Role | None = Field(default=None, description="Only for a person: a public role.")
    region: Key | None = Field(
        default=None, examples=["leipzig"], description="Code or slug of the contact's own place."
    )
    valid_as_of: date | None = None


class ContactCreate(ContactUpdate):
    organisation: Key = Field(examples=["bon-courage"], description="Slug of its organisation.")
