"""The answer to "who helps with this, here?": organisations serving a place, near to far."""

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from app.contacts.schemas import ContactSummary
from app.languages import Language
from app.organisations.schemas import ConceptTag, ConceptTags, RegionLinkPublic
from app.refs import RegionRef


@dataclass(kw_only=True, slots=True)
class MatchedConcept(ConceptTag):
    scheme: Annotated[str, Field(examples=["offers"])]


@dataclass(kw_only=True, slots=True)
class HelpContact(ContactSummary):
    here: Annotated[
        bool,
        Field(
            description="The contact is for this place (an office of the city or Kreis asked "
            "about, or of a region it lies in), not for another one.",
        ),
    ]


@dataclass(kw_only=True, slots=True)
class HelpEntry:
    slug: Annotated[str, Field(examples=["refugee-law-clinic-leipzig"])]
    name: Annotated[str, Field(examples=["Refugee Law Clinic Leipzig e.V."])]
    short_name: str | None
    kind: Annotated[str, Field(examples=["association"])]
    url: str
    served_through: Annotated[
        RegionLinkPublic,
        Field(description="Why it serves the place: the region of its own it is linked to."),
    ]
    matched: Annotated[
        list[MatchedConcept],
        Field(description="The concepts asked for that it carries, with the evidence for each."),
    ]
    concepts: ConceptTags
    contacts: Annotated[
        list[HelpContact],
        Field(
            description="Its contacts for this place first: where it has offices for several "
            "places and one is for this place, the others are left out."
        ),
    ]


@dataclass(kw_only=True, slots=True)
class HelpGroup:
    distance: Annotated[
        int,
        Field(
            description="0: the place itself and what lies in it; 1: the region above it "
            "(its Kreis); 2: the one above that (the Land), …"
        ),
    ]
    region: RegionRef
    total: Annotated[int, Field(description="How many serve from this region; `per_group` shown.")]
    organisations: list[HelpEntry]


@dataclass(kw_only=True, slots=True)
class Asked:
    offers: list[str]
    target_groups: list[str]
    access: list[str]
    languages: list[str]


@dataclass(kw_only=True, slots=True)
class HelpAnswer:
    place: RegionRef
    asked: Asked
    lang: Annotated[Language, Field(description="The language of the concept labels.")]
    data_lang: Annotated[
        str, Field(examples=["de"], description="The data stays as the source wrote it.")
    ]
    total: Annotated[int, Field(description="Organisations in every group together.")]
    groups: Annotated[
        list[HelpGroup],
        Field(description="Near to far: the place, then each region above it up to the Land."),
    ]
