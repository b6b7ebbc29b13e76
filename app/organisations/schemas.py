from datetime import datetime

from pydantic import BaseModel, Field

from app.contacts.schemas import ContactSummary
from app.refs import OrganisationRef, RegionRef
from app.sources.schemas import Provenance


class RegionLinkPublic(RegionRef):
    role: str = Field(examples=["area"], description="`area` served, or `seat` of an office.")


class OrganisationSummary(BaseModel):
    id: int
    slug: str = Field(examples=["refugee-law-clinic-leipzig"])
    name: str = Field(examples=["Refugee Law Clinic Leipzig e.V."])
    short_name: str | None = Field(examples=[None])
    kind: str = Field(examples=["association"])
    legal_form: str | None = Field(examples=["e.V."])
    level: str | None = Field(examples=["regional"])
    topics: list[str] = Field(
        examples=[["härtefälle", "aufenthaltsrecht"]],
        description="As the data spells them; `topic=` filters by any spelling.",
    )
    regions: list[RegionLinkPublic]
    url: str = Field(
        description="`/networks/{slug}` for network kinds, else `/organisations/{slug}`."
    )
    version: int
    updated_at: datetime


class RelationPublic(BaseModel):
    type: str = Field(
        examples=["coordinates"],
        description="Read from this organisation's side: `member_of`, `has_member`, "
        "`coordinated_by`, `coordinates`, … (inverse types for incoming relations).",
    )
    direction: str = Field(examples=["outgoing"], description="`outgoing` or `incoming`.")
    role: str | None = Field(examples=["chair"])
    note: str | None
    organisation: OrganisationRef


class OrganisationDetail(OrganisationSummary):
    description: str | None
    tasks: list[str]
    target_groups: list[str]
    names_in_source: list[str]
    contacts: list[ContactSummary]
    relations: list[RelationPublic]
    provenance: Provenance
    created_at: datetime


class MemberPublic(OrganisationRef):
    role: str | None = Field(examples=["member"])
    relation: str = Field(
        examples=["member_of"],
        description="How the source links it: `member_of`, `coordinated_by` or `convened_by`.",
    )


class NetworkSummary(OrganisationSummary):
    members: list[MemberPublic]


class NetworkDetail(OrganisationDetail):
    members: list[MemberPublic]
