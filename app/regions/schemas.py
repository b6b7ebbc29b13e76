from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.inputs import Input, Key, Slug
from app.refs import OrganisationRef, RegionRef
from app.regions.models import RegionKind


@dataclass(kw_only=True, slots=True)
class RegionSummary(RegionRef):
    id: int
    parent: RegionRef | None
    note: str | None
    version: int
    updated_at: datetime
    valid_as_of: Annotated[date | None, Field(examples=["2015-04-16"])]
    last_verified_at: datetime | None
    deleted_at: Annotated[
        datetime | None,
        Field(description="Only in lists with `include_deleted=true`: when deleted."),
    ] = None


@dataclass(kw_only=True, slots=True)
class RegionDetail(RegionSummary):
    children: list[RegionRef]
    organisations: Annotated[
        list[OrganisationRef],
        Field(
            description="Organisations linked to this region itself (at most 200; "
            "`links.organisations` lists those of its sub-regions too)."
        ),
    ]
    organisation_count: Annotated[
        int, Field(description="Organisations in this region and its sub-regions.")
    ]
    links: dict[str, str]
    created_at: datetime


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Code = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,12}$")]


class RegionUpdate(Input):
    """A region's full editable state: the body of `PUT`, and what a `PATCH` must leave."""

    name: Name = Field(examples=["Freital"])
    kind: RegionKind = Field(examples=["municipality"])
    code: Code | None = Field(
        default=None, examples=["14628110"], description="Amtlicher Regionalschlüssel."
    )
    parent: Key | None = Field(
        default=None, examples=["14628"], description="Code or slug of the region above."
    )
    note: Note | None = None
    valid_as_of: date | None = None


class RegionCreate(RegionUpdate):
    slug: Slug | None = Field(
        default=None, examples=["freital"], description="Made from the name if not given."
    )
