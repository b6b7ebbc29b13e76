from datetime import datetime

from pydantic import BaseModel, Field

from app.refs import OrganisationRef, RegionRef
from app.sources.schemas import Provenance


class ContactSummary(BaseModel):
    id: int
    kind: str = Field(examples=["email"])
    value: str = Field(examples=["opferberatung.chemnitz@raa-sachsen.de"])
    label: str | None = Field(examples=["Opferberatung Chemnitz"])
    role: str | None = Field(examples=[None], description="A person's public role.")
    region: RegionRef | None
    url: str


class ContactPublic(ContactSummary):
    organisation: OrganisationRef
    provenance: Provenance
    version: int
    created_at: datetime
    updated_at: datetime
