"""The shape of `seed/wegweiser.yaml`, validated completely before anything is written."""

from datetime import date
from typing import Annotated, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.contacts.models import ContactKind
from app.organisations.models import (
    ConceptBasis,
    Level,
    OrganisationKind,
    RegionRole,
    RelationType,
)
from app.regions.models import RegionKind

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Topic = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9äöüß]+(?:-[a-z0-9äöüß]+)*$", max_length=80)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Correction(Strict):
    """An obvious error in the source that the data corrects; `original` is the source's text."""

    field: Literal["name", "short_name", "legal_form", "description", "tasks", "value", "label"]
    original: Text
    note: Text


class Inference(Strict):
    """A fact read from context, layout, a name or knowledge beside the source rather than
    stated in it: which field (and, for a list, which item) and why."""

    field: Literal[
        "name",
        "short_name",
        "kind",
        "legal_form",
        "level",
        "description",
        "tasks",
        "target_groups",
        "topics",
        "regions",
        "names_in_source",
        "relation",
        "role",
        "note",
        "value",
        "label",
        "region",
    ]
    value: Text | None = None
    reason: Text


class ConceptTagEntry(Strict):
    """A vocabulary concept the source states (`evidence`: its words, verbatim) or that is
    inferred (`note`: from what)."""

    concept: Text
    basis: ConceptBasis = ConceptBasis.stated
    evidence: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def says_how_it_is_known(self) -> Self:
        if self.basis is ConceptBasis.stated and self.evidence is None:
            raise ValueError(f"{self.concept}: a stated concept quotes its evidence")
        if self.basis is ConceptBasis.inferred and self.note is None:
            raise ValueError(f"{self.concept}: an inferred concept says from what in `note`")
        return self


class ConceptsEntry(Strict):
    offers: list[ConceptTagEntry] = []
    target_groups: list[ConceptTagEntry] = []
    access: list[ConceptTagEntry] = []
    languages: list[ConceptTagEntry] = []


class SourceEntry(Strict):
    slug: Slug
    title: Text
    subtitle: Text | None = None
    published_on: date
    authors: list[Text]
    publisher: Text
    file_name: Text


class RegionEntry(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^14\d{0,10}$")] | None = None
    slug: Slug
    name: Text
    kind: RegionKind
    parent: Slug | None = None
    note: Text | None = None


class RegionLink(Strict):
    region: Slug
    role: RegionRole = RegionRole.area


class Provenanced(Strict):
    slide: int = Field(ge=1)
    section: Text


class ContactEntry(Provenanced):
    kind: ContactKind
    value: Text
    label: Text | None = None
    role: Text | None = None
    region: Slug | None = None
    corrections: list[Correction] = []
    inferences: list[Inference] = []

    @model_validator(mode="after")
    def value_fits_kind(self) -> Self:
        if self.kind is ContactKind.email and not _looks_like_email(self.value):
            raise ValueError(f"not an e-mail address: {self.value!r}")
        if self.kind is ContactKind.website and not self.value.startswith(("http://", "https://")):
            raise ValueError(f"website must be an absolute http(s) URL: {self.value!r}")
        if self.role is not None and self.kind is not ContactKind.person:
            raise ValueError("only a person contact has a role")
        return self


class OrganisationEntry(Provenanced):
    slug: Slug
    name: Text
    short_name: Text | None = None
    kind: OrganisationKind
    legal_form: Text | None = None
    level: Level | None = None
    names_in_source: list[Text] = Field(min_length=1)
    description: Text | None = None
    tasks: list[Text] = []
    topics: list[Topic] = []
    target_groups: list[Text] = []
    regions: list[RegionLink] = []
    concepts: ConceptsEntry = ConceptsEntry()
    contacts: list[ContactEntry] = []
    corrections: list[Correction] = []
    inferences: list[Inference] = []

    @field_validator("regions", mode="before")
    @classmethod
    def region_shorthand(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"region": v} if isinstance(v, str) else v for v in value]
        return value


class RelationEntry(Provenanced):
    subject: Slug
    type: RelationType
    object: Slug
    role: Text | None = None
    note: Text | None = None
    inferences: list[Inference] = []


class StructuralHeading(Strict):
    """A heading or bold bullet of the source that names no actor (e.g. "Ziele")."""

    text: Text
    reason: Text


class SeedFile(Strict):
    source: SourceEntry
    regions: list[RegionEntry]
    organisations: list[OrganisationEntry]
    relations: list[RelationEntry]
    structural_headings: list[StructuralHeading] = []

    @model_validator(mode="after")
    def references_resolve(self) -> Self:
        problems: list[str] = []
        region_slugs = _unique("region slug", [r.slug for r in self.regions], problems)
        _unique("region code", [r.code for r in self.regions if r.code], problems)
        org_slugs = _unique("organisation slug", [o.slug for o in self.organisations], problems)

        for region in self.regions:
            if region.parent is not None and region.parent not in region_slugs:
                problems.append(f"region {region.slug}: unknown parent {region.parent}")
        problems += _cycles(self.regions)

        for org in self.organisations:
            for link in org.regions:
                if link.region not in region_slugs:
                    problems.append(f"organisation {org.slug}: unknown region {link.region}")
            _unique(f"{org.slug} region", [link.region for link in org.regions], problems)
            _unique(f"{org.slug} contact", [(c.kind, c.value) for c in org.contacts], problems)
            for contact in org.contacts:
                if contact.region is not None and contact.region not in region_slugs:
                    problems.append(f"contact {contact.value}: unknown region {contact.region}")

        for rel in self.relations:
            for end in (rel.subject, rel.object):
                if end not in org_slugs:
                    problems.append(
                        f"relation {rel.subject} {rel.type} {rel.object}: unknown {end}"
                    )
            if rel.subject == rel.object:
                problems.append(f"relation {rel.subject} {rel.type}: points to itself")
        _unique("relation", [(r.subject, r.type, r.object) for r in self.relations], problems)

        if problems:
            raise ValueError("; ".join(problems))
        return self


def _looks_like_email(value: str) -> bool:
    local, _, domain = value.partition("@")
    return bool(local) and "." in domain and " " not in value


T = TypeVar("T")


def _unique(what: str, values: list[T], problems: list[str]) -> set[T]:
    seen: set[T] = set()
    for value in values:
        if value in seen:
            problems.append(f"duplicate {what}: {value}")
        seen.add(value)
    return seen


def _cycles(regions: list[RegionEntry]) -> list[str]:
    parent = {r.slug: r.parent for r in regions}
    problems = []
    for start in parent:
        seen: set[str] = set()
        node: str | None = start
        while node is not None:
            if node in seen:
                problems.append(f"region {start}: parent chain loops")
                break
            seen.add(node)
            node = parent.get(node)
    return problems
