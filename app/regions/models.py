"""Regions: the Freistaat Sachsen, its Kreise and the towns and former districts below them."""

from enum import StrEnum

from sqlmodel import Field

from app.db import Editable


class RegionKind(StrEnum):
    state = "state"
    urban_district = "urban_district"  # kreisfreie Stadt
    rural_district = "rural_district"  # Landkreis
    municipality = "municipality"  # Stadt or Gemeinde within a Landkreis
    former_district = "former_district"  # Landkreis dissolved by the 2008 reform


class Region(Editable, table=True):
    __tablename__ = "region"

    id: int | None = Field(default=None, primary_key=True)
    # Amtlicher Regionalschlüssel / Gemeindeschlüssel; null only where none exists today.
    code: str | None = Field(default=None, max_length=12, unique=True)
    slug: str = Field(max_length=120, unique=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=40, index=True)
    parent_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    note: str | None = Field(default=None, max_length=1000)
