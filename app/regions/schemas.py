from datetime import datetime

from pydantic import Field

from app.refs import OrganisationRef, RegionRef


class RegionSummary(RegionRef):
    id: int
    parent: RegionRef | None
    note: str | None
    version: int
    updated_at: datetime


class RegionDetail(RegionSummary):
    children: list[RegionRef]
    organisations: list[OrganisationRef] = Field(
        description="Organisations linked to this region itself (at most 200; "
        "`links.organisations` lists those of its sub-regions too)."
    )
    organisation_count: int = Field(description="Organisations in this region and its sub-regions.")
    links: dict[str, str]
    created_at: datetime
