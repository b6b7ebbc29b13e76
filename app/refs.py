"""Compact references from one resource to another, as embedded in responses."""

from pydantic import BaseModel, Field

from app.organisations.models import NETWORK_KINDS


class OrganisationRef(BaseModel):
    slug: str = Field(examples=["bon-courage"])
    name: str = Field(examples=["Bon Courage e.V."])
    kind: str = Field(examples=["association"])
    url: str = Field(
        examples=["http://127.0.0.1:8000/organisations/bon-courage"],
        description="`/networks/{slug}` for network kinds, else `/organisations/{slug}`.",
    )


class RegionRef(BaseModel):
    code: str | None = Field(examples=["14729"])
    slug: str = Field(examples=["landkreis-leipzig"])
    name: str = Field(examples=["Landkreis Leipzig"])
    kind: str = Field(examples=["rural_district"])
    url: str = Field(examples=["http://127.0.0.1:8000/regions/14729"])


def organisation_url(base: str, slug: str, kind: str) -> str:
    """Networks are at `/networks/{slug}`, with their members; others at `/organisations/{slug}`."""
    resource = "networks" if kind in NETWORK_KINDS else "organisations"
    return f"{base}/{resource}/{slug}"


def region_url(base: str, code: str | None, slug: str) -> str:
    return f"{base}/regions/{code or slug}"


def contact_url(base: str, contact_id: int) -> str:
    return f"{base}/contacts/{contact_id}"


def relation_url(base: str, relation_id: int) -> str:
    return f"{base}/relations/{relation_id}"
