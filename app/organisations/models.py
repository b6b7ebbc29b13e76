"""Organisations (every actor, networks included) and the typed relations between them."""

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import Editable, json_list_column


class OrganisationKind(StrEnum):
    authority = "authority"
    parliament = "parliament"
    department = "department"
    office = "office"
    association = "association"
    company = "company"
    university = "university"
    programme = "programme"
    project = "project"
    campaign = "campaign"
    initiative = "initiative"
    counselling_service = "counselling_service"
    network = "network"
    committee = "committee"
    working_group = "working_group"
    round_table = "round_table"


NETWORK_KINDS: frozenset[str] = frozenset(
    {
        OrganisationKind.network,
        OrganisationKind.committee,
        OrganisationKind.working_group,
        OrganisationKind.round_table,
    }
)


class Level(StrEnum):
    """The level the source document files an actor under."""

    land = "land"
    supra_regional = "supra_regional"
    regional = "regional"


class RegionRole(StrEnum):
    area = "area"  # the region the organisation serves
    seat = "seat"  # where it has an office


class RelationType(StrEnum):
    """Read as `subject <type> object`, e.g. `bon-courage coordinates …` is stored inverted."""

    member_of = "member_of"
    partner_of = "partner_of"
    coordinated_by = "coordinated_by"
    sponsored_by = "sponsored_by"
    funded_by = "funded_by"
    part_of = "part_of"
    runs = "runs"
    cooperates_with = "cooperates_with"
    convened_by = "convened_by"


# How a relation reads from its object's side.
INVERSE_RELATION: dict[str, str] = {
    "member_of": "has_member",
    "partner_of": "has_partner",
    "coordinated_by": "coordinates",
    "sponsored_by": "sponsors",
    "funded_by": "funds",
    "part_of": "has_part",
    "runs": "run_by",
    "cooperates_with": "cooperates_with",
    "convened_by": "convenes",
}


class Organisation(Editable, table=True):
    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    name: str = Field(max_length=300)
    short_name: str | None = Field(default=None, max_length=100)
    kind: str = Field(max_length=40, index=True)
    legal_form: str | None = Field(default=None, max_length=100)
    level: str | None = Field(default=None, max_length=40, index=True)
    description: str | None = Field(default=None, sa_column=Column(Text))
    tasks: list[str] = json_list_column()
    target_groups: list[str] = json_list_column()
    # Folded name for sorting and substring matching (see app.folding).
    name_key: str = Field(max_length=300, index=True)
    # Folded names, short names, description, tasks, topics and target groups.
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    names_in_source: list[str] = json_list_column()
    corrections: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # What is read from context rather than stated: [{field, value, reason}] (app.sources).
    inferences: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    source_id: int | None = Field(default=None, foreign_key="source_document.id", index=True)
    source_slide: int | None = None
    source_section: str | None = Field(default=None, max_length=500)


class OrganisationTopic(SQLModel, table=True):
    __tablename__ = "organisation_topic"

    organisation_id: int = Field(
        foreign_key="organisation.id", primary_key=True, ondelete="CASCADE"
    )
    # Folded (app.folding): what the `topic` filter and facet match, in any spelling.
    topic: str = Field(max_length=80, primary_key=True, index=True)
    # As the data spells it (`härtefälle` for the key `haertefaelle`), for display.
    label: str = Field(max_length=80)


class ConceptBasis(StrEnum):
    """How a concept tag is known: `stated` by the evidence quoted, or `inferred` (the note
    says from what, e.g. the organisation's name)."""

    stated = "stated"
    inferred = "inferred"


class OrganisationConcept(SQLModel, table=True):
    """A concept of a published scheme (app.vocabularies) that applies to an organisation:
    what it offers, for whom, how."""

    __tablename__ = "organisation_concept"
    # The organisations tagged with a concept, from the index alone (`offer=`, `/help`).
    __table_args__ = (
        Index(
            "ix_organisation_concept_scheme_concept_organisation_id",
            "scheme",
            "concept",
            "organisation_id",
        ),
    )

    organisation_id: int = Field(
        foreign_key="organisation.id", primary_key=True, ondelete="CASCADE"
    )
    scheme: str = Field(max_length=40, primary_key=True)
    concept: str = Field(max_length=60, primary_key=True)
    basis: str = Field(default=ConceptBasis.stated, max_length=20)
    # Verbatim from the source (or whatever an editor cites) that says the concept applies.
    evidence: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=1000)


class OrganisationRegion(SQLModel, table=True):
    __tablename__ = "organisation_region"
    # The organisations of a set of regions, from the index alone (the `region` filter).
    __table_args__ = (
        Index("ix_organisation_region_region_id_organisation_id", "region_id", "organisation_id"),
    )

    organisation_id: int = Field(
        foreign_key="organisation.id", primary_key=True, ondelete="CASCADE"
    )
    region_id: int = Field(foreign_key="region.id", primary_key=True)
    role: str = Field(default=RegionRole.area, max_length=20)


class Relation(Editable, table=True):
    __tablename__ = "organisation_relation"
    __table_args__ = (UniqueConstraint("subject_id", "object_id", "type"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    object_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=40, index=True)
    role: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=1000)
    # What is read from context rather than stated: [{field, value, reason}] (app.sources).
    inferences: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    source_id: int | None = Field(default=None, foreign_key="source_document.id")
    source_slide: int | None = None
    source_section: str | None = Field(default=None, max_length=500)
