from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.inputs import Input, Slug
from app.organisations.models import RelationType
from app.refs import OrganisationRef
from app.sources.schemas import Provenance


@dataclass(kw_only=True, slots=True)
class RelationRecord:
    """A typed relation as a record of its own, read `subject <type> object`."""

    id: int
    type: Annotated[str, Field(examples=["member_of"])]
    subject: OrganisationRef
    object: OrganisationRef
    role: Annotated[str | None, Field(examples=["Koordination"])]
    note: str | None
    provenance: Provenance
    url: str
    version: int
    created_at: datetime
    updated_at: datetime
    valid_as_of: date | None
    last_verified_at: datetime | None
    deleted_at: datetime | None = None


Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Role = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class RelationInput(Input):
    """A relation's full editable state: the body of `POST` and `PUT`."""

    subject: Slug = Field(examples=["bon-courage"])
    type: RelationType = Field(examples=["member_of"])
    object: Slug = Field(examples=["netzwerk-asyl-migration-flucht-leipzig"])
    role: Role | None = None
    note: Note | None = None
    valid_as_of: date | None = None
