"""The whole directory as one JSON document: what `export` writes and `import` reads.

Records are keyed as the API keys them (slugs; a region by code or slug; a contact
inside its organisation; a relation by its two ends and type), never by database
ids, so a file moves between databases. Each record is the body its resource's
`PUT` takes, plus what an edit cannot set: `last_verified_at` and the provenance
(which source, slide and section; corrections and inferences). Nothing in the file
depends on when or where it was written, so exporting what an import of it wrote
gives the same bytes. `directory.schema.json` beside this module is these models'
JSON Schema (a test keeps it so).
"""

from datetime import date
from pathlib import Path
from typing import Annotated, Final, Literal

import orjson
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints

from app.contacts.schemas import ContactUpdate
from app.deps import as_utc_moment
from app.inputs import Input, Slug
from app.organisations.schemas import OrganisationUpdate
from app.regions.schemas import RegionUpdate
from app.relations.schemas import RelationInput

FORMAT: Final = "wegweiser-sachsen-directory"
VERSION: Final = 1

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Moment = Annotated[
    AwareDatetime | None,
    Field(default=None, description="When an editor last confirmed the facts; null: never."),
    AfterValidator(lambda moment: as_utc_moment(moment) if moment is not None else None),
]


class CorrectionEntry(Input):
    field: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    original: Text
    note: Text


class InferenceEntry(Input):
    field: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    value: Text | None = None
    reason: Text


class RelationProvenanceEntry(Input):
    """Where the record's facts were read: a source of `sources` (or, merging, of the
    database) by slug, its slide and section, and what is inferred rather than stated."""

    source: Slug | None = None
    slide: int | None = Field(default=None, ge=1, le=100_000)
    section: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    inferences: list[InferenceEntry] = Field(default=[])


class ProvenanceEntry(RelationProvenanceEntry):
    """As a relation's, and the obvious errors of the source corrected, with the original."""

    corrections: list[CorrectionEntry] = Field(default=[])


class Kept(Input):
    """What a record carries beyond its editable state."""

    last_verified_at: Moment = None
    provenance: ProvenanceEntry | None = None


class SourceEntry(Input):
    slug: Slug
    title: Title
    subtitle: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
        | None
    ) = None
    published_on: date
    authors: list[Title] = Field(default=[])
    publisher: Title
    file_name: Title


class RegionEntry(RegionUpdate):
    slug: Slug
    last_verified_at: Moment = None


class ContactEntry(ContactUpdate, Kept):
    pass


class OrganisationEntry(OrganisationUpdate, Kept):
    slug: Slug
    contacts: list[ContactEntry] = Field(
        default=[],
        description="All of its contacts: one the database holds beyond them is deleted. "
        "Left out, its contacts stay as they are.",
    )


class RelationEntry(RelationInput, Kept):
    provenance: RelationProvenanceEntry | None = None  # type: ignore[assignment]


class DirectoryFile(Input):
    """The whole directory: every record that is not deleted."""

    format: Literal["wegweiser-sachsen-directory"] = FORMAT
    version: Literal[1] = VERSION
    sources: list[SourceEntry] = Field(default=[])
    regions: list[RegionEntry] = Field(default=[])
    organisations: list[OrganisationEntry] = Field(default=[])
    relations: list[RelationEntry] = Field(default=[])


class ImportResult(BaseModel):
    """What an import did, per resource (`organisation`, `contact`, `region`, `relation`)."""

    created: dict[str, int] = Field(
        examples=[{"contact": 12, "organisation": 74, "region": 23, "relation": 43}]
    )
    updated: dict[str, int] = Field(examples=[{}])
    deleted: dict[str, int] = Field(examples=[{}])
    unchanged: dict[str, int] = Field(
        examples=[{"contact": 0, "organisation": 0, "region": 0, "relation": 0}]
    )
    revision: int | None = Field(
        examples=[1], description="The directory revision it committed; null: nothing changed."
    )


def json_schema() -> bytes:
    """The JSON Schema of `DirectoryFile`, as `directory.schema.json` holds it."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **DirectoryFile.model_json_schema(),
    }
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


SCHEMA_FILE = Path(__file__).with_name("directory.schema.json")

if __name__ == "__main__":  # python -m app.exchange.schemas: rewrite the schema file
    SCHEMA_FILE.write_bytes(json_schema())
