"""Compact references from one resource to another, as embedded in responses."""

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from app.organisations.models import NETWORK_KINDS


@dataclass(kw_only=True, slots=True)
class OrganisationRef:
    slug: Annotated[str, Field(examples=["bon-courage"])]
    name: Annotated[str, Field(examples=["Bon Courage e.V."])]
    kind: Annotated[str, Field(examples=["association"])]
    url: Annotated[
        str,
        Field(
            examples=["http://127.0.0.1:8000/organisations/bon-courage"],
            description="`/networks/{slug}` for network kinds, else `/organisations/{slug}`.",
        ),
    ]


@dataclass(kw_only=True, slots=True)
class RegionRef:
    code: Annotated[str | None, Field(examples=["14729"])]
    slug: Annotated[str, Field(examples=["landkreis-leipzig"])]
    name: Annotated[str, Field(examples=["Landkreis Leipzig"])]
    kind: Annotated[str, Field(examples=["rural_district"])]
    url: Annotated[str, Field(examples=["http://127.0.0.1:8000/regions/14729"])]


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
