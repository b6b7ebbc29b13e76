from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from pydantic import Field


@dataclass(kw_only=True, slots=True)
class SourcePublic:
    slug: Annotated[str, Field(examples=["praxis-vor-ort-2015-04-16"])]
    title: Annotated[str, Field(examples=["Praxis vor Ort"])]
    subtitle: str | None
    published_on: Annotated[date, Field(examples=["2015-04-16"])]
    authors: Annotated[list[str], Field(examples=[["Badakhshi (Leipzig)", "Wendel (Dresden)"]])]
    publisher: Annotated[str, Field(examples=["IQ Netzwerk Sachsen"])]
    file_name: str


@dataclass(kw_only=True, slots=True)
class CorrectionPublic:
    field: Annotated[str, Field(examples=["name"])]
    original: Annotated[str, Field(examples=["Netzwerk für Demokratische Kultur e.V.- Wurzeln"])]
    note: str


@dataclass(kw_only=True, slots=True)
class InferencePublic:
    field: Annotated[str, Field(examples=["regions"])]
    value: Annotated[
        str | None,
        Field(examples=["leipzig"], description="Which item of a list field, if one."),
    ] = None
    reason: Annotated[str, Field(examples=["Region aus „Leipzig“ im Namen abgeleitet."])]


@dataclass(kw_only=True, slots=True)
class Provenance:
    """Where a record's facts were read."""

    source: SourcePublic | None
    slide: Annotated[int | None, Field(examples=[14], description="Slide of the source document.")]
    section: Annotated[
        str | None, Field(examples=["Ebene: Regionale Netzwerke › Bon Courage e.V."])
    ]
    corrections: Annotated[
        list[CorrectionPublic],
        Field(
            description="Obvious errors of the source corrected here, with the original.",
            json_schema_extra={"default": []},  # an answer without corrections holds []
        ),
    ] = field(default_factory=list)
    inferences: Annotated[
        list[InferencePublic],
        Field(
            description="What is read from context, layout or a name rather than stated in "
            "the source, with the reason; everything else is stated (or corrected, above).",
            json_schema_extra={"default": []},
        ),
    ] = field(default_factory=list)
