"""API keys: who may write. Only a salted hash of each secret is stored."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, json_list_column, utc_now


class Scope(StrEnum):
    write = "write"  # create, update and delete directory records
    admin = "admin"  # manage keys; implies write


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    # The public part of the secret (`wgw_<lookup>_…`): finds the row without a scan.
    lookup: str = Field(max_length=32, unique=True)
    salt: str = Field(max_length=64)
    secret_hash: str = Field(max_length=128)
    scopes: list[str] = json_list_column()
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
