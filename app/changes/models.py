"""The change log: one row per version of every record, written with the change itself."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime


class Resource(StrEnum):
    organisation = "organisation"
    relation = "relation"
    region = "region"
    contact = "contact"


class Action(StrEnum):
    created = "created"
    updated = "updated"
    deleted = "deleted"


class Change(SQLModel, table=True):
    """A record's new version: what changed, who changed it, when and why.

    `id` is the change's position in the feed. Writers take the directory lock
    (app.writes) before they write, so ids are handed out in commit order: a
    reader that has seen position n never later finds a new change below it.
    """

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_resource_record_id_id", "resource", "record_id", "id"),)

    # INTEGER on SQLite (the rowid itself), BIGINT elsewhere.
    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    # The directory revision the writing transaction committed (app.revision).
    revision: int = Field(sa_type=BigInteger, nullable=False)
    resource: str = Field(max_length=20)
    record_id: int
    # The record's key in URLs when the change was made: a slug, a region code, an id.
    key: str = Field(max_length=120)
    action: str = Field(max_length=10)
    version: int
    changed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # The name of the API key (or `seed`, or the generator) that wrote it; never the key.
    actor: str = Field(max_length=100)
    source_note: str | None = Field(default=None, max_length=1000)
    # {field: {"before": …, "after": …}} of the fields that changed.
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
