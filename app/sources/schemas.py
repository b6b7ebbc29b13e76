from datetime import date

from pydantic import BaseModel, Field


class SourcePublic(BaseModel):
    slug: str = Field(examples=["praxis-vor-ort-2015-04-16"])
    title: str = Field(examples=["Praxis vor Ort"])
    subtitle: str | None
    published_on: date = Field(examples=["2015-04-16"])
    authors: list[str] = Field(examples=[["Badakhshi (Leipzig)", "Wendel (Dresden)"]])
    publisher: str = Field(examples=["IQ Netzwerk Sachsen"])
    file_name: str


class CorrectionPublic(BaseModel):
    field: str = Field(examples=["name"])
    original: str = Field(examples=["Netzwerk für Demokratische Kultur e.V.- Wurzeln"])
    note: str


class Provenance(BaseModel):
    """Where a record's facts were read."""

    source: SourcePublic | None
    slide: int | None = Field(examples=[14], description="Slide of the source document.")
    section: str | None = Field(examples=["Ebene: Regionale Netzwerke › Bon Courage e.V."])
    corrections: list[CorrectionPublic] = Field(
        default=[], description="Obvious errors of the source corrected here, with the original."
    )
