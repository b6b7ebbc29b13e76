from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from app.contacts.schemas import ContactSummary
from app.inputs import Input, Key, Slug
from app.organisations.models import ConceptBasis, Level, OrganisationKind, RegionRole
from app.refs import OrganisationRef, RegionRef
from app.sources.schemas import Provenance


@dataclass(kw_only=True, slots=True)
class RegionLinkPublic(RegionRef):
    role: Annotated[
        str, Field(examples=["area"], description="`area` served, or `seat` of an office.")
    ]


@dataclass(kw_only=True, slots=True)
class ConceptTag:
    id: Annotated[str, Field(examples=["legal-advice"])]
    label: Annotated[
        str,
        Field(examples=["Rechtsberatung"], description="In the language of the response."),
    ]
    url: Annotated[str, Field(examples=["/vocabularies/offers/legal-advice"])]
    basis: Annotated[
        str,
        Field(
            examples=["stated"],
            description="`stated`: the evidence says so; `inferred`: the note says from what.",
        ),
    ]
    evidence: Annotated[
        str | None,
        Field(
            examples=["Rechtsberatung für Geflüchtete"],
            description="The words of the source (see provenance) that state it, verbatim.",
        ),
    ]
    note: Annotated[str | None, Field(examples=[None])]


@dataclass(kw_only=True, slots=True)
class ConceptTags:
    """Concepts of the shared vocabularies (`/vocabularies`) that the data states apply.
    What it does not state is unknown, not excluded."""

    offers: list[ConceptTag]
    target_groups: list[ConceptTag]
    access: list[ConceptTag]
    languages: Annotated[
        list[ConceptTag],
        Field(description="Languages it counsels or informs in (`/vocabularies/languages`)."),
    ]


@dataclass(kw_only=True, slots=True)
class OrganisationSummary:
    id: int
    slug: Annotated[str, Field(examples=["refugee-law-clinic-leipzig"])]
    name: Annotated[str, Field(examples=["Refugee Law Clinic Leipzig e.V."])]
    short_name: Annotated[str | None, Field(examples=[None])]
    kind: Annotated[str, Field(examples=["association"])]
    legal_form: Annotated[str | None, Field(examples=["e.V."])]
    level: Annotated[str | None, Field(examples=["regional"])]
    topics: Annotated[
        list[str],
        Field(
            examples=[["härtefälle", "aufenthaltsrecht"]],
            description="As the data spells them; `topic=` filters by any spelling.",
        ),
    ]
    regions: list[RegionLinkPublic]
    concepts: ConceptTags
    url: Annotated[
        str,
        Field(description="`/networks/{slug}` for network kinds, else `/organisations/{slug}`."),
    ]
    version: int
    updated_at: datetime
    valid_as_of: Annotated[
        date | None,
        Field(examples=["2015-04-16"], description="The day the facts were known to be true."),
    ]
    last_verified_at: Annotated[
        datetime | None,
        Field(description="When an editor last confirmed the facts; null: never since the source."),
    ]
    deleted_at: Annotated[
        datetime | None,
        Field(description="Only in lists with `include_deleted=true`: when deleted."),
    ] = None


@dataclass(kw_only=True, slots=True)
class RelationPublic:
    type: Annotated[
        str,
        Field(
            examples=["coordinates"],
            description="Read from this organisation's side: `member_of`, `has_member`, "
            "`coordinated_by`, `coordinates`, … (inverse types for incoming relations).",
        ),
    ]
    direction: Annotated[str, Field(examples=["outgoing"], description="`outgoing` or `incoming`.")]
    role: Annotated[str | None, Field(examples=["chair"])]
    note: str | None
    organisation: OrganisationRef
    id: Annotated[int, Field(description="The relation's own id: `/relations/{id}`.")]
    url: str


@dataclass(kw_only=True, slots=True)
class OrganisationDetail(OrganisationSummary):
    description: str | None
    tasks: list[str]
    target_groups: list[str]
    names_in_source: list[str]
    contacts: list[ContactSummary]
    relations: list[RelationPublic]
    provenance: Provenance
    created_at: datetime


@dataclass(kw_only=True, slots=True)
class MemberPublic(OrganisationRef):
    role: Annotated[str | None, Field(examples=["member"])]
    relation: Annotated[
        str,
        Field(
            examples=["member_of"],
            description="How the source links it: `member_of`, `coordinated_by` or `convened_by`.",
        ),
    ]


@dataclass(kw_only=True, slots=True)
class NetworkSummary(OrganisationSummary):
    members: list[MemberPublic]


@dataclass(kw_only=True, slots=True)
class NetworkDetail(OrganisationDetail):
    members: list[MemberPublic]


# --- Input: what editors send (SQLModel's "multiple models": never the table class) ---

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
ListItem = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
TopicLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class ConceptTagInput(Input):
    concept: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)
    ] = Field(examples=["legal-advice"], description="The id of a concept of the scheme.")
    basis: ConceptBasis = ConceptBasis.stated
    evidence: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
        | None
    ) = Field(default=None, description="Words of the source that state it, verbatim.")
    note: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
        | None
    ) = None

    @model_validator(mode="after")
    def says_how_it_is_known(self) -> "ConceptTagInput":
        if self.basis is ConceptBasis.stated and self.evidence is None:
            raise ValueError("a stated concept quotes its evidence (the source's words)")
        if self.basis is ConceptBasis.inferred and self.note is None:
            raise ValueError("an inferred concept says from what, in `note`")
        return self


class ConceptTagsInput(Input):
    offers: Annotated[list[ConceptTagInput], Field(max_length=50)] = Field(
        default=[], description="Concepts of `/vocabularies/offers`."
    )
    target_groups: Annotated[list[ConceptTagInput], Field(max_length=50)] = Field(
        default=[], description="Concepts of `/vocabularies/target-groups`."
    )
    access: Annotated[list[ConceptTagInput], Field(max_length=50)] = Field(
        default=[], description="Concepts of `/vocabularies/access`."
    )
    languages: Annotated[list[ConceptTagInput], Field(max_length=50)] = Field(
        default=[],
        description="Concepts of `/vocabularies/languages`: ISO 639-1 codes (`ar`), or "
        "ISO 639-3 for a language without one (`prs`).",
    )


class RegionLinkInput(Input):
    region: Key = Field(examples=["14626"], description="Code or slug of the region.")
    role: RegionRole = RegionRole.area


class OrganisationUpdate(Input):
    """An organisation's full editable state: the body of `PUT`, and what a `PATCH` must
    leave behind. The slug is the record's key and cannot change."""

    name: Name = Field(examples=["Refugee Law Clinic Leipzig e.V."])
    short_name: ShortText | None = None
    kind: OrganisationKind = Field(examples=["association"])
    legal_form: ShortText | None = Field(default=None, examples=["e.V."])
    level: Level | None = None
    description: LongText | None = None
    tasks: Annotated[list[ListItem], Field(max_length=100)] = Field(default=[])
    target_groups: Annotated[list[ListItem], Field(max_length=100)] = Field(default=[])
    names_in_source: Annotated[list[Name], Field(max_length=20)] = Field(default=[])
    topics: Annotated[list[TopicLabel], Field(max_length=50)] = Field(
        default=[], examples=[["rechtsberatung", "asylverfahren"]]
    )
    regions: Annotated[list[RegionLinkInput], Field(max_length=50)] = Field(default=[])
    concepts: ConceptTagsInput = Field(default_factory=ConceptTagsInput)
    valid_as_of: date | None = Field(
        default=None, description="The day the facts were known to be true; default: today."
    )


class OrganisationCreate(OrganisationUpdate):
    slug: Slug | None = Field(
        default=None,
        examples=["refugee-law-clinic-leipzig"],
        description="The record's key in URLs; made from the name if not given.",
    )
